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


class Field:
    """What one key of a probe's answer holds; `array(ndim=2, finite=True)` refines a field."""

    def __init__(self, kind, ndim=None, finite=False, nullable=False):
        self.kind, self.ndim, self.finite, self.nullable = kind, ndim, finite, nullable

    def __call__(self, ndim=None, finite=False):
        return Field(self.kind, ndim, finite, self.nullable)

    def __repr__(self):
        return self.kind + (f"(ndim={self.ndim})" if self.ndim is not None else "") + ("?" if self.nullable else "")


array = Field("array")      # a numeric or bool array (a nested list or a number too: student code returns those)
number = Field("number")    # an int or a float
text = Field("text")        # a str
flag = Field("flag")        # a bool
plain = Field("plain")      # any plain data: numbers, strings, lists, dicts, arrays


def optional(field):
    """`field`, None, or absent from the answer."""
    return Field(field.kind, field.ndim, field.finite, nullable=True)


def answers(**fields):
    """Declare the keys of a probe's answer and what each holds; the judge rejects any other answer.

    Example: `@answers(dists=array(ndim=2), X_after=array, ops=plain)`.
    """
    def mark(fn):
        fn.__answer__ = fields
        return fn
    return mark
