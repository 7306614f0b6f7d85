"""The per-step cosine schedule: a pure function of the step count, so resumed runs stay on it."""
import argparse
import unittest

from pfvit.schedules import add_schedule_args, check_schedule, cosine_factor


class CosineFactorTest(unittest.TestCase):
    def test_warms_up_linearly_then_falls_to_the_floor(self):
        factors = [cosine_factor(step, warmup_steps=4, total_steps=20, floor=0.01) for step in range(20)]
        self.assertEqual(factors[:4], [0.25, 0.5, 0.75, 1.0])
        after = factors[4:]
        self.assertTrue(all(a > b for a, b in zip(after, after[1:])), after)
        self.assertAlmostEqual(cosine_factor(20, 4, 20, floor=0.01), 0.01)
        self.assertAlmostEqual(cosine_factor(12, 4, 20, floor=0.0), 0.5)  # half-way down the cosine

    def test_steps_past_the_end_stay_at_the_floor(self):
        self.assertAlmostEqual(cosine_factor(500, 4, 20, floor=0.05), 0.05)

    def test_no_warm_up(self):
        self.assertEqual(cosine_factor(0, 0, 10), 1.0)


class ScheduleArgsTest(unittest.TestCase):
    def parse(self, argv):
        p = argparse.ArgumentParser()
        p.add_argument('--lr-drop-epoch', type=int)
        add_schedule_args(p)
        return p.parse_args(argv)

    def test_a_cosine_and_a_fixed_drop_exclude_each_other(self):
        with self.assertRaises(SystemExit):
            check_schedule(self.parse(['--lr-schedule', 'cosine', '--lr-drop-epoch', '2']))
        check_schedule(self.parse(['--lr-schedule', 'cosine']))
        check_schedule(self.parse(['--lr-drop-epoch', '2']))


if __name__ == '__main__':
    unittest.main()
