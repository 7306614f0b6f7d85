"""ViT baseline: fine-tune the MAE-pretrained encoder with a linear head on [CLS].

    /usr/bin/python3 training/train_vit.py --preset cpu_small --init training/runs/mae/last.pt --out training/runs/vit

The paper's recipe: Adam, batch 32, lr 1e-4 divided by 10 when validation accuracy plateaus,
at most 100 epochs, random scaling and flipping. `best.pt` keeps the epoch with the best
validation accuracy (FER2013Valid); evaluate.py and export_onnx.py take it.
"""
import argparse
import sys

import torch

from pfvit.checkpoint import load_encoder, mae_state_dict
from pfvit.metrics import classification_report
from pfvit.pfvit import ViTClassifier
from pfvit.predict import predict
from pfvit.presets import model_config
from pfvit.runtime import Run, add_common_args
from pfvit.schedules import drop_lr_at_epoch, remember_initial_lr
from pfvit.sources import add_labelled_args, labelled_datasets
from pfvit.losses import emotion_loss


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
    return p.parse_args(argv)


def main(argv=None) -> str:
    args = parse_args(argv)
    run = Run(args, 'vit')
    train, val, classes, source = labelled_datasets(args, model_config(args.preset, args.input_size).img_size)
    cfg = model_config(args.preset, args.input_size, num_classes=len(classes))
    model = ViTClassifier(cfg).to(run.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode='max', factor=0.1, patience=args.patience)
    best = {'accuracy': -1.0, 'epoch': None}

    ckpt = run.load_resume()
    if ckpt:
        run.check_config(ckpt, cfg)
        model.load_state_dict(ckpt['model'])
        optimizer.load_state_dict(ckpt['optimizer'])
        scheduler.load_state_dict(ckpt['scheduler'])
        best = ckpt['best']
    elif args.init:
        run.log.write({'event': 'init', 'report': load_encoder(model, mae_state_dict(args.init)).summary()})
    remember_initial_lr([optimizer])
    run.restore_rng()

    def step(images, labels):
        model.train()
        with run.autocast():
            loss = emotion_loss(model(images), labels)
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
        accuracy = classification_report(labels, predictions, classes)['accuracy']
        scheduler.step(accuracy)
        if accuracy > best['accuracy']:
            best.update(accuracy=accuracy, epoch=epoch)
            run.save(checkpoint(), 'best.pt')
        drop_lr_at_epoch([optimizer], epoch, args.lr_drop_epoch)
        return {'val_accuracy': accuracy, 'best_val_accuracy': best['accuracy'],
                'lr': optimizer.param_groups[0]['lr']}

    return run.train(train, step, checkpoint, end_of_epoch, lrs=lambda: {'lr': optimizer.param_groups[0]['lr']})


if __name__ == '__main__':
    main(sys.argv[1:])
