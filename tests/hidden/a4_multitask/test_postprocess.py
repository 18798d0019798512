"""Hidden tests for postprocess.py: box IoU, hand-written NMS and CenterNet decoding. 8 points."""
import numpy as np
import pytest

import a4_reference as ref
from autograder.testing import assert_close, assert_equal


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_box_iou_cases(submission, rng):
    a = np.array([[0, 0, 10, 10],    # reference box
                  [20, 20, 30, 30],  # disjoint from it
                  [2, 2, 6, 6],      # nested inside it
                  [10, 0, 20, 10],   # touching its right edge
                  [5, 5, 5, 9],      # degenerate (no width)
                  [5, 0, 15, 10]], dtype=np.float64)  # half overlapping
    b = np.concatenate([a, rng.uniform(0, 20, size=(5, 2)) @ np.array([[1, 0, 1, 0], [0, 1, 0, 1]])
                        + np.column_stack([np.zeros((5, 2)), rng.uniform(1, 15, size=(5, 2))])])
    out = submission.probe("box_iou", a=a, b=b)
    assert_close(out["iou"], ref.box_iou(a, b), rtol=1e-6, atol=1e-9,
                 what="box_iou for disjoint, nested, touching, degenerate and random boxes")
    empty = submission.probe("box_iou", a=a, b=np.zeros((0, 4)))
    assert np.shape(empty["iou"]) == (6, 0), f"box_iou against no boxes has shape {np.shape(empty['iou'])}; expected (6, 0)"


def _keep(out, what):
    keep = np.asarray(out["keep"]).reshape(-1)
    assert keep.dtype.kind in "iu", f"{what}: nms must return integer indices, got dtype {keep.dtype}"
    return keep


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_nms_order_ties_and_classes(submission, rng, hand_built):
    hand_built.source("postprocess.py", "nms", topics=["nms"])
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [0, 0, 10, 10.5], [30, 30, 40, 40], [31, 30, 41, 40],
                      [60, 60, 70, 70]], dtype=np.float64)
    scores = np.array([0.5, 0.9, 0.7, 0.6, 0.6, 0.1])  # a tie between boxes 3 and 4
    labels = np.array([0, 0, 1, 2, 2, 0])
    for thr, lab in ((0.5, None), (0.5, labels), (0.9, None), (0.0, None)):
        out = submission.probe("nms", boxes=boxes, scores=scores, iou_threshold=thr, labels=lab)
        kind = "class-agnostic" if lab is None else "per-class"
        assert_equal(_keep(out, "nms"), ref.nms(boxes, scores, thr, lab),
                     what=f"indices kept by {kind} nms at IoU threshold {thr} (by decreasing score, ties in input order)")
    xy = rng.uniform(0, 40, size=(30, 2))
    boxes = np.column_stack([xy, xy + rng.uniform(4, 20, size=(30, 2))])
    scores = rng.uniform(size=30)
    out = submission.probe("nms", boxes=boxes, scores=scores, iou_threshold=0.3, labels=None)
    assert_equal(_keep(out, "nms"), ref.nms(boxes, scores, 0.3), what="indices kept by nms on 30 random boxes")


@pytest.mark.points(4)
@pytest.mark.budget(cpu=5, cuda=5)
def test_decode_synthetic_heatmaps(submission, rng):
    N, C, H, W = 2, 3, 8, 8
    heatmap = rng.uniform(0, 0.04, size=(N, C, H, W))  # distinct values, all under the threshold
    # (image, class, row, col, value): (0, 1, 2, 4) is beside the 0.9 peak but in another class, so a peak;
    # (0, 0, 2, 4) is beside it in the same class, so suppressed by the 3 x 3 max; (1, 1, 0, 0) is in a corner.
    peaks = [(0, 0, 2, 3, 0.9), (0, 2, 6, 1, 0.75), (0, 1, 2, 4, 0.5), (0, 0, 2, 4, 0.3),
             (1, 1, 0, 0, 0.6), (1, 1, 7, 7, 0.2), (1, 2, 4, 4, 0.04)]
    for n, c, j, i, s in peaks:
        heatmap[n, c, j, i] = s
    wh = rng.uniform(1, 6, size=(N, 2, H, W))
    offset = rng.uniform(0, 1, size=(N, 2, H, W))
    for k, threshold in ((10, 0.1), (2, 0.1), (10, 0.55)):
        out = submission.probe("decode", heatmap=heatmap, wh=wh, offset=offset, k=k, threshold=threshold)
        expected = ref.decode(heatmap.astype(np.float32).astype(np.float64), wh.astype(np.float32),
                              offset.astype(np.float32), k, threshold)
        for name in ("boxes", "scores", "labels"):
            assert isinstance(out[name], list) and len(out[name]) == N, \
                f"decode must return one result per image ({N}); its {name} came back for {len(out[name])}"
        for n, (boxes, scores, labels) in enumerate(expected):
            what = f"decode(k={k}, threshold={threshold}) for image {n}"
            assert_close(np.asarray(out["scores"][n]).reshape(-1), scores, rtol=1e-5, what=f"scores of {what}")
            assert_equal(np.asarray(out["labels"][n]).reshape(-1), labels, what=f"labels of {what}")
            assert_close(np.asarray(out["boxes"][n]).reshape(-1, 4), boxes, rtol=1e-4, atol=1e-4,
                         what=f"boxes of {what} (corners in input pixels, stride 4)")
