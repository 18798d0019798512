"""Hidden tests for postprocess.py: IoU, NMS and decoding against references written here. 10 points.

Boxes are corner boxes [x1, y1, x2, y2] in input pixels. IoU cases: disjoint, nested, touching (an edge
shared: IoU 0), identical, degenerate (zero area, IoU 0 even against itself), and random boxes. NMS: the
order of the kept boxes, ties (the lower index first), the threshold itself (a box at exactly the
threshold stays: suppression is for IoU greater than it). Decoding: synthetic maps with known peaks,
offsets and sizes, a plateau-free neighbour that must not count as a peak, top-k (k above the number of cells
too) and the threshold, and a batch of images with different peaks and counts (one without any): top-k and
every map read per image.
"""
import numpy as np
import pytest

from autograder.authoring import assert_close, assert_equal


def ref_iou(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    area = lambda x: np.clip(x[:, 2] - x[:, 0], 0, None) * np.clip(x[:, 3] - x[:, 1], 0, None)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(axis=2)
    union = area(a)[:, None] + area(b)[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def ref_nms(boxes, scores, threshold):
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    iou = ref_iou(boxes, boxes)
    keep, dropped = [], set()
    for i in order:
        if i in dropped:
            continue
        keep.append(i)
        dropped |= {j for j in range(len(scores)) if iou[i, j] > threshold}
    return keep


HAND_MADE = {
    "disjoint": ([[0, 0, 10, 10]], [[20, 20, 30, 30]], 0.0),
    "nested": ([[0, 0, 10, 10]], [[2, 2, 7, 7]], 25 / 100),
    "touching": ([[0, 0, 10, 10]], [[10, 0, 20, 10]], 0.0),
    "identical": ([[3, 4, 9, 12]], [[3, 4, 9, 12]], 1.0),
    "half_overlap": ([[0, 0, 10, 10]], [[5, 0, 15, 10]], 50 / 150),
    "degenerate": ([[5, 5, 5, 9]], [[5, 5, 5, 9]], 0.0),
}


@pytest.mark.points(0.5)
@pytest.mark.budget(cpu=8, cuda=8)
@pytest.mark.parametrize("case", sorted(HAND_MADE))
def test_box_iou_cases(call, case):
    a, b, expected = HAND_MADE[case]
    out = call("postprocess", "box_iou", np.array(a, np.float32), np.array(b, np.float32), tensors=[0, 1])["out"]
    assert_close(out, [[expected]], rtol=1e-5, atol=1e-7, what=f"box_iou({a}, {b}) ({case.replace('_', ' ')})")


def _random_boxes(rng, n):
    xy = rng.uniform(0, 50, size=(n, 2))
    return np.concatenate([xy, xy + rng.uniform(1, 20, size=(n, 2))], axis=1).astype(np.float32)


@pytest.mark.points(1)
@pytest.mark.budget(cpu=8, cuda=8)
def test_box_iou_random(call, rng):
    a, b = _random_boxes(rng, 7), _random_boxes(rng, 5)
    out = call("postprocess", "box_iou", a, b, tensors=[0, 1])["out"]
    assert_close(out, ref_iou(a, b), rtol=1e-4, atol=1e-6, what="box_iou on 7 x 5 random boxes (shape (N, M))")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=8, cuda=8)
def test_nms_random(call, rng):
    boxes = np.concatenate([_random_boxes(rng, 12), _random_boxes(rng, 12) * 0.3 + 10]).astype(np.float32)
    scores = rng.uniform(size=len(boxes)).astype(np.float32)
    for threshold in (0.3, 0.5):
        out = call("postprocess", "nms", boxes, scores, threshold, tensors=[0, 1])["out"]
        assert_equal(np.asarray(out).astype(np.int64), ref_nms(boxes, scores, threshold),
                     what=f"nms(boxes, scores, {threshold}): the kept indices, by decreasing score")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=8, cuda=8)
def test_nms_ties_and_threshold(call):
    boxes = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 5], [30, 30, 40, 40]], np.float32)
    scores = np.array([0.5, 0.5, 0.9, 0.5], np.float32)
    # box 2 overlaps boxes 0 and 1 with IoU 0.5 exactly: at threshold 0.5 it suppresses neither
    out = call("postprocess", "nms", boxes, scores, 0.5, tensors=[0, 1])["out"]
    assert_equal(np.asarray(out).astype(np.int64), [2, 0, 3],
                 what="nms with a tie (boxes 0 and 1, equal scores: the lower index stays) and an IoU equal to the threshold")


def _maps(*images, C=3, H=8, W=8):
    """Heatmap, wh and offset maps of len(images) images, each image given by its peaks:
    (class, x, y, score, w, h, ox, oy)."""
    N = len(images)
    heat = np.full((N, C, H, W), 0.01, np.float32)
    wh, off = np.zeros((N, 2, H, W), np.float32), np.zeros((N, 2, H, W), np.float32)
    for n, peaks in enumerate(images):
        for c, x, y, score, w, h, ox, oy in peaks:
            heat[n, c, y, x] = score
            wh[n, :, y, x], off[n, :, y, x] = (w, h), (ox, oy)
    return {"heatmap": heat, "wh": wh, "offset": off}


PEAKS = [(0, 2, 3, 0.9, 3.0, 2.0, 0.5, 0.25), (2, 6, 1, 0.7, 1.5, 4.0, 0.0, 0.75), (1, 5, 6, 0.4, 2.0, 2.0, 0.2, 0.2),
         (0, 3, 3, 0.6, 1.0, 1.0, 0.0, 0.0)]   # the last one is next to a higher peak of its class: not a peak


def _expected(peaks, stride=4):
    rows = sorted(peaks, key=lambda p: -p[3])
    boxes = [[(x + ox) * stride - w * stride / 2, (y + oy) * stride - h * stride / 2,
              (x + ox) * stride + w * stride / 2, (y + oy) * stride + h * stride / 2]
             for _, x, y, _, w, h, ox, oy in rows]
    return np.array(boxes), np.array([p[3] for p in rows]), np.array([p[0] + 1 for p in rows])


@pytest.mark.points(1)
@pytest.mark.budget(cpu=8, cuda=8)
def test_decode_peaks(call):
    out = call("postprocess", "decode", _maps(PEAKS), tensors=[0], k=10, threshold=0.1)["out"]
    assert isinstance(out, list) and len(out) == 1, "decode should return a list with one dict per image"
    boxes, scores, labels = _expected(PEAKS[:3])
    det = out[0]
    assert_equal(np.asarray(det["labels"]).astype(np.int64), labels,
                 what="decode's labels (classes 1..C, by decreasing score; a cell beside a higher one of its "
                      "class is no peak)")
    assert_close(det["scores"], scores, rtol=1e-5, what="decode's scores")
    assert_close(det["boxes"], boxes, rtol=1e-5, atol=1e-4,
                 what="decode's boxes (corners in input pixels: centre (cell + offset) * 4, size wh * 4)")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=8, cuda=8)
def test_decode_top_k_and_threshold(call):
    out = call("postprocess", "decode", _maps(PEAKS), tensors=[0], k=2, threshold=0.1)["out"][0]
    assert_equal(np.asarray(out["labels"]).astype(np.int64), [1, 3], what="decode with k=2: the two highest peaks")
    out = call("postprocess", "decode", _maps(PEAKS), tensors=[0], k=10, threshold=0.5)["out"][0]
    assert_close(out["scores"], [0.9, 0.7], rtol=1e-5, what="decode with threshold=0.5: the peaks scoring 0.5 or more")
    out = call("postprocess", "decode", _maps(PEAKS), tensors=[0], k=1000, threshold=0.1)["out"][0]
    assert_close(out["scores"], [0.9, 0.7, 0.4], rtol=1e-5,
                 what="decode with k=1000, more than the maps' 192 cells: every peak above the threshold")


# Three images: their peaks differ (no image's boxes fit another's maps), and so do their counts: 3, 2 (one of them
# on a corner cell) and none. Image 1's peaks score below image 0's, so with k=3 a top-k over the whole batch
# would keep image 0's peaks alone.
BATCH = [
    [(0, 2, 3, 0.9, 3.0, 2.0, 0.5, 0.25), (2, 6, 1, 0.8, 1.5, 4.0, 0.0, 0.75), (1, 5, 6, 0.7, 2.0, 2.0, 0.2, 0.2)],
    [(1, 0, 7, 0.6, 1.0, 2.5, 0.1, 0.9), (2, 4, 4, 0.3, 5.0, 3.0, 0.6, 0.4)],
    [],
]


@pytest.mark.points(1)
@pytest.mark.budget(cpu=8, cuda=8)
def test_decode_batch(call):
    out = call("postprocess", "decode", _maps(*BATCH), tensors=[0], k=3, threshold=0.1)["out"]
    assert isinstance(out, list) and len(out) == len(BATCH), "decode should return a list with one dict per image"
    for n, (peaks, det) in enumerate(zip(BATCH, out)):
        boxes, scores, labels = _expected(peaks)
        assert_equal(np.asarray(det["labels"]).astype(np.int64), labels,
                     what=f"decode's labels for image {n} of 3 (its own k highest peaks, k per image)")
        assert_close(det["scores"], scores, rtol=1e-5, what=f"decode's scores for image {n} of 3")
        assert_close(np.asarray(det["boxes"]).reshape(-1, 4), boxes.reshape(-1, 4), rtol=1e-5, atol=1e-4,
                     what=f"decode's boxes for image {n} of 3 (from that image's wh and offset maps)")
