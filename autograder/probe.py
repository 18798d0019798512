"""Helpers for probe authors; these run inside the sandboxed worker."""

import os
import random

import numpy as np


def device():
    """The torch device this grading run uses: 'cpu' or 'cuda'."""
    return os.environ.get("AUTOGRADER_DEVICE", "cpu")


def seed_all(seed):
    """Seed Python, numpy and torch (CPU and CUDA) so the student's code is deterministic."""
    import torch
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if device() == "cuda" and torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
        torch.backends.cudnn.benchmark = False
        torch.backends.cudnn.deterministic = True
