"""Judge-side data shared by the hidden tests of assignment 1 (never sent whole to the worker)."""

import numpy as np
import pytest

from autograder.authoring import gaussian_noise
from autograder.data import load_digits_split

# The test digits are public with their labels (scikit-learn's digits), so the judge adds noise to their pixels
# (0..16) before grading: a predict that recognises a test digit byte for byte finds nothing. A one-pixel shift
# is too much for 8x8 digits (the reference falls from 0.97 to 0.43); noise of standard deviation 0.5 costs it
# at most 0.7 points (seeds 1-3: LinearSVM 0.97 -> 0.965-0.97, Softmax 0.9625 -> 0.955-0.96, TwoLayerNet
# 0.9725 -> 0.9675-0.9725), and no rounding recovers all 64 pixels of a digit (each rounds right 68% of the time).
HIDDEN_SEED = 0x91C5_0EDF_20E9_5D67_F8F4_60E5_7A8F_0039
PIXEL_NOISE = 0.5


@pytest.fixture(scope="session")
def digits():
    """The digits as the classifiers see them: (X / 16 - training mean) with a bias column of ones; the test
    digits with the judge's noise on their pixels."""
    data = load_digits_split()
    mean = np.mean(data["X_train"] / 16, axis=0)  # (64,)

    def features(X):
        return np.hstack([X / 16 - mean, np.ones((X.shape[0], 1))])  # (N, 65)

    noisy = gaussian_noise(data["X_test"], PIXEL_NOISE, HIDDEN_SEED)
    return {**{k: features(data[k]) for k in ("X_train", "X_val")}, "X_test": features(noisy),
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
