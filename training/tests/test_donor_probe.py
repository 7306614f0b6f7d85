import unittest

import numpy as np

from probes.donor_features import ellipse_mask, nearest_donor, normalised, paste, region_mask
from probes.real_neutral_oracle import closer_by_a_tenth


class DonorProbeTest(unittest.TestCase):
    def test_the_mask_covers_the_mouth_and_not_the_eyes(self):
        m = region_mask('mouth')
        self.assertEqual(m[38, 24], 1.0)  # mouth centre at 48 px
        self.assertEqual(m[18, 15], 0.0)  # left eye
        self.assertGreater(region_mask('mouth+brows')[13, 24], 0.9)  # between the brows

    def test_pasting_keeps_the_face_outside_the_mask_and_matches_brightness(self):
        rng = np.random.default_rng(0)
        face = rng.uniform(0.2, 0.8, 48 * 48).astype(np.float32)
        donor = face * 0.5  # the same face, darker: matched back, it is the face again
        mask = ellipse_mask(0.26, 0.74, 0.66, 0.95).reshape(-1)
        ring = mask < 0.05
        out = paste(face, donor, mask, ring)
        np.testing.assert_array_equal(out[mask == 0], face[mask == 0])
        np.testing.assert_allclose(out, face, atol=2e-3)

    def test_the_nearest_donor_ignores_lighting(self):
        rng = np.random.default_rng(1)
        donors = rng.uniform(0, 1, (5, 100)).astype(np.float32)
        known = np.ones(100, bool)
        face = donors[3] * 0.3 + 0.5  # donor 3 under other light
        self.assertEqual(nearest_donor(face, normalised(donors[:, known]), known), 3)

    def test_pasting_the_real_neutral_region_counts_as_closer_only_when_that_region_differs(self):
        face = np.full((112, 112, 3), 0.5, np.float32)
        real = face.copy()
        real[80:100, 40:70] = 0.9  # only the mouth differs
        mouth = region_mask('mouth', size=112)
        self.assertTrue(closer_by_a_tenth(face, real, mouth))
        real = face.copy()
        real[30:45, 20:90] = 0.9  # only the eyes differ: the real mouth changes nothing
        self.assertFalse(closer_by_a_tenth(face, real, mouth))


if __name__ == '__main__':
    unittest.main()
