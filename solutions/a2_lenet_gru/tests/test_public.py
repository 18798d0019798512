"""Public tests for assignment 2: a few checks you can run with `autograder check a2`.

Passing them does not mean full marks: the hidden tests check more shapes, strides, paddings, gradients,
pooling, GRU sequences and trained accuracy. They compare your layers with PyTorch's own (which you may
not call in your code) and check that your files and the operators they run use no forbidden library layer.
"""
import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from autograder.data import ionosphere_split
from autograder.authoring import assert_close

FILES = ["layers.py", "lenet.py", "gru.py", "train.py"]


def _t(array):
    return torch.from_numpy(array).requires_grad_()


@pytest.mark.budget(cpu=5, cuda=5)
def test_files_name_no_forbidden_library_calls(hand_built):
    for rel in FILES:
        hand_built.source(rel, f"the code in {rel}")


@pytest.mark.budget(cpu=5, cuda=5)
def test_conv2d_forward_and_backward(submission, rng, hand_built):
    x, w, b = rng.normal(size=(2, 3, 8, 8)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    dout = rng.normal(size=(2, 4, 4, 4))
    out = submission.probe("conv2d", x=x, weight=w, bias=b, dout=dout, stride=2, padding=1)
    hand_built.ops(out, "Conv2d")
    xt, wt, bt = _t(x), _t(w), _t(b)
    expected = F.conv2d(xt, wt, bt, stride=2, padding=1)
    (expected * torch.from_numpy(dout)).sum().backward()
    assert_close(out["out"], expected.detach().numpy(), rtol=1e-5, atol=1e-7, what="Conv2d output")
    assert_close(out["dx"], xt.grad.numpy(), rtol=1e-5, atol=1e-7, what="Conv2d input gradient")
    assert_close(out["dw"], wt.grad.numpy(), rtol=1e-5, atol=1e-7, what="Conv2d weight gradient")
    assert_close(out["db"], bt.grad.numpy(), rtol=1e-5, atol=1e-7, what="Conv2d bias gradient")


@pytest.mark.budget(cpu=5, cuda=5)
def test_maxpool2d_forward(submission, rng, hand_built):
    x = rng.normal(size=(2, 3, 8, 8))
    out = submission.probe("maxpool2d", x=x, kernel_size=2)
    hand_built.ops(out, "MaxPool2d")
    expected = F.max_pool2d(torch.from_numpy(x), 2).numpy()
    assert_close(out["out"], expected, rtol=1e-5, atol=1e-7, what="MaxPool2d output")


@pytest.mark.budget(cpu=5, cuda=5)
def test_lenet5_shape_and_parameter_count(submission, rng):
    out = submission.probe("lenet", x=rng.normal(size=(3, 1, 32, 32)).astype(np.float32))
    assert np.shape(out["scores"]) == (3, 10), f"LeNet5 scores have shape {np.shape(out['scores'])}; expected (3, 10)"
    assert out["num_params"] == 61_706, f"LeNet5 has {out['num_params']:,} parameters; expected 61,706"


@pytest.mark.budget(cpu=5, cuda=5)
def test_grucell_matches_torch(submission, rng, hand_built):
    I, H = 3, 4
    cell = nn.GRUCell(I, H).double()
    with torch.no_grad():
        for p in cell.parameters():
            p.copy_(torch.from_numpy(rng.uniform(-1, 1, tuple(p.shape))))
    params = {name: p.detach().numpy() for name, p in cell.named_parameters()}
    x, h = rng.normal(size=(2, I)), rng.normal(size=(2, H))
    out = submission.probe("grucell", x=x, h=h, params=params)
    hand_built.ops(out, "GRUCell")
    expected = cell(torch.from_numpy(x), torch.from_numpy(h)).detach().numpy()
    assert_close(out["h_next"], expected, rtol=1e-5, atol=1e-7, what="GRUCell next hidden state")


@pytest.mark.budget(cpu=5, cuda=5)
def test_gru_shapes(submission, rng):
    out = submission.probe("gru_shapes", x=rng.normal(size=(2, 7, 3)))
    assert out["outputs"] == [2, 7, 5], f"GRU outputs have shape {out['outputs']}; expected [2, 7, 5] (B, T, H)"
    assert out["h_T"] == [2, 5], f"GRU h_T has shape {out['h_T']}; expected [2, 5] (B, H)"


@pytest.mark.budget(cpu=30, cuda=40)
def test_train_gru_learns(submission):
    """Trains on the first 150 training rows and checks accuracy on the other 50 (the real test set stays hidden)."""
    data = ionosphere_split()
    X, y = data["X_train"], data["y_train"]
    out = submission.probe("train_gru", X_train=X[:150], y_train=y[:150], X_val=X[150:])
    acc = float(np.mean(np.asarray(out["y_pred"]) == y[150:]))
    assert acc >= 0.75, f"validation accuracy {acc:.3f} on 50 training rows held out; expected at least 0.75"
