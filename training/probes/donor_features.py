"""How far can pasting real neutral features take the independent judge? (a probe, not a model)

Gives each expressive face of a FERPlus split the mouth (and optionally the brows and eyes' upper
half) of the most similar neutral FERPlus Train face: nearest in the pixels outside the pasted
region after brightness and contrast normalisation, its pasted pixels matched to this face's lower
face, feathered in. Writes an ImageFolder dataset (neutral-labelled faces unchanged) that the app's
eval then judges, e.g.:

    python -m probes.donor_features --split valid --region mouth --out /tmp/donor-mouth
    npm run eval -- /tmp/donor-mouth --split all --out /tmp/donor-mouth.json
    # poker_faces.expressive.judged.judge_calls_input_neutral: the judge on the pasted faces

Real neutral features cannot fool anything, so the rate they reach is what editing that region
alone can buy; a poker face that needs more must change more of the face.
"""
import argparse
import os

import numpy as np
from PIL import Image

from pfvit.data import FERPLUS_CLASSES, ferplus_samples

SIZE = 48  # FERPlus faces as stored
# On the mean aligned FERPlus face (src/main/evaluation/pokerFaceMeasures.ts FACE_REGIONS), a little wider.
REGIONS = {'mouth': [(0.26, 0.74, 0.66, 0.95)], 'mouth+brows': [(0.26, 0.74, 0.66, 0.95), (0.12, 0.88, 0.17, 0.40)]}
DONOR_MIN_VOTES = 7  # of 10 annotators calling the donor neutral


def ellipse_mask(x0, x1, y0, y1, size=SIZE, feather=2.0):
    """1 inside the ellipse inscribed in the box (fractions of the face), 0 outside, a ~feather px ramp."""
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    cx, cy = (x0 + x1) / 2 * size, (y0 + y1) / 2 * size
    rx, ry = (x1 - x0) / 2 * size, (y1 - y0) / 2 * size
    d = np.sqrt(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2)
    return np.clip((1 - d) * min(rx, ry) / feather + 0.5, 0, 1)


def region_mask(region, size=SIZE, feather=2.0):
    return np.max([ellipse_mask(*box, size=size, feather=feather) for box in REGIONS[region]], axis=0)


def normalised(pixels):
    """Rows of pixels with their own mean and contrast removed, so lighting does not pick the donor."""
    return (pixels - pixels.mean(1, keepdims=True)) / (pixels.std(1, keepdims=True) + 1e-3)


def nearest_donor(face, donors_normalised, known):
    """Index of the donor closest to `face` (flat) in the pixels where `known` is True."""
    q = normalised(face[None, known])[0]
    return int(((donors_normalised - q) ** 2).sum(1).argmin())


def paste(face, donor, mask, ring):
    """face outside the mask exactly; inside, the donor with its brightness and contrast over `ring`
    (pixels around the region) matched to the face's."""
    gain = face[ring].std() / (donor[ring].std() + 1e-4)
    shift = face[ring].mean() - gain * donor[ring].mean()
    return mask * np.clip(gain * donor + shift, 0, 1) + (1 - mask) * face


def load(path):
    return np.asarray(Image.open(path).convert('L').resize((SIZE, SIZE)), dtype=np.float32).reshape(-1) / 255


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--split', default='valid', choices=['valid', 'test'])
    p.add_argument('--region', default='mouth', choices=sorted(REGIONS))
    p.add_argument('--out', required=True, help='folder to write (outside the repository)')
    p.add_argument('--data-dir', default=None)
    a = p.parse_args(argv)
    donors = np.stack([load(s.path) for s in ferplus_samples('train', a.data_dir)
                       if s.label == 0 and s.votes[0] >= DONOR_MIN_VOTES])
    mask = region_mask(a.region).reshape(-1)
    known = mask < 0.05
    ring = known & (ellipse_mask(0.12, 0.88, 0.40, 1.0, feather=1).reshape(-1) > 0.5)
    donors_normalised = normalised(donors[:, known])
    for s in ferplus_samples(a.split, a.data_dir):
        face = load(s.path)
        if s.label != 0:
            face = paste(face, donors[nearest_donor(face, donors_normalised, known)], mask, ring)
        folder = os.path.join(a.out, FERPLUS_CLASSES[s.label])
        os.makedirs(folder, exist_ok=True)
        pixels = np.clip(face.reshape(SIZE, SIZE) * 255 + 0.5, 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(os.path.join(folder, os.path.basename(s.path)))
    print(f'{len(donors)} neutral donors; faces written to {a.out}')


if __name__ == '__main__':
    main()
