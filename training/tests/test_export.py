"""ONNX export of tiny untrained models: the files pass onnx.checker and carry the contract's names
and shapes (ARCHITECTURE.md, "Model contract"). Needs no data."""
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
from pfvit.checkpoint import save_file
from pfvit.pfvit import ViTClassifier
from pfvit.presets import PRESETS


def export(*argv):
    with contextlib.redirect_stdout(io.StringIO()):
        return export_onnx.main(list(argv))


class ExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.pfvit = export('--random-init', 'pfvit', '--preset', 'micro', '--id', 'tiny-pfvit',
                           '--out', os.path.join(cls.tmp.name, 'pfvit'))
        cls.vit = export('--random-init', 'vit', '--preset', 'micro', '--input-size', '48',
                         '--out', os.path.join(cls.tmp.name, 'vit'))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def shapes(self, folder, name):
        model = onnx.load(os.path.join(folder, name))
        onnx.checker.check_model(model)
        self.assertEqual(model.opset_import[0].version, 17)
        return export_onnx.graph_shapes(onnx.shape_inference.infer_shapes(model))

    def card(self, folder):
        with open(os.path.join(folder, 'model.json')) as f:
            return json.load(f)

    def test_classify_graph(self):
        shapes = self.shapes(self.pfvit, 'classify.onnx')
        batch = shapes['image'][0]
        self.assertIsInstance(batch, str)  # dynamic batch
        self.assertEqual(shapes, {'image': [batch, 3, 32, 32], 'logits': [batch, 8], 'emotion_mask': [batch, 32],
                                  'attention': [batch, 4, 4], 'embedding': [batch, 32]})

    def test_generate_graph(self):
        shapes = self.shapes(self.pfvit, 'generate.onnx')
        batch = shapes['image'][0]
        self.assertEqual(shapes, {name: [batch, 3, 32, 32]
                                  for name in ('image', 'reconstruction', 'poker_face', 'emotion_component')})

    def test_model_card(self):
        card = self.card(self.pfvit)
        self.assertEqual(card['id'], 'tiny-pfvit')
        self.assertEqual(card['classes'][0], 'neutral')
        self.assertEqual(len(card['classes']), 8)
        self.assertEqual({k: card['input'][k] for k in ('size', 'channels', 'layout')},
                         {'size': 32, 'channels': 3, 'layout': 'NCHW'})
        self.assertEqual(len(card['input']['mean']), 3)
        self.assertEqual(card['files'], {'classify': 'classify.onnx', 'generate': 'generate.onnx'})
        for key in ('name', 'version', 'training', 'metrics', 'licence'):
            self.assertIn(key, card)
        # Where E started is provenance too: nothing here (no --encoder-init); see the test below.
        self.assertIsNone(card['training']['encoder_init'])

    def test_model_card_records_an_encoder_init(self):
        from pfvit.data import FERPLUS_CLASSES, NEUTRAL
        from pfvit.model_card import model_card
        from pfvit.presets import PRESETS
        from pfvit.trained import TrainedModel
        ckpt = {'args': {'init': 'mae/last.pt', 'encoder_init': 'vit/best.pt'}, 'ortho': 'perceptual'}
        trained = TrainedModel('pfvit', None, PRESETS['micro'], list(FERPLUS_CLASSES), NEUTRAL, ckpt)
        card = model_card(trained, 'm', 'M', '0.1.0', {}, None)
        self.assertEqual((card['training']['init'], card['training']['encoder_init']), ('mae/last.pt', 'vit/best.pt'))

    def test_vit_baseline_has_classify_only(self):
        self.assertFalse(os.path.exists(os.path.join(self.vit, 'generate.onnx')))
        shapes = self.shapes(self.vit, 'classify.onnx')
        self.assertEqual(shapes['attention'][1:], [6, 6])
        card = self.card(self.vit)
        self.assertEqual(card['files'], {'classify': 'classify.onnx', 'generate': None})
        self.assertFalse(card['architecture']['generator'])
        self.assertIn('no separator', card['outputs']['emotion_mask'])

    def test_a_flip_averaged_vit_baseline_keeps_the_contract(self):
        # calibrate.py --flip-average on a baseline (the same-budget comparison of issue 15): through the
        # mirrored batch's slices the all-ones mask once lost its width and the contract check refused it.
        cfg = replace(PRESETS['micro'], num_classes=8)
        path = os.path.join(self.tmp.name, 'vit-flip.pt')
        torch.manual_seed(0)
        save_file({'kind': 'vit', 'config': cfg.to_dict(), 'model': ViTClassifier(cfg).state_dict(),
                   'test_time': {'flip_average': True}}, path)
        folder = export('--checkpoint', path, '--out', os.path.join(self.tmp.name, 'vit-flip'))
        shapes = self.shapes(folder, 'classify.onnx')
        self.assertEqual(shapes['emotion_mask'][1:], [cfg.embed_dim])
        self.assertTrue(self.card(folder)['training']['test_time']['flip_average'])


if __name__ == '__main__':
    unittest.main()
