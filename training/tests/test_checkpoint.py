import argparse
import os
import tempfile
import unittest

import torch

from pfvit.checkpoint import load_discriminator, load_encoder, load_generator, mae_state_dict
from pfvit.mae import MAE
from pfvit.pfvit import PFViT
from pfvit.presets import model_config
from training.tests import helpers  # noqa: F401  (threads)


def official_style_checkpoint(mae: MAE, path: str) -> None:
    """What facebookresearch/mae saves under DDP: {'model': ..., 'args': Namespace}, keys prefixed
    with `module.`, and a Conv2d patch embedding."""
    state = {}
    for key, value in mae.state_dict().items():
        if key == 'patch_embed.proj.weight':
            p = mae.cfg.patch_size
            value = value.reshape(value.shape[0], 3, p, p)
        state['module.' + key] = value.clone()
    torch.save({'model': state, 'args': argparse.Namespace(model='mae_vit'), 'epoch': 799}, path)


class MAECheckpointTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.tmp = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.tmp.name, 'mae.pth')

    def tearDown(self):
        self.tmp.cleanup()

    def test_loads_into_encoder_generator_and_discriminator(self):
        cfg = model_config('micro')
        mae = MAE(cfg)
        official_style_checkpoint(mae, self.path)
        state = mae_state_dict(self.path)
        self.assertEqual(state['patch_embed.proj.weight'].dim(), 2)
        self.assertFalse(any(k.startswith('module.') for k in state))

        model = PFViT(cfg)
        enc = load_encoder(model.encoder, state)
        self.assertEqual(enc.missing, [], enc.summary())
        self.assertEqual(enc.unexpected, [])
        for key, value in model.encoder.state_dict().items():
            torch.testing.assert_close(value, mae.state_dict()[key], msg=key)
        # The same images embed identically through the MAE's encoder and E.
        x = torch.randn(2, 3, cfg.img_size, cfg.img_size)
        torch.testing.assert_close(model.encoder(x), mae.tokens(x))

        gen = load_generator(model.generator, state)
        self.assertTrue(gen.missing and all(k.startswith('cross_fusion.') for k in gen.missing), gen.summary())
        self.assertEqual(gen.unexpected, [])
        torch.testing.assert_close(model.generator.decoder_pred.weight, mae.decoder_pred.weight)
        torch.testing.assert_close(model.generator.mask_token, mae.mask_token)

        dis = load_discriminator(model.discriminator, state)
        self.assertEqual(sorted(dis.missing), sorted(['cls_token', 'patch_embed.proj.weight',
                                                      'patch_embed.proj.bias', 'head.weight', 'head.bias']))
        torch.testing.assert_close(model.discriminator.blocks[0].attn.qkv.weight, mae.decoder_blocks[0].attn.qkv.weight)
        torch.testing.assert_close(model.discriminator.norm.weight, mae.decoder_norm.weight)

    def test_official_size_at_another_input_size(self):
        """ViT-T MAE weights trained at 224 px load into a 112 px model: the fixed sin-cos tables are
        recomputed, every learned encoder tensor loads."""
        official = MAE(model_config('vit_tiny', 224))
        official_style_checkpoint(official, self.path)
        encoder = PFViT(model_config('vit_tiny', 112)).encoder
        report = load_encoder(encoder, mae_state_dict(self.path))
        self.assertEqual(report.missing, [], report.summary())
        self.assertEqual([k for k, _ in report.skipped], ['pos_embed'])

    def test_encoder_only_checkpoint_reports_missing_decoder(self):
        """The released mae_pretrain_vit_*.pth hold the encoder only: G's loss is reported, not hidden."""
        cfg = model_config('micro')
        state = {k: v for k, v in MAE(cfg).state_dict().items() if not k.startswith(('decoder', 'mask_token'))}
        gen = load_generator(PFViT(cfg).generator, state)
        self.assertEqual(gen.loaded, [])
        self.assertIn('decoder_pred.weight', gen.missing)
        self.assertIn('missing', gen.summary())


if __name__ == '__main__':
    unittest.main()
