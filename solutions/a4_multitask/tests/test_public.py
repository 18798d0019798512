"""Public tests for assignment 4: a few checks you can run with `autograder check a4`.

Passing them does not mean full marks: the hidden tests check every function against its docstring on
random and hand-made cases (borders, ties, absent classes, gradients), predict's conversions, and the
accuracy and cost of the model train_multitask trains with your defaults on the hidden scenes.
"""
import numpy as np
import pytest

from autograder.authoring import assert_close, assert_equal


@pytest.mark.budget(cpu=5, cuda=5)
def test_gaussian_radius_and_peak(submission):
    out = submission.probe("targets", h=4, w=4, radius=1)
    assert_close(out["radius"], 1.0933, rtol=1e-3, what="gaussian_radius(4, 4)")
    heat = np.asarray(out["heatmap"])
    assert heat[3, 3] == pytest.approx(1.0) and heat[3, 4] == pytest.approx(np.exp(-1 / (2 * 0.5 ** 2))), (
        "draw_gaussian with radius 1 should give 1 at the centre and exp(-1 / (2 sigma^2)) beside it, sigma = 0.5")
    assert heat[3, 5] == 0 and heat[1, 3] == 0, "draw_gaussian with radius 1 should only touch the 3x3 window"


@pytest.mark.budget(cpu=5, cuda=5)
def test_iou_and_nms(submission):
    a = [[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]]
    out = submission.probe("boxes", a=a, b=[[5, 0, 15, 10]], scores=[0.8, 0.9, 0.1])
    assert_close(out["iou"], [[50 / 150], [45 / 136], [0.0]], rtol=1e-4, what="box_iou")
    assert_equal(np.asarray(out["keep"]).astype(int), [1, 2], what="nms at 0.5 (indices by decreasing score)")


@pytest.mark.budget(cpu=5, cuda=5)
def test_model_output_shapes(submission):
    shapes = submission.probe("model_shapes")["shapes"]
    assert shapes == {"seg": [2, 4, 64, 64], "heatmap": [2, 3, 16, 16], "wh": [2, 2, 16, 16],
                      "offset": [2, 2, 16, 16]}, f"MultiTaskNet's outputs: {shapes}"


@pytest.mark.budget(cpu=5, cuda=5)
def test_confusion_matrix_and_miou(submission):
    out = submission.probe("metrics", pred=[[0, 1], [1, 1]], target=[[0, 1], [2, 1]])
    assert_equal(out["conf"], [[1, 0, 0, 0], [0, 2, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]], what="confusion_matrix")
    assert_close(out["miou"], (1 + 2 / 3 + 0) / 3, rtol=1e-6, what="mean_iou (class 3 absent from both: left out)")
