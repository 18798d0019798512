"""Hidden tests for training: the contracts of train_forgery and train_generated, and both detectors on the
hidden photographs. 20 points.

The probes train the student's detectors with their own defaults (seed 0) on the 3,000 training patches of
each task on the grading device and predict the hidden patches (conftest.py: their photographs, seeds,
labels and masks stay in the judge). The judge scores with scikit-learn:

- task 1: image-level AUC (roc_auc_score of the forgery scores), pixel-level F1 at 0.5 and pixel AUC over the
  pixels of every hidden patch, authentic ones included (a pixel marked on an authentic patch is a false
  positive, so a constant mask earns nothing), and the image-level AUC on the same patches saved again as
  JPEG at quality 50, outside the training's 70..95;
- task 2: the AUC of the generated-image probabilities on 600 patches whose generated half comes from a decoder
  family the training never saw (conftest.py: the same weights upsampling by nearest neighbour, with noise
  inputs), and the accuracy at 0.5 on 600 patches of the training's decoder. A threshold learned on one
  generator does not carry to another (the reference's accuracy on the unseen family: 0.96, 0.83, 0.67 for
  training seeds 0, 1, 2, its AUC 0.999, 0.984, 0.990), which is why Wang et al. (CVPR 2020) rank detectors
  on unseen generators by a figure that needs no threshold.

A figure counts only if it came from the returned model: predict's answers must match the model's own forward
(within 0.02 on 95 % of the values), and an untrained model from the student's own constructor, through the
same predict, must score near chance (task 1: image AUC for the image figures, pixel AUC for the pixel ones;
task 2: accuracy, since a random network's AUC on generated patches swings from 0.2 to 0.9 with its seed).

Credit is linear from a floor to a threshold 3-4 points under the reference's figures, measured on the 2-core
reference CPU with one thread: image AUC 0.736, pixel F1 0.344, pixel AUC 0.839, AUC at JPEG 50 0.717;
generated AUC on the unseen family 0.999 (0.984 and 0.990 with training seeds 1 and 2), accuracy on the
training's decoder 0.993 (0.998, 0.998). Each floor sits above the best trivial baseline, measured on the same
patches: task 1's image AUC 0.621 (LogisticRegression on spectral_features; the maximum of error_level 0.616,
its standard deviation 0.610), at JPEG 50 0.638 (ELA's standard deviation); the best fixed mask (the training
masks' mean, its top 20 % marked) scores pixel F1 0.255 and pixel AUC 0.762, an all-ones mask pixel F1 0.129;
task 2's spectral baseline of the README scores AUC 0.953 on the unseen family and accuracy 0.923 on the
training's decoder (on the training's decoder alone it had earned 5.85 of the 6 points). Untrained, with the
probe's seed: image AUC 0.437, pixel AUC 0.578, generated accuracy 0.500.
"""
import numpy as np
import pytest
from sklearn.metrics import f1_score, roc_auc_score

from autograder.data.forgery import forgery_split
from autograder.authoring import agreement, assert_from_model

TRAINING_BUDGET = dict(cpu=200, cuda=60)
# metric -> (leaderboard name, floor, threshold, what the figure is)
FORGERY = {
    "image_auc": ("image AUC", 0.63, 0.69, "image-level AUC of forgery scores on the 800 hidden patches"),
    "pixel_f1": ("pixel F1", 0.26, 0.31, "pixel-level F1 at 0.5 over every pixel of the 800 hidden patches"),
    "pixel_auc": ("pixel AUC", 0.77, 0.80, "pixel-level AUC over every pixel of the 800 hidden patches"),
    "robust_auc": ("AUC at JPEG 50", 0.645, 0.67, "image-level AUC on the hidden patches re-saved at JPEG quality 50"),
}
GENERATED = {
    "auc": ("generated AUC", 0.96, 0.975, "AUC of generated-image probabilities on the 600 hidden patches of an "
                                          "unseen decoder"),
    "accuracy": ("generated accuracy", 0.94, 0.97, "accuracy at 0.5 on the 600 hidden patches of the training's "
                                                   "decoder"),
}
TOLERANCE = 0.02   # how far predict's probability may be from the model's own forward (float16, batch sizes)


def _floats(value, shape):
    """`value` as a finite float64 array of `shape`, or None (a probe's answer may be anything)."""
    try:
        value = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return value if value.shape == tuple(shape) and np.isfinite(value).all() else None


def _agreeing(answers, own):
    """The fraction of predict's values within TOLERANCE of the model's own forward (0 when the shapes differ)."""
    answers = np.asarray(answers, dtype=np.float64)
    own = _floats(own, answers.shape)
    return 0.0 if own is None else agreement(np.abs(answers - own) <= TOLERANCE, np.ones(answers.shape, bool))


def _untrained_auc(truth, values):
    """The untrained model's AUC, or 1.0 (never near chance) when its answer is not a finite array of truth's shape."""
    values = _floats(values, np.shape(truth))
    return 1.0 if values is None else roc_auc_score(truth, values)


def _forgery_figures(trained, manipulated):
    predictions = trained["predictions"]
    scores, masks = np.asarray(predictions["score"], dtype=np.float64), np.asarray(predictions["mask"])
    labels = manipulated["labels"]
    assert scores.shape == labels.shape and masks.shape == manipulated["masks"].shape, (
        f"predict_forgery returned scores {scores.shape} and masks {masks.shape}; expected {labels.shape} and "
        f"{manipulated['masks'].shape}")
    assert np.isfinite(scores).all() and np.isfinite(masks).all(), "predict_forgery returned NaN or infinite values"
    truth, pixels = manipulated["masks"].ravel(), masks.ravel().astype(np.float64)
    return {"image_auc": roc_auc_score(labels, scores), "pixel_f1": f1_score(truth, pixels >= 0.5),
            "pixel_auc": roc_auc_score(truth, pixels),
            "robust_auc": roc_auc_score(labels, np.asarray(trained["recompressed"], dtype=np.float64))}


def _assert_forgery_from_model(trained, manipulated, metric):
    """predict_forgery's answers are the returned model's, and an untrained ForgeryNet scores near chance."""
    __tracebackhide__ = True
    own = trained["own"] if isinstance(trained["own"], dict) else {}
    agreeing = min(_agreeing(trained["predictions"]["score"], own.get("score")),
                   _agreeing(trained["predictions"]["mask"], own.get("mask")),
                   _agreeing(trained["recompressed"], trained["own_recompressed"]))
    untrained = trained["untrained"] if isinstance(trained["untrained"], dict) else {}
    if metric.startswith("pixel"):
        mask = _floats(untrained.get("mask"), manipulated["masks"].shape)
        untrained_score = _untrained_auc(manipulated["masks"].ravel(), None if mask is None else mask.ravel())
        margin = 0.15   # a random network's mask is not quite flat (padding); measured 0.47..0.59 over 5 seeds
    else:
        untrained_score, margin = _untrained_auc(manipulated["labels"], untrained.get("score")), 0.1
    assert_from_model(agreeing, untrained_score, chance=0.5, margin=margin, what=FORGERY[metric][3])


@pytest.mark.points(2)
@pytest.mark.budget(cpu=60, cuda=20)
def test_training_contracts(submission):
    small = {task: {k: v[:64].tolist() if k == "photos" else v[:64] for k, v in forgery_split(task).items()}
             for task in ("manipulated", "generated")}
    out = submission.probe("train_twice", forgery_split=small["manipulated"], generated_split=small["generated"],
                           seed=3)
    assert out["models"] == ["ForgeryNet", "GeneratedImageDetector"], (
        f"train_forgery and train_generated returned {out['models']}; expected a ForgeryNet and a "
        f"GeneratedImageDetector")
    assert all(out["eval_mode"]), "train_forgery and train_generated should return their models in eval mode"
    assert all(steps >= 1 for steps in out["steps"]), (
        "train_forgery and train_generated should train their models with a torch.optim optimizer (one of them took "
        "no optimizer step)")
    assert out["difference"] <= 1e-5, (
        f"two trainings with seed 3 gave models whose outputs differ by {out['difference']:.3g}: the same call "
        f"should give the same model (torch.manual_seed(seed), a seeded shuffle)")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=60, cuda=20)
def test_trained_bayar_layers_are_constrained(submission):
    # Four epochs on 128 patches (the reference's batches of 64: 8 optimizer steps, enough for its OneCycleLR to
    # reach its peak). Its schedule ends with steps near 1e-8, so the returned weights stay constrained without
    # the loop's constrain() (measured), and the probe also watches each training forward as it begins, which a
    # loop without constrain() starts off the constraint once a step has moved the weights.
    small = {k: v[:128].tolist() if k == "photos" else v[:128] for k, v in forgery_split("manipulated").items()}
    out = submission.probe("bayar_during_training", split=small, seed=3, epochs=4)
    assert out["model"] == "ForgeryNet", f"train_forgery returned a {out['model']}"
    assert out["bayar_forwards"] > 0, "train_forgery ran no training forward through its BayarConv2d layers"
    assert out["bayar_broken"] <= 0.05 * out["bayar_forwards"], (
        f"{out['bayar_broken']} of the {out['bayar_forwards']} training forwards of a BayarConv2d began with its "
        f"weight off the constraint: call constrain() after every optimizer step")
    assert out["bayar_constrained"], (
        "a BayarConv2d of the trained ForgeryNet breaks its constraint: constrain() after every optimizer step")


@pytest.mark.budget(**TRAINING_BUDGET)
@pytest.mark.parametrize("metric", [pytest.param("image_auc", marks=pytest.mark.points(4)),
                                    pytest.param("pixel_f1", marks=pytest.mark.points(3)),
                                    pytest.param("pixel_auc", marks=pytest.mark.points(2)),
                                    pytest.param("robust_auc", marks=pytest.mark.points(2))])
def test_manipulation(trained_forgery, manipulated, credit, leaderboard, metric):
    name, floor, threshold, what = FORGERY[metric]
    value = _forgery_figures(trained_forgery, manipulated)[metric]
    _assert_forgery_from_model(trained_forgery, manipulated, metric)
    leaderboard.add(name, round(value, 4))
    credit.scale(value, floor=floor, threshold=threshold, what=what)


@pytest.mark.budget(**TRAINING_BUDGET)
@pytest.mark.parametrize("metric", [pytest.param("auc", marks=pytest.mark.points(3)),
                                    pytest.param("accuracy", marks=pytest.mark.points(3))])
def test_generated(trained_generated, generated, credit, leaderboard, metric):
    assert trained_generated["model"] == "GeneratedImageDetector", (
        f"train_generated returned a {trained_generated['model']}")
    probability = np.asarray(trained_generated["probability"], dtype=np.float64)
    assert probability.shape == generated["labels"].shape and np.isfinite(probability).all(), (
        f"predict_generated returned {probability.shape} (or non-finite values); expected {generated['labels'].shape}")
    part = generated["unseen"] if metric == "auc" else ~generated["unseen"]
    labels = generated["labels"][part]
    value = (roc_auc_score(labels, probability[part]) if metric == "auc"
             else float(((probability[part] >= 0.5) == labels).mean()))
    name, floor, threshold, what = GENERATED[metric]
    untrained = _floats(trained_generated["untrained"], probability.shape)
    untrained_accuracy = 1.0 if untrained is None else float(((untrained >= 0.5) == generated["labels"]).mean())
    assert_from_model(_agreeing(probability, trained_generated["own"]), untrained_accuracy, chance=0.5, what=what)
    leaderboard.add(name, round(value, 4))
    credit.scale(value, floor=floor, threshold=threshold, what=what)
