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


class StrongFaceTransform(FaceTransform):
    """Augmentation for faces from other datasets than the one trained on (--augment strong): a wide
    random resized crop (other framings), a small rotation (other alignments), brightness and
    contrast (other cameras and lighting), a flip, and random erasing of one rectangle (occlusions:
    hands, glasses). Seeded per sample like FaceTransform, so resumed runs see identical images."""

    def __init__(self, size: int, scale=(0.5, 1.0), ratio=(0.8, 1.25), max_degrees: float = 15.0,
                 jitter: float = 0.3, erase_p: float = 0.25, flip: bool = True):
        super().__init__(size, train=True, scale=scale, ratio=ratio, flip=flip)
        self.max_degrees, self.jitter, self.erase_p = max_degrees, jitter, erase_p

    def __call__(self, image: Image.Image, seed: int = 0) -> torch.Tensor:
        rng = random.Random(seed)
        angle = rng.uniform(-self.max_degrees, self.max_degrees)
        image = image.rotate(angle, resample=BILINEAR, fillcolor=tuple(round(255 * m) for m in MEAN))
        image = self.random_crop(image, rng)
        if self.flip and rng.random() < 0.5:
            image = image.transpose(FLIP_LEFT_RIGHT)
        x = to_tensor(image, self.size)
        # Brightness and contrast on the normalised tensor: the same as on pixels, then normalising.
        mean = torch.tensor(MEAN).view(3, 1, 1)
        std = torch.tensor(STD).view(3, 1, 1)
        pixels = x * std + mean
        contrast = 1 + rng.uniform(-self.jitter, self.jitter)
        brightness = rng.uniform(-self.jitter, self.jitter) * 0.5
        pixels = ((pixels - pixels.mean()) * contrast + pixels.mean() + brightness).clamp(0, 1)
        x = (pixels - mean) / std
        if rng.random() < self.erase_p:
            h = rng.randint(self.size // 8, self.size // 3)
            w = rng.randint(self.size // 8, self.size // 3)
            top, left = rng.randint(0, self.size - h), rng.randint(0, self.size - w)
            x[:, top:top + h, left:left + w] = 0.0  # the dataset mean after normalising
        return x
