"""Hidden tests for training: the contracts of train_forgery and train_generated, and both detectors on the
hidden photographs. 20 points.

The probes train the student's detectors with their own defaults (seed 0) on the 3,000 training patches of
each task on the grading device and predict the hidden patches (conftest.py: their photographs, seeds,
labels and masks stay in the judge). The judge scores with scikit-learn:

- task 1: image-level AUC (roc_auc_score of the forgery scores), pixel-level F1 at 0.5 and pixel AUC over the
  forged patches' pixels (the conventions of image-manipulation benchmarks such as IMDL-BenCo), and the
  image-level AUC on the same patches saved again as JPEG at quality 50, outside the training's 70..95;
- task 2: AUC and accuracy at 0.5 of the generated-image probabilities.

Credit is linear from a floor to a threshold 4 points under the reference's figures, measured on the 2-core
reference CPU with one thread: image AUC 0.731, pixel F1 0.468, pixel AUC 0.832, AUC at JPEG 50 0.713;
generated AUC 1.000 and accuracy 1.000 (the spectral baseline of the README, LogisticRegression on
spectral_features, scores AUC 0.976 and accuracy 0.935 on the same patches; on task 1 the best trivial
baseline, LogisticRegression on the same spectral features, scores image AUC 0.628).
"""
import numpy as np
import pytest
from sklearn.metrics import f1_score, roc_auc_score

from autograder.data.forgery import forgery_split

TRAINING_BUDGET = dict(cpu=200, cuda=60)
# metric -> (leaderboard name, floor, threshold, what the figure is)
FORGERY = {
    "image_auc": ("image AUC", 0.55, 0.69, "image-level AUC of forgery scores on the 800 hidden patches"),
    "pixel_f1": ("pixel F1", 0.15, 0.43, "pixel-level F1 at 0.5 over the hidden forged patches"),
    "pixel_auc": ("pixel AUC", 0.60, 0.79, "pixel-level AUC over the hidden forged patches"),
    "robust_auc": ("AUC at JPEG 50", 0.52, 0.67, "image-level AUC on the hidden patches re-saved at JPEG quality 50"),
}
GENERATED = {
    "auc": ("generated AUC", 0.75, 0.96, "AUC of generated-image probabilities on the 600 hidden patches"),
    "accuracy": ("generated accuracy", 0.65, 0.95, "accuracy at 0.5 on the 600 hidden patches"),
}


def _forgery_figures(trained, manipulated):
    predictions = trained["predictions"]
    scores, masks = np.asarray(predictions["score"], dtype=np.float64), np.asarray(predictions["mask"])
    labels = manipulated["labels"]
    assert scores.shape == labels.shape and masks.shape == manipulated["masks"].shape, (
        f"predict_forgery returned scores {scores.shape} and masks {masks.shape}; expected {labels.shape} and "
        f"{manipulated['masks'].shape}")
    assert np.isfinite(scores).all() and np.isfinite(masks).all(), "predict_forgery returned NaN or infinite values"
    forged = labels == 1
    truth, pixels = manipulated["masks"][forged].ravel(), masks[forged].ravel().astype(np.float64)
    return {"image_auc": roc_auc_score(labels, scores), "pixel_f1": f1_score(truth, pixels >= 0.5),
            "pixel_auc": roc_auc_score(truth, pixels),
            "robust_auc": roc_auc_score(labels, np.asarray(trained["recompressed"], dtype=np.float64))}


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
    assert out["difference"] <= 1e-5, (
        f"two trainings with seed 3 gave models whose outputs differ by {out['difference']:.3g}: the same call "
        f"should give the same model (torch.manual_seed(seed), a seeded shuffle)")


@pytest.mark.points(1)
@pytest.mark.budget(**TRAINING_BUDGET)
def test_trained_bayar_layers_are_constrained(trained_forgery):
    assert trained_forgery["model"] == "ForgeryNet", f"train_forgery returned a {trained_forgery['model']}"
    assert trained_forgery["bayar_constrained"], (
        "a BayarConv2d of the trained ForgeryNet breaks its constraint: constrain() after every optimizer step")


@pytest.mark.budget(**TRAINING_BUDGET)
@pytest.mark.parametrize("metric", [pytest.param("image_auc", marks=pytest.mark.points(4)),
                                    pytest.param("pixel_f1", marks=pytest.mark.points(3)),
                                    pytest.param("pixel_auc", marks=pytest.mark.points(2)),
                                    pytest.param("robust_auc", marks=pytest.mark.points(2))])
def test_manipulation(trained_forgery, manipulated, credit, leaderboard, metric):
    name, floor, threshold, what = FORGERY[metric]
    value = _forgery_figures(trained_forgery, manipulated)[metric]
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
    value = (roc_auc_score(generated["labels"], probability) if metric == "auc"
             else float(((probability >= 0.5) == generated["labels"]).mean()))
    name, floor, threshold, what = GENERATED[metric]
    leaderboard.add(name, round(value, 4))
    credit.scale(value, floor=floor, threshold=threshold, what=what)
