"""Probes for the public tests: each runs your code inside the grading worker and reports what came back.

The tests in test_public.py call these by name and compare the results with references they compute
themselves. Your modules are imported inside each probe, so one broken file only fails the tests that use it.
"""
import numpy as np

from autograder.authoring import answers, array, optional, plain


def _plain(value):
    """A numpy scalar as a Python number; anything else as it came."""
    return value.item() if isinstance(value, np.generic) else value


@answers(dists=array)
def knn_distances(X_train, X_test, impl):
    """KNearestNeighbor.compute_distances_<impl>(X_test) after train(X_train, ...)."""
    from classifiers.k_nearest_neighbor import KNearestNeighbor
    knn = KNearestNeighbor()
    knn.train(X_train, np.zeros(X_train.shape[0], dtype=np.int64))
    method = {"two_loops": knn.compute_distances_two_loops, "one_loop": knn.compute_distances_one_loop,
              "no_loops": knn.compute_distances_no_loops}[impl]
    return {"dists": _plain(method(X_test))}


@answers(y_pred=array)
def knn_predict_labels(dists, y_train, k):
    """KNearestNeighbor.predict_labels(dists, k) with training labels y_train."""
    from classifiers.k_nearest_neighbor import KNearestNeighbor
    knn = KNearestNeighbor()
    knn.train(np.zeros((y_train.shape[0], 1)), y_train)
    return {"y_pred": _plain(knn.predict_labels(dists, k=k))}


@answers(loss=array, dW=array)
def loss(kind, impl, W, X, y, reg):
    """One of svm_loss_naive, svm_loss_vectorized, softmax_loss_naive, softmax_loss_vectorized."""
    from cs231n.classifiers import linear_svm, softmax
    fn = {("svm", "naive"): linear_svm.svm_loss_naive, ("svm", "vectorized"): linear_svm.svm_loss_vectorized,
          ("softmax", "naive"): softmax.softmax_loss_naive,
          ("softmax", "vectorized"): softmax.softmax_loss_vectorized}[(kind, impl)]
    value, dW = fn(W, X, y, reg)
    return {"loss": _plain(value), "dW": _plain(dW)}


@answers(loss_history=plain, y_pred=array)
def linear_train(kind, X, y, X_eval, learning_rate, reg, num_iters, batch_size, seed):
    """Train a LinearSVM or Softmax from a fixed seed; its loss history and predictions on X_eval."""
    from autograder.authoring import seed_all
    from cs231n.classifiers.linear_classifier import LinearSVM, Softmax
    seed_all(seed)
    clf = {"svm": LinearSVM, "softmax": Softmax}[kind]()
    history = clf.train(X, y, learning_rate=learning_rate, reg=reg, num_iters=num_iters, batch_size=batch_size)
    return {"loss_history": [_plain(v) for v in history], "y_pred": _plain(clf.predict(X_eval))}


@answers(scores=optional(array), loss=optional(array), grads=optional(plain))
def net_loss(params, X, y=None, reg=0.0):
    """TwoLayerNet.loss with the given parameters: scores when y is None, else the loss and gradients."""
    from classifiers.neural_net import TwoLayerNet
    D, H = params["W1"].shape
    net = TwoLayerNet(D, H, params["W2"].shape[1])
    net.params.update(params)
    if y is None:
        return {"scores": _plain(net.loss(X))}
    value, grads = net.loss(X, y=y, reg=reg)
    return {"loss": _plain(value), "grads": {name: _plain(g) for name, g in grads.items()}}


@answers(y_pred=array)
def net_train(X, y, X_val, y_val, hidden_size, std, learning_rate, learning_rate_decay, reg, num_iters,
              batch_size, seed):
    """Build and train a TwoLayerNet from a fixed seed; its predictions on X_val."""
    from autograder.authoring import seed_all
    from classifiers.neural_net import TwoLayerNet
    seed_all(seed)
    net = TwoLayerNet(X.shape[1], hidden_size, int(np.max(y)) + 1, std=std)
    net.train(X, y, X_val, y_val, learning_rate=learning_rate, learning_rate_decay=learning_rate_decay, reg=reg,
              num_iters=num_iters, batch_size=batch_size)
    return {"y_pred": _plain(net.predict(X_val))}
