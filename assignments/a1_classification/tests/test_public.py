"""Public checks for assignment 1: run them with `autograder check a1` from your assignment folder.

Each test runs your code on a small input and compares it with a reference written below, straight
from the definitions in the docstrings (loops, no tricks). Gradients are compared with centred
differences of the reference loss. Passing these does not guarantee full marks: the graded tests use
other inputs, larger sizes with time limits, and the accuracy of your trained models on held-out data.
"""
import numpy as np
import pytest

from autograder.data import load_digits_split
from autograder.authoring import assert_close, assert_equal, assert_rel_error, eval_numerical_gradient


# ---------------------------------------------------------------------------------------------------
# References, written from the definitions.

def distances_reference(X_train, X_test):
    """dists[i, j] = sqrt(sum_d (X_test[i, d] - X_train[j, d])^2), one pair at a time."""
    return np.array([[np.sqrt(np.sum((a - b) ** 2)) for b in X_train] for a in X_test])


def svm_loss_reference(W, X, y, reg):
    """Mean over examples of sum_{j != y_i} max(0, s_j - s_{y_i} + 1), plus reg * sum(W^2)."""
    total = 0.0
    for x_i, y_i in zip(X, y):
        s = x_i @ W
        total += sum(max(0.0, s[j] - s[y_i] + 1.0) for j in range(W.shape[1]) if j != y_i)
    return total / X.shape[0] + reg * np.sum(W * W)


def softmax_loss_reference(W, X, y, reg):
    """Mean over examples of -log(exp(s_{y_i}) / sum_j exp(s_j)), plus reg * sum(W^2); stable."""
    total = 0.0
    for x_i, y_i in zip(X, y):
        s = x_i @ W
        m = np.max(s)
        total += -(s[y_i] - m - np.log(np.sum(np.exp(s - m))))
    return total / X.shape[0] + reg * np.sum(W * W)


def net_scores_reference(p, X):
    """affine -> ReLU -> affine."""
    return np.maximum(0, X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]


def net_loss_reference(p, X, y, reg):
    """Softmax loss of the scores, plus reg * (sum W1^2 + sum W2^2)."""
    scores = net_scores_reference(p, X)
    total = 0.0
    for s, y_i in zip(scores, y):
        m = np.max(s)
        total += -(s[y_i] - m - np.log(np.sum(np.exp(s - m))))
    return total / X.shape[0] + reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))


def digits():
    """The digits as in the README: X / 16 minus the training mean, plus a column of ones."""
    d = load_digits_split()
    mean = np.mean(d["X_train"] / 16, axis=0)
    features = lambda X: np.hstack([X / 16 - mean, np.ones((X.shape[0], 1))])  # noqa: E731  (N, 65)
    return features(d["X_train"]), d["y_train"], features(d["X_val"]), d["y_val"]


# ---------------------------------------------------------------------------------------------------
# k-nearest neighbours

@pytest.mark.parametrize("impl", ["two_loops", "one_loop", "no_loops"])
@pytest.mark.budget(cpu=2, cuda=2)
def test_compute_distances_small(submission, rng, impl):
    X_train, X_test = rng.normal(size=(7, 4)), rng.normal(size=(3, 4))  # 7 training, 3 test points
    out = submission.probe("knn_distances", X_train=X_train, X_test=X_test, impl=impl)
    assert np.shape(out["dists"]) == (3, 7), (
        f"compute_distances_{impl} returned shape {np.shape(out['dists'])}; expected (3, 7) = (num_test, num_train)")
    assert_close(out["dists"], distances_reference(X_train, X_test), rtol=1e-6,
                 what=f"distances from compute_distances_{impl}")


@pytest.mark.budget(cpu=2, cuda=2)
def test_predict_labels_small(submission):
    y_train = np.array([0, 1, 1, 2, 2, 0])
    dists = np.array([[0.1, 0.5, 0.6, 0.9, 0.8, 0.7],    # nearest: 0 | 3 nearest: 0, 1, 1 -> 1
                      [0.9, 0.2, 0.8, 0.1, 0.7, 0.6]])   # nearest: 2 | 3 nearest: 2, 1, 0 -> tie -> 0
    out = submission.probe("knn_predict_labels", dists=dists, y_train=y_train, k=1)
    assert_equal(out["y_pred"], [0, 2], what="labels from predict_labels with k=1")
    out = submission.probe("knn_predict_labels", dists=dists, y_train=y_train, k=3)
    assert_equal(out["y_pred"], [1, 0], what="labels from predict_labels with k=3 (a tie goes to the smallest label)")


# ---------------------------------------------------------------------------------------------------
# SVM and softmax losses

LOSSES = {"svm": svm_loss_reference, "softmax": softmax_loss_reference}


@pytest.mark.parametrize("impl", ["naive", "vectorized"])
@pytest.mark.parametrize("kind", ["svm", "softmax"])
@pytest.mark.budget(cpu=2, cuda=2)
def test_loss_small(submission, rng, kind, impl):
    W = 0.5 * rng.normal(size=(6, 3))  # (D, C)
    X = rng.normal(size=(5, 6))  # (N, D)
    y = rng.integers(0, 3, 5)  # (N,)
    reg = 0.1
    out = submission.probe("loss", kind=kind, impl=impl, W=W, X=X, y=y, reg=reg)
    name = f"{kind}_loss_{impl}"
    assert np.shape(out["dW"]) == W.shape, f"{name} returned dW of shape {np.shape(out['dW'])}; expected {W.shape}"
    assert_close(out["loss"], LOSSES[kind](W, X, y, reg), rtol=1e-7, what=f"loss from {name}")
    numerical = eval_numerical_gradient(lambda W_: LOSSES[kind](W_, X, y, reg), W)
    assert_rel_error(out["dW"], numerical, 1e-7, what=f"dW from {name} against a numerical gradient")


@pytest.mark.parametrize("impl", ["naive", "vectorized"])
@pytest.mark.budget(cpu=2, cuda=2)
def test_softmax_loss_stable(submission, rng, impl):
    W = rng.normal(size=(4, 3))  # (D, C)
    W[-1, :] = 1000.0  # the last feature adds 1000 to every score of a row
    X = rng.normal(size=(4, 4))  # (N, D)
    X[:, -1] = 1.0
    y = np.array([0, 1, 2, 0])
    out = submission.probe("loss", kind="softmax", impl=impl, W=W, X=X, y=y, reg=0.0)
    assert_close(out["loss"], softmax_loss_reference(W, X, y, 0.0), rtol=1e-7,
                 what=f"loss from softmax_loss_{impl} with scores near 1000 (shift each row by its largest score)")


# ---------------------------------------------------------------------------------------------------
# Training linear classifiers (the graded tests use other settings and the held-out test split)

@pytest.mark.parametrize("kind", ["svm", "softmax"])
@pytest.mark.budget(cpu=2, cuda=2)
def test_linear_classifier_train_digits(submission, kind):
    X_train, y_train, X_val, y_val = digits()
    num_iters = 300
    out = submission.probe("linear_train", kind=kind, X=X_train, y=y_train, X_eval=X_val, learning_rate=0.3,
                           reg=1e-3, num_iters=num_iters, batch_size=200, seed=0)
    assert len(out["loss_history"]) == num_iters, f"train should return {num_iters} losses, one per iteration"
    accuracy = float(np.mean(np.asarray(out["y_pred"]) == y_val))
    assert accuracy >= 0.9, f"validation accuracy {accuracy:.3f} after {num_iters} iterations; expected 0.9 or more"


# ---------------------------------------------------------------------------------------------------
# Two-layer network

@pytest.mark.budget(cpu=2, cuda=2)
def test_two_layer_net_loss_small(submission, rng):
    shapes = {"W1": (4, 5), "b1": (5,), "W2": (5, 3), "b2": (3,)}  # D=4, H=5, C=3
    params = {name: 0.5 * rng.normal(size=shape) for name, shape in shapes.items()}
    X, y, reg = rng.normal(size=(6, 4)), rng.integers(0, 3, 6), 0.05
    out = submission.probe("net_loss", params=params, X=X)
    assert_close(out["scores"], net_scores_reference(params, X), rtol=1e-7, what="scores from TwoLayerNet.loss(X)")
    out = submission.probe("net_loss", params=params, X=X, y=y, reg=reg)
    assert_close(out["loss"], net_loss_reference(params, X, y, reg), rtol=1e-7, what="loss from TwoLayerNet.loss")
    for name in shapes:
        numerical = eval_numerical_gradient(lambda v, name=name: net_loss_reference({**params, name: v}, X, y, reg),
                                            params[name])
        assert_rel_error(out["grads"].get(name), numerical, 1e-7,
                         what=f"gradient of {name} against a numerical gradient")


@pytest.mark.budget(cpu=3, cuda=3)
def test_two_layer_net_train_digits(submission):
    X_train, y_train, X_val, y_val = digits()
    out = submission.probe("net_train", X=X_train, y=y_train, X_val=X_val, y_val=y_val, hidden_size=32, std=0.1,
                           learning_rate=1.0, learning_rate_decay=0.99, reg=1e-3, num_iters=300, batch_size=200,
                           seed=0)
    accuracy = float(np.mean(np.asarray(out["y_pred"]) == y_val))
    assert accuracy >= 0.9, f"validation accuracy {accuracy:.3f} after 300 iterations; expected 0.9 or more"
