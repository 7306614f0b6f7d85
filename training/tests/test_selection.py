"""Which epoch becomes best.pt (pfvit/selection.py)."""
import unittest

from pfvit.selection import keep_if_best


class SelectionTest(unittest.TestCase):
    def test_balanced_selection_trades_accuracy_for_recall_and_accuracy_selection_does_not(self):
        first, second = {'accuracy': 0.80, 'mean_class_recall': 0.55}, {'accuracy': 0.79, 'mean_class_recall': 0.60}
        balanced = {'accuracy': -1.0, 'epoch': None}
        self.assertTrue(keep_if_best(balanced, first, 0, 'balanced'))
        self.assertTrue(keep_if_best(balanced, second, 1, 'balanced'))
        self.assertEqual((balanced['epoch'], balanced['score']), (1, (0.79 + 0.60) / 2))
        by_accuracy = {'accuracy': -1.0, 'epoch': None}
        self.assertTrue(keep_if_best(by_accuracy, first, 0, 'accuracy'))
        self.assertFalse(keep_if_best(by_accuracy, second, 1, 'accuracy'))
        self.assertEqual(by_accuracy['epoch'], 0)

    def test_a_tie_keeps_the_earlier_epoch_and_old_checkpoints_compare_by_accuracy(self):
        best = {'accuracy': 0.7, 'epoch': 3}  # written before 'score' existed
        self.assertFalse(keep_if_best(best, {'accuracy': 0.7, 'mean_class_recall': 0.9}, 4, 'accuracy'))
        self.assertTrue(keep_if_best(best, {'accuracy': 0.71, 'mean_class_recall': 0.5}, 5, 'accuracy'))
        self.assertEqual(best['epoch'], 5)


if __name__ == '__main__':
    unittest.main()
