"""Probes for assignment 1's hidden tests: run the submission inside the worker and report what came back.

No expected values and no held-out labels live here. Submission modules are imported inside
each probe, sometimes as `classifiers.x` and sometimes through the `cs231n.classifiers` alias.
"""
import numpy as np

from autograder.authoring import answers, array, optional, plain, text

DISTANCE_METHODS = ("two_loops", "one_loop", "no_loops")


def _plain(value):
    """A numpy scalar as a Python number (it crosses the channel as one); anything else as it came."""
    return value.item() if isinstance(value, np.generic) else value


def _knn(X_train, y_train):
    from classifiers.k_nearest_neighbor import KNearestNeighbor
    knn = KNearestNeighbor()
    knn.train(X_train, y_train)
    return knn


def _distances(knn, X_test, impl):
    methods = {"two_loops": knn.compute_distances_two_loops, "one_loop": knn.compute_distances_one_loop,
               "no_loops": knn.compute_distances_no_loops}
    return methods[impl](X_test)


def large_knn_inputs(seed, num_train, num_test, dim):
    """Inputs too large to send: both sides build them from the seed (the judge has its own copy of this)."""
    gen = np.random.default_rng(seed)
    X_train = gen.random((num_train, dim))  # (num_train, dim)
    X_test = gen.random((num_test, dim))  # (num_test, dim)
    return X_train, X_test


def large_loss_inputs(seed, N, D, C):
    """Inputs too large to send for the vectorised losses (the judge has its own copy of this)."""
    gen = np.random.default_rng(seed)
    X = gen.random((N, D)) - 0.5  # (N, D)
    W = 1e-2 * gen.standard_normal((D, C))  # (D, C)
    y = gen.integers(0, C, N)  # (N,)
    return W, X, y


@answers(dists=array, X_train_after=array, X_test_after=array)
def knn_distances(X_train, X_test, impl):
    """One of the student's distance routines; also the inputs after the call, to see whether they changed."""
    knn = _knn(X_train, np.zeros(X_train.shape[0], dtype=np.int64))
    dists = _distances(knn, X_test, impl)
    return {"dists": _plain(dists), "X_train_after": X_train, "X_test_after": X_test}


_large = {}  # inputs made once per test by a *_large_inputs probe, so that timed calls time only the routine


@answers()
def knn_large_inputs(seed, num_train, num_test, dim):
    """Make the large distance inputs from `seed` and keep them for the calls below."""
    _large["knn"] = large_knn_inputs(seed, num_train, num_test, dim)
    return {}


@answers()
def knn_large_yardstick():
    """The matrix product X_test @ X_train.T on the large inputs: the yardstick the routine is timed against."""
    X_train, X_test = _large["knn"]
    X_test @ X_train.T
    return {}


@answers(shape=plain, sample=optional(array(ndim=2)))
def knn_large_distances(impl, step):
    """The distance routine on the large inputs; returns every `step`-th row and column only."""
    X_train, X_test = _large["knn"]
    knn = _knn(X_train, np.zeros(X_train.shape[0], dtype=np.int64))
    dists = _distances(knn, X_test, impl)
    shape = list(np.shape(dists))
    sample = np.asarray(dists)[::step, ::step] if np.ndim(dists) == 2 else None
    return {"shape": shape, "sample": sample}


@answers(y_pred=array)
def knn_predict_labels(dists, y_train, k):
    """The student's predict_labels on given distances (the training inputs themselves are never looked at)."""
    knn = _knn(np.zeros((y_train.shape[0], 1)), y_train)
    return {"y_pred": _plain(knn.predict_labels(dists, k=k))}


@answers(raised=optional(text), message=optional(text), y_pred=optional(array))
def knn_predict(X_train, y_train, X_test, k, num_loops):
    """The student's predict; reports whether it raised ValueError (for a num_loops it must refuse)."""
    knn = _knn(X_train, y_train)
    try:
        y_pred = knn.predict(X_test, k=k, num_loops=num_loops)
    except ValueError as exc:
        return {"raised": "ValueError", "message": str(exc)[:200]}
    return {"raised": None, "y_pred": _plain(y_pred)}


@answers(loss=array, dW=array, W_after=array, X_after=array, y_after=array)
def svm_loss(W, X, y, reg, impl):
    """svm_loss_naive or svm_loss_vectorized, imported through the cs231n.classifiers alias."""
    from cs231n.classifiers.linear_svm import svm_loss_naive, svm_loss_vectorized
    fn = {"naive": svm_loss_naive, "vectorized": svm_loss_vectorized}[impl]
    loss, dW = fn(W, X, y, reg)
    return {"loss": _plain(loss), "dW": _plain(dW), "W_after": W, "X_after": X, "y_after": y}


@answers(loss=array, dW=array, W_after=array, X_after=array, y_after=array)
def softmax_loss(W, X, y, reg, impl):
    """softmax_loss_naive or softmax_loss_vectorized, imported by the package's own name."""
    from classifiers.softmax import softmax_loss_naive, softmax_loss_vectorized
    fn = {"naive": softmax_loss_naive, "vectorized": softmax_loss_vectorized}[impl]
    loss, dW = fn(W, X, y, reg)
    return {"loss": _plain(loss), "dW": _plain(dW), "W_after": W, "X_after": X, "y_after": y}


def _loss_fn(kind):
    if kind == "svm":
        from classifiers.linear_svm import svm_loss_vectorized as fn
    else:
        from cs231n.classifiers.softmax import softmax_loss_vectorized as fn
    return fn


@answers()
def loss_large_inputs(seed, N, D, C):
    """Make the large loss inputs from `seed` and keep them for the calls below."""
    _large["loss"] = large_loss_inputs(seed, N, D, C)
    return {}


@answers()
def loss_large_yardstick():
    """The scores X @ W on the large inputs: the yardstick a vectorised loss is timed against."""
    W, X, y = _large["loss"]
    X @ W
    return {}


@answers(loss=array, dW=array)
def loss_large(kind, reg):
    """A vectorised loss on the large inputs: kind is 'svm' or 'softmax'."""
    W, X, y = _large["loss"]
    loss, dW = _loss_fn(kind)(W, X, y, reg)
    return {"loss": _plain(loss), "dW": _plain(dW)}


def _linear(kind):
    from cs231n.classifiers.linear_classifier import LinearSVM, Softmax
    return {"svm": LinearSVM, "softmax": Softmax}[kind]()


@answers(y_pred=array)
def linear_predict(kind, W, X):
    """predict of a LinearSVM or Softmax whose weights are set to W."""
    clf = _linear(kind)
    clf.W = W
    return {"y_pred": _plain(clf.predict(X))}


@answers(loss_history=plain, W_shape=plain, y_pred=array, W=optional(array(ndim=2)), untrained_pred=optional(array))
def linear_train(kind, X, y, X_test, learning_rate, reg, num_iters, batch_size, seed, untrained_seed=None):
    """Train a LinearSVM or Softmax from a fixed seed; report the loss history, W, and predictions on X_test.
    With an untrained_seed, also the predictions on X_test of a fresh classifier of the same kind whose W is the
    small random start (0.001 * randn, drawn from that seed), through the same predict."""
    from autograder.authoring import seed_all
    seed_all(seed)
    clf = _linear(kind)
    history = clf.train(X, y, learning_rate=learning_rate, reg=reg, num_iters=num_iters,
                        batch_size=batch_size, verbose=False)
    history = [_plain(v) for v in history] if isinstance(history, (list, tuple)) else _plain(history)
    out = {"loss_history": history, "W_shape": list(np.shape(clf.W)), "y_pred": _plain(clf.predict(X_test)),
           "W": clf.W if isinstance(clf.W, np.ndarray) else None, "untrained_pred": None}
    if untrained_seed is not None:
        untrained = _linear(kind)
        untrained.W = 0.001 * np.random.default_rng(untrained_seed).standard_normal((X.shape[1], int(np.max(y)) + 1))
        out["untrained_pred"] = _plain(untrained.predict(X_test))
    return out


def _net(params):
    from classifiers.neural_net import TwoLayerNet
    D, H = params["W1"].shape
    C = params["W2"].shape[1]
    net = TwoLayerNet(D, H, C)
    for name, value in params.items():
        net.params[name] = value
    return net


@answers(scores=optional(array), X_after=array, loss=optional(array), grads=optional(plain), y_after=optional(array), params_after=optional(plain))
def net_loss(params, X, y=None, reg=0.0):
    """TwoLayerNet.loss with the given parameters: scores when y is None, else loss and gradients."""
    net = _net(params)
    if y is None:
        return {"scores": _plain(net.loss(X)), "X_after": X}
    loss, grads = net.loss(X, y=y, reg=reg)
    grads = {name: _plain(value) for name, value in grads.items()} if isinstance(grads, dict) else None
    params_after = {name: _plain(value) for name, value in net.params.items()}
    return {"loss": _plain(loss), "grads": grads, "X_after": X, "y_after": y, "params_after": params_after}


@answers(y_pred=array)
def net_predict(params, X):
    """TwoLayerNet.predict with the given parameters."""
    return {"y_pred": _plain(_net(params).predict(X))}


@answers(stats=plain, y_pred=array, params=optional(plain), untrained_pred=optional(array))
def net_train(X, y, X_val, y_val, X_test, hidden_size, std, learning_rate, learning_rate_decay, reg,
              num_iters, batch_size, seed, untrained_seed=None):
    """Build and train a TwoLayerNet from a fixed seed; report its histories, its parameters and predictions on
    X_test. With an untrained_seed, also the predictions on X_test of a fresh TwoLayerNet built from that seed."""
    from autograder.authoring import seed_all
    from classifiers.neural_net import TwoLayerNet
    seed_all(seed)
    D, C = X.shape[1], int(np.max(y)) + 1
    net = TwoLayerNet(D, hidden_size, C, std=std)
    stats = net.train(X, y, X_val, y_val, learning_rate=learning_rate, learning_rate_decay=learning_rate_decay,
                      reg=reg, num_iters=num_iters, batch_size=batch_size, verbose=False)
    if isinstance(stats, dict):
        stats = {key: [_plain(v) for v in value] if isinstance(value, (list, tuple)) else _plain(value)
                 for key, value in stats.items() if isinstance(key, str)}
    else:
        stats = None
    params = getattr(net, "params", None)
    params = {name: value for name, value in params.items() if isinstance(value, np.ndarray)} \
        if isinstance(params, dict) else None
    out = {"stats": stats, "y_pred": _plain(net.predict(X_test)), "params": params, "untrained_pred": None}
    if untrained_seed is not None:
        seed_all(untrained_seed)
        out["untrained_pred"] = _plain(TwoLayerNet(D, hidden_size, C, std=std).predict(X_test))
    return out
