"""Hidden tests for targets.py: CenterNet's Gaussian radius, heatmap peaks and the training targets. 7 points."""
import numpy as np
import pytest

import a4_reference as ref
from autograder.testing import assert_close, assert_equal


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_gaussian_radius_values(submission, rng):
    sizes = np.concatenate([[[1.0, 1.0], [2.0, 7.0], [6.5, 3.25], [0.0, 4.0]], rng.uniform(0.5, 16, size=(12, 2))])
    for m in (0.7, 0.5):
        out = submission.probe("gaussian_radius", sizes=sizes, min_overlap=m)
        expected = [ref.gaussian_radius(h, w, m) for h, w in sizes]
        assert_close(out["radii"], expected, rtol=1e-6, atol=1e-9, what=f"gaussian_radius with min_overlap {m}")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_draw_gaussian_peaks_overlap_and_border(submission):
    cases = [
        ((9, 11), [(5, 4)], [2]),  # one peak inside
        ((9, 11), [(0, 0), (10, 8)], [3, 2]),  # peaks cut off at the corners
        ((9, 11), [(3, 4), (5, 4)], [2, 3]),  # overlapping peaks: the maximum, not the sum
        ((6, 6), [(2, 3)], [0]),  # radius 0: one cell
    ]
    for shape, centers, radii in cases:
        out = submission.probe("draw_gaussian", shape=shape, centers=centers, radii=radii)
        expected = np.zeros(shape)
        for c, r in zip(centers, radii):
            ref.draw_gaussian(expected, c, r)
        assert_close(out["heatmap"], expected, rtol=1e-5, atol=1e-7,
                     what=f"heatmap after draw_gaussian at {centers} with radii {radii}")
        assert out["returned_same"], "draw_gaussian must draw into the given heatmap and return that same array"


@pytest.mark.points(3)
@pytest.mark.budget(cpu=5, cuda=5)
def test_build_targets_values(submission, rng):
    cases = [
        (np.array([[10.0, 6.0, 21.0, 14.0]]), [1]),  # centre (20.5, 13) px -> cell (5, 3), offset (0.125, 0.25)
        (np.array([[0.0, 0.0, 8.0, 8.0], [40.0, 44.0, 24.0, 20.0], [30.0, 2.0, 5.0, 27.0]]), [0, 2, 2]),
        (np.zeros((0, 4)), []),
    ]
    for _ in range(3):
        k = int(rng.integers(1, 5))
        wh = rng.uniform(6, 28, size=(k, 2))
        xy = rng.uniform(0, 64 - wh)
        cases.append((np.round(np.column_stack([xy, wh]), 1), rng.integers(0, 3, size=k).tolist()))
    for boxes, labels in cases:
        out = submission.probe("build_targets", boxes=boxes, labels=labels, output_size=(16, 16), num_classes=3)
        expected = ref.build_targets(boxes.astype(np.float32), labels, (16, 16), 3)
        what = f"build_targets for boxes {boxes.tolist()}"
        assert_close(out["heatmap"], expected["heatmap"], rtol=1e-5, atol=1e-6, what=f"heatmap of {what}")
        assert_equal(out["reg_mask"], expected["reg_mask"], what=f"reg_mask of {what}")
        assert_close(out["wh"], expected["wh"], rtol=1e-5, atol=1e-5, what=f"wh of {what}")
        assert_close(out["offset"], expected["offset"], rtol=1e-5, atol=1e-5, what=f"offset of {what}")
