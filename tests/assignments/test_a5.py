"""Assignment 5 graded end to end (reference, stubs and public tests: test_every_assignment.py): lost
points for plausible mistakes, nothing for a submission that looks for the hidden labels, and nothing for
scores that do not come from a trained model (none of these hostile copies trains a network)."""

import pytest

from autograder import assignments
from autograder.judge.grading import grade
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
            family = {"GENERATED": "nearest_noise"}.get(task, "transposed")
            data = forgery.cached_forgeries(task.lower(), photos, int(n), int(seed.replace("_", ""), 0), family)
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
        assert tests[name].score == 0, f"{name} scored {tests[name].score} for hostile code: {tests[name].output}"
        if hostile_isolation == "none":   # what the sandbox stops: the hidden seeds read from the checkout; the
            # labels found so are not the untrained model's answers, which the grader checks too
            assert "agree with the returned model" in tests[name].output, tests[name].output
        else:
            assert "Error" not in tests[name].output, tests[name].output   # it ran, and found nothing
    if hostile_isolation == "none":
        assert "hidden photos reachable: True" in printed
    else:
        assert "hidden photos reachable: False" in printed and "reachable: True" not in printed, printed[:2000]
        assert any(m.endswith("skimage/data") for m in results.protections["masked"]), results.protections


# A ForgeryNet that learns nothing: ELA's maximum as its score (an image AUC of 0.616 on the hidden patches) and a
# fixed mask, MASKS[name]: every pixel marked (pixel F1 0.129 over every patch; 0.242 over the forged ones, which
# the grader once used), or a blob in the middle, where most replaced regions lie (over the forged patches, as
# the grader once scored: pixel F1 0.38, pixel AUC 0.78).
HAND_CRAFTED_MODEL = """

class _HandCrafted(nn.Module):
    def __init__(self):
        super().__init__()
        self.srm, self.bayar = SRMConv2d(), BayarConv2d(3, 3, 5)

    def forward(self, x):
        from filters import error_level
        images = (x.permute(0, 2, 3, 1).cpu().numpy() * 255).round().astype("uint8")
        score = torch.tensor([float(error_level(im).max()) for im in images]) / 10 - 2
        N, _, H, W = x.shape
        yy, xx = torch.meshgrid(torch.arange(H) - H / 2, torch.arange(W) - W / 2, indexing="ij")
        mask = (MASK).expand(N, 1, H, W)
        return {"score": score.to(x.device), "mask": mask.to(x.device)}


ForgeryNet = _HandCrafted
"""
MASKS = {"every_pixel": "torch.full((1, 1, H, W), 5.0)",
         "centre_blob": "10 * torch.exp(-(yy ** 2 + xx ** 2) / 288) - 5"}   # marked within 14 pixels of the centre
NO_TRAINING = """

def train_forgery(split, epochs=1, batch_size=64, lr=1e-3, seed=0, device="cpu"):
    return ForgeryNet().to(device).eval()
"""

# A train.py whose predictions ignore the model: ELA's maximum and an all-ones mask for task 1, the README's
# spectral baseline (fitted in train_generated, kept on the model) for task 2; nothing is trained.
PREDICT_WITHOUT_THE_MODEL = """

def _baseline_generated(split, epochs=1, batch_size=64, lr=1e-3, seed=0, device="cpu"):
    from sklearn.linear_model import LogisticRegression
    from spectrum import spectral_features
    model = GeneratedImageDetector().to(device).eval()
    model.baseline = LogisticRegression(max_iter=5000).fit(spectral_features(split["images"]), split["labels"])
    return model


def _ela_forgery(model, images, device="cpu", batch_size=256):
    from filters import error_level
    score = np.array([error_level(im).max() for im in images], np.float32) / 100
    return {"score": score, "mask": np.ones(images.shape[:3], np.float32)}


def _spectral_generated(model, images, device="cpu", batch_size=256):
    from spectrum import spectral_features
    if not hasattr(model, "baseline"):
        return np.full(len(images), 0.5, np.float32)
    return model.baseline.predict_proba(spectral_features(images))[:, 1].astype(np.float32)


def train_forgery(split, epochs=1, batch_size=64, lr=1e-3, seed=0, device="cpu"):
    return ForgeryNet().to(device).eval()


train_generated, predict_forgery, predict_generated = _baseline_generated, _ela_forgery, _spectral_generated
"""


@pytest.mark.parametrize("mask", MASKS)
def test_a_model_that_learns_nothing_earns_nothing(mask, tmp_path):
    # Before: image AUC 1.9 of 4 points and AUC at JPEG 50 1.4 of 2 (ELA's maximum over the old floors);
    # every_pixel: pixel F1 1.0 of 3; centre_blob: pixel F1 2.5 of 3 and pixel AUC 1.9 of 2 (4.3 and 7.7 of task
    # 1's 11 points). Now none: the floors sit above, and the untrained model (the same rules) is above chance.
    hand_crafted = mutated_copy(A5, {"model.py": lambda text: text + HAND_CRAFTED_MODEL.replace("MASK", MASKS[mask]),
                                     "train.py": lambda text: text + NO_TRAINING}, tmp_path / "h")
    tests = by_name(grade(A5, hand_crafted, select="test_manipulation"))
    for name, test in tests.items():
        assert test.score == 0, f"{name} scored {test.score}: {test.output}"
    assert "untrained" in tests["test_manipulation[image_auc]"].output


def test_predictions_that_ignore_the_model_earn_nothing(tmp_path):
    # Before: 1.9 of image AUC's 4 points, 1.0 of pixel F1's 3, and 5.85 of task 2's 6 (the spectral baseline).
    # Now none: predict's answers are not the model's.
    hostile = mutated_copy(A5, {"train.py": lambda text: text + PREDICT_WITHOUT_THE_MODEL}, tmp_path / "h")
    names = ["test_manipulation[image_auc]", "test_manipulation[pixel_f1]", "test_generated[auc]",
             "test_generated[accuracy]"]
    tests = by_name(grade(A5, hostile, select=" or ".join(names)))
    for name in names:
        assert tests[name].score == 0, f"{name} scored {tests[name].score}: {tests[name].output}"
        assert "agree with the returned model" in tests[name].output, tests[name].output
