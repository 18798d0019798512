"""Assignment 5's data: forged patches with their masks, generated patches with the decoder's artifact, splits
kept apart by photograph, and the shipped generator."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from autograder.data import forgery
from autograder.data.manifest import DatasetError

HIDDEN_CONFTEST = Path(__file__).resolve().parents[1] / "hidden" / "a5_forgery" / "conftest.py"


@pytest.fixture(scope="module")
def small():
    return forgery.make_manipulated(("astronaut", "coffee", "china"), 40, seed=3)


def test_every_photo_loads_at_the_working_scale():
    for name in forgery.PHOTOS:
        image = forgery.photo(name)
        assert image.ndim == 3 and image.shape[2] == 3 and min(image.shape[:2]) == forgery.SHORT_SIDE, name
    with pytest.raises(DatasetError, match="no photo 'lena'"):
        forgery.photo("lena")


def test_manipulated_patches_and_masks_agree(small):
    assert small["images"].shape == (40, 64, 64, 3) and small["images"].dtype == np.uint8
    assert small["labels"].sum() == 20 and set(small["photos"]) <= {"astronaut", "coffee", "china"}
    areas = small["masks"].reshape(40, -1).sum(axis=1)
    assert (areas[small["labels"] == 0] == 0).all()
    assert (areas[small["labels"] == 1] >= 100).all() and (areas <= 1700).all()
    assert ((small["kinds"] > 0) == (small["labels"] == 1)).all() and set(small["kinds"]) == {0, 1, 2}
    again = forgery.make_manipulated(("astronaut", "coffee", "china"), 40, seed=3)
    assert all(np.array_equal(small[k], again[k]) for k in small)


def test_authentic_and_forged_patches_are_not_told_apart_by_brightness_or_contrast():
    big = forgery.make_manipulated(forgery.TRAIN_PHOTOS, 200, seed=4)
    from sklearn.metrics import roc_auc_score
    for statistic in (big["images"].mean(axis=(1, 2, 3)), big["images"].std(axis=(1, 2, 3))):
        assert 0.4 < roc_auc_score(big["labels"], statistic) < 0.6


def test_every_patch_went_through_jpeg(small):
    # A decoded JPEG saved again at high quality barely changes; a raw pasted region would change more.
    again = forgery.recompress(small["images"], 98)
    assert np.abs(again.astype(int) - small["images"]).mean() < 2.0


def test_the_shipped_generator_leaves_a_checkerboard():
    out = forgery.decode(np.full((1, 64, 64, 3), 128.0))[0].mean(axis=-1)
    spectrum = np.abs(np.fft.fft2(out - out.mean()))
    peak = np.unravel_index(spectrum.argmax(), spectrum.shape)
    assert 32 in peak, f"the strongest frequency of a decoded flat image is {peak}, not the Nyquist frequency"


def test_the_held_out_family_upsamples_without_a_checkerboard():
    # The same weights, nearest-neighbour upsampling: the Nyquist peak of a decoded flat image is gone, and crops
    # are reconstructed nearly as well (mean absolute error 15.6 against 13.4 for the training's decoder).
    flat = np.full((1, 64, 64, 3), 128.0)
    peaks = {}
    for family in forgery.FAMILIES:
        out = forgery.decode(flat, family)[0].mean(axis=-1)
        peaks[family] = np.abs(np.fft.fft2(out - out.mean()))[32].max()
    assert peaks["nearest_noise"] < 0.1 * peaks["transposed"], peaks
    crops = np.stack([forgery._crop(np.random.default_rng(i), "chelsea") for i in range(8)])
    errors = {family: np.abs(forgery.decode(crops, family) - crops).mean() for family in forgery.FAMILIES}
    assert errors["nearest_noise"] < 1.5 * errors["transposed"], errors
    with pytest.raises(DatasetError, match="no generator family 'pixelshuffle'"):
        forgery.decode(crops, "pixelshuffle")


def test_generated_split_is_half_decoded():
    for family in forgery.FAMILIES:
        data = forgery.make_generated(("rocket", "retina"), 20, seed=2, family=family)
        assert data["images"].shape == (20, 64, 64, 3) and data["labels"].sum() == 10
        assert set(data["photos"]) <= {"rocket", "retina"}


def test_the_generator_trainer_makes_the_shipped_shapes():
    weights = forgery.train_generator(steps=1)
    with np.load(forgery.dataset_path("forgery_generator")) as shipped:
        assert {k: shipped[k].shape for k in shipped.files} == {k: v.shape for k, v in weights.items()}


def test_hidden_photographs_are_not_training_photographs():
    spec = importlib.util.spec_from_file_location("a5_hidden_conftest", HIDDEN_CONFTEST)
    hidden = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hidden)
    assert set(hidden.HIDDEN_PHOTOS) <= set(forgery.PHOTOS)
    assert not set(hidden.HIDDEN_PHOTOS) & set(forgery.TRAIN_PHOTOS)
    assert all(seed.bit_length() > 120 for seed in (hidden.MANIPULATED_SEED, hidden.GENERATED_SEED, hidden.SEEN_SEED))
    assert hidden.GENERATED_FAMILY in forgery.FAMILIES and hidden.GENERATED_FAMILY != "transposed"


def test_unknown_task_is_one_sentence():
    with pytest.raises(DatasetError, match="no forgery task 'fake'"):
        forgery.forgery_split("fake")


@pytest.mark.slow
def test_the_readme_pictures_are_drawn_by_their_command(tmp_path):
    script = Path(__file__).resolve().parents[2] / "scripts" / "a5_pictures.py"
    done = subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    for name in ("forgery_example.png", "spectra.png", "generated_examples.png"):
        with Image.open(tmp_path / name) as image:
            assert min(image.size) >= 150, name
