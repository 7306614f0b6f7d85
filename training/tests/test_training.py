"""Each script runs a few tiny steps on real FERPlus faces; a stopped and resumed run ends in exactly
the state of an uninterrupted one; evaluation and export work on what was trained."""
import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import onnx
import torch

import evaluate
import export_onnx
import interpolate_weights
import train_mae
import calibrate
import train_conv_trunk
import train_pfvit
import train_vit
from dataclasses import replace

from pfvit.checkpoint import mae_state_dict, read_file
from pfvit.face_nets import face_nets_dir
from pfvit.face_stem import MOBILEFACE_V3
from pfvit.pfvit import PFViT
from pfvit.presets import PRESETS
from pfvit.schedules import cosine_factor
from training.tests.helpers import requires_ferplus

TINY = ['--preset', 'micro', '--limit', '24', '--batch-size', '8', '--threads', '2', '--quiet', '--log-every', '1']
LABELLED = ['--val-limit', '16']


def quietly(main, argv):
    """Run a script's main() without its JSON on the test output."""
    with contextlib.redirect_stdout(io.StringIO()):
        return main(argv)


def read_log(run_dir):
    with open(os.path.join(run_dir, 'log.jsonl')) as f:
        return [json.loads(line) for line in f]


@requires_ferplus
class TrainingScriptsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.mae = cls.path('mae-once')
        train_mae.main(TINY + ['--max-steps', '2', '--out', cls.mae])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def path(cls, name):
        return os.path.join(cls.tmp.name, name)

    def assertResumesExactly(self, script, extra, name, steps=5, stop_at=2):
        """Run `steps` straight; run `stop_at`, then resume to `steps`: same weights and optimiser."""
        straight, resumed = self.path(name + '-straight'), self.path(name + '-resumed')
        script.main(TINY + extra + ['--max-steps', str(steps), '--out', straight])
        script.main(TINY + extra + ['--max-steps', str(stop_at), '--out', resumed])
        self.assertEqual(read_file(os.path.join(resumed, 'last.pt'))['progress']['step'], stop_at)
        script.main(TINY + extra + ['--max-steps', str(steps), '--out', resumed, '--resume', resumed])
        a = read_file(os.path.join(straight, 'last.pt'))
        b = read_file(os.path.join(resumed, 'last.pt'))
        self.assertEqual(a['progress'], b['progress'])
        self.assertEqual(a['progress']['step'], steps)
        for key in a['model']:
            torch.testing.assert_close(a['model'][key], b['model'][key], rtol=0, atol=0, msg=key)
        return read_log(straight), a

    @staticmethod
    def has_trained(run_dir):
        return os.path.exists(os.path.join(run_dir, 'log.jsonl')) and any('loss' in r for r in read_log(run_dir))

    def test_mae_checkpoint_is_mae_format(self):
        state = mae_state_dict(os.path.join(self.mae, 'last.pt'))
        for key in ('patch_embed.proj.weight', 'cls_token', 'pos_embed', 'blocks.0.attn.qkv.weight', 'norm.weight',
                    'decoder_embed.weight', 'mask_token', 'decoder_pos_embed', 'decoder_blocks.0.mlp.fc1.weight',
                    'decoder_norm.weight', 'decoder_pred.weight'):
            self.assertIn(key, state)

    def test_mae_resumes_at_the_same_step(self):
        log, _ = self.assertResumesExactly(train_mae, [], 'mae')
        steps = [r for r in log if 'step' in r and 'loss' in r]
        self.assertTrue(all({'loss', 'lr', 'img_s'} <= set(r) for r in steps))

    def test_vit_baseline_resumes_and_evaluates(self):
        # 24 images / batch 8 = 3 steps per epoch: stopping at 2 and going to 5 crosses an epoch end.
        log, ckpt = self.assertResumesExactly(
            train_vit, LABELLED + ['--init', os.path.join(self.mae, 'last.pt'), '--lr-drop-epoch', '1'], 'vit')
        self.assertIn('val_accuracy', [r for r in log if r.get('event') == 'epoch'][0])
        # --lr-drop-epoch 1: epoch 0 at the starting lr, epoch 1 at a tenth, also after the resume
        self.assertEqual({r['epoch']: r['lr'] for r in log if 'loss_emo' in r}, {0: 1e-4, 1: 1e-5})
        self.assertIn('scheduler', ckpt)
        report = quietly(evaluate.main, ['--checkpoint', self.path('vit-straight/best.pt'), '--limit', '20'])
        self.assertEqual(report['samples'], 20)
        self.assertEqual(sum(map(sum, report['confusion_matrix'])), 20)
        self.assertEqual(set(report['per_class_accuracy']), set(report['classes']))

    def test_cosine_schedule_resumes_on_the_same_curve(self):
        # 3 steps per epoch, 2 epochs, warm-up of one step: the lr of every logged step is the
        # cosine's at that step, before and after a resume (the schedule holds no state of its own).
        log, _ = self.assertResumesExactly(
            train_vit, LABELLED + ['--init', os.path.join(self.mae, 'last.pt'), '--epochs', '2',
                                   '--lr-schedule', 'cosine', '--warmup-epochs', '0.34'], 'vit-cosine', steps=6)
        lrs = [r['lr'] for r in log if 'loss_emo' in r]
        self.assertEqual(len(lrs), 6)
        for step, lr in enumerate(lrs):
            self.assertAlmostEqual(lr, 1e-4 * cosine_factor(step, 1, 6), msg=step)
        self.assertLess(lrs[-1], lrs[1] / 5)

    def test_interpolation_chooses_its_alpha_on_valid_and_calibrates_it(self):
        init = os.path.join(self.mae, 'last.pt')
        flags = TINY + LABELLED + ['--init', init, '--ortho', 'none', '--w-adv', '0', '--w-rec', '0',
                                   '--w-rec-neutral', '0', '--epochs', '2']
        train_pfvit.main(flags + ['--out', self.path('wise-start'), '--max-steps', '1'])
        train_pfvit.main(flags + ['--out', self.path('wise-tuned'), '--lr', '1e-3', '--warm-start',
                                  self.path('wise-start/last.pt')])
        out = self.path('wise.pt')
        chosen = quietly(interpolate_weights.main, [
            '--start', self.path('wise-start/last.pt'), '--tuned', self.path('wise-tuned/last.pt'),
            '--alphas', '0,0.5,1', '--limit', '16', '--out', out])
        self.assertEqual([p['alpha'] for p in chosen['points']], [0.0, 0.5, 1.0])
        best = max(chosen['points'], key=lambda p: p['score'])
        self.assertEqual(chosen['alpha'], best['alpha'])
        ckpt = read_file(out)
        self.assertEqual(ckpt['interpolation']['alpha'], best['alpha'])
        self.assertIn('calibration', ckpt)  # tau and T of the chosen point, folded into C
        report = quietly(evaluate.main, ['--checkpoint', out, '--limit', '8'])
        self.assertEqual(report['samples'], 8)
        folder = quietly(export_onnx.main, ['--checkpoint', out, '--out', self.path('export-wise'), '--id', 'wise'])
        with open(os.path.join(folder, 'model.json')) as f:
            self.assertEqual(json.load(f)['training']['interpolation']['alpha'], best['alpha'])

    def test_pfvit_resumes_logs_every_term_evaluates_and_exports(self):
        init = os.path.join(self.mae, 'last.pt')
        log, ckpt = self.assertResumesExactly(
            train_pfvit, LABELLED + ['--init', init, '--ortho', 'both', '--lr-drop-epoch', '1'], 'pfvit', steps=4)
        step = [r for r in log if 'loss_emo' in r][0]
        last = [r for r in log if 'loss_emo' in r][-1]
        self.assertEqual((step['lr'], step['lr_d'], last['epoch']), (2e-5, 1e-4, 1))
        self.assertAlmostEqual(last['lr'], 2e-6)
        self.assertAlmostEqual(last['lr_d'], 1e-5)
        for term in ('loss_emo', 'loss_rec', 'loss_rec_neutral', 'loss_adv', 'loss_orth_direct',
                     'loss_orth_perceptual', 'loss_dis', 'lr', 'lr_d', 'img_s'):
            self.assertIn(term, step)
        self.assertIsNotNone(ckpt['feature_extractor'])

        checkpoint = self.path('pfvit-straight/last.pt')
        report = quietly(evaluate.main, ['--checkpoint', checkpoint, '--limit', '16'])
        self.assertEqual(report['kind'], 'pfvit')
        self.assertIn('poker_face_change_expressive', report['separation'])

        metrics = self.path('metrics.json')
        with open(metrics, 'w') as f:
            json.dump(report, f)
        out = quietly(export_onnx.main, ['--checkpoint', checkpoint, '--out', self.path('export'),
                                         '--id', 'test-model', '--metrics', metrics])
        with open(os.path.join(out, 'model.json')) as f:
            card = json.load(f)
        self.assertEqual(card['files'], {'classify': 'classify.onnx', 'generate': 'generate.onnx'})
        self.assertEqual(card['metrics']['accuracy'], report['accuracy'])
        self.assertEqual(card['training']['orthogonality'], 'both')
        for name in ('classify.onnx', 'generate.onnx'):
            onnx.checker.check_model(onnx.load(os.path.join(out, name)))

    def test_mixup_resumes_exactly_and_is_refused_where_g_trains(self):
        phase = LABELLED + ['--init', os.path.join(self.mae, 'last.pt'), '--ortho', 'none', '--w-adv', '0',
                            '--w-rec', '0', '--w-rec-neutral', '0', '--labels', 'soft', '--mixup', '0.4']
        log, _ = self.assertResumesExactly(train_pfvit, phase, 'pfvit-mixup', steps=3, stop_at=1)
        unmixed = self.path('pfvit-unmixed')
        train_pfvit.main(TINY + [a for a in phase if a not in ('--mixup', '0.4')] + ['--max-steps', '1', '--out', unmixed])
        first = lambda records: next(r['loss_emo'] for r in records if 'loss_emo' in r)
        self.assertNotEqual(first(log), first(read_log(unmixed)))  # the same first batch, mixed: another loss
        with self.assertRaisesRegex(SystemExit, 'classifier-only'):
            train_pfvit.main(TINY + LABELLED + ['--mixup', '0.4', '--ortho', 'direct', '--max-steps', '1',
                                                '--out', self.path('pfvit-mixup-g')])

    def test_a_face_stem_added_to_a_warm_start_trains_at_its_own_rate(self):
        # train_pfvit.py / train_vit.py --face-stem on a warm start without the branch: the configuration
        # comes from the warm start (patch 16 here, which the branch needs; --preset micro is ignored),
        # MobileFace V3's weights are read in, and the projection, at zero before, moves.
        if not os.path.isfile(os.path.join(face_nets_dir(), MOBILEFACE_V3)):
            self.skipTest(f'{MOBILEFACE_V3} not found in {face_nets_dir()}')
        warm = self.path('stemless.pt')
        cfg = replace(PRESETS['micro'], img_size=32, patch_size=16, num_classes=8)
        torch.save({'kind': 'pfvit', 'config': cfg.to_dict(), 'model': PFViT(cfg).state_dict()}, warm)
        phase = ['--ortho', 'none', '--w-adv', '0', '--w-rec', '0', '--w-rec-neutral', '0', '--face-stem',
                 'mobileface_v3', '--lr-stem', '1e-2', '--max-steps', '2']
        out = self.path('pfvit-stem')
        train_pfvit.main(TINY + LABELLED + phase + ['--warm-start', warm, '--out', out])
        self.assertTrue(any('face stem: 14 convolutions' in r.get('report', '') for r in read_log(out)))
        ckpt = read_file(os.path.join(out, 'last.pt'))
        self.assertEqual((ckpt['config']['face_stem'], ckpt['config']['patch_size']), ('mobileface_v3', 16))
        self.assertGreater(ckpt['model']['encoder.face_stem_proj.weight'].abs().max().item(), 0)
        groups = ckpt['optimizers']['main']['param_groups']
        self.assertEqual([g['initial_lr_for_drop'] for g in groups], [2e-5, 1e-2])
        baseline = self.path('vit-stem')
        train_vit.main(TINY + LABELLED + ['--from-pfvit', warm, '--face-stem', 'mobileface_v3', '--max-steps', '2',
                                          '--out', baseline])
        vit = read_file(os.path.join(baseline, 'last.pt'))
        self.assertEqual(vit['config']['face_stem'], 'mobileface_v3')
        self.assertIn('face_stem.pw4.weight', vit['model'])

    def test_a_conv_trunk_trained_alone_then_added_to_e(self):
        # train_conv_trunk.py, then its best.pt as E's branch (train_pfvit.py --face-stem conv_trunk --stem-from).
        trunk = self.path('trunk')
        train_conv_trunk.main(TINY + LABELLED + ['--input-size', '32', '--epochs', '1', '--select', 'balanced',
                                                 '--out', trunk])
        best = read_file(os.path.join(trunk, 'best.pt'))
        self.assertEqual((best['kind'], best['epoch'], best['input_size']), ('conv_trunk', 0, 32))
        self.assertTrue(any('running_var' in k for k in best['model']))
        warm = self.path('trunkless.pt')
        cfg = replace(PRESETS['micro'], img_size=32, patch_size=16, num_classes=8)
        torch.save({'kind': 'pfvit', 'config': cfg.to_dict(), 'model': PFViT(cfg).state_dict()}, warm)
        out = self.path('pfvit-trunk')
        train_pfvit.main(TINY + LABELLED + ['--ortho', 'none', '--w-adv', '0', '--w-rec', '0', '--w-rec-neutral', '0',
                                            '--face-stem', 'conv_trunk', '--stem-from', os.path.join(trunk, 'best.pt'),
                                            '--max-steps', '2', '--warm-start', warm, '--out', out])
        self.assertTrue(any('batch norms folded' in r.get('report', '') for r in read_log(out)))
        ckpt = read_file(os.path.join(out, 'last.pt'))
        self.assertEqual(ckpt['config']['face_stem'], 'conv_trunk')
        self.assertFalse(any('running_var' in k for k in ckpt['model']))
        self.assertGreater(ckpt['model']['encoder.face_stem_proj.weight'].abs().max().item(), 0)

    def test_classifier_phase_then_generator_phase_from_a_warm_start_and_calibration(self):
        # The v4 recipe in miniature: a PF-ViT checkpoint as the warm start; a classifier-only phase
        # (vote targets, balancing, strong augmentation; no G, no D) that resumes exactly; a
        # generator-only phase; then calibrate.py folds tau and T into C and export records them.
        start = self.path('pfvit-for-warm-start')
        train_pfvit.main(TINY + LABELLED + ['--ortho', 'direct', '--max-steps', '1', '--out', start])
        warm = os.path.join(start, 'last.pt')
        phase1 = ['--warm-start', warm, '--ortho', 'none', '--w-adv', '0', '--w-rec', '0', '--w-rec-neutral', '0',
                  '--labels', 'soft', '--balance', '0.5', '--augment', 'strong', '--select', 'balanced']
        log, ckpt = self.assertResumesExactly(train_pfvit, LABELLED + phase1, 'pfvit-cls', steps=3, stop_at=1)
        step = [r for r in log if 'loss_emo' in r][0]
        self.assertEqual((step['loss_rec'], step['loss_adv']), (0.0, 0.0))
        self.assertNotIn('loss_dis', step)
        whole = self.path('pfvit-cls-epoch')
        train_pfvit.main(TINY + LABELLED + phase1 + ['--epochs', '1', '--out', whole])
        epoch = [r for r in read_log(whole) if r.get('event') == 'epoch'][0]
        self.assertIn('val_accuracy', epoch)
        self.assertNotIn('val_reconstruction_error', epoch)  # G is stale here: validation skips it
        before = read_file(warm)['model']
        for key in ckpt['model']:  # G and D did not move; E did
            if key.startswith(('generator.', 'discriminator.')):
                torch.testing.assert_close(ckpt['model'][key], before[key], rtol=0, atol=0, msg=key)
        self.assertFalse(torch.equal(ckpt['model']['encoder.blocks.0.attn.qkv.weight'],
                                     before['encoder.blocks.0.attn.qkv.weight']))
        phase2 = self.path('pfvit-gen')
        quietly(train_pfvit.main, TINY + LABELLED + [
            '--warm-start', self.path('pfvit-cls-straight/last.pt'), '--ortho', 'none', '--w-adv', '0',
            '--w-emo', '0', '--freeze', 'encoder,separator,classifier', '--max-steps', '2', '--out', phase2])
        after = read_file(os.path.join(phase2, 'last.pt'))['model']
        self.assertTrue(torch.equal(after['encoder.norm.weight'], ckpt['model']['encoder.norm.weight']))
        self.assertFalse(torch.equal(after['generator.decoder_pred.weight'],
                                     ckpt['model']['generator.decoder_pred.weight']))
        calibrated = self.path('calibrated.pt')
        record = quietly(calibrate.main, ['--checkpoint', os.path.join(phase2, 'last.pt'), '--out', calibrated,
                                          '--limit', '32', '--flip-average'])
        self.assertGreater(record['temperature'], 0)
        self.assertEqual(record['valid_before']['accuracy'] >= 0, True)
        out = quietly(export_onnx.main, ['--checkpoint', calibrated, '--out', self.path('export-cal'),
                                         '--id', 'test-calibrated'])
        with open(os.path.join(out, 'model.json')) as f:
            card = json.load(f)
        self.assertEqual(card['training']['calibration']['tau'], record['tau'])
        self.assertEqual(card['training']['test_time'], {'flip_average': True})
        self.assertEqual(card['training']['warm_start'], self.path('pfvit-cls-straight/last.pt'))
        # The same-budget ViT baseline starts from the same E, with C as its head.
        baseline = self.path('vit-from-pfvit')
        quietly(train_vit.main, TINY + LABELLED + ['--from-pfvit', warm, '--labels', 'soft', '--balance', '0.5',
                                                   '--select', 'balanced', '--max-steps', '1', '--out', baseline])
        first = [r for r in read_log(baseline) if r.get('event') == 'init'][0]
        self.assertIn('encoder and head from the PF-ViT checkpoint', first['report'])

    def test_direct_orthogonality_needs_no_extractor(self):
        out = self.path('pfvit-direct')
        train_pfvit.main(TINY + LABELLED + ['--ortho', 'direct', '--max-steps', '1', '--out', out])
        self.assertIsNone(read_file(os.path.join(out, 'last.pt'))['feature_extractor'])
        with self.assertRaises(SystemExit):  # perceptual without a pretrained extractor is refused
            train_pfvit.main(TINY + ['--ortho', 'perceptual', '--max-steps', '1', '--out', out])

    def test_sigterm_saves_a_checkpoint_and_stops(self):
        out = self.path('mae-sigterm')
        script = os.path.join(os.path.dirname(train_mae.__file__), 'train_mae.py')
        argv = TINY + ['--out', out, '--epochs', '100000', '--checkpoint-minutes', '60']
        proc = subprocess.Popen([sys.executable, script] + argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not self.has_trained(out):  # handler is installed by then
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, stderr.decode())
        stop = read_log(out)[-1]
        self.assertEqual((stop['event'], stop['reason']), ('stop', 'SIGTERM'))
        self.assertEqual(read_file(os.path.join(out, 'last.pt'))['progress']['step'], stop['step'])


if __name__ == '__main__':
    unittest.main()


class OwnDataTest(unittest.TestCase):
    """A researcher's ImageFolder tree and unlabelled folder work without FERPlus."""

    def test_image_folder_and_unlabelled_folder(self):
        import numpy as np
        from PIL import Image
        with tempfile.TemporaryDirectory() as tmp:
            rng = np.random.RandomState(0)
            for split in ('train', 'val'):
                for name in ('neutral', 'happiness', 'surprise'):
                    os.makedirs(os.path.join(tmp, split, name))
                    for i in range(4):
                        Image.fromarray(rng.randint(0, 255, (40, 40), np.uint8), 'L').save(
                            os.path.join(tmp, split, name, f'{i}.png'))
            mae = os.path.join(tmp, 'mae')
            train_mae.main(TINY + ['--images', os.path.join(tmp, 'train'), '--max-steps', '1', '--out', mae])
            out = os.path.join(tmp, 'pfvit')
            folders = ['--train-folder', os.path.join(tmp, 'train'), '--val-folder', os.path.join(tmp, 'val')]
            init = ['--init', os.path.join(mae, 'last.pt')]
            train_pfvit.main(TINY + folders + init + ['--max-steps', '2', '--out', out])
            ckpt = read_file(os.path.join(out, 'last.pt'))
            self.assertEqual(ckpt['classes'], ['neutral', 'happiness', 'surprise'])
            self.assertEqual(ckpt['config']['num_classes'], 3)
            report = quietly(evaluate.main, ['--checkpoint', os.path.join(out, 'last.pt'),
                                             '--folder', os.path.join(tmp, 'val')])
            self.assertEqual(report['samples'], 12)
