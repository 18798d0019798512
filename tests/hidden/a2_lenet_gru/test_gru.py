"""Hidden tests for gru.py: GRUCell, GRU and IonosphereGRU. 11 points.

References are torch.nn.GRUCell and torch.nn.GRU(batch_first=True) in float64, made here on the
judge side and given parameters drawn from the test's seeded generator; the probe sets the same
parameters on the student's cell (PyTorch's layout: gate blocks r, z, n). Biases are drawn from
U(-1, 1) so that a bias in the wrong place shows. Every test also checks that gru.py names no
forbidden library call and that the probe ran none (the engine's `hand_built` fixture).
"""
import numpy as np
import pytest
import torch
import torch.nn as nn

from autograder.authoring import as_array, assert_close

B, T, I, H = 3, 6, 4, 5
RTOL, ATOL = 1e-5, 1e-7
PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _params(rng):
    bound = 3 / np.sqrt(H)  # three times nn.GRUCell's initial range: gates away from their linear middle
    return {"weight_ih": rng.uniform(-bound, bound, (3 * H, I)), "weight_hh": rng.uniform(-bound, bound, (3 * H, H)),
            "bias_ih": rng.uniform(-1, 1, 3 * H), "bias_hh": rng.uniform(-1, 1, 3 * H)}


def _load(module, params, suffix=""):
    with torch.no_grad():
        for name, value in params.items():
            getattr(module, name + suffix).copy_(torch.from_numpy(value))
    return module


def _t(array):
    return torch.from_numpy(np.asarray(array, dtype=np.float64)).requires_grad_()


def _cell_reference(x, h, params, dout):
    cell = _load(nn.GRUCell(I, H).double(), params)
    xt, ht = _t(x), _t(h)
    h_next = cell(xt, ht)
    (h_next * torch.from_numpy(dout)).sum().backward()
    return h_next.detach().numpy(), xt.grad.numpy(), ht.grad.numpy(), {
        name: getattr(cell, name).grad.numpy() for name in PARAMS}


def _sequence_reference(x, h0, params, doutputs, dh_T):
    gru = _load(nn.GRU(I, H, batch_first=True).double(), params, suffix="_l0")
    xt = _t(x)
    h0t = None if h0 is None else _t(h0)
    outputs, h_n = gru(xt, None if h0t is None else h0t.unsqueeze(0))
    h_T = h_n[0]
    ((outputs * torch.from_numpy(doutputs)).sum() + (h_T * torch.from_numpy(dh_T)).sum()).backward()
    grads = {name: getattr(gru, name + "_l0").grad.numpy() for name in PARAMS}
    return outputs.detach().numpy(), h_T.detach().numpy(), xt.grad.numpy(), \
        None if h0t is None else h0t.grad.numpy(), grads


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_grucell_parameter_shapes_and_init(submission, hand_built):
    I_, H_ = 8, 64
    out = submission.probe("grucell_init", input_size=I_, hidden_size=H_, seed=0)
    hand_built.source("gru.py", "GRUCell")
    shapes = {"weight_ih": (3 * H_, I_), "weight_hh": (3 * H_, H_), "bias_ih": (3 * H_,), "bias_hh": (3 * H_,)}
    bound = 1 / np.sqrt(H_)
    for name, shape in shapes.items():
        values = as_array(out[name], shape, f"GRUCell.{name}")
        assert np.all(np.abs(values) <= bound * (1 + 1e-6)), (
            f"GRUCell.{name} has values outside [-1/sqrt(H), 1/sqrt(H)]: largest magnitude {np.abs(values).max():.4g}")
    std = np.asarray(out["weight_hh"], dtype=np.float64).std()
    assert abs(std - bound / np.sqrt(3)) < 0.1 * bound / np.sqrt(3), (
        f"GRUCell.weight_hh has standard deviation {std:.4g}; U(-1/sqrt(H), 1/sqrt(H)) has {bound / np.sqrt(3):.4g}")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_grucell_forward_values(submission, rng, hand_built):
    params, x, h = _params(rng), rng.normal(size=(B, I)), rng.normal(size=(B, H))
    dout = rng.normal(size=(B, H))
    out = submission.probe("grucell", x=x, h=h, params=params, dout=dout)
    hand_built.check(out, "GRUCell", "gru.py")
    expected, _, _, _ = _cell_reference(x, h, params, dout)
    assert_close(out["h_next"], expected, rtol=RTOL, atol=ATOL, what="GRUCell's next hidden state")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_grucell_gradients(submission, rng, hand_built):
    params, x, h = _params(rng), rng.normal(size=(B, I)), rng.normal(size=(B, H))
    dout = rng.normal(size=(B, H))
    out = submission.probe("grucell", x=x, h=h, params=params, dout=dout)
    hand_built.check(out, "GRUCell", "gru.py")
    _, dx, dh, grads = _cell_reference(x, h, params, dout)
    assert_close(out["dx"], dx, rtol=RTOL, atol=ATOL, what="GRUCell's gradient with respect to x")
    assert_close(out["dh"], dh, rtol=RTOL, atol=ATOL, what="GRUCell's gradient with respect to h")
    for name in PARAMS:
        assert_close(out["d" + name], grads[name], rtol=RTOL, atol=ATOL, what=f"GRUCell's gradient for {name}")


def _sequence_problem(rng, with_h0):
    params, x = _params(rng), rng.normal(size=(B, T, I))
    h0 = rng.normal(size=(B, H)) if with_h0 else None
    return params, x, h0, rng.normal(size=(B, T, H)), rng.normal(size=(B, H))


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_gru_output_shapes(submission, rng, hand_built):
    params, x, h0, _, _ = _sequence_problem(rng, with_h0=False)
    out = submission.probe("gru", x=x, h0=h0, params=params, doutputs=None, dh_T=None)
    hand_built.check(out, "GRU", "gru.py")
    assert np.shape(out["outputs"]) == (B, T, H), (
        f"GRU returned outputs of shape {np.shape(out['outputs'])} for x of shape {(B, T, I)}; expected {(B, T, H)}")
    assert np.shape(out["h_T"]) == (B, H), f"GRU returned h_T of shape {np.shape(out['h_T'])}; expected {(B, H)}"


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_gru_sequence_values(submission, rng, hand_built):
    for with_h0 in (True, False):
        params, x, h0, doutputs, dh_T = _sequence_problem(rng, with_h0)
        out = submission.probe("gru", x=x, h0=h0, params=params, doutputs=None, dh_T=None)
        hand_built.check(out, "GRU", "gru.py")
        outputs, h_T, _, _, _ = _sequence_reference(x, h0, params, doutputs, dh_T)
        start = "from a given h0" if with_h0 else "from h0 = None (zeros)"
        assert_close(out["outputs"], outputs, rtol=RTOL, atol=ATOL, what=f"GRU outputs {start}")
        assert_close(out["h_T"], h_T, rtol=RTOL, atol=ATOL, what=f"GRU final hidden state {start}")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_gru_sequence_gradients(submission, rng, hand_built):
    params, x, h0, doutputs, dh_T = _sequence_problem(rng, with_h0=True)
    out = submission.probe("gru", x=x, h0=h0, params=params, doutputs=doutputs, dh_T=dh_T)
    hand_built.check(out, "GRU", "gru.py")
    _, _, dx, dh0, grads = _sequence_reference(x, h0, params, doutputs, dh_T)
    assert_close(out["dx"], dx, rtol=RTOL, atol=ATOL, what="GRU's gradient with respect to x")
    assert_close(out["dh0"], dh0, rtol=RTOL, atol=ATOL, what="GRU's gradient with respect to h0")
    for name in PARAMS:
        assert_close(out["d" + name], grads[name], rtol=RTOL, atol=ATOL, what=f"GRU's gradient for cell.{name}")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_ionosphere_gru_output_shape(submission, rng, hand_built):
    out = submission.probe("ionosphere_gru", x=rng.uniform(-1, 1, (7, 34)), hidden_size=16, seed=0)
    hand_built.check(out, "IonosphereGRU", "gru.py")
    assert np.shape(out["scores"]) == (7, 2), (
        f"IonosphereGRU returned scores of shape {np.shape(out['scores'])} for 7 rows of 34; expected (7, 2)")
