"""Shared test fixtures: where the real data is, and skipping cleanly without it."""
import os
import unittest

import torch

from pfvit.data import ferplus_root

FERPLUS = ferplus_root()
HAVE_FERPLUS = os.path.isfile(os.path.join(FERPLUS, 'FER2013Test', 'label.csv'))
requires_ferplus = unittest.skipUnless(
    HAVE_FERPLUS, f'FERPlus not found at {FERPLUS}: set PF_DATA_DIR to the folder holding ferplus/')

# Tiny runs: the 'micro' preset (32 px, patch 8), a few real images, 2 threads at most.
torch.set_num_threads(min(2, os.cpu_count() or 1))
