"""The levers of the v4 classifier: warm start from a shipped folder, vote-distribution targets,
class balancing, strong augmentation, and the post-hoc corrections folded into C. Needs no data."""
import contextlib
import io
import os
import tempfile
import unittest

import torch
from PIL import Image

import export_onnx
from pfvit.augment import StrongFaceTransform
from pfvit.calibration import (choose_tau, expected_calibration_error, fit_temperature, fold_into_linear,
                               summary)
from pfvit.data import Sample, soft_target
from pfvit.losses import balancing_weights, emotion_loss, hard_labels
from pfvit.onnx_import import import_model_folder
from pfvit.trained import load_trained


class OnnxImportTest(unittest.TestCase):
    def test_a_shipped_folder_gives_back_every_weight_of_e_s_c_and_g(self):
        for head in ('pixels', 'composition'):  # the paper's pixel head and the composing G's convolutions
            with self.subTest(generator_output=head):
                self.round_trip(['--generator-output', head])
        with self.subTest(warp_px=3):  # a warping G's displacement layer (pfvit/composition.py)
            self.round_trip(['--generator-output', 'composition', '--warp-px', '3'])
        for stem in ('mobileface_v3', 'conv_trunk'):  # E's convolutional branches (pfvit/face_stem.py)
            with self.subTest(face_stem=stem):
                self.round_trip(['--generator-output', 'composition', '--face-stem', stem,
                                 '--input-size', '32', '--patch-size', '16'])

    def round_trip(self, options):
        with tempfile.TemporaryDirectory() as tmp:
            # Trained weights all differ; a fresh init has many equal tensors (zero biases, unit norms)
            # that the exporter merges into one constant, so perturb every weight first.
            trained = export_onnx.random_model(export_onnx.parse_args(
                ['--random-init', 'pfvit', '--preset', 'micro', '--seed', '3'] + options))
            with torch.no_grad():
                for name, p in trained.model.named_parameters():
                    if 'pos_embed' not in name:
                        p.add_(torch.randn_like(p) * 0.05)
            original = trained.model.state_dict()
            ckpt = os.path.join(tmp, 'trained.pt')
            torch.save({'kind': 'pfvit', 'config': trained.config.to_dict(), 'model': original,
                        'classes': trained.classes, 'neutral': trained.neutral}, ckpt)
            folder = os.path.join(tmp, 'm')
            with contextlib.redirect_stdout(io.StringIO()):
                export_onnx.main(['--checkpoint', ckpt, '--out', folder])
            imported = import_model_folder(folder)
            self.assertEqual(imported['kind'], 'pfvit')
            compared = 0
            for name, value in original.items():
                if name.startswith('discriminator.'):
                    self.assertNotIn(name, imported['model'])  # D is not shipped
                    continue
                self.assertTrue(torch.allclose(imported['model'][name], value, atol=1e-6), name)
                compared += 1
            self.assertGreater(compared, 40)
            path = os.path.join(tmp, 'imported.pt')
            torch.save(imported, path)
            self.assertEqual(load_trained(path).kind, 'pfvit')  # D is optional for PF-ViT files

    def test_a_vit_baseline_folder_is_refused_with_a_reason(self):
        with tempfile.TemporaryDirectory() as tmp:
            folder = os.path.join(tmp, 'vit')
            with contextlib.redirect_stdout(io.StringIO()):
                export_onnx.main(['--random-init', 'vit', '--preset', 'micro', '--out', folder])
            with self.assertRaises(SystemExit) as raised:
                import_model_folder(folder)
            self.assertIn('only PF-ViT', str(raised.exception))


class FlipAverageTest(unittest.TestCase):
    def test_a_flip_averaging_classifier_gives_the_mean_of_both_views_and_keeps_mask_and_attention(self):
        from pfvit.graphs import ClassifyGraph
        trained = export_onnx.random_model(export_onnx.parse_args(['--random-init', 'pfvit', '--preset', 'micro']))
        trained.model.eval()
        x = torch.randn(2, 3, trained.config.img_size, trained.config.img_size)
        plain = ClassifyGraph(trained)
        trained.checkpoint['test_time'] = {'flip_average': True}
        both = ClassifyGraph(trained)
        with torch.no_grad():
            l1, m1, a1, e1 = plain(x)
            l2, m2, a2, e2 = both(x)
            mirrored, _, _, e_mirrored = plain(torch.flip(x, dims=[3]))
        self.assertTrue(torch.allclose(l2, (l1 + mirrored) / 2, atol=1e-5))
        self.assertTrue(torch.equal(m1, m2) and torch.equal(a1, a2))
        # The embedding is what the head reads: the head applied to it gives the averaged logits.
        self.assertTrue(torch.allclose(e2, (e1 + e_mirrored) / 2, atol=1e-6))
        self.assertTrue(torch.allclose(trained.model.classifier(e2), l2, atol=1e-5))


class TargetsTest(unittest.TestCase):
    def test_votes_become_a_distribution_and_their_argmax_is_the_majority_label(self):
        s = Sample('x.png', label=3, votes=(2, 0, 0, 6, 2, 0, 0, 0))
        t = soft_target(s, 8)
        self.assertAlmostEqual(t.sum().item(), 1.0, places=6)
        self.assertAlmostEqual(t[3].item(), 0.6, places=6)
        self.assertEqual(hard_labels(t.unsqueeze(0)).item(), 3)
        self.assertEqual(soft_target(Sample('y.png', label=5), 8).tolist(), [0, 0, 0, 0, 0, 1, 0, 0])

    def test_soft_loss_equals_cross_entropy_on_one_hot_targets_and_weights_move_it(self):
        torch.manual_seed(0)
        logits, labels = torch.randn(6, 4), torch.tensor([0, 1, 2, 3, 1, 0])
        one_hot = torch.nn.functional.one_hot(labels, 4).float()
        self.assertAlmostEqual(emotion_loss(logits, one_hot).item(), emotion_loss(logits, labels).item(), places=5)
        w = torch.tensor([1.0, 1.0, 1.0, 5.0])
        self.assertAlmostEqual(emotion_loss(logits, one_hot, w).item(), emotion_loss(logits, labels, w).item(),
                               places=5)

    def test_balancing_weights_raise_rare_classes_and_keep_the_average_image_at_one(self):
        labels = [0] * 90 + [1] * 10
        w = balancing_weights(labels, 2, 1.0)
        self.assertAlmostEqual(w[1].item() / w[0].item(), 9.0, places=4)
        self.assertAlmostEqual(((w[0] * 90 + w[1] * 10) / 100).item(), 1.0, places=5)
        self.assertTrue(torch.allclose(balancing_weights(labels, 2, 0.0), torch.ones(2)))


class StrongAugmentTest(unittest.TestCase):
    def test_the_same_seed_gives_the_same_image_and_another_seed_another(self):
        image = Image.linear_gradient('L').resize((48, 48)).convert('RGB')
        tf = StrongFaceTransform(32)
        a, b, c = tf(image, 7), tf(image, 7), tf(image, 8)
        self.assertEqual(tuple(a.shape), (3, 32, 32))
        self.assertTrue(torch.equal(a, b))
        self.assertFalse(torch.equal(a, c))


class CalibrationTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(1)
        self.labels = torch.randint(0, 3, (600,))
        # Over-confident logits: right 70 % of the time but scaled far too sharp.
        right = torch.rand(600) < 0.7
        predicted = torch.where(right, self.labels, (self.labels + 1) % 3)
        self.logits = torch.nn.functional.one_hot(predicted, 3).float() * 8.0 + torch.randn(600, 3) * 0.1

    def test_temperature_scaling_lowers_the_calibration_error_of_an_overconfident_model(self):
        t = fit_temperature(self.logits, self.labels)
        self.assertGreater(t, 1.5)
        before = expected_calibration_error(torch.softmax(self.logits, 1), self.labels)
        after = expected_calibration_error(torch.softmax(self.logits / t, 1), self.labels)
        self.assertLess(after, before / 2)
        self.assertEqual(summary(self.logits, self.labels)['accuracy'],
                         summary(self.logits / t, self.labels)['accuracy'])

    def test_tau_zero_is_a_candidate_and_the_choice_is_one_of_them(self):
        log_prior = torch.tensor([0.6, 0.3, 0.1]).log()
        choice = choose_tau(self.logits, self.labels, log_prior)
        self.assertEqual(choice['candidates'][0]['tau'], 0.0)
        self.assertIn(choice['tau'], [r['tau'] for r in choice['candidates']])

    def test_folding_into_the_linear_layer_gives_the_adjusted_scaled_logits(self):
        linear = torch.nn.Linear(5, 3)
        v = torch.randn(4, 5)
        shift = torch.tensor([0.5, -1.0, 0.25])
        expected = (linear(v) + shift) / 2.0
        fold_into_linear(linear, 2.0, shift)
        self.assertTrue(torch.allclose(linear(v), expected, atol=1e-6))


if __name__ == '__main__':
    unittest.main()
