"""Assignment 5 graded end to end (reference, stubs and public tests: test_every_assignment.py): lost
points for plausible mistakes, and nothing for a submission that looks for the hidden labels."""

import pytest

from autograder import assignments
from autograder.grading import grade
from harness import assert_mutant_caught, by_name, mutated_copy

from a5_mutants import MUTANTS

A5 = assignments.find("a5")
TRAINED = ["test_manipulation[image_auc]", "test_manipulation[pixel_auc]", "test_generated[auc]"]


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_plausible_mistake_loses_points(mutant, tmp_path):
    assert_mutant_caught(A5, mutant, tmp_path / "sub")


# The hostile train.py: no training, and the hidden labels and masks taken from wherever they can be found: the
# hidden conftest's photos and seeds (the checkout beside the installed autograder), then the judge's cache. It
# reaches the data makers through importlib, past the static scan, and says whether it could load the hidden
# test's photographs (which a submission could train on).
HOSTILE_TRAIN = """

def _no_training(split, epochs=1, batch_size=64, lr=1e-3, seed=0, device="cpu"):
    return ForgeryNet().eval() if "masks" in split else GeneratedImageDetector().eval()


def _photos_reachable():
    import importlib
    try:
        importlib.import_module("skimage." + "data").chelsea()
        importlib.import_module("sklearn." + "datasets").load_sample_image("flower.jpg")
        return True
    except Exception:
        return False


def _hidden_truth(images):
    import glob
    import importlib
    import os
    import re
    import autograder
    print("hidden photos reachable:", _photos_reachable())
    forgery = importlib.import_module("autograder." + "data.forgery")
    root = os.path.dirname(os.path.dirname(autograder.__file__))
    try:
        text = open(os.path.join(root, "tests/hidden/a5_forgery/conftest.py")).read()
        photos = tuple(re.findall(r'"(\\w+)"', re.search(r"HIDDEN_PHOTOS = \\(([^)]*)\\)", text).group(1)))
        for task in ("MANIPULATED", "GENERATED"):
            n, seed = re.search(task + r", \\w+ = (\\S+), (\\S+)", text).groups()
            data = forgery.cached_forgeries(task.lower(), photos, int(n), int(seed.replace("_", ""), 0))
            if len(data["images"]) == len(images) and (data["images"][0] == images[0]).all():
                return data
    except (OSError, AttributeError):
        pass
    for path in glob.glob(os.path.expanduser("~/.cache/autograder/forgery/*.npz")) + glob.glob("/root/.cache/autograder/forgery/*.npz"):
        with np.load(path) as archive:
            if len(archive["images"]) == len(images) and (archive["images"][0] == images[0]).all():
                return {k: archive[k] for k in archive.files}
    return None


def _forgery_truth(model, images, device="cpu", batch_size=256):
    truth = _hidden_truth(images)
    if truth is None:
        return {"score": np.zeros(len(images), np.float32), "mask": np.zeros(images.shape[:3], np.float32)}
    return {"score": truth["labels"].astype(np.float32), "mask": truth["masks"].astype(np.float32)}


def _generated_truth(model, images, device="cpu", batch_size=256):
    truth = _hidden_truth(images)
    return np.zeros(len(images), np.float32) if truth is None else truth["labels"].astype(np.float32)


train_forgery = train_generated = _no_training
predict_forgery, predict_generated = _forgery_truth, _generated_truth
"""


def test_hostile_submission_finds_no_labels_and_no_photographs(tmp_path, hostile_isolation):
    hostile = mutated_copy(A5, {"train.py": lambda text: text + HOSTILE_TRAIN}, tmp_path / "h")
    results = grade(A5, hostile, select=" or ".join(TRAINED))
    tests = by_name(results)
    printed = " ".join(t.student_output for t in results.tests)
    for name in TRAINED:
        if hostile_isolation == "none":   # what the sandbox stops: the hidden seeds read from the checkout
            assert tests[name].score == tests[name].max_score, tests[name].output
        else:
            assert tests[name].score == 0, f"{name} scored {tests[name].score} for hostile code: {tests[name].output}"
            assert "Error" not in tests[name].output, tests[name].output   # it ran, and found nothing
    if hostile_isolation == "none":
        assert "hidden photos reachable: True" in printed
    else:
        assert "hidden photos reachable: False" in printed and "reachable: True" not in printed, printed[:2000]
        assert any(m.endswith("skimage/data") for m in results.protections["masked"]), results.protections
