"""Re-export a shipped PF-ViT folder's classify.onnx with the current contract's outputs (issue 17:
the [CLS] `embedding`), without its training checkpoint.

    /usr/bin/python3 training/reexport_onnx.py --model resources/models/pfvit-ferplus-small-v4 --out /tmp/v4-embed

The weights come back exactly through the folder's own graphs (pfvit/onnx_import.py, as import_onnx.py
does), and export_onnx.py's exporter writes the classifier again. generate.onnx is copied unchanged (its
outputs did not change), and model.json is kept as it is, with the new outputs' descriptions added:
its measured figures stay true only because the logits do not move, which `scripts/graph-parity.mjs`
checks (old and new graph on the same real faces, max abs difference per output). `--parity N`
writes parity.json for that check: N real FERPlus test faces, exact input tensors.
"""
import argparse
import json
import os
import shutil
import sys

import torch

import export_onnx
from pfvit.data import FERPLUS_CLASSES, NEUTRAL
from pfvit.graphs import CLASSIFY_OUTPUTS, ClassifyGraph, expected_shapes
from pfvit.model_card import model_card
from pfvit.onnx_import import import_model_folder
from pfvit.presets import ModelConfig
from pfvit.trained import TrainedModel, build, load_weights


def main(argv=None) -> str:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', required=True, help='shipped model folder (model.json, classify.onnx, generate.onnx)')
    p.add_argument('--out', required=True, help='folder to write (not the source folder)')
    p.add_argument('--parity', type=int, default=0, metavar='N', help='write parity.json with N real test faces')
    p.add_argument('--data-dir', help='folder holding ferplus/ (for --parity)')
    p.add_argument('--opset', type=int, default=17)
    args = p.parse_args(argv)
    if os.path.abspath(args.out) == os.path.abspath(args.model):
        raise SystemExit('--out must differ from --model: the old graph is what the new one is compared with')
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    ckpt = import_model_folder(args.model)
    cfg = ModelConfig.from_dict(ckpt['config'])
    model = build('pfvit', cfg)
    load_weights(model, 'pfvit', ckpt['model'])
    model.float().eval()
    trained = TrainedModel('pfvit', model, cfg, ckpt.get('classes', list(FERPLUS_CLASSES)),
                           ckpt.get('neutral', NEUTRAL), ckpt)
    with open(os.path.join(args.model, 'model.json')) as f:
        card = json.load(f)
    os.makedirs(args.out, exist_ok=True)
    classify = os.path.join(args.out, card['files']['classify'])
    export_onnx.export_graph(ClassifyGraph(trained), trained, classify, CLASSIFY_OUTPUTS, args.opset)
    export_onnx.check_graph(classify, trained, expected_shapes(trained)['classify'])
    shutil.copyfile(os.path.join(args.model, card['files']['generate']), os.path.join(args.out, card['files']['generate']))
    fresh = model_card(trained, card['id'], card['name'], card['version'], card['files'], None)['outputs']
    card['outputs'] = {**card.get('outputs', {}), **{k: v for k, v in fresh.items() if k not in card.get('outputs', {})}}
    export_onnx.write_json(os.path.join(args.out, 'model.json'), card)
    if args.parity:
        record = export_onnx.parity_record(trained, args.parity, args.data_dir, {'generate': None})
        export_onnx.write_json(os.path.join(args.out, 'parity.json'), record, indent=None)
    print(args.out)
    return args.out


if __name__ == '__main__':
    main(sys.argv[1:])
