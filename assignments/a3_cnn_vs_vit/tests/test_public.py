"""Public tests for assignment 3: a few checks you can run with `autograder check a3`.

Passing them does not mean full marks: the hidden tests check every layer's values and gradients with
copied weights (1, 2 and 4 heads, S != T, masks, dropout), the encoder layer, the whole ViT, BasicBlock's
shortcuts, compare.py's functions one by one, and the accuracy of both models trained with your defaults.
"""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.authoring import assert_close, assert_equal, assignment_rules, forbidden_ops, scan

FILES = ["cs231n/transformer_layers.py", "cs231n/classifiers/transformer.py", "resnet.py", "compare.py"]


def _rules(request):
    return assignment_rules(request.node.path)


@pytest.mark.budget(cpu=5, cuda=5)
def test_files_name_no_forbidden_library_calls(submission, request):
    findings = [f for rel in FILES for f in scan(submission.source(rel), rel, _rules(request))]
    assert not findings, "; ".join(str(f) for f in findings)


@pytest.mark.budget(cpu=5, cuda=5)
def test_positional_table(submission):
    out = submission.probe("positional_table", embed_dim=4, max_len=3)
    i, j = np.arange(3)[:, None], np.arange(4)[None, :]
    angle = i * 10000.0 ** (-(j - j % 2) / 4)
    assert_close(out["pe"], np.where(j % 2 == 0, np.sin(angle), np.cos(angle))[None], rtol=1e-4, atol=1e-6,
                 what="positional table (E = 4, 3 positions)")


@pytest.mark.budget(cpu=5, cuda=5)
def test_attention_two_heads_with_mask(submission, request, rng):
    N, S, T, E, H = 3, 2, 4, 4, 2
    params = {f"{n}.{p}": rng.normal(size=(E, E) if p == "weight" else E).astype(np.float32)
              for n in ("key", "query", "value", "proj") for p in ("weight", "bias")}
    q, k, v = (rng.normal(size=(N, L, E)).astype(np.float32) for L in (S, T, T))
    mask = np.array([[True, False, True, True], [False, True, False, False]])
    out = submission.probe("attention", params=params, query=q, key=k, value=v, num_heads=H, mask=mask)
    found = forbidden_ops(out["ops"], _rules(request))
    assert not found, f"MultiHeadAttention called {', '.join(found)}: write it by hand"
    p = {name: torch.from_numpy(a).double() for name, a in params.items()}
    lin = lambda x, n: F.linear(torch.from_numpy(x).double(), p[n + ".weight"], p[n + ".bias"])  # noqa: E731
    heads = lambda x, L: x.view(N, L, H, E // H).transpose(1, 2)  # noqa: E731
    scores = heads(lin(q, "query"), S) @ heads(lin(k, "key"), T).transpose(-2, -1) / math.sqrt(E // H)
    weights = scores.masked_fill(torch.from_numpy(mask) == 0, float("-inf")).softmax(-1)
    expected = F.linear((weights @ heads(lin(v, "value"), T)).transpose(1, 2).reshape(N, S, E),
                        p["proj.weight"], p["proj.bias"])
    assert_close(out["out"], expected.numpy(), rtol=1e-4, atol=1e-5, what="attention output (2 heads, mask)")


@pytest.mark.budget(cpu=5, cuda=5)
def test_patch_order(submission, rng):
    x = rng.normal(size=(1, 2, 4, 4)).astype(np.float32)
    expected = x.reshape(1, 2, 2, 2, 2, 2).transpose(0, 2, 4, 1, 3, 5).reshape(1, 4, 8)
    out = submission.probe("patch_embedding", x=x, patch_size=2)
    assert_close(out["out"], expected, rtol=1e-6, atol=1e-6,
                 what="patches (row-major grid, pixels in (channel, row, column) order)")


@pytest.mark.budget(cpu=5, cuda=5)
def test_resnet_defaults(submission):
    out = submission.probe("resnet_default")
    assert out["scores_shape"] == [2, 10], f"ResNet() gave scores of shape {out['scores_shape']}; expected (2, 10)"
    assert_equal(out["num_params"], 174970, what="parameter count of ResNet() (num_blocks (2, 2, 2), width 16)")


@pytest.mark.budget(cpu=5, cuda=5)
def test_prepare_images(submission, rng):
    X = rng.integers(0, 256, size=(2, 28, 28)).astype(np.uint8)
    out = submission.probe("prepare_images", X=X)
    assert_close(out["x"], ((X / 255 - 0.1307) / 0.3081)[:, None], rtol=1e-5, atol=1e-5,
                 what="prepare_images with the MNIST defaults")
