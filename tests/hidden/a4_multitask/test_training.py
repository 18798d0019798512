"""Hidden tests for the trained model: qualification (mAP, mIoU) and low-power cost. 16 points.

The probe trains the student's model with train_multitask's own defaults (seed 0) on the 2,000 training
scenes on the grading device, predicts the 500 hidden scenes (conftest.py: their seed and annotations stay
in the judge) and measures the trained model. The judge scores:

- detection: mAP@0.5 and mAP@[.5:.95] by pycocotools' COCOeval on the predicted boxes
  (autograder.detection.coco_map), segmentation: mIoU from the judge's own confusion matrix;
- cost: parameters (nn.Module.parameters, counted by the probe), multiply-accumulates per 64x64 image
  (PyTorch's FlopCounterMode, batch 1, FLOPs / 2) and batch-1 latency: the judge's clock around 200
  forwards on random inputs, best of 3, divided by the device's calibration factor, so that a laptop
  and a CI runner agree.

Qualification: credit is linear from a floor to a threshold set under the reference's figures. Cost
points go to a qualified model only (mAP@0.5 and mIoU both at least QUALIFY_*): full at or below the
reference's cost, none at 10x it, linear in log(cost) between (so 2x the reference's cost earns 70 %).
The latency's full mark has a 1.5x margin over the reference's measured latency for timing noise.

Measured with the reference on the 2-core reference CPU, one thread: see the assignment's README.
"""
import numpy as np
import pytest

from autograder.detection import coco_map, miou

MAP50_THRESHOLD, MAP50_FLOOR = 0.76, 0.40
MAP_THRESHOLD, MAP_FLOOR = 0.38, 0.15
MIOU_THRESHOLD, MIOU_FLOOR = 0.70, 0.40
QUALIFY_MAP50, QUALIFY_MIOU = 0.60, 0.55
REFERENCE_PARAMS, REFERENCE_MACS, REFERENCE_LATENCY_S = 16_811, 3_663_872, 2.0e-3
LATENCY_MARGIN = 1.5
TRAINING_BUDGET = dict(cpu=150, cuda=60)


def _figures(trained, hidden_split):
    predictions = trained["predictions"]
    assert isinstance(predictions, list) and len(predictions) == len(hidden_split["images"]), (
        f"train.predict returned {type(predictions).__name__} of {len(predictions)} items for "
        f"{len(hidden_split['images'])} images; expected one dict per image")
    masks = np.asarray([p["mask"] for p in predictions])
    assert masks.shape == hidden_split["masks"].shape, (
        f"predict's masks have shape {masks.shape}; expected {hidden_split['masks'].shape}")
    map50, map_all = coco_map(hidden_split, predictions)
    return {"map50": map50, "map": map_all, "miou": miou(masks, hidden_split["masks"], 4)}


@pytest.mark.points(4)
@pytest.mark.budget(**TRAINING_BUDGET)
def test_detection_map50(trained, hidden_split, credit, leaderboard):
    figures = _figures(trained, hidden_split)
    leaderboard.add("mAP@0.5", round(figures["map50"], 4))
    credit.scale(figures["map50"], floor=MAP50_FLOOR, threshold=MAP50_THRESHOLD,
                 what="detection mAP@0.5 on the 500 hidden scenes (COCOeval)")


@pytest.mark.points(2)
@pytest.mark.budget(**TRAINING_BUDGET)
def test_detection_map(trained, hidden_split, credit, leaderboard):
    figures = _figures(trained, hidden_split)
    leaderboard.add("mAP@[.5:.95]", round(figures["map"], 4))
    credit.scale(figures["map"], floor=MAP_FLOOR, threshold=MAP_THRESHOLD,
                 what="detection mAP@[.5:.95] on the 500 hidden scenes (COCOeval)")


@pytest.mark.points(4)
@pytest.mark.budget(**TRAINING_BUDGET)
def test_segmentation_miou(trained, hidden_split, credit, leaderboard):
    figures = _figures(trained, hidden_split)
    leaderboard.add("mIoU", round(figures["miou"], 4))
    credit.scale(figures["miou"], floor=MIOU_FLOOR, threshold=MIOU_THRESHOLD,
                 what="segmentation mIoU on the 500 hidden scenes (background and 3 classes)")


def _require_qualified(trained, hidden_split):
    __tracebackhide__ = True
    if not trained["counter_ok"]:
        pytest.fail("the cost could not be measured: PyTorch's FlopCounterMode did not count a trusted layer right, "
                    "or the model computed something else while counted", pytrace=False)
    figures = _figures(trained, hidden_split)
    if figures["map50"] < QUALIFY_MAP50 or figures["miou"] < QUALIFY_MIOU:
        pytest.fail(f"not qualified for cost points: mAP@0.5 {figures['map50']:.3f} (needs {QUALIFY_MAP50}) and "
                    f"mIoU {figures['miou']:.3f} (needs {QUALIFY_MIOU}); a model must be accurate enough first",
                    pytrace=False)


@pytest.mark.points(2)
@pytest.mark.budget(**TRAINING_BUDGET)
def test_cost_parameters(trained, hidden_split, credit, leaderboard):
    leaderboard.add("parameters", trained["params"], order="asc")
    _require_qualified(trained, hidden_split)
    credit.cost(trained["params"], full_at=REFERENCE_PARAMS, none_at=10 * REFERENCE_PARAMS, what="parameters")


@pytest.mark.points(2)
@pytest.mark.budget(**TRAINING_BUDGET)
def test_cost_macs(trained, hidden_split, credit, leaderboard):
    leaderboard.add("MACs", trained["macs"], order="asc")
    _require_qualified(trained, hidden_split)
    credit.cost(trained["macs"], full_at=REFERENCE_MACS, none_at=10 * REFERENCE_MACS,
                what="multiply-accumulates per 64x64 image")


@pytest.mark.points(2)
@pytest.mark.budget(**TRAINING_BUDGET)
def test_cost_latency(trained, hidden_split, submission, credit, leaderboard):
    latency_ms = trained["latency_s"] / submission.profile.scale() * 1e3
    leaderboard.add("latency_ms", round(latency_ms, 4), order="asc")
    _require_qualified(trained, hidden_split)
    assert trained["latency_consistent"], (
        "the model's batch-1 outputs differ from its outputs for the same images as a batch: latency is measured "
        "on batch-1 forwards, which must compute the same model")
    full = REFERENCE_LATENCY_S * LATENCY_MARGIN * 1e3
    credit.cost(latency_ms, full_at=full, none_at=10 * full, unit=" ms",
                what=f"batch-1 latency on the reference machine's scale (this {submission.profile.kind}'s "
                     f"factor {submission.profile.scale():g})")
