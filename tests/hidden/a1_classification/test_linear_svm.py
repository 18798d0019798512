"""Hidden tests for svm_loss_naive and svm_loss_vectorized. 17 points.

Expected values come from the judge-side reference below (written with a one-hot mask, not the
solution's indexing) and, for gradients, also from centred differences of that reference's loss.
"""
import numpy as np
import pytest

from autograder.authoring import assert_close, assert_equal, assert_rel_error, assert_speed, eval_numerical_gradient

N, D, C = 16, 13, 5  # D != C: a transposed gradient cannot have the right shape by accident


def svm_reference(W, X, y, reg):
    """Multiclass hinge loss (margin 1), mean over examples, plus reg * sum(W^2); and its gradient."""
    N, C = X.shape[0], W.shape[1]
    onehot = np.eye(C)[y]  # (N, C)
    scores = X @ W  # (N, C)
    correct = np.sum(scores * onehot, axis=1, keepdims=True)  # (N, 1)
    margins = np.where(onehot > 0, 0.0, np.maximum(0.0, scores - correct + 1.0))  # (N, C)
    loss = margins.sum() / N + reg * np.sum(W ** 2)
    active = (margins > 0).astype(np.float64)  # (N, C)
    dscores = active - onehot * active.sum(axis=1, keepdims=True)  # (N, C)
    dW = X.T @ dscores / N + 2 * reg * W  # (D, C)
    return loss, dW


def _problem(rng, w_scale=0.5):
    """Weights large enough that some margins are violated and some are not."""
    W = w_scale * rng.normal(size=(D, C))  # (D, C)
    X = rng.normal(size=(N, D))  # (N, D)
    y = rng.integers(0, C, N)  # (N,)
    return W, X, y


def _check_shape(submission, rng, impl):
    W, X, y = _problem(rng)
    out = submission.probe("svm_loss", W=W, X=X, y=y, reg=0.1, impl=impl)
    assert np.ndim(out["loss"]) == 0 and np.size(out["loss"]) == 1, (
        f"svm_loss_{impl} should return the loss as a single number, got shape {np.shape(out['loss'])}")
    assert np.shape(out["dW"]) == W.shape, (
        f"svm_loss_{impl} returned dW of shape {np.shape(out['dW'])}; expected {W.shape}, the shape of W")


def _check_values(submission, rng, impl):
    W, X, y = _problem(rng)
    for reg in (0.0, 0.25):
        out = submission.probe("svm_loss", W=W, X=X, y=y, reg=reg, impl=impl)
        loss, _ = svm_reference(W, X, y, reg)
        assert_close(out["loss"], loss, rtol=1e-7, what=f"loss from svm_loss_{impl} with reg={reg}")


def _check_gradient(submission, rng, impl):
    W, X, y = _problem(rng)
    reg = 0.1
    out = submission.probe("svm_loss", W=W, X=X, y=y, reg=reg, impl=impl)
    _, dW = svm_reference(W, X, y, reg)
    assert_close(out["dW"], dW, rtol=1e-6, atol=1e-10, what=f"dW from svm_loss_{impl}")
    numerical = eval_numerical_gradient(lambda W_: svm_reference(W_, X, y, reg)[0], W)
    assert_rel_error(out["dW"], numerical, 1e-7, what=f"dW from svm_loss_{impl} against a numerical gradient")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=2, cuda=2)
def test_svm_loss_naive_shape(submission, rng):
    _check_shape(submission, rng, "naive")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=2, cuda=2)
def test_svm_loss_naive_values(submission, rng):
    _check_values(submission, rng, "naive")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=2, cuda=2)
def test_svm_loss_naive_gradient(submission, rng):
    _check_gradient(submission, rng, "naive")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=2, cuda=2)
def test_svm_loss_vectorized_shape(submission, rng):
    _check_shape(submission, rng, "vectorized")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=2, cuda=2)
def test_svm_loss_vectorized_values(submission, rng):
    _check_values(submission, rng, "vectorized")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=2, cuda=2)
def test_svm_loss_vectorized_gradient(submission, rng):
    _check_gradient(submission, rng, "vectorized")


# 200,000 examples of dimension 50, 10 classes. Speed is graded as a ratio to the scores X @ W on the same
# inputs, both timed by the judge in the same worker. Measured here (one thread): X @ W 0.012 s, the
# vectorised reference 0.065 s (5.5x), the naive loops 4.3-6.6 s (360-560x).
LARGE = dict(seed=2310, N=200_000, D=50, C=10)
REG = 0.1
MAX_RATIO = 40     # between the reference's 5.5x and the loops' 360x


@pytest.mark.points(2)
@pytest.mark.budget(cpu=2, cuda=2)
def test_svm_loss_vectorized_fast(submission, large_loss_inputs):
    submission.probe("loss_large_inputs", **LARGE)
    _, yardstick = submission.timed("loss_large_yardstick", repeat=3)
    out, seconds = submission.timed("loss_large", repeat=3, within=MAX_RATIO * yardstick, kind="svm", reg=REG)
    W, X, y = large_loss_inputs(**LARGE)
    loss, dW = svm_reference(W, X, y, REG)
    assert_close(out["loss"], loss, rtol=1e-7, what="loss from svm_loss_vectorized (large inputs)")
    assert_close(out["dW"], dW, rtol=1e-6, atol=1e-10, what="dW from svm_loss_vectorized (large inputs)")
    assert_speed(seconds, yardstick, MAX_RATIO, what="svm_loss_vectorized on 200,000 examples")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=2, cuda=2)
def test_svm_loss_inputs_not_mutated(submission, rng):
    W, X, y = _problem(rng)
    for impl in ("naive", "vectorized"):
        out = submission.probe("svm_loss", W=W, X=X, y=y, reg=0.1, impl=impl)
        for name, before in (("W", W), ("X", X), ("y", y)):
            assert_equal(out[name + "_after"], before, what=f"{name} after svm_loss_{impl}")
