"""The poker face by composition instead of regeneration (as GANimation does).

G's decoder tokens are turned by a small convolutional upsampler into a *keep mask* m and a *colour
layer* c, both at a quarter of the input's side, then upsampled bilinearly; the face is

    face = m * x + (1 - m) * c

so every pixel the mask keeps is the input's own pixel, exactly: no patch grid, no noise, the same
person wherever nothing changes. 1 - m says where the expression was taken away, which makes it an
emotion map by construction. The colour layer is deliberately coarse (28 x 28 for a 112 px face,
about FER2013's own 48 px resolution): it can close a mouth or lower a brow, but it cannot draw the
pixel-level patterns that fool a classifier.

GroupNorm, not BatchNorm: statistics per face, identical in training and in the exported graph.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .augment import MEAN, STD

# The mask starts almost fully "keep" (sigmoid(4) = 0.98): an untrained head returns the input, which
# is already the right answer for every neutral face.
KEEP_BIAS = 4.0


class FloatGroupNorm(nn.GroupNorm):
    """GroupNorm computed in float32: torch 1.13's CPU group_norm refuses bf16 activations under
    autocast (its weights stay float32)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x.float()).to(x.dtype)


def _up_block(channels_in: int, channels_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False),
        nn.Conv2d(channels_in, channels_out, 3, padding=1),
        FloatGroupNorm(8, channels_out),
        nn.GELU(),
    )


class CompositionHead(nn.Module):
    """Decoder tokens [N, 1+g*g, d] (the [CLS] row is dropped) -> (keep mask, colour layer), each at
    the input's size; `compose` mixes them with the input image."""

    def __init__(self, dim: int, grid: int, img_size: int, width: int = 64, grey: bool = False):
        super().__init__()
        self.grid, self.img_size, self.grey = grid, img_size, grey
        self.register_buffer('mean', torch.tensor(MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer('std', torch.tensor(STD).view(1, 3, 1, 1), persistent=False)
        self.up = nn.Sequential(_up_block(dim, width), _up_block(width, width // 2))
        self.out = nn.Conv2d(width // 2, 4, 3, padding=1)
        nn.init.normal_(self.out.weight, std=1e-3)
        nn.init.zeros_(self.out.bias)
        with torch.no_grad():
            self.out.bias[3] = KEEP_BIAS

    def forward(self, tokens: torch.Tensor):
        n, _, d = tokens.shape
        grid = tokens[:, 1:].transpose(1, 2).reshape(n, d, self.grid, self.grid)
        out = self.out(self.up(grid)).float()
        out = F.interpolate(out, size=(self.img_size, self.img_size), mode='bilinear', align_corners=False)
        if self.grey:  # one luminance in 0..1, normalised per channel like a grey input pixel
            return torch.sigmoid(out[:, 3:4]), (torch.sigmoid(out[:, :1]) - self.mean) / self.std
        return torch.sigmoid(out[:, 3:4]), out[:, :3]


def compose(image: torch.Tensor, keep: torch.Tensor, colour: torch.Tensor) -> torch.Tensor:
    """m * x + (1 - m) * c, in the normalised input space."""
    return keep * image + (1 - keep) * colour


def taken_away(image: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """The contract's `emotion_component` for a composing generator: the input where the poker face
    replaced it, 0 (the dataset's mean colour once denormalised) where it kept the input."""
    return (1 - keep) * image
