"""Accuracy, per-class accuracy and confusion matrix of a trained model, as JSON.

    /usr/bin/python3 training/evaluate.py --checkpoint training/runs/pfvit/best.pt > metrics.json

Works for PF-ViT (E, S, C) and ViT-baseline checkpoints alike. The default is the FERPlus benchmark
protocol: FER2013Test, votes from its label.csv, majority mode, 8 classes. For PF-ViT it also
reports how far poker faces are from the reconstructions (see pfvit/separation.py).
"""
import argparse
import contextlib
import json
import os
import re
import sys

import torch

from pfvit.augment import FaceTransform
from pfvit.data import FaceDataset, ferplus_samples, image_folder_samples
from pfvit.metrics import classification_report
from pfvit.predict import predict
from pfvit.runtime import available_cpus
from pfvit.separation import separation_measure, summarise
from pfvit.sources import require_ferplus
from pfvit.trained import load_trained


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--checkpoint', required=True, help='best.pt or last.pt of train_vit.py / train_pfvit.py')
    p.add_argument('--split', default='test', choices=['test', 'valid', 'train'], help='FERPlus split')
    p.add_argument('--folder', help='evaluate on an ImageFolder tree instead of FERPlus')
    p.add_argument('--data-dir', help='folder holding ferplus/ (default: $PF_DATA_DIR or ../shared/data)')
    p.add_argument('--limit', type=int, help='only the first N images (smoke tests)')
    p.add_argument('--batch-size', type=int, default=128)
    p.add_argument('--threads', type=int, default=available_cpus())
    p.add_argument('--device', default='auto', choices=['auto', 'cpu', 'cuda'])
    p.add_argument('--precision', default='bf16', choices=['bf16', 'fp32'],
                   help='bf16 is fast on CPU; use fp32 to measure what the exported fp32 ONNX model gets')
    p.add_argument('--out', help='also write the JSON to this file')
    return p.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    torch.set_num_threads(max(1, args.threads))
    device = torch.device('cuda' if args.device == 'cuda' or (args.device == 'auto' and torch.cuda.is_available())
                          else 'cpu')
    trained = load_trained(args.checkpoint)
    model = trained.model.to(device)
    if args.folder:
        samples, _ = image_folder_samples(args.folder, trained.classes)
        source = f'ImageFolder {os.path.abspath(args.folder)}'
    else:
        require_ferplus(args.data_dir)
        samples = ferplus_samples(args.split, args.data_dir)
        source = f'FERPlus {args.split} split (label.csv votes, majority protocol)'
    if args.limit:
        samples = samples[:args.limit]
    dataset = FaceDataset(samples, FaceTransform(trained.config.img_size, train=False))

    def autocast():
        if args.precision == 'fp32':
            return contextlib.nullcontext()
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16)

    extra_fn = separation_measure(model) if trained.kind == 'pfvit' else None
    labels, predictions, extra = predict(model, dataset, device, autocast, args.batch_size, extra_fn)
    report = {'checkpoint': os.path.abspath(args.checkpoint), 'kind': trained.kind, 'data': source,
              'precision': args.precision, **classification_report(labels, predictions, trained.classes)}
    if extra:
        report['separation'] = summarise(extra, labels, trained.neutral)
    text = readable_json(report)
    print(text)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(text + '\n')
    return report


def readable_json(obj) -> str:
    """Indented JSON with each list of numbers (a confusion-matrix row) on one line."""
    text = json.dumps(obj, indent=2)

    def one_line(match):
        return '[' + ', '.join(item.strip() for item in match.group(1).split(',')) + ']'
    return re.sub(r'\[([-0-9.e,\s]+)\]', one_line, text)


if __name__ == '__main__':
    main(sys.argv[1:])
