"""Hidden tests for lenet.py: LeNet5's output shape and parameter count. 2 points.

(LeNet5 being built from the hand-written layers is test_hand_built.py's test_lenet5_hand_built;
how well it learns is test_training.py's.)
"""
import numpy as np
import pytest

NUM_PARAMS = 61_706  # 156 + 2,416 + 48,120 + 10,164 + 850


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_lenet5_output_shape(submission, rng):
    for N in (1, 5):
        out = submission.probe("lenet", x=rng.normal(size=(N, 1, 32, 32)).astype(np.float32), seed=0)
        assert np.shape(out["scores"]) == (N, 10), (
            f"LeNet5 returned scores of shape {np.shape(out['scores'])} for {N} images of 1 x 32 x 32; "
            f"expected {(N, 10)}")
        assert np.all(np.isfinite(out["scores"])), "LeNet5 returned NaN or infinite scores"


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_lenet5_parameter_count(submission, rng):
    out = submission.probe("lenet", x=rng.normal(size=(2, 1, 32, 32)).astype(np.float32), seed=0)
    assert out["num_params"] == NUM_PARAMS, (
        f"LeNet5 has {out['num_params']:,} parameters; LeNet-5 as described has {NUM_PARAMS:,}")
