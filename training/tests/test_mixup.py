"""Mixup for the classifier phases (pfvit/mixup.py): what it mixes, and that a step always mixes the same way."""
import unittest

import torch

from pfvit.mixup import mix


class MixupTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.images = torch.randn(6, 3, 8, 8)
        self.labels = torch.tensor([0, 1, 2, 3, 4, 5])

    def test_images_and_targets_mix_with_the_same_weight_and_partner(self):
        images, targets, lam = mix(self.images, self.labels, 8, 0.4, step=7)
        self.assertTrue(0 < lam < 1)
        torch.testing.assert_close(targets.sum(dim=1), torch.ones(6))
        for i in range(6):
            # Labels are distinct classes, so face i's partner is the one other class in its target.
            others = [c for c in range(6) if c != i and targets[i, c] > 0]
            self.assertLessEqual(len(others), 1)
            partner = others[0] if others else i  # shuffled onto itself: mixed with itself
            torch.testing.assert_close(images[i], lam * self.images[i] + (1 - lam) * self.images[partner])
            if others:
                self.assertAlmostEqual(targets[i, i].item(), lam, places=6)

    def test_vote_distributions_stay_distributions(self):
        votes = torch.softmax(torch.randn(6, 8), dim=1)
        _, targets, lam = mix(self.images, votes, 8, 0.4, step=3)
        torch.testing.assert_close(targets.sum(dim=1), torch.ones(6))
        self.assertTrue(0 < lam < 1)

    def test_the_same_step_mixes_the_same_way_and_another_step_otherwise(self):
        a = mix(self.images, self.labels, 8, 0.4, step=11)
        b = mix(self.images, self.labels, 8, 0.4, step=11)
        c = mix(self.images, self.labels, 8, 0.4, step=12)
        self.assertEqual(a[2], b[2])
        torch.testing.assert_close(a[0], b[0], rtol=0, atol=0)
        self.assertNotEqual(a[2], c[2])


if __name__ == '__main__':
    unittest.main()
