"""A small residual CNN for faces, trained on FERPlus from scratch, then used as E's convolutional branch.

Issue 15 asks for "a convolutional stem if the measurements justify its cost". A ViT trained on 25k
faces has to learn local shape through one linear map per 16-px patch; a CNN has that bias built in.
`ConvTrunk` goes 112 -> 56 -> 28 -> 14 -> 7 px (stride 16, one cell per patch token) with widths 32,
64, 128, 256 and five residual blocks. Two ways to use it:

- `ConvClassifier`: the trunk, global average pooling and a linear layer, trained alone by
  train_conv_trunk.py with batch normalisation (which a from-scratch CNN needs to train fast).
- E's branch (face_stem.py, `--face-stem conv_trunk`): the same trunk without normalisation layers,
  each batch norm folded into the convolution before it (`fold_batch_norm`), so the branch is plain
  convolutions with bias: it trains on with any batch size, exports with its parameter names and
  imports back from classify.onnx by name like every other weight.

Module and parameter names follow the order the layers run in (`body.<i>`), so a trained classifier's
`trunk.` weights load into either form.
"""
from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

WIDTHS = (32, 64, 128, 256)
DEPTHS = (1, 2, 2)  # residual blocks at 28, 14 and 7 px
TRUNK_CHANNELS = WIDTHS[-1]
TRUNK_STRIDE = 16


def _norm(channels: int, batch_norm: bool) -> nn.Module:
    return nn.BatchNorm2d(channels) if batch_norm else nn.Identity()


def _conv(cin: int, cout: int, kernel: int, stride: int, batch_norm: bool) -> nn.Conv2d:
    # With batch norm after it a bias would be cancelled; without, the folded norm's shift lives here.
    return nn.Conv2d(cin, cout, kernel, stride, kernel // 2, bias=not batch_norm)


def _conv_norm_relu(cin: int, cout: int, stride: int, batch_norm: bool) -> nn.Sequential:
    return nn.Sequential(_conv(cin, cout, 3, stride, batch_norm), _norm(cout, batch_norm), nn.ReLU(inplace=True))


class ResidualBlock(nn.Module):
    """Two 3x3 convolutions and a shortcut (a 1x1 convolution where the shape changes)."""

    def __init__(self, cin: int, cout: int, stride: int, batch_norm: bool):
        super().__init__()
        self.c1, self.b1 = _conv(cin, cout, 3, stride, batch_norm), _norm(cout, batch_norm)
        self.c2, self.b2 = _conv(cout, cout, 3, 1, batch_norm), _norm(cout, batch_norm)
        if batch_norm:  # each block starts as its shortcut (Goyal et al. 2017), so a deep trunk trains from step 0
            nn.init.zeros_(self.b2.weight)
        self.short = (nn.Sequential(_conv(cin, cout, 1, stride, batch_norm), _norm(cout, batch_norm))
                      if stride != 1 or cin != cout else nn.Identity())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.b1(self.c1(x)), inplace=True)
        return F.relu(self.b2(self.c2(y)) + self.short(x), inplace=True)


class ConvTrunk(nn.Module):
    """Normalised faces [N, 3, S, S] in, [N, 256, S/16, S/16] out."""

    def __init__(self, batch_norm: bool = True, widths: Sequence[int] = WIDTHS, depths: Sequence[int] = DEPTHS):
        super().__init__()
        layers = [_conv_norm_relu(3, widths[0], 2, batch_norm), _conv_norm_relu(widths[0], widths[0], 1, batch_norm),
                  _conv_norm_relu(widths[0], widths[1], 2, batch_norm)]
        cin = widths[1]
        for stage, (cout, depth) in enumerate(zip(widths[1:], depths)):
            for i in range(depth):
                layers.append(ResidualBlock(cin, cout, 2 if i == 0 and stage > 0 else 1, batch_norm))
                cin = cout
        self.body = nn.Sequential(*layers)
        self.out_channels = cin

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.body(images)


class ConvClassifier(nn.Module):
    """The trunk trained alone: global average pooling, dropout, one linear layer."""

    def __init__(self, num_classes: int, dropout: float = 0.2):
        super().__init__()
        self.trunk = ConvTrunk(batch_norm=True)
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(self.trunk.out_channels, num_classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.fc(self.drop(self.trunk(images).mean(dim=(2, 3))))


def _conv_norm_pairs(trunk: ConvTrunk):
    """Each convolution with the normalisation layer right after it, in the order they run."""
    pairs = []
    for layer in trunk.body:
        if isinstance(layer, nn.Sequential):
            pairs.append((layer[0], layer[1]))
        else:
            pairs += [(layer.c1, layer.b1), (layer.c2, layer.b2)]
            if isinstance(layer.short, nn.Sequential):
                pairs.append((layer.short[0], layer.short[1]))
    return pairs


@torch.no_grad()
def fold_batch_norm(trained: ConvTrunk) -> ConvTrunk:
    """A trunk without normalisation layers that computes what `trained` computes in eval mode:
    each BatchNorm's running statistics and affine folded into the convolution before it."""
    plain = ConvTrunk(batch_norm=False)
    for (conv, norm), (target, _) in zip(_conv_norm_pairs(trained), _conv_norm_pairs(plain)):
        scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
        target.weight.copy_(conv.weight * scale.view(-1, 1, 1, 1))
        target.bias.copy_(norm.bias - norm.running_mean * scale)
    return plain
