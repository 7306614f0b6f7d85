"""Image -> normalised tensor, with the random scale/crop and flip used for training.

Randomness comes from a per-sample seed (see sampler.py), not from global RNGs: the crops then do not
depend on worker count or on where a run was resumed.
"""
import random

import numpy as np
import torch
from PIL import Image

# ImageNet statistics, as MAE and timm use: weights pretrained elsewhere expect them. model.json
# records them so the app normalises identically.
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)

# Pillow >= 9.1 names these enums; older Pillow only has the module constants.
BILINEAR = getattr(Image, 'Resampling', Image).BILINEAR
FLIP_LEFT_RIGHT = getattr(Image, 'Transpose', Image).FLIP_LEFT_RIGHT


def to_tensor(image: Image.Image, size: int) -> torch.Tensor:
    """Resize (bilinear) to size x size and normalise: [3, size, size] float32."""
    if image.size != (size, size):
        image = image.resize((size, size), BILINEAR)
    x = torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0).permute(2, 0, 1)
    return (x - torch.tensor(MEAN).view(3, 1, 1)) / torch.tensor(STD).view(3, 1, 1)


class FaceTransform:
    """train=False: resize + normalise. train=True: first a random crop covering `scale` of the
    area with a near-square aspect (faces are already aligned crops), then a horizontal flip."""

    def __init__(self, size: int, train: bool, scale=(0.8, 1.0), ratio=(0.9, 1.1), flip: bool = True):
        self.size, self.train, self.scale, self.ratio, self.flip = size, train, scale, ratio, flip

    def __call__(self, image: Image.Image, seed: int = 0) -> torch.Tensor:
        if self.train:
            rng = random.Random(seed)
            image = self.random_crop(image, rng)
            if self.flip and rng.random() < 0.5:
                image = image.transpose(FLIP_LEFT_RIGHT)
        return to_tensor(image, self.size)

    def random_crop(self, image: Image.Image, rng: random.Random) -> Image.Image:
        w, h = image.size
        area = w * h * rng.uniform(*self.scale)
        aspect = rng.uniform(*self.ratio)
        cw = min(w, max(1, round((area * aspect) ** 0.5)))
        ch = min(h, max(1, round((area / aspect) ** 0.5)))
        left, top = rng.randint(0, w - cw), rng.randint(0, h - ch)
        return image.crop((left, top, left + cw, top + ch))
