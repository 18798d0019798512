"""Hidden tests for model.py and train.predict's conversions. 7 points.

The network's design is the student's; these tests check its contract: the four outputs and their
shapes at several input sizes, a sigmoid heatmap starting near CenterNet's 0.1 prior, a backbone of
depthwise-separable blocks that forward runs (the depthwise convolutions as ATen runs them, and the blocks'
parameters reached by the outputs' gradient: blocks held but skipped do not count), and the DepthwiseSeparable
block itself. predict is checked with a stand-in
model (the probe's) returning known maps, so that its conversions (COCO [x, y, w, h] boxes, classes
1..3, NMS within each class, the mask's argmax at full resolution, eval mode) are graded without training.
"""
import numpy as np
import pytest

from autograder.authoring import assert_close, assert_equal


def _expected_shapes(H, W, C=3):
    return {"seg": [2, C + 1, H, W], "heatmap": [2, C, H // 4, W // 4], "wh": [2, 2, H // 4, W // 4],
            "offset": [2, 2, H // 4, W // 4]}


@pytest.mark.points(2)
@pytest.mark.budget(cpu=10, cuda=10)
def test_output_shapes(structure):
    for (H, W), shapes in zip(structure["sizes"], structure["shapes"]):
        assert shapes == _expected_shapes(H, W), (
            f"MultiTaskNet()(x) for x of shape (2, 3, {H}, {W}) returned {shapes}; expected {_expected_shapes(H, W)} "
            f"(seg at the input resolution, the detection maps at stride 4)")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=10, cuda=10)
def test_heatmap_sigmoid_and_prior(structure):
    out = structure
    low, high = out["heatmap_range"] or (None, None)
    assert low is not None and 0 < low and high < 1, (
        f"the heatmap's values range over [{low}, {high}]: it should come out of a sigmoid, inside (0, 1)")
    assert 0.03 <= out["heatmap_mean"] <= 0.3, (
        f"a fresh MultiTaskNet's mean heatmap is {out['heatmap_mean']:.3f}; with the last bias at -2.19 "
        f"(CenterNet's 0.1 prior) it starts near 0.1")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=10, cuda=10)
def test_depthwise_separable(structure, submission):
    out = structure
    assert out["block"]["shape"] == [2, 16, 8, 8], (
        f"DepthwiseSeparable(8, 16, stride=2) on (2, 8, 15, 16) gave {out['block']['shape']}; expected [2, 16, 8, 8]")
    assert out["block"]["convs"] == [[8, 8, [3, 3], 8], [8, 16, [1, 1], 1]], (
        f"DepthwiseSeparable(8, 16)'s convolutions (in, out, kernel, groups) are {out['block']['convs']}; expected "
        f"a depthwise 3x3 (8, 8, [3, 3], 8) then a pointwise 1x1 (8, 16, [1, 1], 1)")
    assert out["depthwise"] >= 3 and out["pointwise"] >= 3, (
        f"MultiTaskNet has {out['depthwise']} depthwise 3x3 and {out['pointwise']} pointwise 1x1 convolutions; its "
        f"backbone should be built from DepthwiseSeparable blocks (at least 3)")
    used = submission.probe("depthwise_in_forward", seed=0)
    assert used["depthwise_run"] >= 3 and used["blocks_feeding"] >= 3, (
        f"MultiTaskNet's forward ran {used['depthwise_run']} depthwise 3x3 convolutions, and its outputs depend on "
        f"{used['blocks_feeding']} of its {used['blocks']} DepthwiseSeparable blocks; forward should run its "
        f"backbone's DepthwiseSeparable blocks (at least 3), not only hold them")


def _stand_in_maps(rng):
    """Maps for 2 images of 32x32 (stride 4: 8x8 maps)."""
    heat = np.full((2, 3, 8, 8), 0.001, np.float32)
    wh, off = np.zeros((2, 2, 8, 8), np.float32), np.zeros((2, 2, 8, 8), np.float32)
    # image 0: a class-1 peak, its neighbour (no peak: a higher cell beside it), a class-3 peak on the same cell
    for n, c, x, y, s, w, h in [(0, 0, 2, 2, 0.9, 3, 3), (0, 0, 3, 2, 0.8, 3, 3), (0, 2, 2, 2, 0.7, 3, 3),
                                (1, 1, 5, 6, 0.6, 2, 1)]:
        heat[n, c, y, x] = s
        wh[n, :, y, x] = w, h
        off[n, :, y, x] = 0.5, 0.25
    seg = rng.normal(size=(2, 4, 32, 32)).astype(np.float32)
    return {"heatmap": heat, "wh": wh, "offset": off, "seg": seg}


@pytest.mark.points(2)
@pytest.mark.budget(cpu=10, cuda=10)
def test_predict_conversions(submission, rng):
    maps = _stand_in_maps(rng)
    maps["heatmap"][0, 0, 5, 5] = 0.85        # a second class-1 box far away: no overlap, kept
    maps["wh"][0, :, 5, 5] = 2, 2
    maps["offset"][0, :, 5, 5] = 0.5, 0.25
    out = submission.probe("predict_fixed", outputs=maps, images=np.zeros((2, 32, 32, 3), np.uint8))
    assert all(out["eval_mode"]), "predict should put the model in eval mode before calling it"
    results = out["results"]
    assert isinstance(results, list) and len(results) == 2, "predict should return one dict per image"
    first = results[0]
    assert_equal(np.asarray(first["labels"]).astype(np.int64), [1, 1, 3],
                 what="predict's labels for image 0 (classes 1..3, by decreasing score; NMS within each class, so "
                      "a class-3 box on a class-1 box stays)")
    assert_close(first["scores"], [0.9, 0.85, 0.7], rtol=1e-5, what="predict's scores for image 0")
    centre = lambda x, y: ((x + 0.5) * 4, (y + 0.25) * 4)
    (x0, y0), (x1, y1) = centre(2, 2), centre(5, 5)
    expected = [[x0 - 6, y0 - 6, 12, 12], [x1 - 4, y1 - 4, 8, 8], [x0 - 6, y0 - 6, 12, 12]]
    assert_close(first["boxes"], expected, rtol=1e-5, atol=1e-4,
                 what="predict's boxes for image 0 (COCO [x, y, w, h] in input pixels)")
    assert_equal(first["mask"], maps["seg"][0].argmax(axis=0),
                 what="predict's mask for image 0 (the argmax of the seg logits, at the input resolution)")
    assert_equal(np.asarray(results[1]["labels"]).astype(np.int64), [2], what="predict's labels for image 1")
