"""Judge-side data for assignment 4: the scenes, the hidden test split, and the trained model's results.

The hidden split's seed lives only here; the probes receive its images, never its boxes or masks.
Training is the slow part of grading, so the student's model is trained once per graded submission, by
whichever test asks first (`trained`): that test's worker also times `predict` one image at a time on the
trained model, and the figures are kept here for the other tests.
"""
import pytest

from autograder.data.scenes import cached_scenes, scene_split

# A 128-bit seed: the generator is public, so a small seed could be found by generating scenes until one
# matches the images a probe receives.
HIDDEN_SCENES, HIDDEN_SEED = 500, 0x5D1C_93A0_7E44_B2F1_0C6A_8F37_D2E9_1B45
LATENCY_RUNS = 100      # hidden images predicted one per call for the latency
UNTRAINED_SCENES = 100  # hidden images an untrained model predicts (it must score near nothing)


@pytest.fixture(scope="session")
def hidden_split():
    """The 500 hidden test scenes (make_scenes's dict); their boxes and masks stay in the judge."""
    return cached_scenes(HIDDEN_SCENES, HIDDEN_SEED)


@pytest.fixture
def trained(submission, hidden_split):
    """The student's model trained on the 2,000 training scenes (seed 0), and `predict` measured on the hidden
    scenes: the probe's answer (predictions, one dict per hidden scene; forward_masks and heatmaps, the returned
    model's own outputs; untrained, predict's answers for the first UNTRAINED_SCENES scenes with an untrained
    model; params and macs, measured around predict; counter_ok), plus latency_s (seconds per image of predict
    called one image at a time on one CPU thread, the judge's clock, best of 3, raw), one_at_a_time (those
    calls' predictions) and latency_devices (the devices they touched)."""
    def train():
        split = scene_split("train")
        # the image arrays reach the worker as read-only files (probe.shared); the ragged boxes and labels as data
        submission.share("scenes", train_images=split["images"], train_masks=split["masks"],
                         hidden_images=hidden_split["images"])
        out = submission.probe("train_and_predict", boxes=split["boxes"], labels=split["labels"], seed=0,
                               untrained_count=UNTRAINED_SCENES)
        assert out["model"] == "MultiTaskNet", f"train_multitask returned a {out['model']}; expected a MultiTaskNet"
        timing, seconds = submission.timed("predict_one_at_a_time", repeat=3, count=LATENCY_RUNS)
        return dict(out, latency_s=seconds / LATENCY_RUNS, latency_runs=LATENCY_RUNS, one_at_a_time=timing["predictions"],
                    latency_devices=timing["devices"])
    return submission.once("trained", train)


STRUCTURE_SIZES = [(64, 64), (32, 48), (96, 64)]


@pytest.fixture
def structure(submission):
    """The model_structure probe's answer for MultiTaskNet at STRUCTURE_SIZES (and those sizes), one probe per grade."""
    return submission.once("structure", lambda: dict(
        submission.probe("model_structure", sizes=STRUCTURE_SIZES, seed=0), sizes=STRUCTURE_SIZES))
