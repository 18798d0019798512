"""Judge-side data shared by the hidden tests of assignment 1 (never sent whole to the worker)."""

import numpy as np
import pytest

from autograder.authoring import assert_close, assert_equal, assert_speed, gaussian_noise
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


# svm_loss and softmax_loss share these two checks (test_linear_svm.py, test_softmax.py). Speed is graded as a
# ratio to the scores X @ W on the same 200,000 examples of dimension 50, 10 classes, both timed by the judge
# in the same worker. Measured here (one thread): X @ W 0.012 s, the vectorised reference 0.065 s (5.5x), the
# naive loops 4.3-6.6 s (360-560x).
LARGE_LOSS = dict(N=200_000, D=50, C=10)
LOSS_REG = 0.1
LOSS_MAX_RATIO = 40     # between the reference's 5.5x and the loops' 360x


class LossChecks:
    def __init__(self, submission, large_loss_inputs):
        self.submission, self.large_loss_inputs = submission, large_loss_inputs

    def fast(self, kind, reference, seed):
        """<kind>_loss_vectorized on the large inputs: right, and within LOSS_MAX_RATIO of the yardstick."""
        __tracebackhide__ = True
        self.submission.probe("loss_large_inputs", seed=seed, **LARGE_LOSS)
        _, yardstick = self.submission.timed("loss_large_yardstick", repeat=3)
        out, seconds = self.submission.timed("loss_large", repeat=3, within=LOSS_MAX_RATIO * yardstick, kind=kind,
                                             reg=LOSS_REG)
        W, X, y = self.large_loss_inputs(seed=seed, **LARGE_LOSS)
        loss, dW = reference(W, X, y, LOSS_REG)
        assert_close(out["loss"], loss, rtol=1e-7, what=f"loss from {kind}_loss_vectorized (large inputs)")
        assert_close(out["dW"], dW, rtol=1e-6, atol=1e-10, what=f"dW from {kind}_loss_vectorized (large inputs)")
        assert_speed(seconds, yardstick, LOSS_MAX_RATIO, what=f"{kind}_loss_vectorized on 200,000 examples")

    def inputs_not_mutated(self, kind, W, X, y):
        """Both implementations of <kind>_loss leave W, X and y as they were."""
        __tracebackhide__ = True
        for impl in ("naive", "vectorized"):
            out = self.submission.probe(f"{kind}_loss", W=W, X=X, y=y, reg=0.1, impl=impl)
            for name, before in (("W", W), ("X", X), ("y", y)):
                assert_equal(out[name + "_after"], before, what=f"{name} after {kind}_loss_{impl}")


@pytest.fixture
def loss_checks(submission, large_loss_inputs):
    """The checks svm_loss and softmax_loss share: `fast(kind, reference, seed)`, `inputs_not_mutated(kind, W, X, y)`."""
    return LossChecks(submission, large_loss_inputs)
