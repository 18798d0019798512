"""Hidden tests for KNearestNeighbor: distances (two, one and no loops), the vote, predict. 25 points."""
import numpy as np
import pytest
from scipy.spatial.distance import cdist

from autograder.authoring import assert_close, assert_equal, assert_speed

NUM_TRAIN, NUM_TEST, DIM = 37, 11, 9


def _points(rng):
    """Training and test points, rectangular on purpose so that a transposed answer has the wrong shape."""
    X_train = rng.normal(size=(NUM_TRAIN, DIM))  # (37, 9)
    X_test = rng.normal(size=(NUM_TEST, DIM))  # (11, 9)
    return X_train, X_test


def _check_shape(submission, rng, impl):
    X_train, X_test = _points(rng)
    out = submission.probe("knn_distances", X_train=X_train, X_test=X_test, impl=impl)
    got = np.shape(out["dists"])
    assert got == (NUM_TEST, NUM_TRAIN), (
        f"compute_distances_{impl} returned shape {got} for {NUM_TEST} test and {NUM_TRAIN} training "
        f"examples; expected ({NUM_TEST}, {NUM_TRAIN}) (num_test, num_train)")


def _check_values(submission, rng, impl, rtol):
    X_train, X_test = _points(rng)
    out = submission.probe("knn_distances", X_train=X_train, X_test=X_test, impl=impl)
    assert_close(out["dists"], cdist(X_test, X_train), rtol=rtol, what=f"distances from compute_distances_{impl}")


def _vote(dists, y_train, k):
    """Judge-side kNN vote: the most common label among the k nearest, the smallest such label on a tie."""
    y_pred = np.empty(dists.shape[0], dtype=np.int64)
    for i, row in enumerate(dists):
        nearest = y_train[np.argsort(row, kind="stable")[:k]]
        labels, counts = np.unique(nearest, return_counts=True)  # labels come sorted
        y_pred[i] = labels[np.argmax(counts)]
    return y_pred


@pytest.mark.points(1)
@pytest.mark.budget(cpu=2, cuda=2)
def test_compute_distances_two_loops_shape(submission, rng):
    _check_shape(submission, rng, "two_loops")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=2, cuda=2)
def test_compute_distances_two_loops_values(submission, rng):
    _check_values(submission, rng, "two_loops", rtol=1e-9)


@pytest.mark.points(1)
@pytest.mark.budget(cpu=2, cuda=2)
def test_compute_distances_one_loop_shape(submission, rng):
    _check_shape(submission, rng, "one_loop")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=2, cuda=2)
def test_compute_distances_one_loop_values(submission, rng):
    _check_values(submission, rng, "one_loop", rtol=1e-9)


@pytest.mark.points(1)
@pytest.mark.budget(cpu=2, cuda=2)
def test_compute_distances_no_loops_shape(submission, rng):
    _check_shape(submission, rng, "no_loops")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=2, cuda=2)
def test_compute_distances_no_loops_values(submission, rng):
    # Expanding ||a - b||^2 loses a few digits to cancellation: a looser rtol than for the loops.
    _check_values(submission, rng, "no_loops", rtol=1e-6)


# CIFAR-like sizes: 500 test and 5,000 training points of dimension 1,024. Speed is graded as a ratio to
# the matrix product X_test @ X_train.T on the same inputs, both timed by the judge in the same worker, so
# the rule holds on a fast and a slow machine. Measured here (one thread): the product 0.10 s, the
# vectorised reference 0.13 s (1.2x), one loop 4.5-6.0 s (45-60x), two loops slower still.
LARGE = dict(seed=231, num_train=5000, num_test=500, dim=1024)
STEP = 25          # every 25th row and column of the distances comes back
MAX_RATIO = 8      # between the reference's 1.2x and the loop's 45x, with room for a plainer vectorisation


def _large_knn_inputs(seed, num_train, num_test, dim):
    """The judge's copy of probes.large_knn_inputs: the same generator calls in the same order."""
    gen = np.random.default_rng(seed)
    X_train = gen.random((num_train, dim))  # (num_train, dim)
    X_test = gen.random((num_test, dim))  # (num_test, dim)
    return X_train, X_test


@pytest.mark.points(3)
@pytest.mark.budget(cpu=3, cuda=3)
def test_compute_distances_no_loops_fast(submission):
    submission.probe("knn_large_inputs", **LARGE)
    _, yardstick = submission.timed("knn_large_yardstick", repeat=3)
    out, seconds = submission.timed("knn_large_distances", repeat=3, within=MAX_RATIO * yardstick,
                                    impl="no_loops", step=STEP)
    shape = tuple(out["shape"])
    expected_shape = (LARGE["num_test"], LARGE["num_train"])
    assert shape == expected_shape, f"compute_distances_no_loops returned shape {shape}; expected {expected_shape}"
    X_train, X_test = _large_knn_inputs(**LARGE)
    expected = cdist(X_test[::STEP], X_train[::STEP])  # the rows and columns the probe sent back
    assert_close(out["sample"], expected, rtol=1e-6, what="distances from compute_distances_no_loops (large inputs)")
    assert_speed(seconds, yardstick, MAX_RATIO, what="compute_distances_no_loops on 500 x 5,000 points")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=2, cuda=2)
def test_compute_distances_inputs_not_mutated(submission, rng):
    X_train, X_test = _points(rng)
    for impl in ("two_loops", "one_loop", "no_loops"):
        out = submission.probe("knn_distances", X_train=X_train, X_test=X_test, impl=impl)
        assert_equal(out["X_train_after"], X_train, what=f"the training data after compute_distances_{impl}")
        assert_equal(out["X_test_after"], X_test, what=f"the test data after compute_distances_{impl}")


def _distinct_dists(rng, num_test, num_train):
    """Real-valued distances packed close together (all within 1.0 to 1.6, neighbours a few hundredths
    apart), no two equal in a row: the k nearest are never ambiguous, but code that rounds or truncates
    distances to integers before sorting loses their order."""
    return rng.uniform(1.0, 1.6, size=(num_test, num_train))  # (num_test, num_train)


@pytest.mark.points(2)
@pytest.mark.budget(cpu=2, cuda=2)
def test_predict_labels_k1_values(submission, rng):
    num_train, num_test = 30, 12
    dists = _distinct_dists(rng, num_test, num_train)  # (12, 30)
    y_train = rng.integers(0, 5, num_train)  # (30,)
    out = submission.probe("knn_predict_labels", dists=dists, y_train=y_train, k=1)
    assert_equal(out["y_pred"], y_train[np.argmin(dists, axis=1)], what="labels from predict_labels with k=1")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=2, cuda=2)
def test_predict_labels_majority_values(submission, rng):
    num_train, num_test, k = 40, 25, 7
    dists = _distinct_dists(rng, num_test, num_train)  # (25, 40)
    y_train = rng.integers(0, 3, num_train)  # (40,) few classes: clear majorities
    out = submission.probe("knn_predict_labels", dists=dists, y_train=y_train, k=k)
    assert_equal(out["y_pred"], _vote(dists, y_train, k), what=f"labels from predict_labels with k={k}")


# Rows of the tie test: the labels of the k nearest training points, nearest first, and the distances
# given to them (some exactly equal). Every row is a tie in the vote; the expected label is the smallest
# tied one. In half of the rows the larger tied label is also the nearest, so neither "prefer the larger
# label" nor "prefer the label of the nearest point" gets them all right.
TIE_ROWS = [
    ([7, 2, 7, 2], [1.0, 2.0, 3.0, 4.0]),
    ([1, 5, 5, 1], [1.0, 1.5, 2.0, 2.5]),
    ([9, 9, 4, 4], [0.5, 0.5, 0.7, 0.7]),
    ([3, 8, 6, 0], [2.0, 2.0, 2.0, 2.0]),
    ([6, 6, 5, 5], [1.0, 1.0, 1.0, 1.0]),
    ([0, 4, 4, 0], [1.0, 2.0, 2.0, 3.0]),
]
TIE_K2_ROWS = [([8, 3], [1.0, 1.0]), ([2, 6], [1.0, 2.0]), ([5, 1], [0.3, 0.4])]


def _tie_dists(rng, rows, copies=3):
    """Distances that put training points with the given labels nearest; all other points are far."""
    y_train = np.repeat(np.arange(10), copies)  # (10 * copies,) each label `copies` times
    num_train = y_train.shape[0]
    dists = np.empty((len(rows), num_train))
    expected = np.empty(len(rows), dtype=np.int64)
    for i, (labels, near) in enumerate(rows):
        dists[i] = 0.45 + 0.01 * rng.permutation(num_train)  # farther (0.45 to 0.74), all distinct
        used = set()
        for label, d in zip(labels, near):
            j = next(j for j in rng.permutation(np.flatnonzero(y_train == label)) if j not in used)
            used.add(j)
            dists[i, j] = d / 10  # near (up to 0.4): all below 1, so only real-valued comparisons order them
        values, counts = np.unique(labels, return_counts=True)
        expected[i] = values[np.argmax(counts)]  # the smallest of the tied labels
    return dists, y_train, expected


@pytest.mark.points(3)
@pytest.mark.budget(cpu=2, cuda=2)
def test_predict_labels_ties_smaller_label(submission, rng):
    for rows, k in ((TIE_ROWS, 4), (TIE_K2_ROWS, 2)):
        dists, y_train, expected = _tie_dists(rng, rows)
        out = submission.probe("knn_predict_labels", dists=dists, y_train=y_train, k=k)
        assert_equal(out["y_pred"], expected,
                     what=f"labels from predict_labels with k={k} when the vote is tied (the smallest tied label wins)")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=2, cuda=2)
def test_predict_num_loops(submission, rng):
    X_train = rng.normal(size=(50, 8))  # (50, 8)
    y_train = rng.integers(0, 4, 50)  # (50,)
    X_test = rng.normal(size=(14, 8))  # (14, 8)
    k = 3
    expected = _vote(cdist(X_test, X_train), y_train, k)
    for num_loops in (0, 1, 2):
        out = submission.probe("knn_predict", X_train=X_train, y_train=y_train, X_test=X_test, k=k,
                               num_loops=num_loops)
        assert out["raised"] is None, f"predict(X, k={k}, num_loops={num_loops}) raised ValueError"
        assert_equal(out["y_pred"], expected, what=f"labels from predict with k={k}, num_loops={num_loops}")
    out = submission.probe("knn_predict", X_train=X_train, y_train=y_train, X_test=X_test, k=k, num_loops=3)
    assert out["raised"] == "ValueError", "predict with num_loops=3 should raise ValueError"
