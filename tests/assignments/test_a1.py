"""Assignment 1 graded end to end (reference, stubs and public tests: test_every_assignment.py): lost points for
plausible mistakes, nothing unearned for hostile submissions, full marks for the course's classic idioms."""

import pytest

from autograder import assignments
from autograder.grading import grade
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
    results = by_name(grade(A1, mutated_copy(A1, edits, tmp_path / "hostile")))
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
