"""The run-time recorder sees library convolution, pooling and GRU calls by any route, and not hand-built ones."""

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from autograder.judge.forbidden import forbidden_ops
from autograder.worker.optrace import function_name, record_ops

RULES = [
    {"topic": "convolution", "why": "by hand",
     "names": ["torch.nn.*Conv*", "torch.*conv[0-9_]*", "torch.*convolution*", "aten.*conv[0-9_]*",
               "aten.*convolution*"]},
    {"topic": "pooling", "why": "by hand", "names": ["torch.nn.*Pool*", "torch.*pool*", "aten.*pool*"]},
    {"topic": "recurrent", "why": "by hand",
     "names": ["torch.nn.GRU*", "torch.*gru*", "torch.*rnn_*", "torch.*lstm*", "aten.*gru*", "aten.*rnn*"]},
    {"topic": "internals", "why": "private", "names": ["torch._C", "torch._VF"], "runtime": False},
]


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _image():
    return torch.randn(2, 3, 8, 8, dtype=torch.float64, requires_grad=True)


def _weight():
    return torch.randn(4, 3, 3, 3, dtype=torch.float64, requires_grad=True)


def _gru_args():
    x, h = torch.randn(2, 3), torch.randn(2, 5)
    return x, h, torch.randn(15, 3), torch.randn(15, 5), torch.randn(15), torch.randn(15)


def recorded(fn):
    with record_ops() as ops:
        out = fn()
        if isinstance(out, tuple):
            out = out[0]
        if out.requires_grad:
            out.sum().backward()
    return ops


LIBRARY_CALLS = {
    "F.conv2d": lambda: F.conv2d(_image(), _weight(), padding=1),
    "nn.Conv2d": lambda: nn.Conv2d(3, 4, 3).double()(_image()),
    "getattr(F, 'conv2d')": lambda: getattr(F, "con" + "v2d")(_image(), _weight()),
    "torch.conv2d": lambda: torch.conv2d(_image(), _weight()),
    "F.conv_transpose2d": lambda: F.conv_transpose2d(_image(), _weight().transpose(0, 1)),
    "F.max_pool2d": lambda: F.max_pool2d(_image(), 2),
    "nn.MaxPool2d": lambda: nn.MaxPool2d(2)(_image()),
    "F.avg_pool2d": lambda: F.avg_pool2d(_image(), 2),
    "F.adaptive_avg_pool2d": lambda: F.adaptive_avg_pool2d(_image(), 1),
    "nn.GRUCell": lambda: nn.GRUCell(3, 5)(torch.randn(2, 3), torch.randn(2, 5)),
    "nn.GRU": lambda: nn.GRU(3, 5, batch_first=True)(torch.randn(2, 4, 3)),
    "torch.gru_cell": lambda: torch.gru_cell(*_gru_args()),
    "torch._VF.gru_cell": lambda: torch._VF.gru_cell(*_gru_args()),
    "nn.RNN": lambda: nn.RNN(3, 5)(torch.randn(4, 2, 3)),
}


@pytest.mark.parametrize("call", LIBRARY_CALLS, ids=list(LIBRARY_CALLS))
def test_library_calls_are_forbidden(call):
    found = forbidden_ops(recorded(LIBRARY_CALLS[call]), RULES)
    assert found, f"{call} went unnoticed"


def test_each_recorder_sees_its_level():
    conv = recorded(LIBRARY_CALLS["F.conv2d"])
    assert {"torch.nn.functional.conv2d", "aten.convolution.default", "aten.convolution_backward.default"} <= conv
    gru = recorded(LIBRARY_CALLS["nn.GRUCell"])
    assert "torch.gru_cell" in gru  # on CPU only the function recorder sees it: ATen gets addmm, sigmoid, tanh
    assert forbidden_ops(gru, RULES) == ["torch.gru_cell"]
    sequence = recorded(LIBRARY_CALLS["nn.GRU"])
    assert forbidden_ops(sequence, RULES) == ["torch.gru"]  # nn.GRU runs torch._VF.gru, named torch.gru
    assert forbidden_ops(recorded(LIBRARY_CALLS["F.max_pool2d"]), RULES) == [
        "aten.max_pool2d_with_indices.default", "aten.max_pool2d_with_indices_backward.default",
        "torch.nn.functional.max_pool2d"]


def test_torch_ops_namespace_is_seen_by_the_operator_recorder():
    ops = recorded(lambda: torch.ops.aten.convolution.default(
        _image(), _weight(), None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1))
    assert "aten.convolution.default" in forbidden_ops(ops, RULES)


def hand_built_conv(x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    F_out, _, K, _ = w.shape
    H_out, W_out = (H + 2 * padding - K) // stride + 1, (W + 2 * padding - K) // stride + 1
    cols = F.unfold(x, K, padding=padding, stride=stride)  # (N, C*K*K, H_out*W_out)
    return (w.reshape(F_out, -1) @ cols + b.view(1, -1, 1)).view(N, F_out, H_out, W_out)


def hand_built_gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    H = h.shape[1]
    gi, gh = x @ w_ih.T + b_ih, h @ w_hh.T + b_hh
    r = torch.sigmoid(gi[:, :H] + gh[:, :H])
    z = torch.sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
    n = torch.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
    return (1 - z) * n + z * h


def test_hand_built_conv_and_pooling_are_allowed():
    x, w, b = _image(), _weight(), torch.randn(4, dtype=torch.float64, requires_grad=True)
    ops = recorded(lambda: hand_built_conv(x, w, b, stride=2, padding=1))
    assert {"torch.nn.functional.unfold", "aten.im2col.default", "aten.col2im.default"} <= ops
    assert forbidden_ops(ops, RULES) == []
    torch.testing.assert_close(hand_built_conv(x, w, b, 2, 1), F.conv2d(x, w, b, stride=2, padding=1))
    pooled = recorded(lambda: F.unfold(x.reshape(6, 1, 8, 8), 2, stride=2).max(dim=1).values)
    assert forbidden_ops(pooled, RULES) == []


def test_hand_built_gru_cell_is_allowed():
    args = [t.requires_grad_() for t in _gru_args()]
    ops = recorded(lambda: hand_built_gru_cell(*args))
    assert forbidden_ops(ops, RULES) == []
    torch.testing.assert_close(hand_built_gru_cell(*args), torch.gru_cell(*args))


def test_source_only_rules_are_not_applied_at_run_time():
    with record_ops() as ops:
        with torch.no_grad():  # runs torch._C._set_grad_enabled, which resolve_name does not name
            torch.ones(2).add(1)
    assert any(name.startswith("torch._C.") for name in ops)
    assert forbidden_ops(ops, RULES) == []
    assert forbidden_ops(["torch._C.anything"], ["torch._C"]) == ["torch._C.anything"]


def test_recording_stops_with_the_block_and_leaves_results_unchanged():
    x = _image()
    with record_ops() as ops:
        inside = F.relu(x).sum()
    count = len(ops)
    outside = F.relu(x).sum()
    F.conv2d(x, _weight())
    assert len(ops) == count
    assert inside.item() == outside.item()


def test_recording_survives_an_exception():
    with pytest.raises(RuntimeError):
        with record_ops() as ops:
            F.conv2d(_image(), torch.randn(4, 5, 3, 3, dtype=torch.float64))  # wrong channel count
    assert "torch.nn.functional.conv2d" in ops
    with record_ops() as again:
        torch.ones(1).add(1)
    assert "torch.nn.functional.conv2d" not in again


def test_function_name_falls_back_to_module_and_qualname():
    assert function_name(F.conv2d) == "torch.nn.functional.conv2d"
    assert function_name(torch._C._set_grad_enabled) == "torch._C._set_grad_enabled"


def test_recording_keeps_torch_dynamo_unimported():
    """A fresh worker pays nothing for the recorder: importing torch._dynamo would cost it about 2 s."""
    import subprocess
    import sys
    code = ("import sys, torch\nfrom autograder.worker.optrace import record_ops\n"
            "with record_ops():\n    torch.ones(2).add(1)\nprint('torch._dynamo' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.stdout.strip() == "False", run.stderr[-2000:]
