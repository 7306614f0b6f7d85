import os
import tempfile
import unittest
from collections import Counter

import numpy as np
import torch
from PIL import Image

from pfvit.augment import FaceTransform
from pfvit.data import (FERPLUS_CLASSES, FaceDataset, ferplus_samples, image_file_samples,
                        image_folder_samples, majority_label, read_votes)
from pfvit.sampler import EpochBatches
from training.tests.helpers import FERPLUS, requires_ferplus


class MajorityProtocolTest(unittest.TestCase):
    def test_votes_of_one_are_dropped_before_the_majority(self):
        # 4 neutral of 10 is no majority, but after dropping the three single votes it is 4 of 6.
        self.assertEqual(majority_label([4, 1, 1, 1, 0, 0, 0, 0, 2, 1]), 0)

    def test_needs_strictly_more_than_half(self):
        self.assertIsNone(majority_label([5, 5, 0, 0, 0, 0, 0, 0, 0, 0]))
        self.assertEqual(majority_label([0, 6, 4, 0, 0, 0, 0, 0, 0, 0]), 1)

    def test_unknown_and_not_a_face_are_dropped(self):
        self.assertIsNone(majority_label([0, 0, 0, 0, 0, 0, 0, 0, 8, 2]))
        self.assertIsNone(majority_label([0, 0, 0, 0, 0, 0, 0, 0, 0, 10]))
        self.assertIsNone(majority_label([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]))  # all single votes

    def test_contempt_is_the_last_class(self):
        self.assertEqual(majority_label([0, 0, 0, 0, 0, 0, 0, 7, 3, 0]), 7)
        self.assertEqual(FERPLUS_CLASSES[0], 'neutral')
        self.assertEqual(len(FERPLUS_CLASSES), 8)

    @requires_ferplus
    def test_counts_on_a_slice_of_the_test_labels(self):
        rows = read_votes(os.path.join(FERPLUS, 'FER2013Test', 'label.csv'))[:500]
        counts = Counter(majority_label(votes) for _, votes in rows)
        self.assertEqual(counts.pop(None), 69)
        self.assertEqual([counts[i] for i in range(8)], [167, 113, 59, 42, 35, 3, 10, 2])

    @requires_ferplus
    def test_split_sizes_match_the_data_readme(self):
        self.assertEqual(len(ferplus_samples('valid')), 3191)
        self.assertEqual(len(ferplus_samples('test')), 3137)
        self.assertEqual(len(ferplus_samples('test', labelled=False)), 3573)


class ReadersTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name
        for folder, count in (('happiness', 2), ('neutral', 3)):
            os.makedirs(os.path.join(self.root, folder))
            for i in range(count):
                Image.fromarray(np.full((48, 48), 40 * i, np.uint8), 'L').save(
                    os.path.join(self.root, folder, f'{i}.png'))

    def tearDown(self):
        self.tmp.cleanup()

    def test_image_folder_keeps_ferplus_order(self):
        samples, classes = image_folder_samples(self.root)
        self.assertEqual(classes, ['neutral', 'happiness'])
        self.assertEqual(Counter(s.label for s in samples), {0: 3, 1: 2})

    def test_image_files_are_unlabelled(self):
        samples = image_file_samples(self.root)
        self.assertEqual(len(samples), 5)
        self.assertTrue(all(s.label == -1 for s in samples))

    def test_grayscale_becomes_three_equal_channels_at_the_input_size(self):
        samples, _ = image_folder_samples(self.root)
        image, label = FaceDataset(samples, FaceTransform(112, train=False))[len(samples) - 1]
        self.assertEqual(image.shape, (3, 112, 112))
        # Equal pixels, different normalisation per channel: undo it and compare.
        from pfvit.augment import MEAN, STD
        raw = image * torch.tensor(STD).view(3, 1, 1) + torch.tensor(MEAN).view(3, 1, 1)
        torch.testing.assert_close(raw[0], raw[1])
        torch.testing.assert_close(raw[1], raw[2])


class AugmentationAndOrderTest(unittest.TestCase):
    def test_augmentation_depends_only_on_the_seed(self):
        img = Image.fromarray(np.random.RandomState(0).randint(0, 255, (48, 48), np.uint8)).convert('RGB')
        tf = FaceTransform(64, train=True)
        torch.testing.assert_close(tf(img, 7), tf(img, 7))
        self.assertFalse(torch.equal(tf(img, 7), tf(img, 8)))
        self.assertEqual(tf(img, 7).shape, (3, 64, 64))

    def test_resumed_epoch_yields_the_remaining_batches(self):
        full = list(EpochBatches(20, 4, seed=3, epoch=2))
        rest = list(EpochBatches(20, 4, seed=3, epoch=2, start=2))
        self.assertEqual(full[2:], rest)
        self.assertEqual(len(full), 5)
        self.assertEqual(sorted(i for b in full for i, _ in b), list(range(20)))
        self.assertNotEqual(full, list(EpochBatches(20, 4, seed=3, epoch=3)))


if __name__ == '__main__':
    unittest.main()
