"""ViT baseline: fine-tune the MAE-pretrained encoder with a linear head on [CLS].

    /usr/bin/python3 training/train_vit.py --preset cpu_small --init training/runs/mae/last.pt --out training/runs/vit

The paper's recipe: Adam, batch 32, lr 1e-4 divided by 10 when validation accuracy plateaus,
at most 100 epochs, random scaling and flipping. `best.pt` keeps the epoch with the best
validation accuracy (FER2013Valid); evaluate.py and export_onnx.py take it.
"""
import argparse
import sys
from dataclasses import replace

import torch

from pfvit.checkpoint import load_encoder, mae_state_dict
from pfvit.face_stem import FACE_STEMS, stem_param_groups, with_pretrained_stem
from pfvit.metrics import classification_report
from pfvit.mixup import mix
from pfvit.pfvit import ViTClassifier
from pfvit.predict import predict
from pfvit.presets import ModelConfig, model_config
from pfvit.runtime import Run, add_common_args
from pfvit.schedules import add_schedule_args, check_schedule, drop_lr_at_epoch, remember_initial_lr, set_cosine_lr
from pfvit.selection import add_select_arg, keep_if_best
from pfvit.sources import add_labelled_args, labelled_datasets
from pfvit.checkpoint import read_file
from pfvit.losses import balancing_weights, emotion_loss


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # Batch 32 on CUDA too: it is the paper's setting, and lr 1e-4 was tuned for it.
    add_common_args(p, batch_cpu=32, batch_cuda=32)
    add_labelled_args(p)
    g = p.add_argument_group('baseline')
    g.add_argument('--init', help='MAE-format checkpoint for the encoder (train_mae.py output or official weights)')
    g.add_argument('--lr', type=float, default=1e-4)
    g.add_argument('--patience', type=int, default=5, help='epochs without improvement before lr /= 10')
    g.add_argument('--lr-drop-epoch', type=int, help='from this epoch (0-based) on, lr / 10 whatever the plateau')
    add_schedule_args(g)
    g.add_argument('--from-pfvit', help='a PF-ViT checkpoint (e.g. import_onnx.py\'s): its encoder E, and its classifier C '
                                        'as the head, and its configuration (--preset and --input-size are then '
                                        'ignored); the same-budget baseline of a PF-ViT fine-tuned from that checkpoint')
    g.add_argument('--face-stem', choices=FACE_STEMS, help='as train_pfvit.py: a convolutional branch added to '
                                                             'the encoder, its projection starting at zero')
    g.add_argument('--stem-from', help='with --face-stem conv_trunk: the train_conv_trunk.py checkpoint (best.pt) '
                                       'whose trunk becomes the branch')
    g.add_argument('--lr-stem', type=float, help='Adam lr of the face stem and its projection (default: --lr)')
    g.add_argument('--mixup', type=float, default=0.0, metavar='ALPHA', help='as train_pfvit.py')
    g.add_argument('--balance', type=float, default=0.0, metavar='POWER',
                   help='class weights (1/frequency)**POWER in the loss, as train_pfvit.py')
    add_select_arg(g)
    return p.parse_args(argv)


def main(argv=None) -> str:
    args = parse_args(argv)
    check_schedule(args)
    run = Run(args, 'vit')
    start = read_pfvit_start(args.from_pfvit) if args.from_pfvit else None
    cfg = ModelConfig.from_dict(start['config']) if start else model_config(args.preset, args.input_size)
    cfg = replace(cfg, face_stem=args.face_stem) if args.face_stem else cfg
    train, val, classes, source = labelled_datasets(args, cfg.img_size)
    cfg = replace(cfg, num_classes=len(classes))
    model = ViTClassifier(cfg).to(run.device)
    optimizer = torch.optim.Adam(stem_param_groups(model.named_parameters(), args.lr_stem), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode='max', factor=0.1, patience=args.patience)
    best = {'accuracy': -1.0, 'epoch': None}

    ckpt = run.load_resume()
    if ckpt:
        run.check_config(ckpt, cfg)
        model.load_state_dict(ckpt['model'])
        optimizer.load_state_dict(ckpt['optimizer'])
        scheduler.load_state_dict(ckpt['scheduler'])
        best = ckpt['best']
    elif start:
        run.log.write({'event': 'init', 'report': start_from_pfvit(model, start, args.from_pfvit, args.stem_from)})
    elif args.init:
        run.log.write({'event': 'init', 'report': load_encoder(model, mae_state_dict(args.init)).summary()})
    class_weights = (balancing_weights([s.label for s in train.samples], len(classes), args.balance).to(run.device)
                     if args.balance else None)
    remember_initial_lr([optimizer])
    run.restore_rng()
    steps_per_epoch = run.steps_per_epoch(train)

    def step(images, labels):
        model.train()
        set_cosine_lr([optimizer], args, run.progress.step, steps_per_epoch)
        if args.mixup:
            images, labels, _ = mix(images, labels, cfg.num_classes, args.mixup, run.progress.step)
        with run.autocast():
            loss = emotion_loss(model(images), labels, class_weights)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {'loss_emo': loss}

    def checkpoint():
        return {'model': model.state_dict(), 'config': cfg.to_dict(), 'classes': classes, 'neutral': 0,
                'data': source, 'optimizer': optimizer.state_dict(), 'scheduler': scheduler.state_dict(),
                'best': best}

    def end_of_epoch(epoch):
        if val is None:
            return {}
        model.eval()
        labels, predictions, _ = predict(model, val, run.device, run.autocast)
        report = classification_report(labels, predictions, classes)
        accuracy, recall = report['accuracy'], report['mean_class_recall']
        if args.lr_schedule == 'step':  # the cosine sets the lr each step; a plateau must not scale it
            scheduler.step(accuracy)
        if keep_if_best(best, report, epoch, args.select):
            run.save(checkpoint(), 'best.pt')
        drop_lr_at_epoch([optimizer], epoch, args.lr_drop_epoch)
        return {'val_accuracy': accuracy, 'val_mean_class_recall': recall, 'best_val_accuracy': best['accuracy'],
                'lr': optimizer.param_groups[0]['lr']}

    return run.train(train, step, checkpoint, end_of_epoch, lrs=lambda: {'lr': optimizer.param_groups[0]['lr']})


def pfvit_state_as_vit(pfvit_state: dict) -> dict:
    """A PF-ViT's E as the baseline's encoder and its C as the baseline's head."""
    state = {k[len('encoder.'):]: v for k, v in pfvit_state.items() if k.startswith('encoder.')}
    state.update({'head.weight': pfvit_state['classifier.weight'], 'head.bias': pfvit_state['classifier.bias']})
    return state


def read_pfvit_start(path: str) -> dict:
    """The --from-pfvit checkpoint, read once (it gives both the configuration and the weights)."""
    ckpt = read_file(path)
    if ckpt.get('kind') != 'pfvit':
        raise SystemExit(f'--from-pfvit needs a PF-ViT checkpoint; {path} is {ckpt.get("kind")!r}')
    return ckpt


def start_from_pfvit(model: ViTClassifier, ckpt: dict, path: str, stem_from: str = None) -> str:
    """E's weights into the baseline's encoder and C into its head (C reads [CLS] of V_e, the head
    reads [CLS] of z: the nearest start the baseline has)."""
    state, stem_report = with_pretrained_stem(model, pfvit_state_as_vit(ckpt['model']), '', stem_from)
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise SystemExit(f'--from-pfvit {path}: missing {missing[:8]}, unexpected {unexpected[:8]}')
    return f'encoder and head from the PF-ViT checkpoint {path} ({len(state)} tensors)' + (
        f'; {stem_report}' if stem_report else '')

if __name__ == '__main__':
    main(sys.argv[1:])
