"""Which images a script trains and validates on, chosen by command-line flags.

Default is FERPlus under --data-dir (train on FER2013Train, validate on FER2013Valid; the test split
is only for evaluate.py). A researcher's own data comes in as ImageFolder trees or, for MAE, any
folder of face images.
"""
import argparse
import os

from .augment import FaceTransform, StrongFaceTransform
from .data import (FERPLUS_CLASSES, FaceDataset, ferplus_root, ferplus_samples, image_file_samples,
                   image_folder_samples)


def add_labelled_args(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group('data')
    g.add_argument('--train-folder', help='ImageFolder root (root/<class>/<image>) instead of FERPlus')
    g.add_argument('--val-folder', help='ImageFolder root for validation (with --train-folder)')
    g.add_argument('--val-limit', type=int, help='validate on only the first N images')
    g.add_argument('--crop-scale', type=float,
                   help='smallest area fraction of the random crop (default 0.8, with --augment strong 0.5)')
    g.add_argument('--no-flip', action='store_true', help='no random horizontal flip')
    g.add_argument('--augment', default='basic', choices=['basic', 'strong'],
                   help='basic: crop (--crop-scale) and flip; strong: also rotation, wide crops, brightness/'
                        'contrast and random erasing (augment.StrongFaceTransform)')
    g.add_argument('--labels', default='majority', choices=['majority', 'soft'],
                   help='train on the majority label, or on FERPlus\'s vote distribution (validation '
                        'always uses the majority label)')


def require_ferplus(data_dir) -> None:
    root = ferplus_root(data_dir)
    if not os.path.isdir(root):
        raise SystemExit(f'FERPlus not found at {root}: pass --data-dir or set PF_DATA_DIR '
                         '(the folder holding ferplus/), or use --train-folder')


def labelled_datasets(args, size: int):
    """(train dataset, validation dataset or None, class names, description for model cards)."""
    if getattr(args, 'augment', 'basic') == 'strong':
        train_tf = StrongFaceTransform(size, scale=(args.crop_scale or 0.5, 1.0), flip=not args.no_flip)
    else:
        train_tf = FaceTransform(size, train=True, scale=(args.crop_scale or 0.8, 1.0), flip=not args.no_flip)
    eval_tf = FaceTransform(size, train=False)
    if args.train_folder:
        train, classes = image_folder_samples(args.train_folder)
        val = image_folder_samples(args.val_folder, classes)[0] if args.val_folder else None
        source = f'ImageFolder {os.path.abspath(args.train_folder)}'
    else:
        require_ferplus(args.data_dir)
        train = ferplus_samples('train', args.data_dir)
        val = ferplus_samples('valid', args.data_dir)
        classes = list(FERPLUS_CLASSES)
        source = 'FERPlus FER2013Train (label.csv votes, majority protocol)'
    if args.limit:
        train = train[:args.limit]
    if val is not None and args.val_limit:
        val = val[:args.val_limit]
    soft = len(classes) if getattr(args, 'labels', 'majority') == 'soft' else None
    if soft:
        source += ', trained on the vote distribution'
    return (FaceDataset(train, train_tf, soft_classes=soft), FaceDataset(val, eval_tf) if val else None,
            classes, source)


def add_unlabelled_args(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group('data')
    g.add_argument('--images', help='folder of face images (any depth) instead of FERPlus FER2013Train')
    g.add_argument('--crop-scale', type=float, default=0.5, help='smallest area fraction of the random crop')


def unlabelled_dataset(args, size: int):
    """Every image of FER2013Train (labels unused, so images the majority protocol drops count too)
    or of --images. FER2013Valid/Test are left out: they are for tuning and for the benchmark."""
    if args.images:
        samples, source = image_file_samples(args.images), f'images under {os.path.abspath(args.images)}'
    else:
        require_ferplus(args.data_dir)
        samples = ferplus_samples('train', args.data_dir, labelled=False)
        source = 'FERPlus FER2013Train images (unlabelled)'
    if args.limit:
        samples = samples[:args.limit]
    return FaceDataset(samples, FaceTransform(size, train=True, scale=(args.crop_scale, 1.0))), source
