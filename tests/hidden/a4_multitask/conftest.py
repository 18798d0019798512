"""Judge-side fixtures for assignment 4: the public training split, and one training run shared by the tests.

Training takes most of the grading time, so it runs once per submission: the first test that asks for
`trained` sends the training split and the hidden split's images to the `train_multitask` probe, and
times the trained model (the `latency` probe, in that same worker) against a yardstick. Later tests
read the cached answer, or the same failure message when the run failed. The hidden split's labels
never leave the judge.
"""
import functools

import pytest

from autograder.data import load_scenes
from a4_data import hidden_split

_RUNS = {}  # (submission folder, device) -> the run's figures, or the message it failed with
LATENCY_PASSES = 30  # batch-1 forward passes per timed latency call (and yardstick passes)
TIMING_REPEAT = 5  # best of 5 by the judge's clock


@functools.lru_cache(maxsize=1)
def train_split():
    """The public 2,000-scene training split (autograder.data.load_scenes("train"), cached on disk)."""
    split = load_scenes("train")
    return {key: split[key] for key in ("images", "masks", "boxes", "labels")}


def _run(submission):
    test = hidden_split()
    answer = submission.probe("train_multitask", train_split=train_split(), test_images=test["images"], seed=0)
    size = int(test["images"].shape[1])
    _, model_s = submission.timed("latency", repeat=TIMING_REPEAT, n=LATENCY_PASSES, size=size)
    _, yardstick_s = submission.timed("yardstick", repeat=TIMING_REPEAT, n=LATENCY_PASSES, size=size)
    return dict(answer, model_seconds=model_s, yardstick_seconds=yardstick_s, latency_ratio=model_s / yardstick_s)


@pytest.fixture
def trained(submission):
    """The training run's answer plus the judge's timings: {boxes, scores, labels, masks, params, macs, model,
    model_seconds, yardstick_seconds, latency_ratio}."""
    key = (str(submission.materialized.folder), submission.device)
    if key not in _RUNS:
        try:
            _RUNS[key] = _run(submission)
        except pytest.fail.Exception as failure:
            _RUNS[key] = str(failure.msg)
            raise
    run = _RUNS[key]
    if isinstance(run, str):
        pytest.fail(f"the training run failed: {run}", pytrace=False)
    return run
