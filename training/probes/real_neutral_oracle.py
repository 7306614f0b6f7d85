"""How close to a person's real neutral photo can an edit of one region bring their expressive photo?
(a probe, not a model)

For each expressive photo of a folder where every person also has a neutral one (Yale faces, cropped
by `npx pokerface faces ../shared/data/yale_faces --out /tmp/yale-faces`), pastes the region from the
real neutral photo itself, a perfect poker face for that region, and reports how often the result is
closer to the real neutral photo than the input is by a tenth of the input's distance (the poker-face
issue's Yale target; mean |difference| at 112 px, as `pokerface eval --neutral-reference` measures),
beside the region's share of the face and of the distance:

    python -m probes.real_neutral_oracle /tmp/yale-faces
"""
import os
import sys

import numpy as np
from PIL import Image

from probes.donor_features import REGIONS, region_mask

SIZE = 112  # the model input size the eval compares at


def person(name):
    return name.split('_')[0]


def load(path):
    return np.asarray(Image.open(path).convert('RGB').resize((SIZE, SIZE), Image.BILINEAR), dtype=np.float32) / 255


def distance_left(face, real_neutral, mask):
    """The share of `face`'s distance to the real neutral photo left once `mask`'s region of that photo is pasted in."""
    pasted = mask[..., None] * real_neutral + (1 - mask[..., None]) * face
    return np.abs(pasted - real_neutral).mean() / np.abs(face - real_neutral).mean()


def closer_by_a_tenth(face, real_neutral, mask):
    """Whether pasting `mask`'s region of the real neutral photo brings `face` within 0.9 of its distance."""
    return distance_left(face, real_neutral, mask) <= 0.9


def main(root):
    images = lambda folder: sorted(f for f in os.listdir(os.path.join(root, folder)) if f.endswith('.png'))
    neutral = {person(f): load(os.path.join(root, 'neutral', f)) for f in images('neutral')}
    pairs = [(load(os.path.join(root, folder, f)), neutral[person(f)])
             for folder in sorted(os.listdir(root)) if folder != 'neutral' and os.path.isdir(os.path.join(root, folder))
             for f in images(folder) if person(f) in neutral]
    for region in REGIONS:
        mask = region_mask(region, SIZE, feather=4)
        left = np.array([distance_left(face, real, mask) for face, real in pairs])
        print(f'{region} ({mask.mean():.1%} of the face): the real neutral {region} pasted brings {np.mean(left <= 0.9):.1%} '
              f'of {len(pairs)} expressive photos closer by a tenth, and removes {1 - left.mean():.1%} of the distance on average')


if __name__ == '__main__':
    main(sys.argv[1])
