"""What a one-shot GPU run relies on: the data pack round trip (pack_data.py), the wall-clock cap
(--max-minutes), and trimmed checkpoints that evaluation and export still read (trim_checkpoint.py)."""
import contextlib
import io
import json
import os
import tempfile
import unittest

import numpy as np
import torch
from PIL import Image

import pack_data
import train_mae
import trim_checkpoint
from pfvit.checkpoint import read_file
from pfvit.data import ferplus_samples
from pfvit.pfvit import PFViT
from pfvit.presets import model_config
from pfvit.trained import load_trained
from training.tests.helpers import FERPLUS, requires_ferplus


def quietly(fn, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return fn(*args, **kwargs)


def pixels(path):
    with Image.open(path) as img:
        return img.mode, np.asarray(img)


class MedCodecTest(unittest.TestCase):
    def test_round_trip_of_hard_images(self):
        rng = np.random.RandomState(0)
        images = np.concatenate([
            rng.randint(0, 256, (5, 9, 7)),                      # noise
            np.tile(np.array([0, 255], np.uint8), (3, 9, 4))[:, :, :7],  # extreme steps
            np.full((2, 9, 7), 255), np.zeros((1, 9, 7)),
        ]).astype(np.uint8)
        residuals = pack_data.med_residuals(images)
        self.assertEqual(residuals.dtype, np.uint8)
        np.testing.assert_array_equal(pack_data.med_decode(residuals), images)
        # An edge (a ramp along the rows) is predicted exactly off the first row and column: errors
        # are 0 there, which is what makes faces compress.
        ramp = np.tile((np.arange(7) * 3).astype(np.uint8), (1, 9, 1))
        self.assertEqual(int(pack_data.med_residuals(ramp)[:, 1:, 1:].max()), 0)

    def test_pack_and_unpack_a_made_up_tree(self):
        """Extra PNGs not in label.csv travel too; shapes other than 48x48 form their own group."""
        rng = np.random.RandomState(1)
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, 'src', 'ferplus')
            expected = {}
            for folder, names in (('FER2013Train', ['b.png', 'a.png', 'c.png']), ('FER2013Valid', ['v.png'])):
                os.makedirs(os.path.join(src, folder))
                with open(os.path.join(src, folder, 'label.csv'), 'w') as f:
                    for name in names[:2] if folder == 'FER2013Train' else names:
                        f.write(f'{name},"(0, 0, 48, 48)",10,0,0,0,0,0,0,0,0,0\n')
                for i, name in enumerate(names):
                    shape = (48, 48) if i != 1 else (30, 40)
                    a = rng.randint(0, 256, shape).astype(np.uint8)
                    Image.fromarray(a, 'L').save(os.path.join(src, folder, name))
                    expected[f'{folder}/{name}'] = a
            pack = os.path.join(tmp, 'p.pfpack')
            quietly(pack_data.main, ['--data-dir', os.path.join(tmp, 'src'), '--pack', pack])
            quietly(pack_data.main, ['--data-dir', os.path.join(tmp, 'src'), '--pack', pack, '--verify'])
            dest = os.path.join(tmp, 'dest')
            quietly(pack_data.main, ['--unpack', dest, '--pack', pack, '--workers', '2'])
            for rel, a in expected.items():
                mode, b = pixels(os.path.join(dest, 'ferplus', rel))
                self.assertEqual(mode, 'L')
                np.testing.assert_array_equal(a, b, err_msg=rel)
            for folder in ('FER2013Train', 'FER2013Valid'):
                with open(os.path.join(src, folder, 'label.csv'), 'rb') as f1, \
                        open(os.path.join(dest, 'ferplus', folder, 'label.csv'), 'rb') as f2:
                    self.assertEqual(f1.read(), f2.read())
            self.assertFalse(os.path.exists(os.path.join(dest, 'ferplus', 'FER2013Test')))


@requires_ferplus
class FerplusPackTest(unittest.TestCase):
    def test_unpacked_subset_is_what_the_loaders_read(self):
        data_dir = os.path.dirname(FERPLUS)
        with tempfile.TemporaryDirectory() as tmp:
            pack = os.path.join(tmp, 'subset.pfpack')
            quietly(pack_data.main, ['--data-dir', data_dir, '--pack', pack, '--limit', '60'])
            quietly(pack_data.main, ['--unpack', tmp, '--pack', pack, '--workers', '2'])
            for split in ('train', 'valid'):
                source = ferplus_samples(split, data_dir)[:40]
                unpacked = ferplus_samples(split, tmp)
                self.assertGreaterEqual(len(unpacked), 40)
                self.assertEqual([os.path.basename(s.path) for s in source],
                                 [os.path.basename(s.path) for s in unpacked[:40]])
                self.assertEqual([s.label for s in source], [s.label for s in unpacked[:40]])
                for a, b in zip(source, unpacked):
                    self.assertEqual(pixels(a.path)[0], pixels(b.path)[0])
                    np.testing.assert_array_equal(pixels(a.path)[1], pixels(b.path)[1], err_msg=b.path)
            self.assertFalse(os.path.exists(os.path.join(tmp, 'ferplus', 'FER2013Test')))


class MaxMinutesTest(unittest.TestCase):
    def test_time_cap_stops_after_a_step_and_saves(self):
        with tempfile.TemporaryDirectory() as tmp:
            images = os.path.join(tmp, 'images')
            os.makedirs(images)
            for i in range(16):
                Image.fromarray(np.full((40, 40), i * 10, np.uint8), 'L').save(os.path.join(images, f'{i}.png'))
            out = os.path.join(tmp, 'mae')
            reason = train_mae.main(['--preset', 'micro', '--images', images, '--batch-size', '4', '--threads', '1',
                                     '--quiet', '--epochs', '50', '--max-minutes', '0', '--out', out])
            self.assertEqual(reason, 'max_minutes')
            with open(os.path.join(out, 'log.jsonl')) as f:
                stop = [json.loads(line) for line in f][-1]
            self.assertEqual((stop['event'], stop['reason'], stop['step']), ('stop', 'max_minutes', 1))
            self.assertEqual(read_file(os.path.join(out, 'last.pt'))['progress']['step'], 1)


class TrimTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        torch.manual_seed(0)
        self.cfg = model_config('micro')
        self.model = PFViT(self.cfg)
        opt = torch.optim.Adam(self.model.parameters())
        self.model(torch.randn(2, 3, 32, 32)).sum().backward()
        opt.step()
        self.full = os.path.join(self.tmp.name, 'best.pt')
        torch.save({'kind': 'pfvit', 'model': self.model.state_dict(), 'config': self.cfg.to_dict(),
                    'classes': ['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear',
                                'contempt'],
                    'neutral': 0, 'ortho': 'perceptual', 'data': 'test', 'progress': {'step': 3, 'epoch': 1},
                    'best': {'accuracy': np.float64(0.5), 'epoch': 0}, 'args': {'init': 'x', 'lr': 1e-4},
                    'rng': {'numpy': np.random.get_state()}, 'optimizers': {'main': opt.state_dict()},
                    'feature_extractor': self.model.encoder.state_dict()}, self.full)

    def tearDown(self):
        self.tmp.cleanup()

    def logits(self, trained):
        torch.manual_seed(1)
        with torch.no_grad():
            return trained.model(torch.randn(3, 3, 32, 32))

    def test_trimmed_and_restored_files_classify_like_the_original(self):
        trimmed = os.path.join(self.tmp.name, 'out', 'pfvit.pt')
        report = quietly(trim_checkpoint.trim, self.full, trimmed)
        ckpt = read_file(trimmed)
        self.assertFalse(any(k.startswith('discriminator.') for k in ckpt['model']))
        for key in ('optimizers', 'rng', 'feature_extractor'):
            self.assertNotIn(key, ckpt)
        self.assertEqual(type(ckpt['best']['accuracy']), float)
        self.assertEqual(report['files'], ['pfvit.pt'])
        self.assertLess(os.path.getsize(trimmed), os.path.getsize(self.full))
        original = self.logits(load_trained(self.full))
        torch.testing.assert_close(self.logits(load_trained(trimmed)), original, rtol=0, atol=0)
        for by_hand in (False, True):
            restored = os.path.join(self.tmp.name, f'restored-{by_hand}.pt')
            r = quietly(trim_checkpoint.restore, trimmed, restored, by_hand)
            self.assertTrue(r['weights_sha256_ok'])
            self.assertEqual(r['loaded_with'], 'by hand' if by_hand else 'torch.load')
            torch.testing.assert_close(self.logits(load_trained(restored)), original, rtol=0, atol=0)

    def test_large_files_are_split_and_joined(self):
        trimmed = os.path.join(self.tmp.name, 'split', 'pfvit.pt')
        report = quietly(trim_checkpoint.trim, self.full, trimmed, 40_000)
        self.assertGreater(len(report['files']), 1)
        self.assertFalse(os.path.exists(trimmed))
        self.assertTrue(all(os.path.getsize(os.path.join(self.tmp.name, 'split', p)) <= 40_000
                            for p in report['files']))
        restored = os.path.join(self.tmp.name, 'joined.pt')
        quietly(trim_checkpoint.restore, trimmed, restored)
        torch.testing.assert_close(self.logits(load_trained(restored)), self.logits(load_trained(self.full)))

    def test_a_missing_encoder_tensor_is_still_an_error(self):
        state = dict(self.model.state_dict())
        del state['encoder.norm.weight']
        path = os.path.join(self.tmp.name, 'broken.pt')
        torch.save({'kind': 'pfvit', 'model': state, 'config': self.cfg.to_dict()}, path)
        with self.assertRaises(RuntimeError):
            load_trained(path)



class CalibrationTest(unittest.TestCase):
    def test_each_role_times_its_step_and_the_plan_fits_the_budget(self):
        import gpu_calibrate
        with tempfile.TemporaryDirectory() as tmp:
            for role in ('mae', 'pfvit', 'vit'):
                r = quietly(gpu_calibrate.main, ['time', '--role', role, '--name', role, '--dir', tmp, '--device', 'cpu',
                                                 '--batch-size', '2', '--warmup', '1', '--seconds', '0',
                                                 '--min-steps', '1'])
                self.assertNotIn('error', r)
                self.assertGreater(r['ms_per_step'], 0)
                self.assertTrue(os.path.exists(os.path.join(tmp, f'{role}.done')))
            # Figures as a GPU might give them: MAE 25 ms / 256, PF-ViT 70 ms / 128, ViT 15 ms / 32.
            for role, ms in (('mae', 25), ('pfvit', 70), ('vit', 15)):
                with open(os.path.join(tmp, f'{role}.json'), 'w') as f:
                    json.dump({'role': role, 'ms_per_step': ms, **({'getitem_ms': 0.45} if role == 'mae' else {})}, f)
            c = quietly(gpu_calibrate.main, ['plan', '--dir', tmp, '--stage', 'c', '--seconds', '300', '--workers', '4'])
            # PF-ViT: 195 steps x 70 ms + 3,191 x 0.45 ms + 1.5 s = 16.6 s; x 1.15 = 19.1 s per epoch
            self.assertAlmostEqual(c['epoch_s'], 1.15 * (195 * 0.07 + 3191 * 0.00045 + 1.5), places=1)
            self.assertEqual(c['epochs'], 15)
            self.assertEqual(c['lr_drop_epoch'], 10)
            m = quietly(gpu_calibrate.main, ['plan', '--dir', tmp, '--stage', 'mae', '--seconds', '150',
                                             '--workers', '14'])
            self.assertLessEqual(m['epochs'] * m['epoch_s'], 150)
            self.assertEqual(m['epochs'], 28)


if __name__ == '__main__':
    unittest.main()
