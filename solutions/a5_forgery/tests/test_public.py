"""Public tests for assignment 5: a few checks you can run with `autograder check a5`.

Passing them does not mean full marks: the hidden tests check every function against its docstring on
random and hand-made cases (a single frequency ring, a judge-made JPEG, the constraint after an optimizer
step, predict's conversions), and the two detectors train_forgery and train_generated train with your
defaults, scored on patches of photographs you have never seen.
"""
import numpy as np
import pytest

from autograder.authoring import assert_close, assert_equal


@pytest.mark.budget(cpu=5, cuda=5)
def test_srm_and_bayar(submission):
    out = submission.probe("filters")
    kernels = np.asarray(out["kernels"])
    assert kernels.shape == (3, 5, 5), f"srm_kernels() has shape {kernels.shape}; expected (3, 5, 5)"
    assert_close(kernels[0, 2], [0, 0.5, -1, 0.5, 0], what="the middle row of the first SRM kernel (1/4 of 2, -4, 2)")
    assert out["buffers"] == ["weight"] and out["params"] == 0, (
        f"SRMConv2d should keep its fixed weight in a buffer named 'weight' and have no parameters: "
        f"buffers {out['buffers']}, {out['params']} parameters")
    bayar = np.asarray(out["bayar"])
    assert_close(bayar[:, :, 2, 2], -np.ones((4, 2)), what="BayarConv2d's centre weights")
    off_centre = bayar.sum(axis=(2, 3)) - bayar[:, :, 2, 2]
    assert_close(off_centre, np.ones((4, 2)), rtol=1e-5, what="the sum of BayarConv2d's other weights, per kernel")


@pytest.mark.budget(cpu=5, cuda=5)
def test_spectral_profile(submission):
    out = submission.probe("spectrum", value=3.0)
    assert_close(out["profile"], np.full(46, 3.0), what="azimuthal_average of a constant 64x64 spectrum")
    assert np.asarray(out["features"]).shape == (2, 46), "spectral_features of two 64x64 images: shape (2, 46)"


@pytest.mark.budget(cpu=10, cuda=5)
def test_model_output_shapes(submission):
    out = submission.probe("model_shapes")
    assert out["forgery"] == {"score": [2], "mask": [2, 1, 64, 64]}, f"ForgeryNet's outputs: {out['forgery']}"
    assert out["generated"] == [2], f"GeneratedImageDetector's output shape: {out['generated']}"


@pytest.mark.budget(cpu=5, cuda=5)
def test_validation_split_keeps_photos_apart(submission):
    photos = ["a", "b", "a", "c", "d", "b", "e", "a", "c", "d"]
    out = submission.probe("split", photos=photos)
    train, val = np.asarray(out["train"], int), np.asarray(out["val"], int)
    assert_equal(np.sort(np.concatenate([train, val])), np.arange(len(photos)), what="train and val indices together")
    shared = {photos[i] for i in train} & {photos[i] for i in val}
    assert not shared, f"photos {sorted(shared)} give patches to both sides: hold out whole photographs"
    assert len({photos[i] for i in val}) == 1, "with fraction 0.2 and 5 photos, one photo is held out"
