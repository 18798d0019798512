"""Hidden tests for filters.py: the SRM bank, the Bayar constraint, error level analysis. 11 points."""
import io

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from autograder.authoring import assert_close, assert_equal

SRM = np.stack([
    np.array([[0, 0, 0, 0, 0], [0, -1, 2, -1, 0], [0, 2, -4, 2, 0], [0, -1, 2, -1, 0], [0, 0, 0, 0, 0]]) / 4,
    np.array([[-1, 2, -2, 2, -1], [2, -6, 8, -6, 2], [-2, 8, -12, 8, -2], [2, -6, 8, -6, 2], [-1, 2, -2, 2, -1]]) / 12,
    np.pad(np.array([[1, -2, 1]]), ((2, 2), (1, 1))) / 2,
])


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_srm_kernels(call):
    out = call("filters", "srm_kernels")["out"]
    assert_close(out, SRM, rtol=1e-6, what="srm_kernels(), in order and normalised (1/4, 1/12, 1/2)")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_srm_layer_is_fixed_and_sums_colours(submission, rng):
    x = rng.uniform(0, 1, size=(2, 3, 9, 11)).astype(np.float32)
    out = submission.probe("srm_layer", x=x)
    assert out["params"] == 0 and "weight" in out["buffers"], (
        f"SRMConv2d must hold its weight in a buffer named 'weight' and have no parameters "
        f"(buffers {out['buffers']}, {out['params']} parameters)")
    expected_weight = np.repeat(SRM[:, None], 3, axis=1)
    assert_close(out["weight"], expected_weight, rtol=1e-6, what="SRMConv2d's weight (3, 3, 5, 5)")
    expected = F.conv2d(torch.tensor(x, dtype=torch.float64), torch.tensor(expected_weight), padding=2).numpy()
    assert_close(out["out"], expected, rtol=1e-4, atol=1e-6, what="SRMConv2d's output (zero padding 2)")


def _constrained(w):
    c = w.shape[-1] // 2
    centre_ok = np.allclose(w[:, :, c, c], -1, atol=1e-5)
    rest_ok = np.allclose(w.sum(axis=(2, 3)) - w[:, :, c, c], 1, atol=1e-4)
    return centre_ok and rest_ok


def _project(w):
    w = np.array(w, dtype=np.float64)
    c = w.shape[-1] // 2
    w[:, :, c, c] = 0
    w /= w.sum(axis=(2, 3), keepdims=True)
    w[:, :, c, c] = -1
    return w


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_bayar_starts_constrained(submission, rng):
    out = submission.probe("bayar_step", shape=[3, 2, 5], x=np.zeros((1, 3, 8, 8), np.float32),
                           grad=np.zeros((2, 3, 5, 5), np.float32), lr=0.0, seed=1)
    assert out["params"] == [[2, 3, 5, 5]], f"BayarConv2d(3, 2, 5)'s parameters: {out['params']}; expected one weight"
    assert _constrained(np.asarray(out["initial"])), "a new BayarConv2d's weight must already satisfy the constraint"


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_bayar_reapplies_the_constraint_after_a_step(submission, rng):
    grad = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)
    x = rng.uniform(0, 1, size=(2, 3, 7, 6)).astype(np.float32)
    out = submission.probe("bayar_step", shape=[3, 4, 3], x=x, grad=grad, lr=0.05, seed=2)
    stepped = np.asarray(out["stepped"])
    assert not _constrained(stepped), "the probe's SGD step should have moved the weight off the constraint"
    assert _constrained(np.asarray(out["used"])), (
        "after an optimizer step, forward must project the weight back (constrain() at the start of forward)")
    assert_close(out["used"], _project(stepped), rtol=1e-4, atol=1e-6,
                 what="the weight after the step and a forward (centre 0, divide by the sum, centre -1)")
    expected = F.conv2d(torch.tensor(x, dtype=torch.float64), torch.tensor(_project(stepped)), padding=1).numpy()
    assert_close(out["out"], expected, rtol=1e-4, atol=1e-5, what="BayarConv2d's output with the constrained weight")


def _ela(image, quality):
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
    resaved = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"), dtype=np.float64)
    return np.abs(image.astype(np.float64) - resaved).mean(axis=2)


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
@pytest.mark.parametrize("quality", [60, 95])
def test_error_level(call, rng, quality):
    # A judge-made JPEG with a brighter, noisier square pasted in after compression: ELA shows the square.
    base = np.clip(rng.normal(120, 30, size=(40, 48, 3)), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(base).save(buffer, format="JPEG", quality=70)
    image = np.asarray(Image.open(buffer).convert("RGB")).copy()
    image[8:24, 16:32] = rng.integers(0, 256, size=(16, 16, 3))
    out = call("filters", "error_level", image, quality=quality)["out"]
    assert_equal(np.shape(out), (40, 48), what="error_level's shape")
    assert_close(out, _ela(image, quality), rtol=1e-5, atol=1e-4,
                 what=f"error_level at quality {quality} (|image - resaved| in floats, mean over channels)")
