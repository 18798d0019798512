"""Hidden tests for softmax_loss_naive and softmax_loss_vectorized. 20 points.

Expected values come from the judge-side reference below (scipy's log_softmax and a one-hot mask)
and, for gradients, also from centred differences of that reference's loss.
"""
import numpy as np
import pytest
from scipy.special import log_softmax

from autograder.authoring import assert_close, assert_rel_error, eval_numerical_gradient

N, D, C = 16, 13, 5  # D != C: a transposed gradient cannot have the right shape by accident


def softmax_reference(W, X, y, reg):
    """Mean cross-entropy of softmax(X @ W) plus reg * sum(W^2), computed stably; and its gradient."""
    N, C = X.shape[0], W.shape[1]
    onehot = np.eye(C)[y]  # (N, C)
    log_p = log_softmax(X @ W, axis=1)  # (N, C)
    loss = -np.sum(onehot * log_p) / N + reg * np.sum(W ** 2)
    dW = X.T @ (np.exp(log_p) - onehot) / N + 2 * reg * W  # (D, C)
    return loss, dW


def _problem(rng, w_scale=0.5):
    W = w_scale * rng.normal(size=(D, C))  # (D, C)
    X = rng.normal(size=(N, D))  # (N, D)
    y = rng.integers(0, C, N)  # (N,)
    return W, X, y


def _huge_scores_problem(rng, offset=800.0):
    """Scores of every class in a row shifted by +offset or -offset: exp overflows (or underflows to 0)
    unless each row is shifted by its largest score first. The differences within a row stay small, so
    the loss itself is an ordinary number."""
    W, X, y = _problem(rng)
    X[:, -1] = np.where(np.arange(N) % 2 == 0, 1.0, -1.0)  # (N,) +1 or -1 in the last feature
    W[-1, :] = offset  # (C,) the same for every class
    return W, X, y


def _wide_scores_problem(rng, spread=1000.0):
    """Rows whose scores spread wider than exp can hold (one class 1000 below the rest): shifting each row
    by its largest score keeps every exp finite, shifting by its smallest overflows. A constant added to
    every score (the problem above) cannot tell the two apart; this one does. The far class is never the
    correct one, so the loss stays an ordinary number."""
    W, X, y = _problem(rng)
    X[:, -1] = 1.0  # (N,)
    W[-1, :] = 0.0
    W[-1, -1] = -spread  # (C,) the last class far below the others in every row
    y = np.where(y == C - 1, 0, y)  # (N,)
    return W, X, y


def _check_shape(submission, rng, impl):
    W, X, y = _problem(rng)
    out = submission.probe("softmax_loss", W=W, X=X, y=y, reg=0.1, impl=impl)
    assert np.ndim(out["loss"]) == 0 and np.size(out["loss"]) == 1, (
        f"softmax_loss_{impl} should return the loss as a single number, got shape {np.shape(out['loss'])}")
    assert np.shape(out["dW"]) == W.shape, (
        f"softmax_loss_{impl} returned dW of shape {np.shape(out['dW'])}; expected {W.shape}, the shape of W")


def _check_values(submission, rng, impl):
    W, X, y = _problem(rng)
    for reg in (0.0, 0.25):
        out = submission.probe("softmax_loss", W=W, X=X, y=y, reg=reg, impl=impl)
        loss, _ = softmax_reference(W, X, y, reg)
        assert_close(out["loss"], loss, rtol=1e-7, what=f"loss from softmax_loss_{impl} with reg={reg}")


def _check_gradient(submission, rng, impl):
    W, X, y = _problem(rng)
    reg = 0.1
    out = submission.probe("softmax_loss", W=W, X=X, y=y, reg=reg, impl=impl)
    _, dW = softmax_reference(W, X, y, reg)
    assert_close(out["dW"], dW, rtol=1e-6, atol=1e-10, what=f"dW from softmax_loss_{impl}")
    numerical = eval_numerical_gradient(lambda W_: softmax_reference(W_, X, y, reg)[0], W)
    assert_rel_error(out["dW"], numerical, 1e-7, what=f"dW from softmax_loss_{impl} against a numerical gradient")


def _check_stable(submission, rng, impl):
    for problem, what in ((_huge_scores_problem, "scores near +-800"),
                          (_wide_scores_problem, "scores 1000 apart within a row")):
        W, X, y = problem(rng)
        out = submission.probe("softmax_loss", W=W, X=X, y=y, reg=0.0, impl=impl)
        loss, dW = softmax_reference(W, X, y, 0.0)
        what = f"softmax_loss_{impl} with {what}"
        assert_close(out["loss"], loss, rtol=1e-7,
                     what=f"loss from {what} (is each row shifted by its largest score?)")
        assert_close(out["dW"], dW, rtol=1e-6, atol=1e-10, what=f"dW from {what}")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=2, cuda=2)
def test_softmax_loss_naive_shape(submission, rng):
    _check_shape(submission, rng, "naive")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=2, cuda=2)
def test_softmax_loss_naive_values(submission, rng):
    _check_values(submission, rng, "naive")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=2, cuda=2)
def test_softmax_loss_naive_gradient(submission, rng):
    _check_gradient(submission, rng, "naive")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=2, cuda=2)
def test_softmax_loss_naive_stable(submission, rng):
    _check_stable(submission, rng, "naive")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=2, cuda=2)
def test_softmax_loss_vectorized_shape(submission, rng):
    _check_shape(submission, rng, "vectorized")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=2, cuda=2)
def test_softmax_loss_vectorized_values(submission, rng):
    _check_values(submission, rng, "vectorized")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=2, cuda=2)
def test_softmax_loss_vectorized_gradient(submission, rng):
    _check_gradient(submission, rng, "vectorized")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=2, cuda=2)
def test_softmax_loss_vectorized_stable(submission, rng):
    _check_stable(submission, rng, "vectorized")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=2, cuda=2)
def test_softmax_loss_vectorized_fast(loss_checks):
    loss_checks.fast("softmax", softmax_reference, seed=2311)


@pytest.mark.points(1)
@pytest.mark.budget(cpu=2, cuda=2)
def test_softmax_loss_inputs_not_mutated(loss_checks, rng):
    loss_checks.inputs_not_mutated("softmax", *_problem(rng))
