"""Assignment 1 graded end to end (reference, stubs and public tests: test_every_assignment.py): lost points for
plausible mistakes, nothing unearned for hostile submissions, full marks for the course's classic idioms."""

import pytest

from autograder import assignments
from autograder.judge.grading import grade
from harness import assert_full_marks, assert_mutant_caught, by_name, mutated_copy

from a1_mutants import MUTANTS

A1 = assignments.find("a1")


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_plausible_mistake_loses_points(mutant, tmp_path):
    assert_mutant_caught(A1, mutant, tmp_path / "sub")


HOSTILE = {
    "classifiers/linear_svm.py": '''
def svm_loss_naive(W, X, y, reg):
    while True:  # an infinite loop
        pass

def svm_loss_vectorized(W, X, y, reg):
    """Tries to run the reference solution instead, then to read the hidden tests."""
    import glob, os
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for path in glob.glob("/**/solutions/a1_classification/classifiers/linear_svm.py", recursive=True):
        namespace = {}
        exec(open(path).read(), namespace)
        return namespace["svm_loss_vectorized"](W, X, y, reg)
    return 0.0, np.zeros_like(W)
''',
    "classifiers/softmax.py": '''
def softmax_loss_naive(W, X, y, reg):
    hoard = []
    while True:  # a memory bomb
        hoard.append(bytearray(512 * 2**20))

def softmax_loss_vectorized(W, X, y, reg):
    import ctypes
    ctypes.string_at(0)  # a segfault
''',
    "classifiers/k_nearest_neighbor.py": '''
def _sleep_forever(self, X):
    import time
    time.sleep(1000)

def _flood_then_answer(self, X):
    for i in range(100000):
        print("debug output", i)
    return self.compute_distances_no_loops(X)

def _exit_quietly(self, dists, k=1):
    import os
    os._exit(0)

KNearestNeighbor.compute_distances_two_loops = _sleep_forever
KNearestNeighbor.compute_distances_one_loop = _flood_then_answer
KNearestNeighbor.predict_labels = _exit_quietly
''',
    "classifiers/linear_classifier.py": '''
import numpy.testing
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
numpy.testing.assert_allclose = lambda *args, **kwargs: None

class _Payload:
    def __reduce__(self):
        import os
        return (os.system, ("touch /tmp/autograder-pwned",))

def _pickle_payload(self, X):
    return _Payload()

LinearClassifier.predict = _pickle_payload
''',
}


@pytest.mark.slow
def test_hostile_submission_earns_nothing_and_breaks_nothing(tmp_path):
    edits = {rel: (lambda text, code=code: text + "\n" + code) for rel, code in HOSTILE.items()}
    edits["classifiers/neural_net.py"] = lambda text: "import sys\nsys.exit(0)\n" + text
    # Most of its tests hang until their limit: a machine twice the reference's speed halves that wait.
    results = by_name(grade(A1, mutated_copy(A1, edits, tmp_path / "hostile"),
                            device_profile='{"kind": "cpu", "factor": 0.5}'))
    hostile_tests = ["svm_loss_naive", "svm_loss_vectorized", "softmax_loss", "two_loops", "predict_labels",
                     "linear_classifier_predict", "two_layer_net", "train_accuracy"]
    for name, t in results.items():
        if any(h in name for h in hostile_tests):
            assert t.score == 0, f"{name} scored {t.score} for hostile code: {t.output}"
    for name in ["test_compute_distances_no_loops_values", "test_compute_distances_no_loops_fast",
                 "test_compute_distances_one_loop_values"]:
        assert results[name].score == results[name].max_score, results[name].output
    messages = " | ".join(t.output for t in results.values())
    for words in ["time limit of", "segmentation fault", "exited with status 0", "sys.exit(0)",
                  "only numbers, strings", "memory"]:
        assert words in messages, f"no test reported '{words}'"
    import os
    assert not os.path.exists("/tmp/autograder-pwned")


def test_classic_cs231n_imports_work_in_the_worker(tmp_path):
    imports = ("from builtins import range\nfrom past.builtins import xrange\nimport matplotlib.pyplot as plt\n"
               "from cs231n.classifiers.softmax import *\n")
    sub = mutated_copy(A1, {"classifiers/linear_svm.py": lambda text: imports + text}, tmp_path / "classic")
    results = grade(A1, sub, select="svm_loss_vectorized")
    assert results.score == results.max_score > 0, [t.output for t in results.tests]


def test_zip_missing_a_file_fails_only_what_needs_it(tmp_path):
    import zipfile
    archive = tmp_path / "student.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in A1.solution.rglob("*.py"):
            rel = path.relative_to(A1.solution).as_posix()
            if rel != "classifiers/softmax.py":
                z.writestr(f"student-a1/{rel}", path.read_text())
    results = grade(A1, archive, select="softmax_loss_vectorized or svm_loss_vectorized")
    assert results.problems == ["classifiers/softmax.py is missing from the submission; "
                                "the tests that use it score 0."]
    for t in results.tests:
        if "softmax" in t.name:
            assert t.score == 0 and "classifiers/softmax.py is missing" in t.output
        else:
            assert t.score == t.max_score


# Correct code in the idioms of the course's own history (public CS231n assignment-1 submissions, 2016-2020).
LEGACY_VOTES = {
    # A one-element array stored into an element of the label array: deprecated in numpy 1.25, an error in 2.4.
    "one_element_array": "labels, counts = np.unique(closest_y, return_counts=True)\n"
                         "            y_pred[i] = labels[[np.argmax(counts)]]",
    # A Python list of the k nearest labels and a list-based count.
    "python_list_count": "closest_y = list(closest_y)\n"
                         "            y_pred[i] = min(set(closest_y), key=lambda c: (-closest_y.count(c), c))",
}


@pytest.mark.parametrize("idiom", sorted(LEGACY_VOTES))
def test_classic_cs231n_idioms_score_full_marks(idiom, tmp_path):
    vote = "y_pred[i] = np.argmax(np.bincount(closest_y))  # argmax returns the first maximum: the smallest label"
    sub = mutated_copy(A1, {"classifiers/k_nearest_neighbor.py": lambda text: text.replace(vote, LEGACY_VOTES[idiom])},
                       tmp_path / idiom)
    assert LEGACY_VOTES[idiom] in (sub / "classifiers/k_nearest_neighbor.py").read_text()
    results = grade(A1, sub, select="predict")
    assert len(results.tests) >= 4
    assert_full_marks(results)


def _digit_features():
    """Every one of scikit-learn's digits as the hidden tests feed them to a classifier, and its label: what a
    student could compute at home and paste into a submission."""
    import numpy as np
    from autograder.data import load_digits_split
    data = load_digits_split()
    mean = np.mean(data["X_train"] / 16, axis=0)  # (64,)
    X = np.concatenate([data[k] for k in ("X_train", "X_val", "X_test")])  # (1797, 64)
    y = np.concatenate([data[k] for k in ("y_train", "y_val", "y_test")])  # (1797,)
    return np.hstack([X / 16 - mean, np.ones((len(X), 1))]), y  # (1797, 65), (1797,)


# Lookup tables pasted into linear_classifier.py, with training that never leaves the small random start (or
# with real training): the classifiers' accuracy must come from the weights, not from recognising the public
# test digits.
UNTRAINED = '''
def _train_nothing(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200, verbose=False):
    self.W = 0.001 * np.random.randn(X.shape[1], np.max(y) + 1)
    return [float(self.loss(X[:batch_size], y[:batch_size], reg)[0])] * num_iters

LinearClassifier.train = _train_nothing
'''
LOOKUPS = {
    # The digit found by a hash of its features; the weights answer for a digit not in the table.
    "hash": '''
import hashlib

def _key(x):
    return hashlib.md5((np.round(x, 6) + 0.0).tobytes()).hexdigest()[:12]

def _lookup(self, X):
    fallback = np.argmax(X @ self.W, axis=1)
    return np.array([_TABLE.get(_key(x), f) for x, f in zip(X, fallback)])

LinearClassifier.predict = _lookup
''',
    # The label of the nearest pasted digit: noise on the pixels does not fool it.
    "nearest": '''
import base64

def _nearest(self, X):
    table = np.frombuffer(base64.b64decode(_FEATURES), dtype=np.float32).reshape(len(_LABELS), -1)
    d = ((X[:, None, :] - table[None]) ** 2).sum(axis=2)  # (N, 1797)
    return np.array(_LABELS)[np.argmin(d, axis=1)]

LinearClassifier.predict = _nearest
''',
}


@pytest.mark.parametrize("lookup, trains", [("hash", False), ("nearest", False), ("nearest", True)])
def test_lookup_of_public_test_digits_earns_no_accuracy(lookup, trains, tmp_path):
    """Measured before the judge perturbed the test digits and checked the model: each lookup earned 10/10 of the
    two accuracy tests; now 0. The hash finds nothing in noisy digits; the nearest digit disagrees with untrained
    weights, and with trained ones the untrained classifier scores 1.0 through it."""
    import base64
    import hashlib
    import numpy as np
    X, y = _digit_features()
    if lookup == "hash":
        table = {hashlib.md5((np.round(x, 6) + 0.0).tobytes()).hexdigest()[:12]: int(c) for x, c in zip(X, y)}
        data = f"_TABLE = {table!r}\n"
    else:
        data = f"_FEATURES = {base64.b64encode(X.astype(np.float32).tobytes()).decode()!r}\n_LABELS = {y.tolist()!r}\n"
    cheat = lambda text: text + "\n" + data + ("" if trains else UNTRAINED) + LOOKUPS[lookup]
    results = grade(A1, mutated_copy(A1, {"classifiers/linear_classifier.py": cheat}, tmp_path / lookup),
                    select="linear_svm_train_accuracy or softmax_train_accuracy")
    assert len(results.tests) == 2
    for t in results.tests:
        assert t.score == 0, f"{t.name} scored {t.score} for a lookup table: {t.output}"
        if trains:
            assert "untrained" in t.output, t.output
