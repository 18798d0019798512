"""Judge-side data for assignment 4: the scenes, the hidden test split, and the trained model's results.

The hidden split's seed lives only here; the probes receive its images, never its boxes or masks.
Training is the slow part of grading, so the student's model is trained once per graded submission, by
whichever test asks first (`trained`): that test's worker also runs the latency probe on the trained
model, and the figures are kept here for the other tests.
"""
import numpy as np
import pytest

from autograder.data.scenes import cached_scenes, scene_split

# A 128-bit seed: the generator is public, so a small seed could be found by generating scenes until one
# matches the images a probe receives.
HIDDEN_SCENES, HIDDEN_SEED = 500, 0x5D1C_93A0_7E44_B2F1_0C6A_8F37_D2E9_1B45
LATENCY_RUNS = 200


@pytest.fixture(scope="session")
def hidden_split():
    """The 500 hidden test scenes (make_scenes's dict); their boxes and masks stay in the judge."""
    return cached_scenes(HIDDEN_SCENES, HIDDEN_SEED)


@pytest.fixture
def trained(submission, hidden_split):
    """The student's model trained on the 2,000 training scenes (seed 0): dict predictions (one dict per hidden
    scene), params, macs (per 64x64 image), counter_ok, latency_s (seconds per batch-1 forward, judge's clock,
    raw) and latency_consistent (batch-1 outputs equal to batched ones: the model does not skip work when timed)."""
    def train():
        split = scene_split("train")
        # the image arrays reach the worker as read-only files (probe.shared); the ragged boxes and labels as data
        submission.share("scenes", train_images=split["images"], train_masks=split["masks"],
                         hidden_images=hidden_split["images"])
        out = submission.probe("train_and_predict", boxes=split["boxes"], labels=split["labels"], seed=0)
        assert out["model"] == "MultiTaskNet", f"train_multitask returned a {out['model']}; expected a MultiTaskNet"
        inputs = np.random.default_rng(0).normal(size=(LATENCY_RUNS, 3, 64, 64)).astype(np.float32)
        timing, seconds = submission.timed("latency", repeat=3, inputs=inputs)
        return dict(out, latency_s=seconds / LATENCY_RUNS, latency_consistent=timing["consistent"])
    return submission.once("trained", train)


STRUCTURE_SIZES = [(64, 64), (32, 48), (96, 64)]


@pytest.fixture
def structure(submission):
    """The model_structure probe's answer for MultiTaskNet at STRUCTURE_SIZES (and those sizes), one probe per grade."""
    return submission.once("structure", lambda: dict(
        submission.probe("model_structure", sizes=STRUCTURE_SIZES, seed=0), sizes=STRUCTURE_SIZES))
