"""Train the poker-face side of a PF-ViT: a composing generator G on frozen E, S and C.

    /usr/bin/python3 training/import_onnx.py --model resources/models/pfvit-ferplus-small-v5 --out $R/v5.pt
    /usr/bin/python3 training/train_pokerface.py --warm-start $R/v5.pt --out $R/poker

G keeps its transformer (from the warm start) and gets a composition head (pfvit/composition.py):
poker face = m * x + (1 - m) * c. E, S and C do not learn, so the classifier stays exactly the warm
start's. Each step, on a batch of faces x with labels y:

* G minimises
    w_rec  |x^ - x|                      x^ composed from G(z): the reconstruction keeps the face
  + w_same |x~ - x|   (neutral-labelled) a neutral face's poker face is the face itself
  + w_neutral hinge(-log p_C(neutral | view(x~)))   (expressive) the frozen classifier, shown a random
                                         shifted/scaled/blurred/noisy view (judge_view.py), should
                                         find the poker face neutral, until p >= --enough
  + w_residue (1 - cos(V_p(view(x~)), V_p(view(x))))  everything but the emotion stays (same view)
  + w_adv   D should judge x~ real and neutral (a realism prior: D learns real faces)
  + w_changed mean(1 - m) + w_rough TV(m)   change as little as possible, in one smooth region
  + w_moved mean|f| / warp_px             (--warp-px) move as little as possible
  + w_second_judge  the same hinge from mini-Xception on the same view (an ensemble of two judges)
  + w_identity (1 - cos(F(x~), F(x)))  (expressive) MobileFace V3 identity embeddings
  The last two read third-party networks from ../shared/models (pfvit/face_nets.py); weight 0 skips them.
* D (fresh, decoder-sized ViT with K+1 outputs) learns real faces as (label, real) and poker faces as
  (neutral, fake); with --d-real neutral only the neutral-labelled real faces, a prior of real neutral faces.

Nothing here reads the networks that judge poker faces in `pokerface eval` (a test checks it).
best.pt is chosen on FERPlus Valid by the training judges' mean neutral rate on expressive poker
faces, minus our classifier's on their reconstructions, with a penalty when neutral faces' poker faces
drift from the input by more than --neutral-l1 (pixel units). A --warm-start that already composes
(an earlier run's best.pt) carries its composition head and D over too.
"""
import argparse
import os
import sys
from dataclasses import replace

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from pfvit.augment import STD
from pfvit.checkpoint import read_file
from pfvit.face_nets import ExpressionJudge, IdentityNet
from pfvit.judge_view import random_view
from pfvit.losses import hard_labels
from pfvit.pfvit import PFViT
from pfvit.poker_losses import (changed_share, moved_share, neutral_push, pixel_l1, pixel_l1_per_face,
                                realism_loss_for_d, realism_loss_for_g, roughness)
from pfvit.presets import ModelConfig
from pfvit.runtime import TRAINING_DIR, Run, add_common_args
from pfvit.sampler import EpochBatches
from pfvit.schedules import drop_lr_at_epoch, remember_initial_lr
from pfvit.sources import add_labelled_args, labelled_datasets

# Defaults are pfvit-ferplus-small-v5's run (recipes/cpu-v5.sh); its card has the ablation.
WEIGHTS = (('rec', 10.0), ('same', 20.0), ('neutral', 1.0), ('residue', 5.0), ('adv', 1.0),
           ('changed', 3.0), ('rough', 1.0), ('second_judge', 0.0), ('identity', 0.0), ('moved', 1.0))
# Third-party networks, loaded only when their term has a weight (pfvit/face_nets.py).
OPTIONAL_NETS = {'second_judge': ExpressionJudge, 'identity': IdentityNet}
# A pixel-head G's output layer has no place in a composing G; the composition head starts fresh.
NOT_CARRIED = ('generator.decoder_pred.',)
WARP = 'generator.composer.flow.'


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(p, batch_cpu=32, batch_cuda=128)
    add_labelled_args(p)
    g = p.add_argument_group('poker face')
    g.add_argument('--warm-start', required=True,
                   help="a PF-ViT checkpoint (train_pfvit.py's, or import_onnx.py's from a shipped model folder): "
                        'E, S and C are taken as they are and frozen; G\'s transformer starts from its G')
    g.add_argument('--generator-from', metavar='CHECKPOINT',
                   help='take G (and D, where it has one) from this PF-ViT checkpoint instead of the warm start: '
                        'a composing generator trained before (e.g. import_onnx.py of the previous model) '
                        'learns the warm start\'s new E, S, C instead of starting its head from nothing')
    g.add_argument('--warp-px', type=float,
                   help="G may also move the input's pixels, up to this many pixels (composition.py; a smooth "
                        "field from one control point per patch, starting at zero); 0 paints only. Default: "
                        "the warm start's (0 for a model that never warped)")
    g.add_argument('--paint-region', choices=['anywhere', 'mouth', 'none'],
                   help="where the colour layer may replace the input: anywhere, only around the mouth, or "
                        "nowhere (composition.py; with --warp-px the rest of the face can only move). Default: "
                        "the warm start's (anywhere for a model that never restricted it)")
    g.add_argument('--colour-layer', default='grey', choices=['grey', 'rgb'],
                   help="what G may paint: one luminance (FER2013's grey faces; no tint) or colour")
    g.add_argument('--lr', type=float, default=2e-4, help='Adam lr of G')
    g.add_argument('--lr-d', type=float, default=1e-4, help='Adam lr of D (betas 0.5, 0.999)')
    g.add_argument('--lr-drop-epoch', type=int, help='from this epoch (0-based) on, both lrs / 10')
    g.add_argument('--enough', type=float, default=0.7,
                   help="the training judge's p(neutral) beyond which the neutral push stops")
    g.add_argument('--d-real', default='all', choices=['all', 'neutral'],
                   help='which real faces D learns as real: all (with their labels), or only the '
                        'neutral-labelled ones (D becomes a prior of real neutral faces)')
    g.add_argument('--neutral-l1', type=float, default=0.02,
                   help='selection: largest acceptable mean |x~ - x| (pixels 0..1) on neutral-labelled faces')
    for name, default in WEIGHTS:
        g.add_argument(f'--w-{name.replace("_", "-")}', type=float, default=default, help=f'weight of L_{name}')
    return p.parse_args(argv)


def composing_model(warm_start: str, colour_layer: str, generator_from: str = None, warp_px: float = None,
                    paint_region: str = None):
    """The warm start's PF-ViT with a composing G: every tensor but the pixel head carried over; with
    `generator_from`, G and D come from that checkpoint instead. A warp added to a G that had none
    starts at zero (composition.py), so the first step's faces are the old G's."""
    ckpt = read_file(warm_start)
    if ckpt.get('kind') != 'pfvit':
        raise SystemExit(f'--warm-start needs a PF-ViT checkpoint; {warm_start} is {ckpt.get("kind")!r}')
    start = ModelConfig.from_dict(ckpt['config'])
    if paint_region is None:  # not given: keep the warm start's
        paint_region = start.paint_region
    elif paint_region == 'anywhere':  # the command line's word for the config's '' (no restriction)
        paint_region = ''
    cfg = replace(start, generator_output='composition', colour_layer=colour_layer,
                  warp_px=start.warp_px if warp_px is None else warp_px, paint_region=paint_region)
    model = PFViT(cfg)
    state = {k: v for k, v in ckpt['model'].items() if not k.startswith(NOT_CARRIED)}
    if generator_from:
        state = {**without_generator(state), **generator_of(generator_from, cfg)}
    if not cfg.warp_px:  # a warping G's displacement layer has no place in one that only paints
        state = {k: v for k, v in state.items() if not k.startswith(WARP)}
    missing, unexpected = model.load_state_dict(state, strict=False)
    fresh = [name for name, prefix in (('the composition head', 'generator.composer.'), ('D', 'discriminator.'))
             if any(k.startswith(prefix) and not k.startswith(WARP) for k in missing)]
    if any(k.startswith(WARP) for k in missing):
        fresh.append(f'the warp (up to {cfg.warp_px:g} px, at zero)')
    missing = [k for k in missing if not k.startswith(('generator.composer.', 'discriminator.'))]
    if missing or unexpected:
        raise SystemExit(f'--warm-start {warm_start} does not fit: missing {missing[:8]}, unexpected {unexpected[:8]}')
    report = f'warm start: {len(state)} tensors from {warm_start}' + (f'; {" and ".join(fresh)} start fresh' if fresh else '')
    if generator_from:
        report += f'; G and D from {generator_from}'
    return model, cfg, ckpt, report


GENERATOR_PARTS = ('generator.', 'discriminator.')


def without_generator(state: dict) -> dict:
    return {k: v for k, v in state.items() if not k.startswith(GENERATOR_PARTS)}


def generator_of(path: str, cfg) -> dict:
    """G's and D's tensors of a PF-ViT checkpoint whose encoder and generator sizes are cfg's (E's face stem,
    which G never reads, may differ)."""
    other = read_file(path)
    if other.get('kind') != 'pfvit':
        raise SystemExit(f'--generator-from needs a PF-ViT checkpoint; {path} is {other.get("kind")!r}')
    other_cfg = ModelConfig.from_dict(other['config'])
    if replace(other_cfg, generator_output=cfg.generator_output, colour_layer=cfg.colour_layer,
               face_stem=cfg.face_stem, warp_px=cfg.warp_px, paint_region=cfg.paint_region) != cfg:
        raise SystemExit(f'--generator-from {path} has another model size ({other["config"]})')
    if other_cfg.generator_output == 'composition' and other_cfg.colour_layer != cfg.colour_layer:
        raise SystemExit(f'--generator-from {path} paints a {other_cfg.colour_layer} colour layer: '
                         f'pass --colour-layer {other_cfg.colour_layer}')
    return {k: v for k, v in other['model'].items() if k.startswith(GENERATOR_PARTS) and not k.startswith(NOT_CARRIED)}


def main(argv=None) -> str:
    args = parse_args(argv)
    # Saved as kind 'pfvit' (evaluate.py and export_onnx.py read it as any PF-ViT), in its own folder.
    args.out = args.out or os.path.join(TRAINING_DIR, 'runs', 'pokerface')
    run = Run(args, 'pfvit')
    ckpt = run.load_resume()
    model, cfg, warm, load_report = composing_model(args.warm_start, args.colour_layer, args.generator_from,
                                                    args.warp_px, args.paint_region)
    train, val, classes, _ = labelled_datasets(args, cfg.img_size)
    neutral = warm.get('neutral', 0)
    if classes != warm.get('classes', classes):
        raise SystemExit(f'the warm start was trained on classes {warm.get("classes")}, this data has {classes}')
    model.to(run.device)
    for part in (model.encoder, model.separator, model.classifier):
        part.requires_grad_(False)
    std = torch.tensor(STD, device=run.device)
    nets = {name: net().to(run.device) for name, net in OPTIONAL_NETS.items() if getattr(args, f'w_{name}') > 0}
    gen, disc, k = model.generator, model.discriminator, cfg.num_classes
    opt_g = torch.optim.Adam(gen.parameters(), lr=args.lr)
    opt_d = torch.optim.Adam(disc.parameters(), lr=args.lr_d, betas=(0.5, 0.999))
    best = {'score': -1e9, 'epoch': None}
    if ckpt:
        run.check_config(ckpt, cfg)
        model.load_state_dict(ckpt['model'])
        opt_g.load_state_dict(ckpt['optimizers']['generator'])
        opt_d.load_state_dict(ckpt['optimizers']['discriminator'])
        best = ckpt['best']
    else:
        run.log.write({'event': 'init', 'report': load_report})
    remember_initial_lr([opt_g, opt_d])
    run.restore_rng()

    def step(x, targets):
        n = x.shape[0]
        y = hard_labels(targets)
        expressive = y != neutral
        model.encoder.eval(), model.separator.eval()
        gen.train(), disc.train()
        with torch.no_grad(), run.autocast():
            z, _, _, v_p = model.separate(x)
        with run.autocast():
            faces, keep, _, flow = gen.compose_with(torch.cat([z, v_p]), torch.cat([x, x]))
            recon, poker, keep_p = faces[:n], faces[n:], keep[n:]
            losses = {'loss_rec': pixel_l1(recon, x, std),
                      'loss_same': pixel_l1(poker[~expressive], x[~expressive], std) if (~expressive).any()
                      else x.new_zeros(()),
                      'loss_changed': changed_share(keep_p), 'loss_rough': roughness(keep_p),
                      'loss_moved': moved_share(flow[n:], cfg.warp_px) if flow is not None else x.new_zeros(())}
            judged = poker[expressive]
            if judged.shape[0]:
                seed = args.seed * 1_000_003 + run.progress.step  # the same views after a resume
                view = random_view(judged, torch.Generator().manual_seed(seed))
                _, _, v_e_view, v_p_view = model.separate(view)
                losses['loss_neutral'] = neutral_push(F.log_softmax(model.classify(v_e_view).float(), dim=1),
                                                      neutral, args.enough)
                if 'second_judge' in nets:  # the same view, a network trained elsewhere (an ensemble)
                    second = nets['second_judge']
                    losses['loss_second_judge'] = neutral_push(second(view), second.neutral, args.enough)
                if 'identity' in nets:
                    embeddings = nets['identity'](torch.cat([judged, x[expressive]]))
                    m = judged.shape[0]
                    losses['loss_identity'] = 1 - F.cosine_similarity(embeddings[:m], embeddings[m:], dim=1).mean()
                with torch.no_grad():
                    _, _, _, v_p_input = model.separate(random_view(x[expressive], torch.Generator().manual_seed(seed)))
                losses['loss_residue'] = 1 - F.cosine_similarity(
                    v_p_view.float().mean(dim=1), v_p_input.float().mean(dim=1), dim=1).mean()
                disc.requires_grad_(False)
                losses['loss_adv'] = realism_loss_for_g(disc(judged), k, neutral)
            else:
                for name in ('neutral', 'residue', 'adv', *nets):
                    losses[f'loss_{name}'] = x.new_zeros(())
            total = sum(getattr(args, f'w_{name}') * losses[f'loss_{name}'] for name, _ in WEIGHTS
                        if f'loss_{name}' in losses)
        opt_g.zero_grad(set_to_none=True)
        total.backward()
        opt_g.step()
        if judged.shape[0]:
            disc.requires_grad_(True)
            real, real_y = (x, y) if args.d_real == 'all' else (x[~expressive], y[~expressive])
            with run.autocast():
                d = disc(torch.cat([real, judged.detach().to(x.dtype)]))
                r = real.shape[0]
                losses['loss_dis'] = realism_loss_for_d(d[:r], d[r:], real_y, k, neutral)
            opt_d.zero_grad(set_to_none=True)
            losses['loss_dis'].backward()
            opt_d.step()
        losses['loss_total'] = total
        return losses

    def checkpoint():
        return {'model': model.state_dict(), 'config': cfg.to_dict(), 'classes': classes, 'neutral': neutral,
                'data': warm.get('data'), 'warm_start': args.warm_start, 'test_time': warm.get('test_time', {}),
                # E, S, C are the warm start's: its record (calibration included) stays this model's.
                'calibration': warm.get('calibration'), 'imported_from': warm.get('imported_from'),
                'interpolation': warm.get('interpolation'),
                'generator_phase': generator_phase(args),
                'optimizers': {'generator': opt_g.state_dict(), 'discriminator': opt_d.state_dict()},
                'best': best}

    def end_of_epoch(epoch):
        if val is None:
            return {}
        figures = validate(model, val, run, neutral, std, nets.get('second_judge'))
        judges = [figures['judge_neutral_poker_expressive']]
        if 'judge_neutral_poker_second_judge_expressive' in figures:
            judges.append(figures['judge_neutral_poker_second_judge_expressive'])
        score = (sum(judges) / len(judges) - figures['judge_neutral_reconstruction_expressive']
                 - 10 * max(0.0, figures['l1_poker_neutral'] - args.neutral_l1))
        if score > best['score']:
            best.update(score=score, epoch=epoch, **figures)
            run.save(checkpoint(), 'best.pt')
        drop_lr_at_epoch([opt_g, opt_d], epoch, args.lr_drop_epoch)
        return {f'val_{name}': value for name, value in figures.items()} | {'val_score': score}

    return run.train(train, step, checkpoint, end_of_epoch,
                     lrs=lambda: {'lr': opt_g.param_groups[0]['lr'], 'lr_d': opt_d.param_groups[0]['lr']})


def generator_phase(args) -> dict:
    """What the model card records about this run: the script, its loss weights and judges."""
    return {'script': 'train_pokerface.py', 'frozen': ['encoder', 'separator', 'classifier'],
            'colour_layer': args.colour_layer, 'enough': args.enough, 'lr': args.lr, 'lr_d': args.lr_d,
            'd_real': args.d_real, 'generator_from': args.generator_from,
            'weights': {name: getattr(args, f'w_{name}') for name, _ in WEIGHTS},
            'judges': ['the frozen classifier (E, S, C)', 'D (realism prior)']
                      + [OPTIONAL_NETS[name].__name__ for name in OPTIONAL_NETS if getattr(args, f'w_{name}') > 0]}


@torch.no_grad()
def validate(model, dataset, run, neutral: int, std: torch.Tensor, second_judge=None, batch_size: int = 128) -> dict:
    """On validation faces, as the app's generate graph computes them: how often the training judges
    (the frozen classifier; the second judge if one trains) call inputs, reconstructions and poker
    faces neutral, and the poker faces' pixel L1 to the input, for expressive and neutral faces."""
    model.eval()
    sums, counts = {}, {}

    def add(name, values):
        sums[name] = sums.get(name, 0.0) + float(values.float().sum())
        counts[name] = counts.get(name, 0) + values.numel()

    batches = EpochBatches(len(dataset), batch_size, 0, 0, shuffle=False, drop_last=False)
    for x, y in DataLoader(dataset, batch_sampler=batches, generator=torch.Generator()):
        x, y = x.to(run.device), y.to(run.device)
        with run.autocast():
            recon, poker, _ = model.generate(x)
            calls = [model(images).float().argmax(dim=1) == neutral for images in (x, recon, poker)]
            if second_judge is not None:
                calls.append(second_judge(poker).argmax(dim=1) == second_judge.neutral)
        changed = pixel_l1_per_face(poker, x, std)
        for group, pick in (('expressive', y != neutral), ('neutral', y == neutral)):
            if pick.any():
                for what, call in zip(('input', 'reconstruction', 'poker', 'poker_second_judge'), calls):
                    add(f'judge_neutral_{what}_{group}', call[pick])
                add(f'l1_poker_{group}', changed[pick])
    return {name: round(sums[name] / counts[name], 5) for name in sums}


if __name__ == '__main__':
    main(sys.argv[1:])
