"""Turn a shipped PF-ViT model folder back into a training checkpoint (warm start without the run).

    /usr/bin/python3 training/import_onnx.py --model resources/models/pfvit-ferplus-small-v3 --out /work/pf-runs/v3-imported.pt

The checkpoint holds E, S, C and G exactly as the folder's graphs compute them (D is not shipped:
train_pfvit.py starts it fresh, or skips it with --w-adv 0). Load it with train_pfvit.py --warm-start,
or evaluate and export it like any best.pt.
"""
import argparse
import sys

import torch

from pfvit.checkpoint import save_file
from pfvit.onnx_import import import_model_folder


def main(argv=None) -> str:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', required=True, help='model folder with model.json, classify.onnx, generate.onnx')
    p.add_argument('--out', required=True, help='checkpoint file to write')
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    ckpt = import_model_folder(args.model)
    save_file(ckpt, args.out)
    print(f'{args.out}: {len(ckpt["model"])} tensors from {args.model}')
    return args.out


if __name__ == '__main__':
    main(sys.argv[1:])
