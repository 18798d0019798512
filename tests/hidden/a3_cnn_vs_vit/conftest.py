"""Judge-side data for assignment 3's training tests: the MNIST-5k split, its held-out digits as the judge perturbs
them, and what the student's trained models answered.

The labels of the 1,000 held-out digits stay here; the probes receive images only. Those digits are public
(autograder.data.mnist_5k_split, and the shipped file holds their labels), so the probes receive them nudged:
every pixel moved by -1, 0 or +1 grey level (of 255), drawn from HIDDEN_SEED. No digit stays byte for byte
the public one, and no model notices (test_training.py's docstring has the figures). Training the student's
models is the slow part of grading, so each architecture is trained once per graded submission and its
answers are kept for every test that needs them (`submission.once`).
"""
import functools

import pytest

from autograder.authoring import nudge_pixels
from autograder.data import mnist_5k_split

# A 128-bit seed: a small one could be found by trying seeds until the nudged digits match the public ones.
HIDDEN_SEED = 0x3A7C_51E9_D204_8B6F_E17A_0C93_5B28_D6F4
TRAIN_DIGITS = 4000


@functools.lru_cache(maxsize=None)
def _mnist():
    split = mnist_5k_split()
    return dict(split, X_test=nudge_pixels(split["X_test"], HIDDEN_SEED))


@pytest.fixture(scope="session")
def mnist():
    """dict X_train (4000, 28, 28) uint8, y_train, X_test (1000, 28, 28) uint8 nudged, y_test (labels: judge only)."""
    return _mnist()


@pytest.fixture
def trained(submission, mnist):
    """trained(arch) -> the train_models probe's answer for make_<arch>() trained on the 4,000 digits: y_pred
    (compare.predict on the held-out digits), y_model (the returned model's own forward), y_untrained
    (compare.predict with a fresh, untrained make_<arch>())."""

    def get(arch):
        def train():
            out = submission.probe("train_models", arch=arch, X_train=mnist["X_train"][:TRAIN_DIGITS],
                                   y_train=mnist["y_train"][:TRAIN_DIGITS], X_test=mnist["X_test"], seed=0)
            expected = "ResNet" if arch == "resnet" else "VisionTransformer"
            assert out["model"] == expected, f"make_{arch}() returned a {out['model']}; expected a {expected}"
            return out
        return submission.once(f"trained_{arch}", train)
    return get

