"""WiSE-FT's straight line between a start and its fine-tuning (interpolate_weights.py). Pure logic on
tiny models; the Valid-chosen path runs in test_training.py on real faces."""
import unittest
from dataclasses import replace

import torch

from interpolate_weights import interpolate
from pfvit.pfvit import PFViT, ViTClassifier
from pfvit.presets import PRESETS
from train_vit import pfvit_state_as_vit

CFG = replace(PRESETS['micro'], num_classes=8)


def checkpoint(kind, model):
    return {'kind': kind, 'config': CFG.to_dict(), 'model': model.state_dict()}


class InterpolateTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.start = checkpoint('pfvit', PFViT(CFG))
        self.tuned = checkpoint('pfvit', PFViT(CFG))
        # A tensor the start lacks (a fresh D) and an integer buffer-like tensor stay as tuned has them.
        self.start['model'] = {k: v for k, v in self.start['model'].items() if not k.startswith('discriminator.')}
        self.tuned['model']['counter'] = torch.tensor([7])
        self.start['model']['counter'] = torch.tensor([1])

    def test_the_ends_are_the_two_models_and_the_middle_is_their_mean(self):
        for alpha, expect in ((0.0, lambda a, b: a), (1.0, lambda a, b: b), (0.5, lambda a, b: (a + b) / 2)):
            mixed = interpolate(self.start, self.tuned, alpha)['model']
            for key, a in self.start['model'].items():
                if key != 'counter':
                    torch.testing.assert_close(mixed[key], expect(a, self.tuned['model'][key]), msg=key)
        mixed = interpolate(self.start, self.tuned, 0.3)['model']
        self.assertEqual(mixed['counter'].item(), 7)
        disc = [k for k in self.tuned['model'] if k.startswith('discriminator.')]
        self.assertTrue(disc)
        for key in disc:
            self.assertTrue(torch.equal(mixed[key], self.tuned['model'][key]))

    def test_a_vit_baseline_joins_its_pfvit_start_through_e_and_c(self):
        vit = checkpoint('vit', ViTClassifier(CFG))
        mixed = interpolate(self.start, vit, 0.25)['model']
        as_vit = pfvit_state_as_vit(self.start['model'])
        self.assertEqual(set(as_vit), set(vit['model']))
        torch.testing.assert_close(mixed['head.weight'],
                                   0.75 * self.start['model']['classifier.weight'] + 0.25 * vit['model']['head.weight'])

    def test_refuses_what_no_straight_line_joins(self):
        other = dict(self.tuned, config=replace(CFG, depth=3).to_dict())
        with self.assertRaisesRegex(SystemExit, 'different model configurations'):
            interpolate(self.start, other, 0.5)
        with self.assertRaisesRegex(SystemExit, 'lacks tensors'):
            interpolate(self.tuned, self.start, 0.5)  # the start has D, the "tuned" does not
        with self.assertRaisesRegex(SystemExit, "'vit' checkpoint, --tuned a 'pfvit'"):
            interpolate(checkpoint('vit', ViTClassifier(CFG)), self.tuned, 0.5)


if __name__ == '__main__':
    unittest.main()
