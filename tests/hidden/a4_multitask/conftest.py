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


_TRAINED = {}


@pytest.fixture
def trained(submission, hidden_split):
    """The student's model trained on the 2,000 training scenes (seed 0): dict predictions (one dict per hidden
    scene), params, macs (per 64x64 image), counter_ok, latency_s (seconds per batch-1 forward, judge's clock,
    raw) and latency_consistent (batch-1 outputs equal to batched ones: the model does not skip work when timed)."""
    key = str(submission.materialized.folder)
    if key not in _TRAINED:
        train = scene_split("train")
        split = {k: train[k] for k in ("images", "masks", "boxes", "labels")}
        out = submission.probe("train_and_predict", train_split=split, images=hidden_split["images"], seed=0)
        assert out["model"] == "MultiTaskNet", f"train_multitask returned a {out['model']}; expected a MultiTaskNet"
        inputs = np.random.default_rng(0).normal(size=(LATENCY_RUNS, 3, 64, 64)).astype(np.float32)
        timing, seconds = submission.timed("latency", repeat=3, inputs=inputs)
        _TRAINED[key] = dict(out, latency_s=seconds / LATENCY_RUNS, latency_consistent=timing["consistent"])
    return _TRAINED[key]


@pytest.fixture
def call(submission):
    """call(module, function, *args, tensors=(), grad=False, **kwargs) -> the probe's dict out, grads,
    inputs_after: the student's function run in the worker (`tensors`: which arguments become tensors)."""
    def run(module, function, *args, tensors=(), grad=False, **kwargs):
        return submission.probe("call", module=module, function=function, args=list(args), kwargs=kwargs,
                                tensors=list(tensors), grad=grad)
    return run
