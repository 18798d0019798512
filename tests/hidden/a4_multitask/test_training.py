"""Hidden tests for training: train_multitask's contract, qualification (mAP, mIoU) and low-power cost. 17 points.

The probe trains the student's model with train_multitask's own defaults (seed 0) on the 2,000 training
scenes on the grading device, predicts the 500 hidden scenes (conftest.py: their seed and annotations stay
in the judge) and measures that very predict call. The judge scores:

- detection: mAP@0.5 and mAP@[.5:.95] by pycocotools' COCOeval on the predicted boxes
  (autograder.judge.detection.coco_map), segmentation: mIoU from the judge's own confusion matrix; both only
  when predict's answers come from the returned model (its masks are the model's own segmentation, every box's
  score is a value of its own heatmap, on 95 % of the scenes) and an untrained MultiTaskNet() through the same
  predict finds next to nothing (mAP@0.5 at most 0.1 on 100 scenes);
- cost, measured around predict itself (autograder.worker.cost), so a second model, repeated forwards and
  decoding all count: parameters as every parameter or buffer tensor predict read (the reference: 16,811
  parameters and 1,056 BatchNorm running statistics), multiply-accumulates per 64x64 image (FlopCounterMode
  over the whole call, FLOPs / 2), and latency as predict on one image at a time (decode and NMS included)
  on one CPU thread, the judge's clock around 100 calls, best of 3, divided by this CPU's calibration factor
  whatever device graded the accuracy. The one-image answers must equal the batched ones and touch no GPU.

Qualification: credit is linear from a floor to a threshold set under the reference's figures. Cost
points go to a qualified model only (mAP@0.5 and mIoU both at least QUALIFY_*): full at or below the
reference's cost, none at 10x it, linear in log(cost) between (so 2x the reference's cost earns 70 %).
The latency's full mark has a 2x margin over the reference's measured latency (3.0 ms on the reference
scale, measured alone; a loaded 2-core CI runner measured 2.4 to 4.2 ms) for timing noise.

Measured with the reference on the 2-core reference CPU, one thread: see the assignment's README.
"""
import numpy as np
import pytest

from autograder.data.scenes import scene_split
from autograder.authoring import coco_map, miou
from autograder.authoring import assert_from_model

MAP50_THRESHOLD, MAP50_FLOOR = 0.76, 0.40
MAP_THRESHOLD, MAP_FLOOR = 0.38, 0.15
MIOU_THRESHOLD, MIOU_FLOOR = 0.70, 0.40
QUALIFY_MAP50, QUALIFY_MIOU = 0.60, 0.55
REFERENCE_PARAMS, REFERENCE_MACS, REFERENCE_LATENCY_S = 17_867, 3_903_744, 3.0e-3
LATENCY_MARGIN = 2.0
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


@pytest.mark.points(1)
@pytest.mark.budget(cpu=30, cuda=20)
def test_train_multitask_contract(submission):
    train = scene_split("train")
    small = {"images": train["images"][:48], "masks": train["masks"][:48], "boxes": train["boxes"][:48],
             "labels": train["labels"][:48]}
    out = submission.probe("train_twice", train_split=small, seed=3)
    assert out["model"] == "MultiTaskNet", f"train_multitask returned a {out['model']}; expected a MultiTaskNet"
    assert out["eval_mode"], "train_multitask should return the model in eval mode"
    assert out["difference"] <= 1e-5, (
        f"two calls of train_multitask with seed 3 gave models whose outputs differ by {out['difference']:.3g}: "
        f"the same call should give the same model (torch.manual_seed(seed), a seeded shuffle)")


# metric -> (leaderboard name, floor, threshold, what the figure is)
QUALIFICATION = {
    "map50": ("mAP@0.5", MAP50_FLOOR, MAP50_THRESHOLD, "detection mAP@0.5 on the 500 hidden scenes (COCOeval)"),
    "map": ("mAP@[.5:.95]", MAP_FLOOR, MAP_THRESHOLD, "detection mAP@[.5:.95] on the 500 hidden scenes (COCOeval)"),
    "miou": ("mIoU", MIOU_FLOOR, MIOU_THRESHOLD, "segmentation mIoU on the 500 hidden scenes (background and 3 classes)"),
}


@pytest.mark.budget(**TRAINING_BUDGET)
@pytest.mark.parametrize("metric", [pytest.param("map50", marks=pytest.mark.points(4)),
                                    pytest.param("map", marks=pytest.mark.points(2)),
                                    pytest.param("miou", marks=pytest.mark.points(4))])
def test_qualification(trained, hidden_split, credit, leaderboard, metric):
    name, floor, threshold, what = QUALIFICATION[metric]
    value = _figures(trained, hidden_split)[metric]
    leaderboard.add(name, round(value, 4))
    _from_model(trained, hidden_split)
    credit.scale(value, floor=floor, threshold=threshold, what=what)


def _from_model(trained, hidden_split):
    """Fail unless predict's answers come from the returned model: its masks are the model's own segmentation and
    every box's score is a value of the model's own heatmap for its class, on nearly every hidden scene; and an
    untrained MultiTaskNet() through the same predict finds next to nothing (mAP@0.5 near 0)."""
    __tracebackhide__ = True
    agreeing = []
    for prediction, mask, heatmap in zip(trained["predictions"], trained["forward_masks"], trained["heatmaps"]):
        same_mask = np.shape(prediction["mask"]) == mask.shape and np.mean(prediction["mask"] == mask) >= 0.99
        labels, scores = np.asarray(prediction["labels"], np.int64), np.asarray(prediction["scores"], np.float64)
        scored = all(1 <= label <= len(heatmap) and np.abs(heatmap[label - 1] - score).min() <= 1e-4
                     for label, score in zip(labels, scores))
        agreeing.append(same_mask and scored)
    untrained = trained["untrained"]
    count = len(untrained) if isinstance(untrained, list) else 0
    subset = {key: value[:count] for key, value in hidden_split.items()}
    untrained_map50 = coco_map(subset, untrained)[0] if count else 0.0
    assert_from_model(float(np.mean(agreeing)), untrained_map50, chance=0.0, margin=0.1,
                      what="detection and segmentation")


def _require_counted(trained):
    """Fail unless the counters counted a trusted layer right (else the figures are not shown either)."""
    __tracebackhide__ = True
    if not trained["counter_ok"]:
        pytest.fail("the cost could not be measured: the grader's counters did not count a trusted layer right",
                    pytrace=False)


def _require_qualified(trained, hidden_split):
    __tracebackhide__ = True
    _from_model(trained, hidden_split)
    figures = _figures(trained, hidden_split)
    if figures["map50"] < QUALIFY_MAP50 or figures["miou"] < QUALIFY_MIOU:
        pytest.fail(f"not qualified for cost points: mAP@0.5 {figures['map50']:.3f} (needs {QUALIFY_MAP50}) and "
                    f"mIoU {figures['miou']:.3f} (needs {QUALIFY_MIOU}); a model must be accurate enough first",
                    pytrace=False)


@pytest.mark.points(2)
@pytest.mark.budget(**TRAINING_BUDGET)
def test_cost_parameters(trained, hidden_split, credit, leaderboard):
    _require_counted(trained)
    leaderboard.add("parameters", trained["params"], order="asc")
    _require_qualified(trained, hidden_split)
    credit.cost(trained["params"], full_at=REFERENCE_PARAMS, none_at=10 * REFERENCE_PARAMS,
                what="parameters and buffers that predict read")


@pytest.mark.points(2)
@pytest.mark.budget(**TRAINING_BUDGET)
def test_cost_macs(trained, hidden_split, credit, leaderboard):
    _require_counted(trained)
    leaderboard.add("MACs", trained["macs"], order="asc")
    _require_qualified(trained, hidden_split)
    credit.cost(trained["macs"], full_at=REFERENCE_MACS, none_at=10 * REFERENCE_MACS,
                what="multiply-accumulates of predict per 64x64 image")


def _same_predictions(ones, batched, count):
    """Whether predict's answers for single images match its answers for the same images in a batch."""
    def same(a, b):
        boxes_a, boxes_b = np.reshape(a["boxes"], (-1, 4)), np.reshape(b["boxes"], (-1, 4))
        return (boxes_a.shape == boxes_b.shape and np.allclose(boxes_a, boxes_b, atol=1e-3)
                and np.array_equal(np.asarray(a["labels"]), np.asarray(b["labels"]))
                and np.shape(a["mask"]) == np.shape(b["mask"]) and np.mean(np.asarray(a["mask"]) == b["mask"]) >= 0.99)
    return isinstance(ones, list) and len(ones) == count <= len(batched) and all(map(same, ones, batched))


@pytest.mark.points(2)
@pytest.mark.budget(**TRAINING_BUDGET)
def test_cost_latency(trained, hidden_split, submission, credit, leaderboard):
    scale = submission.cpu_profile.scale()
    latency_ms = trained["latency_s"] / scale * 1e3
    _require_counted(trained)
    assert trained["latency_devices"] == ["cpu"], (
        f"predict touched {trained['latency_devices']} when asked for device='cpu': latency is measured on one "
        f"CPU thread, whatever device grades the accuracy")
    assert _same_predictions(trained["one_at_a_time"], trained["predictions"], trained["latency_runs"]), (
        "predict's answers for one image at a time differ from its answers for the same images in a batch: "
        "latency is measured one image at a time, which must compute the same predictions")
    leaderboard.add("latency_ms", round(latency_ms, 4), order="asc")
    _require_qualified(trained, hidden_split)
    full = REFERENCE_LATENCY_S * LATENCY_MARGIN * 1e3
    credit.cost(latency_ms, full_at=full, none_at=10 * full, unit=" ms",
                what=f"latency of predict on one image, one CPU thread, on the reference machine's scale "
                     f"(this CPU's factor {scale:g})")
