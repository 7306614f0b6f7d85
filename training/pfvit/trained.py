"""Rebuilding a trained model from one of our checkpoints (for evaluation and export)."""
from dataclasses import dataclass
from typing import List

import torch.nn as nn

from .checkpoint import read_file
from .data import FERPLUS_CLASSES, NEUTRAL
from .pfvit import PFViT, ViTClassifier
from .presets import ModelConfig


@dataclass
class TrainedModel:
    kind: str            # 'pfvit' or 'vit' (the baseline)
    model: nn.Module
    config: ModelConfig
    classes: List[str]
    neutral: int
    checkpoint: dict     # everything else the checkpoint holds (args, progress, best, ...)


def build(kind: str, config: ModelConfig) -> nn.Module:
    if kind == 'pfvit':
        return PFViT(config)
    if kind == 'vit':
        return ViTClassifier(config)
    raise SystemExit(f'cannot classify with a {kind!r} checkpoint; use one from train_vit.py or train_pfvit.py')


def load_trained(path: str) -> TrainedModel:
    ckpt = read_file(path)
    kind = ckpt.get('kind')
    config = ModelConfig.from_dict(ckpt['config'])
    model = build(kind, config)
    load_weights(model, kind, ckpt['model'])
    model.eval()
    return TrainedModel(kind, model, config, ckpt.get('classes', list(FERPLUS_CLASSES)),
                        ckpt.get('neutral', NEUTRAL), ckpt)


# Weights a checkpoint of each kind may lack: trimmed checkpoints (trim_checkpoint.py) drop PF-ViT's D,
# since classifying, evaluating and exporting never run it.
OPTIONAL_WEIGHT_PREFIXES = {'pfvit': ('discriminator.',)}


def load_weights(model: nn.Module, kind: str, state: dict) -> None:
    """Strict, except for the weights OPTIONAL_WEIGHT_PREFIXES says a file of this kind may lack."""
    missing, unexpected = model.load_state_dict(state, strict=False)
    optional = OPTIONAL_WEIGHT_PREFIXES.get(kind, ())
    missing = [k for k in missing if not k.startswith(optional)] if optional else missing
    if missing or unexpected:
        raise RuntimeError(f'checkpoint does not match the {kind} model: missing {missing[:8]}, '
                           f'unexpected {list(unexpected)[:8]}')
