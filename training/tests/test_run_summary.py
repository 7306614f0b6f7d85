import unittest

from run_summary import summarise


class RunSummaryTest(unittest.TestCase):
    def test_reads_epochs_speed_and_time_from_a_log(self):
        lines = [{'event': 'start', 'images': 600},
                 {'step': 1, 'img_s': 10.0}, {'step': 2, 'img_s': 30.0}, {'step': 3, 'img_s': 20.0},
                 {'event': 'epoch', 'epoch': 0, 'val_accuracy': 0.5, 'val_mean_class_recall': 0.25},
                 {'event': 'epoch', 'epoch': 1, 'val_accuracy': 0.6, 'val_mean_class_recall': 0.3},
                 {'event': 'stop', 'reason': 'epochs'}]
        s = summarise(lines)
        self.assertEqual(s['epochs'], [(0, 0.5, 0.25), (1, 0.6, 0.3)])
        self.assertTrue(s['finished'])
        self.assertEqual(s['median_img_s'], 20.0)
        self.assertAlmostEqual(s['minutes_at_median'], 2 * 600 / 20 / 60)

    def test_a_stopped_run_without_steps_says_so(self):
        s = summarise([{'event': 'start', 'images': 600}, {'event': 'stop', 'reason': 'signal'}])
        self.assertFalse(s['finished'])
        self.assertIsNone(s['median_img_s'])
        self.assertIsNone(s['minutes_at_median'])


if __name__ == '__main__':
    unittest.main()
