"""Hidden tests: each hand-built component is written by hand. 5 points.

Two checks per component: the static scan of its file for forbidden names (autograder.judge.forbidden:
direct calls, import aliases, getattr with a constant name), then the operators a probe ran under
record_ops() (autograder.worker.optrace: catches what the scan cannot read, such as a name built at run
time). The rules are the [[forbidden]] groups of assignment.toml. The value tests of layers.py and
gru.py apply the same checks, so a library call costs those points as well.
"""
import numpy as np
import pytest


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_conv2d_hand_built(submission, rng, hand_built):
    hand_built.source("layers.py", "Conv2d", ("convolution", "internals"))
    out = submission.probe("conv2d", x=rng.normal(size=(2, 3, 9, 9)), weight=rng.normal(size=(4, 3, 3, 3)),
                           bias=rng.normal(size=4), dout=rng.normal(size=(2, 4, 5, 5)), stride=2, padding=1)
    hand_built.ops(out, "Conv2d (forward and backward)")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_pooling_hand_built(submission, rng, hand_built):
    hand_built.source("layers.py", "MaxPool2d and AvgPool2d", ("pooling", "internals"))
    for kind in ("max", "avg"):
        out = submission.probe("pool2d", kind=kind, x=rng.normal(size=(2, 3, 8, 8)),
                               dout=rng.normal(size=(2, 3, 4, 4)), kernel_size=2, stride=None)
        hand_built.ops(out, f"{kind.capitalize()}Pool2d (forward and backward)")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_lenet5_hand_built(submission, rng, hand_built):
    """LeNet5 uses the layers of layers.py, not the library's."""
    hand_built.source("lenet.py", "LeNet5")
    out = submission.probe("lenet", x=rng.normal(size=(2, 1, 32, 32)).astype(np.float32), seed=0)
    hand_built.ops(out, "LeNet5 (forward and backward)")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_grucell_hand_built(submission, rng, hand_built):
    hand_built.source("gru.py", "GRUCell")
    I, H = 3, 4
    params = {"weight_ih": rng.normal(size=(3 * H, I)), "weight_hh": rng.normal(size=(3 * H, H)),
              "bias_ih": rng.normal(size=3 * H), "bias_hh": rng.normal(size=3 * H)}
    out = submission.probe("grucell", x=rng.normal(size=(2, I)), h=rng.normal(size=(2, H)), params=params,
                           dout=rng.normal(size=(2, H)))
    hand_built.ops(out, "GRUCell (forward and backward)")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_gru_hand_built(submission, rng, hand_built):
    hand_built.source("gru.py", "GRU and IonosphereGRU")
    I, H, T = 3, 4, 5
    params = {"weight_ih": rng.normal(size=(3 * H, I)), "weight_hh": rng.normal(size=(3 * H, H)),
              "bias_ih": rng.normal(size=3 * H), "bias_hh": rng.normal(size=3 * H)}
    out = submission.probe("gru", x=rng.normal(size=(2, T, I)), h0=None, params=params,
                           doutputs=rng.normal(size=(2, T, H)), dh_T=rng.normal(size=(2, H)))
    hand_built.ops(out, "GRU (forward and backward)")
    out = submission.probe("ionosphere_gru", x=rng.uniform(-1, 1, (3, 34)), hidden_size=8, seed=0)
    hand_built.ops(out, "IonosphereGRU (forward)")
