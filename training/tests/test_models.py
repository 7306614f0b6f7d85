import unittest

import numpy as np
import torch

from pfvit.mae import MAE
from pfvit.patches import patches_to_pixels, pixels_to_patches
from pfvit.pfvit import PFViT, Separator, ViTClassifier, split_components
from pfvit.pos_embed import sincos_2d
from pfvit.presets import PRESETS, model_config
from pfvit.rollout import attention_rollout
from pfvit.vit import PatchEmbed
from training.tests import helpers  # noqa: F401  (threads)

CFG = model_config('micro')  # 32 px, patch 8 -> 4x4 grid, dim 32, decoder 32
N, L, T = 3, CFG.num_patches, CFG.num_patches + 1


class ShapesTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.x = torch.randn(N, 3, CFG.img_size, CFG.img_size)
        self.model = PFViT(CFG)

    def test_encoder_tokens(self):
        z, attentions = self.model.encoder.tokens(self.x, return_attention=True)
        self.assertEqual(z.shape, (N, T, CFG.embed_dim))
        self.assertEqual(len(attentions), CFG.depth)
        self.assertEqual(attentions[0].shape, (N, CFG.num_heads, T, T))

    def test_separator_mask_and_components(self):
        z, mask, v_e, v_p = self.model.separate(self.x)
        self.assertEqual(mask.shape, (N, CFG.embed_dim))
        self.assertTrue(((mask >= 0) & (mask <= 1)).all())
        self.assertEqual(v_e.shape, z.shape)
        self.assertEqual(v_p.shape, z.shape)
        torch.testing.assert_close(v_e + v_p, z, rtol=0, atol=1e-6)

    def test_components_split_by_channel(self):
        z = torch.randn(2, 5, 8)
        mask = torch.tensor([[1.0, 0, 1, 0, 1, 0, 1, 0]] * 2)
        v_e, v_p = split_components(z, mask)
        self.assertTrue((v_e[..., 1::2] == 0).all() and (v_p[..., ::2] == 0).all())
        self.assertEqual(Separator(16, 4)(torch.randn(2, 5, 16)).shape, (2, 16))

    def test_classifier_generator_discriminator(self):
        _, _, v_e, v_p = self.model.separate(self.x)
        self.assertEqual(self.model.classify(v_e).shape, (N, CFG.num_classes))
        self.assertEqual(self.model(self.x).shape, (N, CFG.num_classes))
        image = self.model.generator(v_p)
        self.assertEqual(image.shape, self.x.shape)
        self.assertEqual(self.model.discriminator(image).shape, (N, CFG.num_classes + 1))

    def test_vit_baseline(self):
        self.assertEqual(ViTClassifier(CFG)(self.x).shape, (N, CFG.num_classes))

    def test_mae(self):
        mae = MAE(CFG)
        loss, pred, mask = mae(self.x)
        self.assertEqual(pred.shape, (N, L, CFG.patch_size ** 2 * 3))
        self.assertEqual(mask.shape, (N, L))
        self.assertEqual(int(mask[0].sum()), int(L * 0.75))
        self.assertTrue(torch.isfinite(loss))

    def test_bf16_autocast_forward(self):
        with torch.autocast(device_type='cpu', dtype=torch.bfloat16):
            _, _, v_e, v_p = self.model.separate(self.x)
            image = self.model.generator(v_p)
        self.assertEqual(image.shape, self.x.shape)
        self.assertTrue(torch.isfinite(image.float()).all())

    def test_attention_rollout(self):
        _, attentions = self.model.encoder.tokens(self.x, return_attention=True)
        r = attention_rollout(attentions, CFG.grid_size)
        self.assertEqual(r.shape, (N, CFG.grid_size, CFG.grid_size))
        torch.testing.assert_close(r.flatten(1).max(dim=1)[0], torch.ones(N))

    def test_presets(self):
        self.assertEqual(PRESETS['vit_tiny'].embed_dim, 192)
        self.assertEqual((PRESETS['vit_base'].depth, PRESETS['vit_base'].num_heads), (12, 12))
        small = PRESETS['cpu_small']
        self.assertEqual((small.embed_dim, small.depth, small.num_heads, small.decoder_embed_dim,
                          small.decoder_depth, small.img_size, small.patch_size), (192, 6, 3, 128, 4, 112, 16))
        self.assertEqual(model_config('vit_small', 224).num_patches, 196)


class PatchOrderTest(unittest.TestCase):
    def test_linear_patch_embedding_equals_conv(self):
        """A Conv2d weight reshaped to [D, 3*p*p] gives the same embedding (the checkpoint path)."""
        conv = torch.nn.Conv2d(3, 16, kernel_size=8, stride=8)
        embed = PatchEmbed(32, 8, 3, 16)
        embed.proj.weight.data = conv.weight.data.reshape(16, -1)
        embed.proj.bias.data = conv.bias.data
        x = torch.randn(2, 3, 32, 32)
        torch.testing.assert_close(embed(x), conv(x).flatten(2).transpose(1, 2), rtol=1e-5, atol=1e-5)

    def test_pixel_patches_round_trip_in_mae_order(self):
        x = torch.randn(2, 3, 32, 32)
        patches = pixels_to_patches(x, 8)
        # MAE: first patch, first pixel row, first column, channels r,g,b come first.
        torch.testing.assert_close(patches[0, 0, :3], x[0, :, 0, 0])
        torch.testing.assert_close(patches_to_pixels(patches, 8, 4), x)

    def test_sincos_matches_mae_layout(self):
        """First half encodes the column, second half the row; [CLS] row is zeros."""
        emb = sincos_2d(16, 3)[0]
        self.assertTrue((emb[0] == 0).all())
        omega = 1.0 / 10000 ** (np.arange(4) / 4.0)
        row, col = 1, 2
        expected = np.concatenate([np.sin(col * omega), np.cos(col * omega), np.sin(row * omega), np.cos(row * omega)])
        np.testing.assert_allclose(emb[1 + row * 3 + col].numpy(), expected, rtol=1e-6, atol=1e-6)


class LossesDecreaseTest(unittest.TestCase):
    """Each loss term, descended alone for a few steps on a fixed batch, goes down: the wiring from
    every term to the parameters it trains is right."""

    def setUp(self):
        torch.manual_seed(0)
        self.model = PFViT(CFG)
        self.x = torch.randn(8, 3, CFG.img_size, CFG.img_size)
        self.y = torch.tensor([0, 1, 2, 3, 0, 5, 6, 0])

    def descend(self, loss_fn, params, steps=6, lr=1e-3):
        opt = torch.optim.Adam(params, lr=lr)
        values = []
        for _ in range(steps):
            loss = loss_fn()
            values.append(loss.item())
            opt.zero_grad()
            loss.backward()
            opt.step()
        values.append(loss_fn().item())
        return values

    def main_params(self):
        return [p for n, p in self.model.named_parameters() if not n.startswith('discriminator.') and p.requires_grad]

    def assertLowered(self, values, name):
        self.assertLess(values[-1], values[0], f'{name} did not go down: {values}')

    def test_each_loss_term_goes_down(self):
        from pfvit import losses
        from pfvit.extractor import FrozenExtractor
        m, x, y, k = self.model, self.x, self.y, CFG.num_classes
        extractor = FrozenExtractor(CFG)

        def parts():
            z, _, v_e, v_p = m.separate(x)
            return z, v_e, v_p
        terms = {
            'emo': lambda: losses.emotion_loss(m.classify(parts()[1]), y),
            'rec': lambda: losses.reconstruction_loss(m.generator(parts()[0]), x, x, y)[0],
            'rec_neutral': lambda: losses.reconstruction_loss(x, m.generator(parts()[2]), x, y)[1],
            'adv': lambda: losses.adversarial_loss(m.discriminator(m.generator(parts()[0])),
                                                   m.discriminator(m.generator(parts()[2])), y, k),
            'orth_direct': lambda: losses.abs_cosine(*parts()[1:]),
            'orth_perceptual': lambda: losses.abs_cosine(extractor(m.generator(parts()[1])),
                                                         extractor(m.generator(parts()[2]))),
        }
        for name, fn in terms.items():
            with self.subTest(term=name):
                self.assertLowered(self.descend(fn, self.main_params()), name)
        with torch.no_grad():
            x_hat, x_tilde = m.generator(parts()[0]), m.generator(parts()[2])
        dis = lambda: losses.discriminator_loss(m.discriminator(x), m.discriminator(x_hat),  # noqa: E731
                                                m.discriminator(x_tilde), y, k)
        self.assertLowered(self.descend(dis, list(m.discriminator.parameters())), 'dis')
        mae = MAE(CFG)
        torch.manual_seed(1)
        self.assertLowered(self.descend(lambda: mae(x)[0], list(mae.parameters()), lr=3e-3), 'mae')

    def test_discriminator_targets(self):
        from pfvit.losses import discriminator_targets
        y = torch.tensor([3, 0])
        real = discriminator_targets(y, 8, real=True)
        poker = discriminator_targets(y, 8, real=False, as_neutral=True)
        self.assertEqual(real.shape, (2, 9))
        self.assertEqual(real[0].tolist(), [0, 0, 0, 1, 0, 0, 0, 0, 1])
        self.assertEqual(poker[0].tolist(), [1, 0, 0, 0, 0, 0, 0, 0, 0])

    def test_reconstruction_loss_without_neutral_images(self):
        from pfvit.losses import reconstruction_loss
        x = torch.zeros(2, 3, 4, 4)
        rec, neutral = reconstruction_loss(x + 1, x + 5, x, torch.tensor([1, 2]))
        self.assertAlmostEqual(rec.item(), 1.0)
        self.assertEqual(neutral.item(), 0.0)


if __name__ == '__main__':
    unittest.main()
