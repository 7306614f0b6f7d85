"""The poker face by composition instead of regeneration (as GANimation does).

G's decoder tokens are turned by a small convolutional upsampler into a *keep mask* m and a *colour
layer* c, both at a quarter of the input's side, then upsampled bilinearly; the face is

    face = m * x + (1 - m) * c

so every pixel the mask keeps is the input's own pixel, exactly: no patch grid, no noise, the same
person wherever nothing changes. 1 - m says where the expression was taken away, which makes it an
emotion map by construction. The colour layer is deliberately coarse (28 x 28 for a 112 px face,
about FER2013's own 48 px resolution): it can close a mouth or lower a brow, but it cannot draw the
pixel-level patterns that fool a classifier.

With `warp_px` > 0 the head also predicts a smooth displacement field, and the input is moved
before it is kept (issue 14's "a warp instead of paint"):

    face = m * warp(x, f) + (1 - m) * c

f is one displacement per patch (a 7 x 7 grid of control points for a 112 px face, 16 px apart),
bounded by tanh to +-warp_px pixels and upsampled bicubically to every pixel (clamped to the bound
again), so it can move lip corners, lids and brows but cannot carry a pixel-level pattern; the pixels
it moves are still the input's own (sharp, the same skin). It starts at zero: a generator trained
without it gives the same faces with it until it learns (to float rounding of the resampling, ~1e-6).

With `paint_region='none'` nothing is painted (a warp only). With `paint_region='mouth'` the colour
layer may only replace pixels around the mouth (a soft box fixed in the aligned face, mouth_region):
a warp moves lids, brows and lip corners, but cannot close an open mouth or remove teeth, so painting
stays allowed there and nowhere else. Elsewhere the keep mask is 1 by construction: no patch over an
eye, whatever a classifier would make of one.

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
    """Decoder tokens [N, 1+g*g, d] (the [CLS] row is dropped) -> (keep mask, colour layer, and with a
    warp a displacement), each at the input's size; `moved` applies the displacement and `compose`
    mixes the result with the colour layer."""

    def __init__(self, dim: int, grid: int, img_size: int, width: int = 64, grey: bool = False,
                 warp_px: float = 0.0, paint_region: str = ''):
        super().__init__()
        self.grid, self.img_size, self.grey, self.warp_px = grid, img_size, grey, warp_px
        self.paint_region = paint_region
        if paint_region:
            self.register_buffer('paintable', PAINT_REGIONS[paint_region](img_size), persistent=False)
        self.register_buffer('mean', torch.tensor(MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer('std', torch.tensor(STD).view(1, 3, 1, 1), persistent=False)
        self.up = nn.Sequential(_up_block(dim, width), _up_block(width, width // 2))
        self.out = nn.Conv2d(width // 2, 4, 3, padding=1)
        nn.init.normal_(self.out.weight, std=1e-3)
        nn.init.zeros_(self.out.bias)
        with torch.no_grad():
            self.out.bias[3] = KEEP_BIAS
        if warp_px > 0:
            self.flow = nn.Conv2d(dim, 2, 1)  # one (dx, dy) per patch, read from its decoder token
            nn.init.zeros_(self.flow.weight)
            nn.init.zeros_(self.flow.bias)
            self.register_buffer('identity_grid', identity_grid(img_size), persistent=False)

    def forward(self, tokens: torch.Tensor):
        """(keep mask, colour layer, displacement or None); the displacement [N, 2, S, S] is in
        pixels, (x, y)."""
        n, _, d = tokens.shape
        grid = tokens[:, 1:].transpose(1, 2).reshape(n, d, self.grid, self.grid)
        out = self.out(self.up(grid)).float()
        out = F.interpolate(out, size=(self.img_size, self.img_size), mode='bilinear', align_corners=False)
        flow = None
        if self.warp_px > 0:
            points = torch.tanh(self.flow(grid).float()) * self.warp_px
            flow = F.interpolate(points, size=(self.img_size, self.img_size), mode='bicubic', align_corners=False)
            flow = flow.clamp(-self.warp_px, self.warp_px)  # bicubic overshoots between unlike control points
        keep = torch.sigmoid(out[:, 3:4])
        if self.paint_region:
            keep = 1 - (1 - keep) * self.paintable
        if self.grey:  # one luminance in 0..1, normalised per channel like a grey input pixel
            return keep, (torch.sigmoid(out[:, :1]) - self.mean) / self.std, flow
        return keep, out[:, :3], flow

    def moved(self, image: torch.Tensor, flow) -> torch.Tensor:
        """The input resampled along the displacement (the input itself without a warp)."""
        if flow is None:
            return image
        # Pixels -> grid_sample's [-1, 1] coordinates (align_corners=False: the image spans 2 units).
        grid = self.identity_grid + flow.permute(0, 2, 3, 1) * (2.0 / self.img_size)
        return F.grid_sample(image.float(), grid, mode='bilinear', padding_mode='border',
                             align_corners=False).to(image.dtype)


def mouth_region(size: int) -> torch.Tensor:
    """Where a mouth-only colour layer may paint: [1, 1, S, S], 1 inside the box x 0.20-0.80, y 0.58-1.00
    of the aligned face and 0 beyond a ramp of a twentieth of the side around it. The box is the
    evaluation's mouth box (x 0.25-0.75, y 0.66-0.92, from the mean aligned FERPlus face) grown for
    wide-open mouths and chins that move down."""
    centres = (torch.arange(size, dtype=torch.float32) + 0.5) / size
    ramp = 0.05

    def inside(c, lo, hi):
        return ((c - (lo - ramp)) / ramp).clamp(0, 1) * (((hi + ramp) - c) / ramp).clamp(0, 1)

    return (inside(centres, 0.58, 1.0).view(-1, 1) * inside(centres, 0.20, 0.80).view(1, -1)).view(1, 1, size, size)


def nowhere(size: int) -> torch.Tensor:
    """A colour layer that may replace nothing: with a warp, the poker face is the input moved."""
    return torch.zeros(1, 1, size, size)


PAINT_REGIONS = {'mouth': mouth_region, 'none': nowhere}


def identity_grid(size: int) -> torch.Tensor:
    """grid_sample's grid that samples every pixel at its own centre: [1, S, S, 2] of (x, y)."""
    centres = (torch.arange(size, dtype=torch.float32) * 2 + 1) / size - 1
    y, x = torch.meshgrid(centres, centres, indexing='ij')
    return torch.stack([x, y], dim=-1).unsqueeze(0)


def compose(source: torch.Tensor, keep: torch.Tensor, colour: torch.Tensor) -> torch.Tensor:
    """m * source + (1 - m) * c, in the normalised input space; `source` is the input, or the input
    moved by the warp."""
    return keep * source + (1 - keep) * colour


def taken_away(image: torch.Tensor, keep: torch.Tensor, source: torch.Tensor) -> torch.Tensor:
    """The contract's `emotion_component` for a composing generator: what of the input the poker face
    does not keep in place, x - m * source. Without a warp (source = x) that is (1 - m) * x: the input
    where the poker face replaced it, 0 (the dataset's mean colour once denormalised) where it kept it."""
    return image - keep * source
