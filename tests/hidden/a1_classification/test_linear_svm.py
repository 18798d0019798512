"""Hidden tests for svm_loss_naive and svm_loss_vectorized. 17 points.

Expected values come from the judge-side reference below (written with a one-hot mask, not the
solution's indexing) and, for gradients, also from centred differences of that reference's loss.
"""
import numpy as np
import pytest

from autograder.authoring import assert_close, assert_rel_error, eval_numerical_gradient

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


@pytest.mark.points(2)
@pytest.mark.budget(cpu=2, cuda=2)
def test_svm_loss_vectorized_fast(loss_checks):
    loss_checks.fast("svm", svm_reference, seed=2310)


@pytest.mark.points(1)
@pytest.mark.budget(cpu=2, cuda=2)
def test_svm_loss_inputs_not_mutated(loss_checks, rng):
    loss_checks.inputs_not_mutated("svm", *_problem(rng))
