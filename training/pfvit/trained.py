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
    model.load_state_dict(ckpt['model'])
    model.eval()
    return TrainedModel(kind, model, config, ckpt.get('classes', list(FERPLUS_CLASSES)),
                        ckpt.get('neutral', NEUTRAL), ckpt)
