"""Hidden tests for layers.py: Conv2d, MaxPool2d, AvgPool2d, Linear, ReLU, Flatten. 16 points.

References are PyTorch's own functionals (F.conv2d, F.max_pool2d, F.avg_pool2d, F.linear, F.relu)
in float64, computed here on the judge side with the same parameters the probe sets on the
student's layer. Every test also checks that the layer is written by hand: layers.py must not name a
forbidden library call of the layer's kind, and the probe must not have run one (the `hand_built`
fixture of the engine); a layer that calls F.conv2d, by any route, scores nothing here.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.authoring import as_array, assert_close

CONV_TOPICS = ("convolution", "internals")
POOL_TOPICS = ("pooling", "internals")
OTHER_TOPICS = ("internals",)
RTOL, ATOL = 1e-5, 1e-7  # float64 throughout; loose enough for a float32 intermediate, not for a real mistake

# (N, C_in, H, W, C_out, K, stride, padding)
CONV_CASES = [
    (2, 3, 7, 7, 4, 3, 1, 0),
    (2, 3, 8, 9, 5, 3, 2, 1),  # rectangular input, stride 2, padding 1
    (1, 1, 11, 10, 2, 5, 3, 2),  # stride 3, padding 2
    (3, 2, 6, 6, 3, 1, 1, 0),  # 1x1 filters
    (2, 4, 5, 7, 6, 5, 1, 2),  # "same" padding for 5x5 filters
]
# (N, C, H, W, K, stride)
POOL_CASES = [
    (2, 3, 8, 8, 2, None),
    (2, 2, 7, 9, 3, 2),  # overlapping windows: gradients add up
    (1, 3, 9, 8, 2, 3),  # gaps between windows, rows and columns left over
    (2, 1, 6, 6, 3, None),
]


def _t(array):
    return torch.from_numpy(np.asarray(array, dtype=np.float64)).requires_grad_()


def _conv_problem(rng, case):
    N, C_in, H, W, C_out, K, stride, padding = case
    x = rng.normal(size=(N, C_in, H, W))
    weight = rng.normal(size=(C_out, C_in, K, K))
    bias = rng.normal(size=C_out)
    H_out, W_out = (H + 2 * padding - K) // stride + 1, (W + 2 * padding - K) // stride + 1
    dout = rng.normal(size=(N, C_out, H_out, W_out))
    return x, weight, bias, dout, stride, padding


def _conv_reference(x, weight, bias, dout, stride, padding):
    xt, wt, bt = _t(x), _t(weight), _t(bias)
    out = F.conv2d(xt, wt, bt, stride=stride, padding=padding)
    (out * torch.from_numpy(dout)).sum().backward()
    return out.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()


def _what(case):
    N, C_in, H, W, C_out, K, stride, padding = case
    return f"Conv2d({C_in}, {C_out}, {K}, stride={stride}, padding={padding}) on input {(N, C_in, H, W)}"


def _init_check(values, bound, what, std_check=True):
    """U(-bound, bound): within the bound, and (for many values) the spread of a uniform distribution."""
    __tracebackhide__ = True
    values = np.asarray(values, dtype=np.float64)
    assert np.all(np.abs(values) <= bound * (1 + 1e-6)), (
        f"{what} has values outside [-1/sqrt(fan_in), 1/sqrt(fan_in)]: largest magnitude "
        f"{np.abs(values).max():.4g}, bound {bound:.4g}")
    if std_check:
        std = values.std()
        assert abs(std - bound / np.sqrt(3)) < 0.1 * bound / np.sqrt(3), (
            f"{what} has standard deviation {std:.4g}; U(-{bound:.4g}, {bound:.4g}) has {bound / np.sqrt(3):.4g}")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_conv2d_parameter_shapes_and_init(submission, hand_built):
    C_in, C_out, K = 16, 32, 5
    out = submission.probe("conv2d_init", in_channels=C_in, out_channels=C_out, kernel_size=K, seed=0)
    hand_built.source("layers.py", "Conv2d", CONV_TOPICS)
    weight = as_array(out["weight"], (C_out, C_in, K, K), "Conv2d.weight (C_out, C_in, K, K)")
    bias = as_array(out["bias"], (C_out,), "Conv2d.bias (C_out,)")
    bound = 1 / np.sqrt(C_in * K * K)
    _init_check(weight, bound, "Conv2d.weight")
    _init_check(bias, bound, "Conv2d.bias", std_check=False)


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_conv2d_output_shape(submission, rng, hand_built):
    for case in CONV_CASES:
        x, weight, bias, _, stride, padding = _conv_problem(rng, case)
        out = submission.probe("conv2d", x=x, weight=weight, bias=bias, dout=None, stride=stride, padding=padding)
        hand_built.check(out, "Conv2d", "layers.py", CONV_TOPICS)
        expected = F.conv2d(_t(x), _t(weight), stride=stride, padding=padding).shape
        assert np.shape(out["out"]) == tuple(expected), (
            f"{_what(case)} returned shape {np.shape(out['out'])}; expected {tuple(expected)} (N, C_out, H_out, W_out)")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=5, cuda=5)
def test_conv2d_forward_values(submission, rng, hand_built):
    for case in CONV_CASES:
        x, weight, bias, dout, stride, padding = _conv_problem(rng, case)
        out = submission.probe("conv2d", x=x, weight=weight, bias=bias, dout=None, stride=stride, padding=padding)
        hand_built.check(out, "Conv2d", "layers.py", CONV_TOPICS)
        expected, _, _, _ = _conv_reference(x, weight, bias, dout, stride, padding)
        assert_close(out["out"], expected, rtol=RTOL, atol=ATOL, what=f"output of {_what(case)}")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=5, cuda=5)
def test_conv2d_backward_gradients(submission, rng, hand_built):
    for case in CONV_CASES:
        x, weight, bias, dout, stride, padding = _conv_problem(rng, case)
        out = submission.probe("conv2d", x=x, weight=weight, bias=bias, dout=dout, stride=stride, padding=padding)
        hand_built.check(out, "Conv2d", "layers.py", CONV_TOPICS)
        _, dx, dw, db = _conv_reference(x, weight, bias, dout, stride, padding)
        assert_close(out["dx"], dx, rtol=RTOL, atol=ATOL, what=f"gradient with respect to the input of {_what(case)}")
        assert_close(out["dw"], dw, rtol=RTOL, atol=ATOL, what=f"gradient with respect to the weight of {_what(case)}")
        assert_close(out["db"], db, rtol=RTOL, atol=ATOL, what=f"gradient with respect to the bias of {_what(case)}")


def _pool_problem(rng, case):
    N, C, H, W, K, stride = case
    S = K if stride is None else stride
    x = rng.normal(size=(N, C, H, W))
    dout = rng.normal(size=(N, C, (H - K) // S + 1, (W - K) // S + 1))
    return x, dout, K, stride


def _pool_reference(kind, x, dout, K, stride):
    xt = _t(x)
    out = (F.max_pool2d if kind == "max" else F.avg_pool2d)(xt, K, stride=stride)
    (out * torch.from_numpy(dout)).sum().backward()
    return out.detach().numpy(), xt.grad.numpy()


def _pool_test(submission, rng, hand_built, kind, gradients):
    __tracebackhide__ = True
    name = "MaxPool2d" if kind == "max" else "AvgPool2d"
    for case in POOL_CASES:
        x, dout, K, stride = _pool_problem(rng, case)
        out = submission.probe("pool2d", kind=kind, x=x, dout=dout if gradients else None, kernel_size=K, stride=stride)
        hand_built.check(out, name, "layers.py", POOL_TOPICS)
        expected, dx = _pool_reference(kind, x, dout, K, stride)
        what = f"{name}({K}, stride={stride}) on input {x.shape}"
        if gradients:
            assert_close(out["dx"], dx, rtol=RTOL, atol=ATOL, what=f"gradient with respect to the input of {what}")
        else:
            assert_close(out["out"], expected, rtol=RTOL, atol=ATOL, what=f"output of {what}")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_maxpool2d_forward_values(submission, rng, hand_built):
    _pool_test(submission, rng, hand_built, "max", gradients=False)


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_maxpool2d_gradient_routing(submission, rng, hand_built):
    """The gradient goes to each window's maximum only (and adds up where windows overlap)."""
    _pool_test(submission, rng, hand_built, "max", gradients=True)


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_avgpool2d_forward_values(submission, rng, hand_built):
    _pool_test(submission, rng, hand_built, "avg", gradients=False)


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_avgpool2d_gradients(submission, rng, hand_built):
    _pool_test(submission, rng, hand_built, "avg", gradients=True)


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_linear_parameter_shapes_and_init(submission, hand_built):
    D_in, D_out = 200, 100
    out = submission.probe("linear_init", in_features=D_in, out_features=D_out, seed=0)
    hand_built.source("layers.py", "Linear", OTHER_TOPICS)
    weight = as_array(out["weight"], (D_out, D_in), "Linear.weight (D_out, D_in)")
    bias = as_array(out["bias"], (D_out,), "Linear.bias (D_out,)")
    _init_check(weight, 1 / np.sqrt(D_in), "Linear.weight")
    _init_check(bias, 1 / np.sqrt(D_in), "Linear.bias", std_check=False)


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_linear_values_and_gradients(submission, rng, hand_built):
    N, D_in, D_out = 4, 7, 3
    x, weight, bias = rng.normal(size=(N, D_in)), rng.normal(size=(D_out, D_in)), rng.normal(size=D_out)
    dout = rng.normal(size=(N, D_out))
    out = submission.probe("linear", x=x, weight=weight, bias=bias, dout=dout)
    hand_built.check(out, "Linear", "layers.py", OTHER_TOPICS)
    xt, wt, bt = _t(x), _t(weight), _t(bias)
    expected = F.linear(xt, wt, bt)
    (expected * torch.from_numpy(dout)).sum().backward()
    assert_close(out["out"], expected.detach().numpy(), rtol=RTOL, atol=ATOL, what="output of Linear")
    assert_close(out["dx"], xt.grad.numpy(), rtol=RTOL, atol=ATOL, what="gradient of Linear with respect to x")
    assert_close(out["dw"], wt.grad.numpy(), rtol=RTOL, atol=ATOL, what="gradient of Linear with respect to weight")
    assert_close(out["db"], bt.grad.numpy(), rtol=RTOL, atol=ATOL, what="gradient of Linear with respect to bias")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_relu_flatten_values_and_gradient(submission, rng, hand_built):
    x = rng.normal(size=(3, 2, 4, 5))
    dout = rng.normal(size=(3, 40))
    out = submission.probe("relu_flatten", x=x, dout=dout)
    hand_built.check(out, "ReLU and Flatten", "layers.py", OTHER_TOPICS)
    xt = _t(x)
    relu = F.relu(xt)
    (relu.reshape(3, -1) * torch.from_numpy(dout)).sum().backward()
    assert_close(out["relu"], relu.detach().numpy(), what="output of ReLU")
    assert_close(out["flat"], relu.detach().numpy().reshape(3, 40), what="output of Flatten (row-major order)")
    assert_close(out["dx"], xt.grad.numpy(), what="gradient through Flatten and ReLU")
