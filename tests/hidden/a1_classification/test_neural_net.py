"""Hidden tests for TwoLayerNet: scores, loss, gradients, predict, training. 24 points.

Measured with the reference solution on the 2-core reference CPU: hidden size 64, std 0.1,
learning_rate 1.0, learning_rate_decay 0.99, reg 1e-3, 1,000 iterations of 200, seed 0: test accuracy
0.9725 on the 400 test digits (seeds 0-3: 0.9725 to 0.975), about 0.35 s of training.
Credit: threshold 0.94, floor 0.50 (chance is 0.10).

The digits features are the ones of test_linear_classifier.py: X / 16 minus the training mean, plus
a column of ones (65 features, 10 classes).

The test digits carry the judge's pixel noise (conftest.py): the reference then scores 0.9675 to 0.9725
(three noise seeds; 0.9725 with HIDDEN_SEED). The score must come from the trained parameters: predict's
answers must match the argmax of the scores computed here from the returned params, and a fresh, untrained
TwoLayerNet (std 0.1) must score near chance through the same predict (measured: 0.04 to 0.15 over seeds 0-4;
the limit is 0.20).
"""

import numpy as np
import pytest
from scipy.special import log_softmax

from autograder.authoring import (agreement, as_array, assert_close, assert_equal, assert_from_model,
                                  assert_rel_error, eval_numerical_gradient)

N, D, H, C = 7, 6, 8, 4
PARAM_SHAPES = {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}


def net_reference(params, X, y=None, reg=0.0):
    """affine - ReLU - affine - softmax, written judge-side: scores, or (loss, grads)."""
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    pre = X @ W1 + b1  # (N, H)
    hidden = pre * (pre > 0)  # (N, H)
    scores = hidden @ W2 + b2  # (N, C)
    if y is None:
        return scores
    n = X.shape[0]
    onehot = np.eye(W2.shape[1])[y]  # (N, C)
    log_p = log_softmax(scores, axis=1)  # (N, C)
    loss = -np.sum(onehot * log_p) / n + reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    dscores = (np.exp(log_p) - onehot) / n  # (N, C)
    dpre = (dscores @ W2.T) * (pre > 0)  # (N, H)
    grads = {"W1": X.T @ dpre + 2 * reg * W1, "b1": dpre.sum(axis=0),
             "W2": hidden.T @ dscores + 2 * reg * W2, "b2": dscores.sum(axis=0)}
    return loss, grads


def _problem(rng):
    """Parameters with non-zero biases (so a forgotten bias shows), inputs and labels."""
    params = {name: 0.5 * rng.normal(size=shape) for name, shape in PARAM_SHAPES.items()}
    X = rng.normal(size=(N, D))  # (N, D)
    y = rng.integers(0, C, N)  # (N,)
    return params, X, y


@pytest.mark.points(1)
@pytest.mark.budget(cpu=2, cuda=2)
def test_two_layer_net_scores_shape(submission, rng):
    params, X, _ = _problem(rng)
    out = submission.probe("net_loss", params=params, X=X)
    assert np.shape(out["scores"]) == (N, C), (
        f"TwoLayerNet.loss(X) returned scores of shape {np.shape(out['scores'])}; expected {(N, C)} (N, C)")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=2, cuda=2)
def test_two_layer_net_scores_values(submission, rng):
    params, X, _ = _problem(rng)
    out = submission.probe("net_loss", params=params, X=X)
    assert_close(out["scores"], net_reference(params, X), rtol=1e-7, atol=1e-12, what="scores from TwoLayerNet.loss(X)")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=2, cuda=2)
def test_two_layer_net_loss_values(submission, rng):
    params, X, y = _problem(rng)
    for reg in (0.0, 0.05):
        out = submission.probe("net_loss", params=params, X=X, y=y, reg=reg)
        loss, _ = net_reference(params, X, y, reg)
        assert_close(out["loss"], loss, rtol=1e-7, what=f"loss from TwoLayerNet.loss with reg={reg}")


def _grads(out):
    grads = out["grads"]
    assert isinstance(grads, dict), "TwoLayerNet.loss should return its gradients as a dict"
    missing = [name for name in PARAM_SHAPES if name not in grads]
    assert not missing, f"the gradients dict has no entry for {', '.join(missing)}"
    return grads


@pytest.mark.points(3)
@pytest.mark.budget(cpu=2, cuda=2)
def test_two_layer_net_loss_gradient(submission, rng):
    params, X, y = _problem(rng)
    reg = 0.05
    grads = _grads(submission.probe("net_loss", params=params, X=X, y=y, reg=reg))
    _, expected = net_reference(params, X, y, reg)
    for name in PARAM_SHAPES:
        assert_close(grads[name], expected[name], rtol=1e-6, atol=1e-10, what=f"gradient of {name}")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=2, cuda=2)
def test_two_layer_net_loss_gradient_numerical(submission, rng):
    params, X, y = _problem(rng)
    reg = 0.05
    grads = _grads(submission.probe("net_loss", params=params, X=X, y=y, reg=reg))
    for name in PARAM_SHAPES:
        def loss_at(value, name=name):
            return net_reference({**params, name: value}, X, y, reg)[0]
        numerical = eval_numerical_gradient(loss_at, params[name])
        assert_rel_error(grads[name], numerical, 1e-7, what=f"gradient of {name} against a numerical gradient")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=2, cuda=2)
def test_two_layer_net_loss_inputs_not_mutated(submission, rng):
    params, X, y = _problem(rng)
    out = submission.probe("net_loss", params=params, X=X, y=y, reg=0.05)
    assert_equal(out["X_after"], X, what="X after TwoLayerNet.loss")
    assert_equal(out["y_after"], y, what="y after TwoLayerNet.loss")
    for name in PARAM_SHAPES:
        assert_equal(out["params_after"][name], params[name], what=f"params['{name}'] after TwoLayerNet.loss")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=2, cuda=2)
def test_two_layer_net_predict_values(submission, rng):
    params, _, _ = _problem(rng)
    X = rng.normal(size=(20, D))  # (20, D)
    out = submission.probe("net_predict", params=params, X=X)
    assert_equal(out["y_pred"], np.argmax(net_reference(params, X), axis=1), what="labels from TwoLayerNet.predict")


TRAINING = dict(hidden_size=64, std=0.1, learning_rate=1.0, learning_rate_decay=0.99, reg=1e-3,
                num_iters=1000, batch_size=200, seed=0)
CREDIT = dict(floor=0.50, threshold=0.94)
UNTRAINED_SEED = 7




def _train(submission, digits, **overrides):
    settings = {**TRAINING, **overrides}
    return submission.probe("net_train", X=digits["X_train"], y=digits["y_train"], X_val=digits["X_val"], y_val=digits["y_val"],
                            X_test=digits["X_test"], **settings)


@pytest.mark.points(2)
@pytest.mark.budget(cpu=2, cuda=2)
def test_two_layer_net_train_history(submission, digits):
    num_iters, batch_size = 30, 200
    out = _train(submission, digits, num_iters=num_iters, batch_size=batch_size)
    stats = out["stats"]
    keys = ("loss_history", "train_acc_history", "val_acc_history")
    assert isinstance(stats, dict) and all(k in stats for k in keys), (
        f"TwoLayerNet.train should return a dict with {', '.join(keys)}")
    assert len(stats["loss_history"]) == num_iters, (
        f"loss_history should hold one loss per iteration ({num_iters}); it holds {len(stats['loss_history'])}")
    for key in ("train_acc_history", "val_acc_history"):
        accs = np.asarray(stats[key], dtype=np.float64)
        assert accs.ndim == 1 and accs.size >= 1, f"{key} should hold one accuracy per epoch; it is empty"
        assert np.all((accs >= 0) & (accs <= 1)), f"{key} holds values outside [0, 1]; accuracies are fractions"
    losses = np.asarray(stats["loss_history"], dtype=np.float64)
    assert np.all(np.isfinite(losses)), "the loss history contains NaN or infinite values"
    assert np.mean(losses[-5:]) < losses[0], "the minibatch loss did not go down during training"


@pytest.mark.points(6)
@pytest.mark.budget(cpu=3, cuda=3)
def test_two_layer_net_train_accuracy(submission, digits, credit):
    out = _train(submission, digits, untrained_seed=UNTRAINED_SEED)
    X_test, y_test = digits["X_test"], digits["y_test"]
    y_pred = np.asarray(out["y_pred"])
    assert y_pred.shape == y_test.shape, (
        f"TwoLayerNet.predict returned shape {y_pred.shape} for {y_test.shape[0]} test digits; expected {y_test.shape}")
    D, H, C = X_test.shape[1], TRAINING["hidden_size"], 10
    shapes = {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}
    params = out["params"] or {}
    params = {name: as_array(params.get(name), shape, what=f"params['{name}'] after training")
              for name, shape in shapes.items()}
    assert_from_model(agreement(y_pred, np.argmax(net_reference(params, X_test), axis=1)),
                      agreement(out["untrained_pred"], y_test), chance=0.10, what="TwoLayerNet.predict")
    accuracy = float(np.mean(y_pred == y_test))
    credit.scale(accuracy, what="TwoLayerNet test accuracy on the digits", **CREDIT)
