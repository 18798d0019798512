"""Hidden tests for targets.py: the Gaussian radius, the peaks drawn, the dense targets. 7 points.

References are written here, in the judge, from CenterNet's code (the radius as its reference code
computes it, with the quadratics' roots written (b + sqrt(d)) / 2) and checked on hand-made and random
cases: a box at the border, two objects of one class side by side, two objects sharing a cell.
"""
import math

import numpy as np
import pytest

from autograder.authoring import assert_close, assert_equal


def reference_radius(h, w, min_overlap=0.7):
    b1, c1 = h + w, w * h * (1 - min_overlap) / (1 + min_overlap)
    b2, c2 = 2 * (h + w), (1 - min_overlap) * w * h
    a3, b3, c3 = 4 * min_overlap, -2 * min_overlap * (h + w), (min_overlap - 1) * w * h
    return min((b1 + math.sqrt(b1 ** 2 - 4 * c1)) / 2, (b2 + math.sqrt(b2 ** 2 - 16 * c2)) / 2,
               (b3 + math.sqrt(b3 ** 2 - 4 * a3 * c3)) / 2)


def reference_gaussian(heatmap, center, radius):
    heatmap = np.array(heatmap, dtype=np.float64)
    sigma = (2 * radius + 1) / 6
    H, W = heatmap.shape
    x, y = center
    for r in range(max(0, y - radius), min(H, y + radius + 1)):
        for c in range(max(0, x - radius), min(W, x + radius + 1)):
            heatmap[r, c] = max(heatmap[r, c], math.exp(-((c - x) ** 2 + (r - y) ** 2) / (2 * sigma ** 2)))
    return heatmap


def reference_targets(boxes, labels, output_size, num_classes, stride=4):
    H, W = output_size
    heat, wh, off, mask = (np.zeros((num_classes, H, W)), np.zeros((2, H, W)), np.zeros((2, H, W)),
                           np.zeros((H, W)))
    for (x, y, w, h), label in zip(boxes, labels):
        c = np.array([(x + w / 2) / stride, (y + h / 2) / stride])
        cx, cy = min(int(c[0]), W - 1), min(int(c[1]), H - 1)
        radius = max(0, int(reference_radius(math.ceil(h / stride), math.ceil(w / stride))))
        heat[label - 1] = reference_gaussian(heat[label - 1], (cx, cy), radius)
        wh[:, cy, cx] = w / stride, h / stride
        off[:, cy, cx] = c - (cx, cy)
        mask[cy, cx] = 1
    return {"heatmap": heat, "wh": wh, "offset": off, "reg_mask": mask}


CASES = [(4, 4, 0.7), (3, 7, 0.7), (6.5, 2.0, 0.5), (1, 1, 0.7), (10, 10, 0.9)]


@pytest.mark.points(2)
@pytest.mark.budget(cpu=8, cuda=8)
def test_gaussian_radius(call):
    for h, w, overlap in CASES:
        out = call("targets", "gaussian_radius", h, w, min_overlap=overlap)
        assert_close(out["out"], reference_radius(h, w, overlap), rtol=1e-6,
                     what=f"gaussian_radius({h}, {w}, min_overlap={overlap})")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=8, cuda=8)
def test_draw_gaussian(call, rng):
    base = rng.uniform(0, 0.5, size=(9, 11))
    for center, radius in [((5, 4), 2), ((0, 0), 3), ((10, 8), 1), ((3, 6), 0)]:
        out = call("targets", "draw_gaussian", base.copy(), list(center), radius)
        expected = reference_gaussian(base, center, radius)
        assert_close(out["inputs_after"][0], expected, rtol=1e-5, atol=1e-7,
                     what=f"the heatmap after draw_gaussian(heatmap, center={center}, radius={radius}) (in place)")
        assert_close(out["out"], expected, rtol=1e-5, atol=1e-7,
                     what=f"draw_gaussian's return value for center={center}, radius={radius}")
        assert out["out"][center[1], center[0]] == pytest.approx(1.0), (
            f"draw_gaussian(center={center}) should put its peak 1 at row {center[1]}, column {center[0]}")


BOXES = [
    ([[10, 12, 20, 16], [40, 30, 12, 22], [2, 50, 9, 13]], [1, 3, 2]),                 # three classes
    ([[0, 0, 7, 5], [55, 57, 9, 7]], [2, 2]),                                         # both borders, one class
    ([[20, 20, 10, 10], [21, 21, 9, 8], [24, 40, 13, 10], [30, 41, 12, 9]], [1, 3, 1, 1]),  # a shared cell
]


@pytest.mark.points(1)
@pytest.mark.budget(cpu=8, cuda=8)
@pytest.mark.parametrize("case", range(len(BOXES)))
def test_build_targets(call, case):
    boxes, labels = BOXES[case]
    boxes = np.array(boxes, np.float32)
    out = call("targets", "build_targets", boxes, np.array(labels), [16, 16], 3)["out"]
    expected = reference_targets(boxes, labels, (16, 16), 3)
    assert isinstance(out, dict) and set(out) >= set(expected), (
        f"build_targets should return a dict with {sorted(expected)}; got {sorted(out) if isinstance(out, dict) else out}")
    assert_equal((np.asarray(out["reg_mask"]) > 0).astype(int), (expected["reg_mask"] > 0).astype(int),
                 what="reg_mask (1 at the cell floor(centre / stride) of each object)")
    for key in ("heatmap", "wh", "offset"):
        assert_close(out[key], expected[key], rtol=1e-5, atol=1e-6,
                     what=f"build_targets' {key} for boxes {boxes.tolist()} of classes {labels} (output cells)")
