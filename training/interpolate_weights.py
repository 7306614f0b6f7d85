"""Weight-space interpolation of two fine-tunings of one model (WiSE-FT, Wortsman et al., CVPR 2022):
(1 - alpha) * START + alpha * TUNED, tensor by tensor, where TUNED was trained from START.

    /usr/bin/python3 training/interpolate_weights.py --start $R/v4-imported.pt --tuned $R/v6-cls/best.pt \
        --alphas 0.1,0.2,0.3,0.4,0.5,0.7 --flip-average --out $R/v6-wise.pt

A long fine-tuning with strong augmentation moves a model towards other faces but away from what the
start did well; the straight line between the two keeps much of both. With several --alphas, each
point is calibrated on FERPlus Valid (calibrate.py: tau and T fitted and folded into C) and the one
with the best mean of Valid accuracy and mean per-class recall after calibration is written (with
every point's figures under `interpolation` in the checkpoint and on stdout). With one alpha the
interpolated checkpoint is written as it is, uncalibrated. Tensors only TUNED has (e.g. a fresh D)
come from TUNED, except a face stem's projection that TUNED added (train_pfvit.py --face-stem): START is
the same model with that projection at zero, so the line scales it by alpha.
"""
import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
from dataclasses import replace

import torch

import calibrate
from pfvit.checkpoint import read_file, save_file
from pfvit.presets import ModelConfig
from train_vit import pfvit_state_as_vit

STEM_PROJECTION = ('encoder.face_stem_proj.', 'face_stem_proj.')  # PF-ViT's E, the ViT baseline


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--start', required=True, help='the checkpoint TUNED was trained from (alpha 0)')
    p.add_argument('--tuned', required=True, help='the fine-tuned checkpoint (alpha 1)')
    p.add_argument('--alphas', required=True, help='one alpha, or several separated by commas to choose on Valid')
    p.add_argument('--out', required=True, help='the checkpoint to write')
    p.add_argument('--flip-average', action='store_true', help='as calibrate.py (with several --alphas)')
    p.add_argument('--data-dir', help='folder holding ferplus/ (default: $PF_DATA_DIR or ../shared/data)')
    p.add_argument('--limit', type=int, help='only the first N validation images (smoke tests)')
    return p.parse_args(argv)


def interpolate(start: dict, tuned: dict, alpha: float) -> dict:
    """TUNED's checkpoint with every floating tensor START shares moved to (1 - alpha) START + alpha TUNED.
    A ViT baseline made with train_vit.py --from-pfvit START joins its PF-ViT start through the tensors
    it took from it (E as its encoder, C as its head)."""
    if start.get('kind') == 'pfvit' and tuned.get('kind') == 'vit':
        start = {**start, 'kind': 'vit', 'model': pfvit_state_as_vit(start['model'])}
    if start.get('kind') != tuned.get('kind'):
        raise SystemExit(f'--start is a {start.get("kind")!r} checkpoint, --tuned a {tuned.get("kind")!r} one')
    tuned_cfg, start_cfg = ModelConfig.from_dict(tuned['config']), ModelConfig.from_dict(start['config'])
    if tuned_cfg.face_stem and not start_cfg.face_stem:  # the stem was added from START with a zero projection
        tuned_cfg = replace(tuned_cfg, face_stem='')
        start = {**start, 'model': {**start['model'], **{k: torch.zeros_like(v) for k, v in tuned['model'].items()
                                                         if k.startswith(STEM_PROJECTION)}}}
    if tuned_cfg != start_cfg:
        raise SystemExit('--start and --tuned have different model configurations: no straight line joins them')
    missing = [k for k in start['model'] if k not in tuned['model']]
    if missing:
        raise SystemExit(f'--tuned lacks tensors --start has ({missing[:4]}): was it trained from --start?')
    state = dict(tuned['model'])
    for key, a in start['model'].items():
        b = state[key]
        if a.shape != b.shape:
            raise SystemExit(f'{key}: {tuple(a.shape)} in --start, {tuple(b.shape)} in --tuned')
        if b.is_floating_point():
            state[key] = ((1 - alpha) * a.float() + alpha * b.float()).to(b.dtype)
    return {**tuned, 'model': state}


def main(argv=None) -> dict:
    args = parse_args(argv)
    alphas = [float(a) for a in args.alphas.split(',')]
    if any(not 0 <= a <= 1 for a in alphas):
        raise SystemExit(f'--alphas must lie in [0, 1]: {alphas}')
    start, tuned = read_file(args.start), read_file(args.tuned)
    record = {'start': os.path.abspath(args.start), 'tuned': os.path.abspath(args.tuned)}
    if len(alphas) == 1:
        ckpt = interpolate(start, tuned, alphas[0])
        ckpt['interpolation'] = {**record, 'alpha': alphas[0]}
        save_file(ckpt, args.out)
        return ckpt['interpolation']
    points, best = [], None
    with tempfile.TemporaryDirectory() as tmp:
        for alpha in alphas:
            plain, calibrated = os.path.join(tmp, 'plain.pt'), os.path.join(tmp, f'calibrated-{alpha}.pt')
            save_file(interpolate(start, tuned, alpha), plain)
            argv = ['--checkpoint', plain, '--out', calibrated] + (['--flip-average'] if args.flip_average else [])
            argv += ['--data-dir', args.data_dir] if args.data_dir else []
            argv += ['--limit', str(args.limit)] if args.limit else []
            with contextlib.redirect_stdout(io.StringIO()):
                fitted = calibrate.main(argv)
            after = fitted['valid_after']
            point = {'alpha': alpha, 'tau': fitted['tau'], 'temperature': fitted['temperature'],
                     'valid_accuracy': after['accuracy'], 'valid_mean_class_recall': after['mean_class_recall'],
                     'valid_ece': after['ece'], 'score': (after['accuracy'] + after['mean_class_recall']) / 2}
            points.append(point)
            if best is None or point['score'] > best['score']:
                best = point
                chosen = read_file(calibrated)
    chosen['interpolation'] = {**record, 'alpha': best['alpha'], 'chosen_by': 'FERPlus Valid, mean of accuracy '
                               'and mean per-class recall after calibration', 'points': points}
    save_file(chosen, args.out)
    print(json.dumps(chosen['interpolation'], indent=2))
    return chosen['interpolation']


if __name__ == '__main__':
    main(sys.argv[1:])
