"""The composing poker-face generator: exact composition, its export, its losses, the judge's random
views, and train_pokerface.py end to end on a few real faces (frozen E, S, C; exact resume)."""
import contextlib
import io
import json
import os
import tempfile
import unittest
from dataclasses import replace

import onnx
import torch

import export_onnx
import train_pfvit
import train_pokerface
from pfvit.augment import MEAN, STD
from pfvit.composition import compose, mouth_region
from pfvit.face_nets import EXPRESSION_JUDGE, IDENTITY_NET, face_nets_dir
from pfvit.judge_view import blur, random_view
from pfvit.onnx_module import OnnxModule
from pfvit.pfvit import PFViT
from pfvit.poker_losses import changed_share, neutral_push, realism_loss_for_d, roughness
from pfvit.presets import model_config
from pfvit.checkpoint import read_file
from training.tests.helpers import requires_ferplus

TINY = ['--preset', 'micro', '--limit', '24', '--batch-size', '8', '--threads', '2', '--quiet', '--log-every', '1',
        '--val-limit', '16']


def composing_micro(seed=0, **fields) -> PFViT:
    """The micro preset with a composing G; `fields` set more of its config (warp_px, paint_region…)."""
    torch.manual_seed(seed)
    return PFViT(replace(model_config('micro'), generator_output='composition', **fields)).eval()


class CompositionTest(unittest.TestCase):
    def test_a_kept_face_is_the_input_to_the_last_bit(self):
        # A mask that keeps everything (what a neutral face should get) returns the input exactly:
        # no patch grid, no noise, no blur, whatever the colour layer holds.
        model = composing_micro()
        with torch.no_grad():
            model.generator.composer.out.bias[3] = 40.0  # sigmoid(40) == 1.0 in float32
        x = torch.randn(3, 3, 32, 32)
        with torch.no_grad():
            reconstruction, poker, component = model.generate(x)
        self.assertTrue(torch.equal(poker, x))
        self.assertTrue(torch.equal(reconstruction, x))
        self.assertEqual(float(component.abs().max()), 0.0)

    def test_a_replaced_region_takes_the_colour_layer(self):
        x, colour = torch.zeros(1, 3, 4, 4), torch.ones(1, 3, 4, 4)
        keep = torch.ones(1, 1, 4, 4)
        keep[..., 2:, :] = 0  # the lower half (a mouth) is replaced
        face = compose(x, keep, colour)
        self.assertEqual(face[..., :2, :].abs().sum().item(), 0.0)
        self.assertTrue(torch.equal(face[..., 2:, :], colour[..., 2:, :]))

    def test_untrained_head_starts_near_the_input(self):
        model = composing_micro()
        x = torch.randn(2, 3, 32, 32)
        with torch.no_grad():
            _, poker, _ = model.generate(x)
        self.assertLess(float((poker - x).abs().mean()), 0.05 * float(x.abs().mean()))

    def test_the_colour_layer_is_coarse(self):
        # The colour layer is a quarter of the input's side, upsampled: a single-pixel pattern
        # (what fools a classifier) cannot be drawn.
        model = composing_micro()
        tokens = torch.randn(1, 17, 32)
        keep, colour, _ = model.generator.composer(tokens)
        self.assertEqual(tuple(colour.shape), (1, 3, 32, 32))
        coarse = torch.nn.functional.avg_pool2d(colour, 2)
        rough = (colour - torch.nn.functional.interpolate(coarse, scale_factor=2, mode='nearest')).abs().mean()
        self.assertLess(float(rough), 0.25 * float(colour.abs().mean()) + 1e-6)


    def test_a_grey_colour_layer_paints_grey(self):
        # FER2013's faces are grey: a poker face of a grey face must not gain a tint where it paints.
        torch.manual_seed(0)
        model = PFViT(replace(model_config('micro'), generator_output='composition', colour_layer='grey'))
        _, colour, _ = model.generator.composer(torch.randn(2, 17, 32))
        pixels = colour * torch.tensor(STD).view(1, 3, 1, 1) + torch.tensor(MEAN).view(1, 3, 1, 1)
        torch.testing.assert_close(pixels[:, 0], pixels[:, 1])
        torch.testing.assert_close(pixels[:, 0], pixels[:, 2])


class WarpTest(unittest.TestCase):
    def test_a_warp_at_its_zero_start_changes_nothing(self):
        # Adding a warp to a trained G must not change its faces before the warp learns anything.
        plain, warping = composing_micro(), composing_micro(warp_px=2.0)
        missing, unexpected = warping.load_state_dict(plain.state_dict(), strict=False)
        self.assertEqual((sorted(missing), unexpected), (['generator.composer.flow.bias', 'generator.composer.flow.weight'], []))
        x = torch.randn(2, 3, 32, 32)
        with torch.no_grad():
            for a, b in zip(plain.generate(x), warping.generate(x)):
                torch.testing.assert_close(a, b, atol=1e-5, rtol=0)

    def test_the_displacement_is_bounded_and_smooth(self):
        model = composing_micro(warp_px=2.0)
        with torch.no_grad():
            torch.nn.init.normal_(model.generator.composer.flow.weight, std=10.0)
            _, _, flow = model.generator.composer(torch.randn(2, 17, 32))
        self.assertEqual(tuple(flow.shape), (2, 2, 32, 32))
        self.assertGreater(float(flow.abs().max()), 1.0)        # it moves...
        self.assertLessEqual(float(flow.abs().max()), 2.0)  # ...within the bound
        # One control point per 8-px patch, upsampled: neighbouring pixels move almost alike.
        self.assertLess(float((flow[..., 1:] - flow[..., :-1]).abs().max()), 1.0)

    def test_a_whole_pixel_shift_moves_the_input_by_one_pixel(self):
        model = composing_micro(warp_px=2.0)
        x = torch.randn(1, 3, 32, 32)
        flow = torch.zeros(1, 2, 32, 32)
        flow[:, 0] = 1.0  # every pixel takes its right neighbour's value
        moved = model.generator.composer.moved(x, flow)
        torch.testing.assert_close(moved[..., :-1], x[..., 1:], atol=1e-5, rtol=0)

    def test_the_emotion_component_holds_what_the_warp_moved(self):
        # A warp with a mask that keeps everything: the poker face is the moved input, and the emotion
        # component (x - m * moved) is exactly how it differs from the input.
        model = composing_micro(warp_px=2.0)
        with torch.no_grad():
            model.generator.composer.out.bias[3] = 40.0
            torch.nn.init.normal_(model.generator.composer.flow.weight, std=1.0)
            x = torch.randn(2, 3, 32, 32)
            _, poker, component = model.generate(x)
        self.assertGreater(float((poker - x).abs().mean()), 1e-3)
        torch.testing.assert_close(component, x - poker, atol=1e-6, rtol=0)


class PaintRegionTest(unittest.TestCase):
    def test_a_mouth_only_colour_layer_keeps_every_pixel_away_from_the_mouth(self):
        model = composing_micro(paint_region='mouth')
        with torch.no_grad():
            model.generator.composer.out.bias[3] = -40.0  # the head asks to replace everything
            x = torch.randn(2, 3, 32, 32)
            _, poker, _ = model.generate(x)
        self.assertTrue(torch.equal(poker[..., :16, :], x[..., :16, :]))  # eyes and brows: the input, exactly
        self.assertTrue(torch.equal(poker[..., :, :4], x[..., :, :4]))    # cheeks beside the mouth too
        self.assertGreater(float((poker[..., 24:, 12:20] - x[..., 24:, 12:20]).abs().mean()), 0.1)  # the mouth is painted

    def test_a_warp_only_generator_paints_nothing(self):
        model = composing_micro(paint_region='none')
        with torch.no_grad():
            model.generator.composer.out.bias[3] = -40.0
            x = torch.randn(2, 3, 32, 32)
            _, poker, component = model.generate(x)
        self.assertTrue(torch.equal(poker, x))  # no warp here either: the input itself
        self.assertEqual(float(component.abs().max()), 0.0)

    def test_the_region_is_the_evaluation_mouth_box_grown_with_soft_edges(self):
        region = mouth_region(100)[0, 0]
        self.assertEqual(float(region[66:92, 25:75].min()), 1.0)  # the evaluation's mouth box, all paintable
        self.assertEqual(float(region[:53].max()), 0.0)
        self.assertTrue(0.0 < float(region[55, 50]) < 1.0)  # a ramp, not a step


class PokerLossesTest(unittest.TestCase):
    def test_neutral_push_stops_once_the_judge_is_convinced(self):
        sure = torch.tensor([[5.0, 0.0, 0.0]]).log_softmax(dim=1)       # p(neutral) ~ 0.99
        unsure = torch.tensor([[0.0, 3.0, 0.0]]).log_softmax(dim=1)     # p(neutral) ~ 0.05
        self.assertEqual(float(neutral_push(sure, 0, enough=0.7)), 0.0)
        self.assertGreater(float(neutral_push(unsure, 0, enough=0.7)), 2.0)

    def test_change_and_roughness(self):
        keep = torch.ones(1, 1, 8, 8)
        self.assertEqual(float(changed_share(keep)), 0.0)
        self.assertEqual(float(roughness(keep)), 0.0)
        keep[..., ::2, :] = 0  # stripes: as much change, far rougher than one block
        block = torch.ones(1, 1, 8, 8)
        block[..., 4:, :] = 0
        self.assertEqual(float(changed_share(keep)), float(changed_share(block)))
        self.assertGreater(float(roughness(keep)), 4 * float(roughness(block)))


    def test_d_loss_with_groups_of_any_size(self):
        k, neutral = 3, 0
        labels = torch.tensor([0, 0])
        real, poker = torch.zeros(2, k + 1), torch.zeros(5, k + 1)
        both = realism_loss_for_d(real, poker, labels, k, neutral)
        fake_only = realism_loss_for_d(real[:0], poker, labels[:0], k, neutral)
        self.assertTrue(torch.isfinite(both) and torch.isfinite(fake_only))
        self.assertAlmostEqual(float(fake_only), float(torch.nn.functional.binary_cross_entropy_with_logits(
            poker, torch.tensor([[1.0, 0, 0, 0]] * 5))), places=6)


class JudgeViewTest(unittest.TestCase):
    def test_same_seed_same_view_and_gradients_flow(self):
        x = torch.randn(2, 3, 32, 32, requires_grad=True)
        a = random_view(x, torch.Generator().manual_seed(7))
        b = random_view(x, torch.Generator().manual_seed(7))
        c = random_view(x, torch.Generator().manual_seed(8))
        self.assertTrue(torch.equal(a, b))
        self.assertFalse(torch.equal(a, c))
        a.sum().backward()
        self.assertGreater(float(x.grad.abs().sum()), 0.0)

    def test_blur_keeps_a_flat_image_and_spreads_a_dot(self):
        flat = torch.full((1, 1, 9, 9), 0.5)
        torch.testing.assert_close(blur(flat, 1.0), flat)
        dot = torch.zeros(1, 1, 9, 9)
        dot[..., 4, 4] = 1.0
        spread = blur(dot, 1.0)
        self.assertLess(float(spread[..., 4, 4]), 0.3)
        self.assertAlmostEqual(float(spread.sum()), 1.0, places=4)
        self.assertTrue(torch.equal(blur(dot, 0.0), dot))


class ComposingExportTest(unittest.TestCase):
    def test_generate_graph_of_a_composing_model_fits_the_contract(self):
        with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
            out = export_onnx.main(['--random-init', 'pfvit', '--preset', 'micro', '--generator-output',
                                    'composition', '--out', os.path.join(tmp, 'm')])
            model = onnx.load(os.path.join(out, 'generate.onnx'))
            with open(os.path.join(out, 'model.json')) as f:
                card = json.load(f)
        onnx.checker.check_model(model)
        shapes = export_onnx.graph_shapes(onnx.shape_inference.infer_shapes(model))
        batch = shapes['image'][0]
        self.assertEqual(shapes, {name: [batch, 3, 32, 32]
                                  for name in ('image', 'reconstruction', 'poker_face', 'emotion_component')})
        self.assertEqual(card['architecture']['generator_output'], 'composition')
        self.assertIn('keep mask', card['outputs']['poker_face'])


class GeneratorFromTest(unittest.TestCase):
    """--generator-from: a new classifier's E, S, C with an earlier composing G (v6 from v5's G)."""

    def save(self, tmp, name, model):
        path = os.path.join(tmp, name)
        torch.save({'kind': 'pfvit', 'config': model.cfg.to_dict(), 'model': model.state_dict()}, path)
        return path

    def test_e_s_c_from_the_warm_start_and_g_and_d_from_the_other(self):
        with tempfile.TemporaryDirectory() as tmp:
            torch.manual_seed(0)
            warm = PFViT(model_config('micro'))  # a classifier checkpoint: pixel head, as train_pfvit.py saves
            earlier = composing_micro(seed=1)
            model, _, _, report = train_pokerface.composing_model(
                self.save(tmp, 'warm.pt', warm), earlier.cfg.colour_layer, self.save(tmp, 'earlier.pt', earlier))
            state, warm_state, earlier_state = model.state_dict(), warm.state_dict(), earlier.state_dict()
            for key, value in state.items():
                source = earlier_state if key.startswith(('generator.', 'discriminator.')) else warm_state
                self.assertTrue(torch.equal(value, source[key]), key)
            self.assertTrue(any(k.startswith('generator.composer.') for k in state))
            self.assertNotIn('start fresh', report)
            self.assertIn('G and D from', report)

    def test_g_comes_from_a_model_without_the_face_stem_that_e_now_has(self):
        # v7's recipe: E, S, C with a face stem (train_pfvit.py --face-stem), G from v6, which had none.
        with tempfile.TemporaryDirectory() as tmp:
            size = dict(img_size=32, patch_size=16, generator_output='composition')
            torch.manual_seed(0)
            warm = PFViT(replace(model_config('micro'), face_stem='mobileface_v3', **size))
            earlier = PFViT(replace(model_config('micro'), **size))
            model, cfg, _, _ = train_pokerface.composing_model(
                self.save(tmp, 'warm.pt', warm), earlier.cfg.colour_layer, self.save(tmp, 'earlier.pt', earlier))
            self.assertEqual(cfg.face_stem, 'mobileface_v3')
            self.assertTrue(torch.equal(model.state_dict()['encoder.face_stem.pw4.weight'],
                                        warm.state_dict()['encoder.face_stem.pw4.weight']))
            self.assertTrue(torch.equal(model.state_dict()['generator.mask_token'], earlier.state_dict()['generator.mask_token']))

    def test_a_warp_added_to_an_earlier_g_starts_at_zero_and_a_warping_g_keeps_it(self):
        with tempfile.TemporaryDirectory() as tmp:
            torch.manual_seed(0)
            warm = self.save(tmp, 'warm.pt', PFViT(model_config('micro')))
            earlier = self.save(tmp, 'earlier.pt', composing_micro(seed=1))
            model, cfg, _, report = train_pokerface.composing_model(warm, 'rgb', earlier, warp_px=3.0)
            self.assertEqual(cfg.warp_px, 3.0)
            self.assertEqual(float(model.state_dict()['generator.composer.flow.weight'].abs().max()), 0.0)
            self.assertIn('the warp (up to 3 px, at zero) start fresh', report)
            self.assertNotIn('composition head', report)
            # A run that warped goes on warping without the flag (its config says so), and one that
            # asks for no warp drops the displacement layer rather than refusing.
            warping = self.save(tmp, 'warping.pt', composing_micro(warp_px=3.0))
            self.assertEqual(train_pokerface.composing_model(warping, 'rgb')[1].warp_px, 3.0)
            self.assertEqual(train_pokerface.composing_model(warping, 'rgb', warp_px=0.0)[1].warp_px, 0.0)

    def test_the_paint_region_is_the_warm_starts_unless_given_and_anywhere_lifts_it(self):
        with tempfile.TemporaryDirectory() as tmp:
            torch.manual_seed(0)
            mouth_only = self.save(tmp, 'mouth.pt', composing_micro(paint_region='mouth'))
            region = lambda **given: train_pokerface.composing_model(mouth_only, 'rgb', **given)[1].paint_region
            self.assertEqual(region(), 'mouth')
            self.assertEqual(region(paint_region='none'), 'none')
            self.assertEqual(region(paint_region='anywhere'), '')

    def test_refuses_a_generator_of_another_size(self):
        with tempfile.TemporaryDirectory() as tmp:
            torch.manual_seed(0)
            warm = self.save(tmp, 'warm.pt', PFViT(model_config('micro')))
            other = PFViT(replace(model_config('micro'), generator_output='composition', decoder_depth=2))
            with self.assertRaisesRegex(SystemExit, 'another model size'):
                train_pokerface.composing_model(warm, other.cfg.colour_layer, self.save(tmp, 'other.pt', other))
            painted = composing_micro()
            with self.assertRaisesRegex(SystemExit, '--colour-layer'):
                train_pokerface.composing_model(warm, 'grey' if painted.cfg.colour_layer == 'rgb' else 'rgb',
                                                self.save(tmp, 'painted.pt', painted))


def one_step_classifier(tmp: str) -> str:
    """A PF-ViT trained one step on a few real faces (what train_pokerface.py warm-starts from)."""
    start = os.path.join(tmp, 'pfvit')
    train_pfvit.main(TINY + ['--ortho', 'direct', '--max-steps', '1', '--out', start])
    return os.path.join(start, 'last.pt')


@requires_ferplus
class TrainPokerFaceTest(unittest.TestCase):
    def test_trains_g_only_resumes_exactly_and_exports(self):
        with tempfile.TemporaryDirectory() as tmp:
            warm = one_step_classifier(tmp)
            args = TINY + ['--warm-start', warm]
            straight, resumed = os.path.join(tmp, 'straight'), os.path.join(tmp, 'resumed')
            train_pokerface.main(args + ['--max-steps', '4', '--out', straight])
            train_pokerface.main(args + ['--max-steps', '2', '--out', resumed])
            train_pokerface.main(args + ['--max-steps', '4', '--out', resumed, '--resume', resumed])
            a = read_file(os.path.join(straight, 'last.pt'))
            b = read_file(os.path.join(resumed, 'last.pt'))
            for key in a['model']:
                torch.testing.assert_close(a['model'][key], b['model'][key], rtol=0, atol=0, msg=key)

            before = read_file(warm)['model']
            for key, value in a['model'].items():
                if key.startswith(('encoder.', 'separator.', 'classifier.')):  # the classifier is untouched
                    self.assertTrue(torch.equal(value, before[key]), key)
            self.assertFalse(torch.equal(a['model']['generator.decoder_blocks.0.attn.qkv.weight'],
                                         before['generator.decoder_blocks.0.attn.qkv.weight']))
            self.assertNotIn('generator.decoder_pred.weight', a['model'])

            with open(os.path.join(straight, 'log.jsonl')) as f:
                log = [json.loads(line) for line in f]
            step = [r for r in log if 'loss_neutral' in r][0]
            for term in ('loss_rec', 'loss_same', 'loss_changed', 'loss_rough', 'loss_residue', 'loss_adv',
                         'loss_dis', 'loss_moved'):
                self.assertIn(term, step)
            self.assertEqual(step['loss_moved'], 0.0)  # no warp asked for
            epoch = [r for r in log if r.get('event') == 'epoch'][0]
            self.assertIn('val_judge_neutral_poker_expressive', epoch)
            self.assertIn('val_l1_poker_neutral', epoch)

            with contextlib.redirect_stdout(io.StringIO()):
                out = export_onnx.main(['--checkpoint', os.path.join(straight, 'last.pt'),
                                        '--out', os.path.join(tmp, 'export'), '--id', 'tiny-composing'])
            onnx.checker.check_model(onnx.load(os.path.join(out, 'generate.onnx')))

    def test_a_warp_learns_from_zero_and_exports(self):
        with tempfile.TemporaryDirectory() as tmp:
            run = os.path.join(tmp, 'warp')
            train_pokerface.main(TINY + ['--warm-start', one_step_classifier(tmp), '--warp-px', '2',
                                         '--max-steps', '3', '--out', run])
            trained = read_file(os.path.join(run, 'last.pt'))
            self.assertEqual(trained['config']['warp_px'], 2.0)
            self.assertGreater(float(trained['model']['generator.composer.flow.weight'].abs().max()), 0.0)
            with open(os.path.join(run, 'log.jsonl')) as f:
                moved = [json.loads(line)['loss_moved'] for line in f if '"loss_moved"' in line]
            self.assertEqual(moved[0], 0.0)   # the first step's faces are the start's
            self.assertGreater(moved[-1], 0.0)  # then it moves pixels
            with contextlib.redirect_stdout(io.StringIO()):
                out = export_onnx.main(['--checkpoint', os.path.join(run, 'last.pt'),
                                        '--out', os.path.join(tmp, 'export'), '--id', 'tiny-warping'])
            with open(os.path.join(out, 'model.json')) as f:
                self.assertIn('displacement', json.load(f)['outputs']['poker_face'])

    @unittest.skipUnless(os.path.isfile(os.path.join(face_nets_dir(), IDENTITY_NET))
                         and os.path.isfile(os.path.join(face_nets_dir(), EXPRESSION_JUDGE)),
                         f'the training face networks are not in {face_nets_dir()} (PF_FACE_NETS_DIR)')
    def test_second_judge_and_identity_terms(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, 'poker')
            train_pokerface.main(TINY + ['--warm-start', one_step_classifier(tmp), '--w-second-judge', '1',
                                         '--w-identity', '1', '--d-real', 'neutral', '--max-steps', '4', '--out', out])
            with open(os.path.join(out, 'log.jsonl')) as f:
                log = [json.loads(line) for line in f]
        step = [r for r in log if 'loss_second_judge' in r][0]
        self.assertGreaterEqual(step['loss_identity'], 0.0)
        epoch = [r for r in log if r.get('event') == 'epoch'][0]
        self.assertIn('val_judge_neutral_poker_second_judge_expressive', epoch)


class OnnxModuleTest(unittest.TestCase):
    def test_a_graph_runs_with_gradients_and_refuses_unknown_operators(self):
        # A tiny graph in the tf2onnx style: a transpose, a "same" Pad built from constants, a Conv.
        from onnx import TensorProto, helper, numpy_helper
        import numpy as np
        w = numpy_helper.from_array(np.ones((1, 1, 3, 3), np.float32), 'w')
        nodes = [helper.make_node('Constant', [], ['pads'], value=numpy_helper.from_array(
                     np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64))),
                 helper.make_node('Pad', ['x', 'pads'], ['p']),
                 helper.make_node('Conv', ['p', 'w'], ['y'])]
        graph = helper.make_graph(nodes, 'g', [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 1, 4, 4])],
                                  [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, 1, 4, 4])], [w])
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'g.onnx')
            onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)]), path)
            module = OnnxModule(path)
            x = torch.ones(1, 1, 4, 4, requires_grad=True)
            y = module(x)
            self.assertEqual(float(y[0, 0, 0, 0]), 4.0)  # a corner sees 4 ones, the padding zeros
            self.assertEqual(float(y[0, 0, 1, 1]), 9.0)
            y.sum().backward()
            self.assertGreater(float(x.grad.sum()), 0.0)
            graph.node.append(helper.make_node('Erf', ['y'], ['z']))
            onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)]), path)
            with self.assertRaises(SystemExit) as refused:
                OnnxModule(path)
            self.assertIn('Erf', str(refused.exception))


if __name__ == '__main__':
    unittest.main()
