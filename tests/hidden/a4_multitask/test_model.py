"""Hidden tests for model.py and prepare_images: output shapes and kinds, depthwise-separable blocks. 6 points."""
import numpy as np
import pytest

from autograder.testing import assert_close


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_depthwise_separable_block(submission, rng):
    x = rng.normal(size=(2, 8, 12, 12)).astype(np.float32)
    for stride, shape in ((1, (2, 16, 12, 12)), (2, (2, 16, 6, 6))):
        out = submission.probe("depthwise_separable", x=x, in_channels=8, out_channels=16, stride=stride)
        assert np.shape(out["out"]) == shape, (
            f"DepthwiseSeparable(8, 16, stride={stride}) gave shape {np.shape(out['out'])} for input (2, 8, 12, 12); "
            f"expected {shape}")
        out_arr = np.asarray(out["out"])
        assert out_arr.min() >= 0 and out_arr.max() <= 6 + 1e-6, "DepthwiseSeparable must end with ReLU6 (outputs in [0, 6])"
    # depthwise 8 x 1 x 3 x 3 (72) + BN 16 + pointwise 16 x 8 (128) + BN 32, no convolution bias
    assert out["num_params"] == 248, f"DepthwiseSeparable(8, 16) has {out['num_params']} parameters; expected 248"


@pytest.mark.points(2)
@pytest.mark.budget(cpu=10, cuda=5)
def test_multitasknet_output_shapes(submission, rng):
    for N, H, W in ((2, 64, 64), (1, 32, 48)):
        x = rng.normal(size=(N, 3, H, W)).astype(np.float32)
        out = submission.probe("multitasknet", x=x, width=8)
        expected = {"seg": [N, 4, H, W], "heatmap": [N, 3, H // 4, W // 4], "wh": [N, 2, H // 4, W // 4],
                    "offset": [N, 2, H // 4, W // 4]}
        assert out["shapes"] == expected, (
            f"MultiTaskNet(width=8) returned {out['shapes']} for input {[N, 3, H, W]}; expected {expected}")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=10, cuda=5)
def test_multitasknet_heads_and_backbone(submission, rng):
    out = submission.probe("multitasknet", x=rng.normal(size=(2, 3, 64, 64)).astype(np.float32), width=8)
    low, high = np.asarray(out["heatmap_range"], dtype=np.float64)
    assert 0 < low and high < 1, "the heatmap must come after a sigmoid: values strictly between 0 and 1"
    modules = out["modules"]
    depthwise = int(next((m.split(":")[1] for m in modules if m.startswith("depthwise:")), 0))
    assert depthwise >= 2, "the backbone must use depthwise convolutions (nn.Conv2d with groups = in_channels)"
    assert "BatchNorm2d" in modules, "the blocks must use batch normalisation (nn.BatchNorm2d)"
    for key in ("seg", "heatmap", "wh", "offset"):
        assert out["grads"].get(key), f"no gradient reaches the network's parameters from its {key!r} output"


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_prepare_images_values(submission, rng):
    images = rng.integers(0, 256, size=(3, 8, 10, 3)).astype(np.uint8)
    out = submission.probe("prepare_images", images=images)
    expected = (images.transpose(0, 3, 1, 2) / 255.0 - 0.5) / 0.25
    assert_close(out["x"], expected, rtol=1e-5, atol=1e-5,
                 what="prepare_images (channels first, / 255, then (x - 0.5) / 0.25)")
