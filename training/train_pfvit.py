"""PF-ViT training: E, S, C learn emotions while G and D learn to generate and judge poker faces.

    /usr/bin/python3 training/train_pfvit.py --preset cpu_small --init training/runs/mae/last.pt --out training/runs/pfvit

Each step: (1) E, S, G, C minimise
    w_emo L_emo + w_rec L_rec(x^, x) + w_rec_neutral L_rec(x~, x | neutral) + w_adv L_adv + w_orth L_orth
with L_adv the E/S/G side of L_dis (generated faces judged real, x~ judged neutral); (2) D minimises
L_dis with the K+1 targets (real x: label+real, x^: label+fake, x~: neutral+fake).
Orthogonality (--ortho): `direct` = |cos(V_e, V_p)|; `perceptual` = |cos(F(G(V_e)), F(G(V_p)))| with F
the frozen MAE-pretrained encoder (see pfvit/extractor.py); `both`; `none`.
Optimisers as in the paper: Adam lr 2e-5 for E, S, G, C; Adam lr 1e-4, betas (0.5, 0.999) for D.
"""
import argparse
import sys
from dataclasses import replace

import torch

from pfvit.checkpoint import load_discriminator, load_encoder, load_generator, mae_state_dict, read_file
from pfvit.extractor import FrozenExtractor
from pfvit.face_stem import FACE_STEMS, stem_param_groups, with_pretrained_stem
from pfvit.losses import (abs_cosine, adversarial_loss, balancing_weights, emotion_loss, hard_labels,
                          reconstruction_loss)
from pfvit.metrics import classification_report
from pfvit.mixup import mix
from pfvit.pfvit import PFViT
from pfvit.predict import predict
from pfvit.presets import ModelConfig, model_config
from pfvit.runtime import Run, add_common_args
from pfvit.schedules import add_schedule_args, check_schedule, drop_lr_at_epoch, remember_initial_lr, set_cosine_lr
from pfvit.selection import add_select_arg, keep_if_best
from pfvit.separation import separation_measure
from pfvit.steps import discriminator_step
from pfvit.sources import add_labelled_args, labelled_datasets
from pfvit.trained import load_weights

ORTHO_MODES = ('perceptual', 'direct', 'both', 'none')


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(p, batch_cpu=32, batch_cuda=128)
    add_labelled_args(p)
    g = p.add_argument_group('PF-ViT')
    g.add_argument('--init', help='MAE-format checkpoint initialising E, G and D (train_mae.py output)')
    g.add_argument('--encoder-init', help='checkpoint whose encoder replaces E\'s (e.g. a train_vit.py best.pt)')
    g.add_argument('--warm-start', help='a PF-ViT checkpoint (best.pt, or import_onnx.py\'s from a shipped '
                                        'model folder) giving E, S, C and G and the model\'s configuration '
                                        '(--preset and --input-size are then ignored); D starts fresh if it '
                                        'lacks one')
    g.add_argument('--face-stem', choices=FACE_STEMS,
                   help='add a convolutional branch from a face-recognition network to E\'s patch tokens '
                        '(pfvit/face_stem.py); taken from $PF_FACE_NETS_DIR or ../shared/models when the warm '
                        'start lacks it, with its projection at zero, so training starts from the warm start\'s '
                        'exact outputs')
    g.add_argument('--stem-from', help='with --face-stem conv_trunk: the train_conv_trunk.py checkpoint (best.pt) '
                                       'whose trunk becomes the branch')
    g.add_argument('--lr-stem', type=float, help='Adam lr of the face stem and its projection (default: --lr)')
    g.add_argument('--mixup', type=float, default=0.0, metavar='ALPHA',
                   help='classifier-only phases: mix each batch with itself shuffled, faces and targets alike, '
                        'lam ~ Beta(ALPHA, ALPHA) (pfvit/mixup.py); 0: off')
    g.add_argument('--balance', type=float, default=0.0, metavar='POWER',
                   help='class weights (1/frequency)**POWER in L_emo: 0 none, 1 every class equal in total')
    g.add_argument('--freeze', default='', metavar='PARTS',
                   help='comma-separated parts that do not learn: encoder, separator, classifier, generator '
                        '(e.g. a generator-only phase after a classifier-only one)')
    add_select_arg(g)
    g.add_argument('--ortho', default='perceptual', choices=ORTHO_MODES, help='orthogonality constraint')
    g.add_argument('--feature-extractor', help='MAE-format checkpoint for the frozen extractor (default: --init)')
    g.add_argument('--lr', type=float, default=2e-5, help='Adam lr of E, S, G, C')
    g.add_argument('--lr-d', type=float, default=1e-4, help='Adam lr of D (betas 0.5, 0.999)')
    g.add_argument('--lr-drop-epoch', type=int, help='from this epoch (0-based) on, both lrs / 10')
    add_schedule_args(g)
    for name, default in (('emo', 1.0), ('rec', 1.0), ('rec-neutral', 1.0), ('adv', 0.1), ('orth', 1.0)):
        g.add_argument(f'--w-{name}', type=float, default=default, help=f'weight of L_{name.replace("-", "_")}')
    return p.parse_args(argv)


def main(argv=None) -> str:
    args = parse_args(argv)
    check_schedule(args)
    run = Run(args, 'pfvit')
    warm = read_warm_start(args.warm_start)
    cfg = configuration(args, warm)
    train, val, classes, source = labelled_datasets(args, cfg.img_size)
    neutral = classes.index('neutral') if 'neutral' in classes else 0
    cfg = replace(cfg, num_classes=len(classes))
    model = PFViT(cfg).to(run.device)
    perceptual = args.ortho in ('perceptual', 'both')
    direct = args.ortho in ('direct', 'both')
    extractor = FrozenExtractor(cfg).to(run.device) if perceptual else None

    hard_train = [s.label for s in train.samples]
    class_weights = (balancing_weights(hard_train, len(classes), args.balance).to(run.device)
                     if args.balance else None)
    use_d = args.w_adv > 0  # without L_adv, D judges nothing that trains E, S, G: skip its passes
    # Without any term that reads G's output, skip G too (a classifier-only phase; G is then stale
    # for the new encoder and needs its own phase before export).
    use_g = use_d or perceptual or args.w_rec > 0 or args.w_rec_neutral > 0
    if args.mixup and use_g:
        raise SystemExit('--mixup is for classifier-only phases (--ortho none --w-adv 0 --w-rec 0 '
                         '--w-rec-neutral 0): a blend of two faces has no poker face to learn')
    frozen = [part for part in args.freeze.split(',') if part]
    for part in frozen:
        if part not in ('encoder', 'separator', 'classifier', 'generator'):
            raise SystemExit(f'--freeze: unknown part {part!r}')
        getattr(model, part).requires_grad_(False)
    learning = [(name, p) for name, p in model.named_parameters()
                if not name.startswith('discriminator.') and p.requires_grad]
    opt_main = torch.optim.Adam(stem_param_groups(learning, args.lr_stem), lr=args.lr)
    opt_d = torch.optim.Adam(model.discriminator.parameters(), lr=args.lr_d, betas=(0.5, 0.999))
    best = {'accuracy': -1.0, 'epoch': None, 'criterion': args.select, 'score': -1.0}

    ckpt = run.load_resume()
    if ckpt:  # everything comes from the checkpoint, even if the --init file has moved since
        run.check_config(ckpt, cfg)
        model.load_state_dict(ckpt['model'])
        opt_main.load_state_dict(ckpt['optimizers']['main'])
        opt_d.load_state_dict(ckpt['optimizers']['discriminator'])
        if extractor is not None and ckpt['feature_extractor'] is not None:
            extractor.load_state_dict(ckpt['feature_extractor'])
        elif extractor is not None:  # resumed with --ortho changed to use the extractor
            initialise(run, args, None, extractor, None)
        best = ckpt['best']
    else:
        initialise(run, args, model, extractor, warm)
    remember_initial_lr([opt_main, opt_d])
    run.restore_rng()
    k, disc = cfg.num_classes, model.discriminator
    steps_per_epoch = run.steps_per_epoch(train)

    def step(x, targets):
        model.train()
        set_cosine_lr([opt_main, opt_d], args, run.progress.step, steps_per_epoch)
        n = x.shape[0]
        if args.mixup:
            x, targets, _ = mix(x, targets, cfg.num_classes, args.mixup, run.progress.step)
        y = hard_labels(targets)
        with run.autocast():
            z, _, v_e, v_p = model.separate(x)
            logits = model.classify(v_e)
            losses = {'loss_emo': emotion_loss(logits, targets, class_weights)}
            if use_g:
                # One generator pass over [z; V_p; (V_e)]: x^ = G(V_e + V_p) = G(z), x~ = G(V_p).
                generated = model.generator(torch.cat([z, v_p, v_e] if perceptual else [z, v_p]))
                x_hat, x_tilde = generated[:n], generated[n:2 * n]
                losses['loss_rec'], losses['loss_rec_neutral'] = reconstruction_loss(x_hat, x_tilde, x, y, neutral)
            else:
                losses['loss_rec'] = losses['loss_rec_neutral'] = x.new_zeros(())
            if use_d:
                disc.requires_grad_(False)  # D is the judge here; only E, S, G, C learn from L_adv
                judged = disc(generated[:2 * n])
                losses['loss_adv'] = adversarial_loss(judged[:n], judged[n:], y, k, neutral)
            else:
                losses['loss_adv'] = x.new_zeros(())
            orth = []
            if direct:
                losses['loss_orth_direct'] = abs_cosine(v_e, v_p)
                orth.append(losses['loss_orth_direct'])
            if perceptual:
                features = extractor(torch.cat([generated[2 * n:], x_tilde]))
                losses['loss_orth_perceptual'] = abs_cosine(features[:n], features[n:])
                orth.append(losses['loss_orth_perceptual'])
            total = (args.w_emo * losses['loss_emo'] + args.w_rec * losses['loss_rec']
                     + args.w_rec_neutral * losses['loss_rec_neutral'] + args.w_adv * losses['loss_adv']
                     + args.w_orth * sum(orth))
        opt_main.zero_grad(set_to_none=True)
        total.backward()
        opt_main.step()

        if use_d:
            losses['loss_dis'] = discriminator_step(disc, opt_d, x, x_hat, x_tilde, y, k, neutral, run.autocast)
        losses['loss_total'] = total
        return losses

    def checkpoint():
        return {'model': model.state_dict(), 'config': cfg.to_dict(), 'classes': classes, 'neutral': neutral,
                'data': source, 'ortho': args.ortho,
                'feature_extractor': extractor.state_dict() if extractor is not None else None,
                'optimizers': {'main': opt_main.state_dict(), 'discriminator': opt_d.state_dict()},
                'best': best}

    def end_of_epoch(epoch):
        if val is None:
            return {}
        model.eval()
        # How much G separates, where G trains; a classifier-only phase leaves G stale, so skip its passes.
        measure = separation_measure(model) if use_g else None
        labels, predictions, extra = predict(model, val, run.device, run.autocast, extra_fn=measure)
        report = classification_report(labels, predictions, classes)
        accuracy, recall = report['accuracy'], report['mean_class_recall']
        if keep_if_best(best, report, epoch, args.select):
            run.save(checkpoint(), 'best.pt')
        drop_lr_at_epoch([opt_main, opt_d], epoch, args.lr_drop_epoch)
        return {'val_accuracy': accuracy, 'val_mean_class_recall': recall, 'best_val_accuracy': best['accuracy'],
                **{f'val_{name}': sum(v) / len(v) for name, v in extra.items()}}

    return run.train(train, step, checkpoint, end_of_epoch,
                     lrs=lambda: {'lr': opt_main.param_groups[0]['lr'], 'lr_d': opt_d.param_groups[0]['lr']})


def read_warm_start(path):
    """The --warm-start checkpoint, read once (it gives both the configuration and the weights), or None."""
    if not path:
        return None
    ckpt = read_file(path)
    if ckpt.get('kind') != 'pfvit':
        raise SystemExit(f'--warm-start needs a PF-ViT checkpoint; {path} is {ckpt.get("kind")!r}')
    return ckpt


def configuration(args, warm) -> ModelConfig:
    """The model to train: the warm start's own configuration, else the preset; plus --face-stem."""
    cfg = ModelConfig.from_dict(warm['config']) if warm else model_config(args.preset, args.input_size)
    return replace(cfg, face_stem=args.face_stem) if args.face_stem else cfg


def initialise(run, args, model, extractor, warm) -> None:
    """Weights before training: MAE into E, G, D; optionally a fine-tuned encoder into E; and the
    frozen extractor (model=None: the extractor only). Each load reports what matched."""
    reports = []
    if model is not None and args.init:
        state = mae_state_dict(args.init)
        reports += [load_encoder(model.encoder, state), load_generator(model.generator, state),
                    load_discriminator(model.discriminator, state)]
    if model is not None and warm:
        state, stem_report = with_pretrained_stem(model.encoder, warm['model'], 'encoder.', args.stem_from)
        if stem_report:
            run.log.write({'event': 'init', 'report': stem_report})
        load_weights(model, 'pfvit', state)
        run.log.write({'event': 'init', 'report': f'warm start: {len(warm["model"])} tensors from '
                                                  f'{args.warm_start}'})
    if model is not None and args.encoder_init:
        reports.append(load_encoder(model.encoder, mae_state_dict(read_file(args.encoder_init))))
    if extractor is not None:
        source = args.feature_extractor or args.init
        if not source:
            raise SystemExit('--ortho perceptual needs a pretrained extractor: pass --init or --feature-extractor '
                             '(an MAE checkpoint), or choose --ortho direct')
        reports.append(extractor.load_mae(mae_state_dict(source)))
    for report in reports:
        run.log.write({'event': 'init', 'report': report.summary()})


if __name__ == '__main__':
    main(sys.argv[1:])
