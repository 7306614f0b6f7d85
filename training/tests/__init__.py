"""Tests of the training toolkit: `/usr/bin/python3 -m unittest discover -s training/tests -t .`

The scripts import `pfvit` from training/, so put that folder on the path first."""
import os
import sys

TRAINING_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if TRAINING_DIR not in sys.path:
    sys.path.insert(0, TRAINING_DIR)
