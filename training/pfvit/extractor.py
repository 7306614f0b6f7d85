"""The frozen feature extractor behind the perceptual orthogonality term.

The paper passed G(V_e) and G(V_p) through a frozen face-recognition network (RAF-DB 92.07 %, vs
86.67 % with the direct cosine term alone). No such network is available offline here, so we use one
this project trains itself: the MAE-pretrained encoder, frozen. Its feature is the mean of its patch
tokens (MAE's [CLS] is never trained by the MAE objective, so it carries little).
"""
import torch
import torch.nn as nn

from .checkpoint import load_encoder
from .pfvit import make_encoder
from .presets import ModelConfig


class FrozenExtractor(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.encoder = make_encoder(cfg)
        self.requires_grad_(False)
        self.eval()

    def train(self, mode: bool = True):
        return super().train(False)  # always frozen, whatever the parent module does

    def load_mae(self, state: dict):
        return load_encoder(self.encoder, state, 'feature extractor')

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.encoder(images)[:, 1:].mean(dim=1)
