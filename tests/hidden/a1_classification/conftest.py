"""Judge-side data shared by the hidden tests of assignment 1 (never sent whole to the worker)."""

import numpy as np
import pytest

from autograder.data import load_digits_split


@pytest.fixture(scope="session")
def digits():
    """The digits as the classifiers see them: (X / 16 - training mean) with a bias column of ones."""
    data = load_digits_split()
    mean = np.mean(data["X_train"] / 16, axis=0)  # (64,)

    def features(X):
        return np.hstack([X / 16 - mean, np.ones((X.shape[0], 1))])  # (N, 65)

    return {**{k: features(data[k]) for k in ("X_train", "X_val", "X_test")},
            **{k: data[k] for k in ("y_train", "y_val", "y_test")}}


@pytest.fixture(scope="session")
def large_loss_inputs():
    """The judge's copy of probes.large_loss_inputs: the same generator calls in the same order."""
    def make(seed, N, D, C):
        gen = np.random.default_rng(seed)
        X = gen.random((N, D)) - 0.5  # (N, D)
        W = 1e-2 * gen.standard_normal((D, C))  # (D, C)
        y = gen.integers(0, C, N)  # (N,)
        return W, X, y
    return make
