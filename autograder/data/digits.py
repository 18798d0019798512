"""scikit-learn's 8x8 digits with a fixed stratified train/val/test split (assignment 1's default)."""
from importlib.metadata import version

import numpy as np

from autograder.data.cache import cached_arrays

N_VAL, N_TEST = 200, 400


def load_digits_split():
    """
    The 1,797 scikit-learn digits split 1,197 train / 200 val / 400 test, stratified, seed 0.

    Returns a dict with:
    - X_train (1197, 64), X_val (200, 64), X_test (400, 64): float64 raw pixel values 0..16
    - y_train (1197,), y_val (200,), y_test (400,): int64 labels 0..9

    The split is cached (per scikit-learn version) so that a judge does not pay scikit-learn's import (1.4 s) on
    every grade.
    """
    return cached_arrays("digits", f"split-sklearn-{version('scikit-learn')}", _split)


def _split():
    from sklearn.datasets import load_digits  # imported here: scikit-learn is slow to import
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X = np.asarray(digits.data, dtype=np.float64)  # (1797, 64)
    y = np.asarray(digits.target, dtype=np.int64)  # (1797,)
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=N_TEST, stratify=y, random_state=0)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=N_VAL, stratify=y_rest, random_state=0)
    return dict(X_train=X_train, y_train=y_train, X_val=X_val, y_val=y_val, X_test=X_test, y_test=y_test)
