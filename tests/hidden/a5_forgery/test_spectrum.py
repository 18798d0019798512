"""Hidden tests for spectrum.py: the azimuthal average on hand-made spectra, the spectral features. 8 points."""
import numpy as np
import pytest

from autograder.authoring import assert_close, assert_equal


def _radius(H, W):
    yy, xx = np.indices((H, W))
    return np.hypot(yy - H // 2, xx - W // 2).astype(int)


def ref_profile(spectrum):
    r = _radius(*spectrum.shape[-2:]).ravel()
    flat = spectrum.reshape(-1, r.size)
    return np.stack([np.bincount(r, row) / np.bincount(r) for row in flat]).reshape(spectrum.shape[:-2] + (-1,))


def ref_features(images):
    grey = images.astype(np.float64).mean(axis=-1)
    return ref_profile(np.log(np.abs(np.fft.fftshift(np.fft.fft2(grey), axes=(-2, -1))) + 1e-8))


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
@pytest.mark.parametrize("H,W,ring", [(64, 64, 10), (31, 40, 7)])
def test_azimuthal_average_of_a_single_ring(call, H, W, ring):
    spectrum = (_radius(H, W) == ring).astype(np.float64) * 5.0
    out = np.asarray(call("spectrum", "azimuthal_average", spectrum)["out"])
    expected = np.zeros(_radius(H, W).max() + 1)
    expected[ring] = 5.0
    assert_equal(out.shape, expected.shape, what=f"azimuthal_average's length for {H}x{W}")
    assert_close(out, expected, atol=1e-9, what=f"azimuthal_average of a ring of radius {ring} in {H}x{W} "
                                                 f"(centre at (H // 2, W // 2), radius truncated to an integer)")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_azimuthal_average_batched(call, rng):
    spectrum = rng.uniform(0, 3, size=(2, 3, 20, 24))
    out = call("spectrum", "azimuthal_average", spectrum)["out"]
    assert_close(out, ref_profile(spectrum), rtol=1e-9, what="azimuthal_average over a (2, 3, 20, 24) batch")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_spectral_features(call, rng):
    images = rng.integers(0, 256, size=(3, 64, 64, 3), dtype=np.uint8)
    images[1] = (np.indices((64, 64)).sum(axis=0) % 2 * 255)[:, :, None]    # a checkerboard: all at the corners
    out = call("spectrum", "spectral_features", images)["out"]
    assert_close(out, ref_features(images), rtol=1e-6, atol=1e-6,
                 what="spectral_features (grey = channel mean, fft2, fftshift, log(|F| + 1e-8), azimuthal_average)")
