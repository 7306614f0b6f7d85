"""Masked-autoencoder pre-training of the encoder E on face images without emotion labels.

    /usr/bin/python3 training/train_mae.py --preset cpu_small --epochs 100 --out training/runs/mae

The checkpoint (`last.pt`) is MAE-format ({'model': state_dict, ...}): train_vit.py and
train_pfvit.py take it with --init, and so does any tool that reads facebookresearch/mae weights.
"""
import argparse
import sys

from pfvit.checkpoint import load_part, mae_state_dict
from pfvit.mae import MAE
from pfvit.presets import model_config
from pfvit.runtime import Run, add_common_args
from pfvit.schedules import param_groups_without_decay, warmup_cosine
from pfvit.sources import add_unlabelled_args, unlabelled_dataset

import torch


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(p, batch_cpu=64, batch_cuda=256)
    add_unlabelled_args(p)
    g = p.add_argument_group('MAE')
    g.add_argument('--mask-ratio', type=float, default=0.75)
    g.add_argument('--no-norm-pix', action='store_true', help='raw-pixel loss instead of per-patch normalised')
    g.add_argument('--blr', type=float, default=1.5e-4, help='base lr; lr = blr * batch / 256 (MAE)')
    g.add_argument('--weight-decay', type=float, default=0.05)
    g.add_argument('--warmup-epochs', type=float, default=5)
    g.add_argument('--init', help='continue pre-training from MAE-format weights (e.g. facebookresearch/mae)')
    return p.parse_args(argv)


def main(argv=None) -> str:
    args = parse_args(argv)
    run = Run(args, 'mae')
    cfg = model_config(args.preset, args.input_size)
    dataset, source = unlabelled_dataset(args, cfg.img_size)
    model = MAE(cfg, args.mask_ratio, norm_pix_loss=not args.no_norm_pix).to(run.device)

    lr = args.blr * run.batch_size / 256
    optimizer = torch.optim.AdamW(param_groups_without_decay(model, args.weight_decay), lr=lr, betas=(0.9, 0.95))
    steps_per_epoch = len(dataset) // run.batch_size
    scheduler = warmup_cosine(optimizer, int(args.warmup_epochs * steps_per_epoch), args.epochs * steps_per_epoch)

    ckpt = run.load_resume()
    if ckpt:
        run.check_config(ckpt, cfg)
        model.load_state_dict(ckpt['model'])
        optimizer.load_state_dict(ckpt['optimizer'])
        scheduler.load_state_dict(ckpt['scheduler'])
    elif args.init:
        run.log.write({'event': 'init', 'report': load_part(model, mae_state_dict(args.init), 'mae').summary()})
    run.restore_rng()

    def step(images, _labels):
        model.train()
        with run.autocast():
            loss, _, _ = model(images)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        return {'loss': loss}

    def checkpoint():
        return {'model': model.state_dict(), 'config': cfg.to_dict(), 'data': source,
                'mae': {'mask_ratio': args.mask_ratio, 'norm_pix_loss': not args.no_norm_pix},
                'optimizer': optimizer.state_dict(), 'scheduler': scheduler.state_dict()}

    return run.train(dataset, step, checkpoint, lrs=lambda: {'lr': optimizer.param_groups[0]['lr']})


if __name__ == '__main__':
    main(sys.argv[1:])
