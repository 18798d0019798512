"""Hidden tests for LinearClassifier, LinearSVM and Softmax: predict, the training loop, accuracy. 14 points.

Training runs on the scikit-learn digits (autograder.data.load_digits_split): features X / 16 minus
the training mean, plus a column of ones for the bias (65 features, 10 classes). The probe trains
from a fixed seed and returns predictions on the 400 test digits only; their labels stay here.

Measured with the reference solution on the 2-core reference CPU (seed 0):
- LinearSVM, learning_rate 0.3, reg 1e-3, 1,000 iterations of 200: test accuracy 0.970 (seeds 0-5: 0.970
  every time), about 0.1 s of training. Credit: threshold 0.94, floor 0.50.
- Softmax, learning_rate 1.0, reg 1e-3, 1,000 iterations of 200: test accuracy 0.9625 (seeds 0-5:
  0.9575 to 0.9625), about 0.15 s of training. Credit: threshold 0.93, floor 0.50.
Chance is 0.10; a model that never updates its small random start scores about that.

The test digits carry the judge's pixel noise (conftest.py), which costs the reference at most 0.7 points
(LinearSVM 0.965 to 0.97, Softmax 0.955 to 0.96 over three noise seeds; 0.9625 both with HIDDEN_SEED). The
score must come from the trained weights: predict's answers must match argmax(X @ W) computed here from the
returned W, and a fresh classifier whose W is the small random start must score near chance through the same
predict (measured: 0.04 to 0.14 over seeds 0-4; the limit is 0.20).
"""

import numpy as np
import pytest

from autograder.authoring import agreement, as_array, assert_equal, assert_from_model

UNTRAINED_SEED = 7

TRAINING = {
    "svm": dict(learning_rate=0.3, reg=1e-3, num_iters=1000, batch_size=200, seed=0),
    "softmax": dict(learning_rate=1.0, reg=1e-3, num_iters=1000, batch_size=200, seed=0),
}
CREDIT = {"svm": dict(floor=0.50, threshold=0.94), "softmax": dict(floor=0.50, threshold=0.93)}
NAMES = {"svm": "LinearSVM", "softmax": "Softmax"}




def _train(submission, digits, kind):
    return submission.probe("linear_train", kind=kind, X=digits["X_train"], y=digits["y_train"],
                            X_test=digits["X_test"], untrained_seed=UNTRAINED_SEED, **TRAINING[kind])


def _check_accuracy(submission, digits, credit, kind):
    out = _train(submission, digits, kind)
    X_test, y_test = digits["X_test"], digits["y_test"]
    y_pred = np.asarray(out["y_pred"])
    assert y_pred.shape == y_test.shape, (
        f"{NAMES[kind]}.predict returned shape {y_pred.shape} for {y_test.shape[0]} test digits; "
        f"expected {y_test.shape}")
    W = as_array(out["W"], (X_test.shape[1], 10), what=f"{NAMES[kind]}'s W after training")
    assert_from_model(agreement(y_pred, np.argmax(X_test @ W, axis=1)),
                      agreement(out["untrained_pred"], y_test), chance=0.10, what=f"{NAMES[kind]}.predict")
    accuracy = float(np.mean(y_pred == y_test))
    credit.scale(accuracy, what=f"{NAMES[kind]} test accuracy on the digits", **CREDIT[kind])


@pytest.mark.points(2)
@pytest.mark.budget(cpu=2, cuda=2)
def test_linear_classifier_predict_values(submission, rng):
    W = rng.normal(size=(6, 4))  # (D, C)
    X = rng.normal(size=(15, 6))  # (N, D)
    for kind in ("svm", "softmax"):
        out = submission.probe("linear_predict", kind=kind, W=W, X=X)
        assert_equal(out["y_pred"], np.argmax(X @ W, axis=1), what=f"labels from {NAMES[kind]}.predict")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=2, cuda=2)
def test_linear_classifier_train_loss_history(submission, rng):
    # Three well separated blobs: the SVM loss must fall from about C - 1 = 2 at the small random start.
    C, D, per_class = 3, 10, 100
    centres = 3.0 * rng.normal(size=(C, D))  # (C, D)
    X = np.concatenate([centres[c] + rng.normal(size=(per_class, D)) for c in range(C)])  # (300, D)
    y = np.repeat(np.arange(C), per_class)  # (300,)
    num_iters = 60
    out = submission.probe("linear_train", kind="svm", X=X, y=y, X_test=X[:5], learning_rate=0.05, reg=1e-4,
                           num_iters=num_iters, batch_size=50, seed=1)
    history = out["loss_history"]
    assert hasattr(history, "__len__") and len(history) == num_iters, (
        f"LinearSVM.train should return a list of {num_iters} losses (one per iteration); got "
        f"{type(history).__name__} of length {len(history) if hasattr(history, '__len__') else '?'}")
    assert tuple(out["W_shape"]) == (D, C), f"after training W has shape {tuple(out['W_shape'])}; expected {(D, C)}"
    history = np.asarray(history, dtype=np.float64)
    assert np.all(np.isfinite(history)), "the loss history contains NaN or infinite values"
    assert np.mean(history[-10:]) < 0.5 * history[0], (
        "the minibatch loss did not fall below half its starting value during training")


@pytest.mark.points(5)
@pytest.mark.budget(cpu=2, cuda=2)
def test_linear_svm_train_accuracy(submission, digits, credit):
    _check_accuracy(submission, digits, credit, "svm")


@pytest.mark.points(5)
@pytest.mark.budget(cpu=2, cuda=2)
def test_softmax_train_accuracy(submission, digits, credit):
    _check_accuracy(submission, digits, credit, "softmax")
