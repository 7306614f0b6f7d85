"""The residual CNN of pfvit/conv_trunk.py and its way into E (face_stem.py, kind conv_trunk): folding its
batch norms changes nothing it computes, it gives one cell per patch token, and a trained trunk joins a
warm start without changing its outputs until the projection trains."""
import os
import tempfile
import unittest
from dataclasses import replace

import torch

from pfvit.conv_trunk import ConvClassifier, ConvTrunk, fold_batch_norm
from pfvit.face_stem import with_pretrained_stem
from pfvit.model_card import model_card
from pfvit.pfvit import PFViT
from pfvit.presets import PRESETS
from pfvit.trained import TrainedModel

CFG = replace(PRESETS['micro'], img_size=32, patch_size=16, num_classes=8)
TRUNK_CFG = replace(CFG, face_stem='conv_trunk')


def trained_classifier(seed: int = 0) -> ConvClassifier:
    """A classifier whose batch norms hold statistics and affines far from their initial values."""
    torch.manual_seed(seed)
    model = ConvClassifier(8)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.2)
    return model.eval()


class ConvTrunkTest(unittest.TestCase):
    def test_folding_the_batch_norms_keeps_what_the_trunk_computes(self):
        trained = trained_classifier().trunk
        plain = fold_batch_norm(trained)
        self.assertFalse(any(isinstance(m, torch.nn.BatchNorm2d) for m in plain.modules()))
        images = torch.randn(2, 3, 112, 112)
        with torch.no_grad():
            torch.testing.assert_close(plain(images), trained(images), atol=1e-4, rtol=1e-4)

    def test_one_cell_per_patch_token(self):
        with torch.no_grad():
            self.assertEqual(tuple(ConvTrunk()(torch.zeros(1, 3, 112, 112)).shape), (1, 256, 7, 7))
            self.assertEqual(tuple(ConvTrunk(batch_norm=False)(torch.zeros(1, 3, 32, 32)).shape), (1, 256, 2, 2))


class TrunkInEncoderTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.trunk_ckpt = os.path.join(self.tmp.name, 'trunk.pt')
        self.classifier = trained_classifier(1)
        torch.save({'kind': 'conv_trunk', 'model': self.classifier.state_dict(), 'classes': ['c'] * 8,
                    'epoch': 3}, self.trunk_ckpt)

    def test_a_trained_trunk_joins_a_warm_start_without_changing_its_outputs(self):
        torch.manual_seed(2)
        plain = PFViT(CFG).eval()
        model = PFViT(TRUNK_CFG).eval()
        state, report = with_pretrained_stem(model.encoder, plain.state_dict(), 'encoder.', self.trunk_ckpt)
        self.assertIn('trunk.pt (epoch 3), batch norms folded', report)
        model.load_state_dict(state)
        images = torch.randn(3, 3, 32, 32)
        with torch.no_grad():
            torch.testing.assert_close(model(images), plain(images), atol=0, rtol=0)
            torch.testing.assert_close(model.encoder.face_stem(images), self.classifier.trunk(images),
                                       atol=1e-4, rtol=1e-4)
            model.encoder.face_stem_proj.weight.normal_()
            self.assertFalse(torch.allclose(model(images), plain(images)))

    def test_the_trunk_must_be_named_and_be_a_trunk(self):
        encoder = PFViT(TRUNK_CFG).encoder
        state = PFViT(CFG).state_dict()
        with self.assertRaisesRegex(SystemExit, '--stem-from'):
            with_pretrained_stem(encoder, state, 'encoder.')
        other = os.path.join(self.tmp.name, 'pfvit.pt')
        torch.save({'kind': 'pfvit', 'model': state}, other)
        with self.assertRaisesRegex(SystemExit, "train_conv_trunk.py checkpoint; .* is 'pfvit'"):
            with_pretrained_stem(encoder, state, 'encoder.', other)

    def test_the_card_says_where_the_trunk_came_from(self):
        trained = TrainedModel('pfvit', PFViT(TRUNK_CFG), TRUNK_CFG, ['neutral'] * 8, 0, {})
        card = model_card(trained, 'm', 'm', '0', {}, None)
        self.assertIn('residual CNN trained from scratch on FERPlus', card['licence']['weights'])
        self.assertEqual(card['architecture']['face_stem'], 'conv_trunk')


if __name__ == '__main__':
    unittest.main()
