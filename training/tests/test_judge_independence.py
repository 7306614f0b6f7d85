"""The networks that judge poker faces in `pokerface eval` (src/main/evaluation/judges.ts) must never
be read by training: a generator can learn to fool a network it trains against, so a judge that any
loss used would grade its own student. This test fails if any training file names them."""
import os
import unittest

TRAINING_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVALUATION_JUDGES = ('faceapi_expression', 'mobileface_v1_gray100')


class JudgeIndependenceTest(unittest.TestCase):
    def test_no_training_file_names_an_evaluation_judge(self):
        offenders = []
        for folder, dirs, files in os.walk(TRAINING_DIR):
            dirs[:] = [d for d in dirs if d not in ('runs', '__pycache__')]
            for name in files:
                if not name.endswith(('.py', '.sh', '.md')) or name == os.path.basename(__file__):
                    continue
                with open(os.path.join(folder, name), encoding='utf-8') as f:
                    text = f.read()
                offenders += [f'{os.path.relpath(os.path.join(folder, name), TRAINING_DIR)}: {judge}'
                              for judge in EVALUATION_JUDGES if judge in text]
        self.assertEqual(offenders, [], 'training code names an evaluation judge')


if __name__ == '__main__':
    unittest.main()
