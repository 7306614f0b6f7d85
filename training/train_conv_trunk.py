"""Train the residual CNN of pfvit/conv_trunk.py on FERPlus from scratch, alone (trunk + linear head).

    /usr/bin/python3 training/train_conv_trunk.py --labels soft --balance 0.5 --augment strong --crop-scale 0.6 \\
        --select balanced --lr 2e-3 --epochs 16 --out /work/pf-runs/trunk

Its best.pt is what `train_pfvit.py --face-stem conv_trunk --stem-from <best.pt>` puts into E as a
convolutional branch (batch norms folded). On its own it is also a CNN baseline at a CPU budget: a
CNN brings the locality a ViT has to learn from FERPlus's 25k faces. AdamW (decay 0.05 on weights,
none on biases and norms), batch 64, a cosine with half an epoch of warm-up; the same data, labels,
class weights, augmentation and selection flags as train_pfvit.py's classifier phase.
"""
import argparse
import sys

import torch

from pfvit.conv_trunk import ConvClassifier
from pfvit.losses import balancing_weights, emotion_loss
from pfvit.metrics import classification_report
from pfvit.predict import predict
from pfvit.runtime import Run, add_common_args
from pfvit.schedules import add_schedule_args, param_groups_without_decay, remember_initial_lr, set_cosine_lr
from pfvit.selection import add_select_arg, keep_if_best
from pfvit.sources import add_labelled_args, labelled_datasets

INPUT_SIZE = 112  # the app's input (--input-size changes it); the trunk's stride 16 gives the ViT's 7x7 token grid


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(p, batch_cpu=64, batch_cuda=64)
    add_labelled_args(p)
    g = p.add_argument_group('conv trunk')
    g.add_argument('--lr', type=float, default=2e-3)
    g.add_argument('--weight-decay', type=float, default=0.05)
    g.add_argument('--dropout', type=float, default=0.2, help='before the linear head')
    add_schedule_args(g)
    g.add_argument('--balance', type=float, default=0.0, metavar='POWER',
                   help='class weights (1/frequency)**POWER in the loss, as train_pfvit.py')
    add_select_arg(g)
    p.set_defaults(lr_schedule='cosine', warmup_epochs=0.5, epochs=16)
    return p.parse_args(argv)


def main(argv=None) -> str:
    args = parse_args(argv)
    run = Run(args, 'conv_trunk')
    size = args.input_size or INPUT_SIZE
    train, val, classes, source = labelled_datasets(args, size)
    model = ConvClassifier(len(classes), args.dropout).to(run.device)
    optimizer = torch.optim.AdamW(param_groups_without_decay(model, args.weight_decay), lr=args.lr)
    best = {'accuracy': -1.0, 'epoch': None}

    ckpt = run.load_resume()
    if ckpt:
        model.load_state_dict(ckpt['model'])
        optimizer.load_state_dict(ckpt['optimizer'])
        best = ckpt['best']
    class_weights = (balancing_weights([s.label for s in train.samples], len(classes), args.balance).to(run.device)
                     if args.balance else None)
    remember_initial_lr([optimizer])
    run.restore_rng()
    steps_per_epoch = run.steps_per_epoch(train)

    def step(images, labels):
        model.train()
        set_cosine_lr([optimizer], args, run.progress.step, steps_per_epoch)
        with run.autocast():
            loss = emotion_loss(model(images), labels, class_weights)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {'loss_emo': loss}

    def checkpoint(epoch=None):
        return {'model': model.state_dict(), 'classes': classes, 'neutral': 0, 'data': source,
                'input_size': size, 'optimizer': optimizer.state_dict(), 'best': best, 'epoch': epoch}

    def end_of_epoch(epoch):
        if val is None:
            return {}
        model.eval()
        labels, predictions, _ = predict(model, val, run.device, run.autocast)
        report = classification_report(labels, predictions, classes)
        accuracy, recall = report['accuracy'], report['mean_class_recall']
        if keep_if_best(best, report, epoch, args.select):
            run.save(checkpoint(epoch), 'best.pt')
        return {'val_accuracy': accuracy, 'val_mean_class_recall': recall, 'best_val_accuracy': best['accuracy'],
                'lr': optimizer.param_groups[0]['lr']}

    return run.train(train, step, checkpoint, end_of_epoch, lrs=lambda: {'lr': optimizer.param_groups[0]['lr']})


if __name__ == '__main__':
    main(sys.argv[1:])
