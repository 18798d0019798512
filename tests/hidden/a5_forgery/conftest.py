"""Judge-side data for assignment 5: the hidden test splits and the trained detectors' predictions.

The hidden photographs and seeds live only here; the probes receive images, never labels or masks. Both
detectors are trained once per graded submission, by whichever test asks first (`trained_forgery`,
`trained_generated`); their predictions are kept here for the other tests.
"""
import numpy as np
import pytest

from autograder.data.forgery import cached_forgeries, forgery_split, recompress

HIDDEN_PHOTOS = ("chelsea", "flower", "motorcycle", "immunohistochemistry")
# 128-bit seeds: the generator is public, so a small seed could be found by generating patches until they match.
MANIPULATED, MANIPULATED_SEED = 800, 0x8B3E_51D7_0A96_C24F_E7D1_3B58_6A0C_9F12
GENERATED, GENERATED_SEED = 600, 0x2F6A_C9E0_17B4_85D3_4E1F_A2C7_D960_3B8E
GENERATED_FAMILY = "nearest_noise"   # a decoder the training split's ("transposed") never shows
SEEN, SEEN_SEED = 600, 0xAE67_093D_6631_2AF9_1E1D_EC47_4237_635D   # the training's decoder, hidden photos
ROBUSTNESS_QUALITY = 50   # outside the training splits' JPEG qualities (70..95)
UNTRAINED_SEED = 1        # the untrained models whose scores must stay near chance


@pytest.fixture(scope="session")
def manipulated():
    """The 800 hidden task-1 patches (make_manipulated's dict)."""
    return cached_forgeries("manipulated", HIDDEN_PHOTOS, MANIPULATED, MANIPULATED_SEED)


@pytest.fixture(scope="session")
def generated():
    """The hidden task-2 patches (make_generated's dict): 600 whose generated half comes from the held-out decoder
    family, then 600 from the training's decoder, all of the hidden photographs."""
    unseen = cached_forgeries("generated", HIDDEN_PHOTOS, GENERATED, GENERATED_SEED, GENERATED_FAMILY)
    seen = cached_forgeries("generated", HIDDEN_PHOTOS, SEEN, SEEN_SEED)
    both = {k: np.concatenate([unseen[k], seen[k]]) for k in unseen}
    return both | {"unseen": np.arange(GENERATED + SEEN) < GENERATED}


def _split(task, keys):
    """The public training split's `keys`, photo names as a list (the channel sends numeric arrays only)."""
    data = forgery_split(task)
    return {k: data[k].tolist() if k == "photos" else data[k] for k in keys}


@pytest.fixture
def trained_forgery(submission, manipulated):
    """The student's ForgeryNet trained on the 3,000 training patches (seed 0): predictions ("score", "mask") on
    the hidden patches, recompressed (scores on the same patches at JPEG quality 50), the model's own forward on
    both (own, own_recompressed), an untrained ForgeryNet's predictions (untrained), model and eval_mode.
    Trained once per grade."""
    return submission.once("forgery", lambda: submission.probe(
        "train_forgery_and_predict", split=_split("manipulated", ("images", "masks", "labels", "photos")),
        images=manipulated["images"], recompressed=recompress(manipulated["images"], ROBUSTNESS_QUALITY), seed=0,
        untrained_seed=UNTRAINED_SEED))


@pytest.fixture
def trained_generated(submission, generated):
    """The student's GeneratedImageDetector trained on the 3,000 training patches (seed 0): probability on the
    1,200 hidden patches, the model's own forward (own), an untrained detector's probability (untrained), model and
    eval_mode. Trained once per grade."""
    return submission.once("generated", lambda: submission.probe(
        "train_generated_and_predict", split=_split("generated", ("images", "labels", "photos")),
        images=generated["images"], seed=0, untrained_seed=UNTRAINED_SEED))


@pytest.fixture
def structure(submission):
    """The model_structure probe's answer (both networks' output shapes, ForgeryNet's forensic layers), one probe
    per grade."""
    return submission.once("structure", lambda: submission.probe("model_structure", seed=0))
