"""Judge-side data for assignment 3's training tests: the MNIST-5k split and the trained models' predictions.

The labels of the 1,000 held-out digits stay here; the probes receive images only. Training the student's
models is the slow part of grading, so each (architecture, training-set size) is trained once per graded
submission and its predictions are kept here, in the judge: the accuracy tests and the data-efficiency
test share them (the probe is deterministic: fixed seed, one thread).
"""
import functools

import pytest

from autograder.data import mnist_5k_split


@functools.lru_cache(maxsize=None)
def _mnist():
    return mnist_5k_split()


@pytest.fixture(scope="session")
def mnist():
    """dict X_train (4000, 28, 28) uint8, y_train, X_test (1000, 28, 28) uint8, y_test (labels: judge only)."""
    return _mnist()


_TRAINED = {}


@pytest.fixture
def trained(submission, mnist):
    """trained(arch, n) -> predictions (1000,) of the student's make_<arch>() trained on the first n digits."""

    def get(arch, sizes):
        key = str(submission.materialized.folder)
        todo = [n for n in sizes if (key, arch, n) not in _TRAINED]
        if todo:
            out = submission.probe("train_models", arch=arch, X_train=mnist["X_train"][:max(todo)],
                                   y_train=mnist["y_train"][:max(todo)], X_test=mnist["X_test"], sizes=todo, seed=0)
            expected = "ResNet" if arch == "resnet" else "VisionTransformer"
            assert out["model"] == expected, f"make_{arch}() returned a {out['model']}; expected a {expected}"
            for n, y_pred in zip(todo, out["y_pred"]):
                _TRAINED[(key, arch, n)] = y_pred
        return [_TRAINED[(key, arch, n)] for n in sizes]
    return get
