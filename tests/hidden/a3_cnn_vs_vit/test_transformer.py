"""Hidden tests for cs231n/transformer_layers.py and cs231n/classifiers/transformer.py (the ViT path). 43 points.

Every layer is compared with a float64 reference computed here, with the same parameters copied into the
student's module by state-dict name (the names of CS231n's 2025 starter). The student's module runs in
float32 on the CPU (CS231n's placeholders are float32 CPU tensors), so the tolerances are float32's:
rtol 1e-4 with a small atol for values; gradients within rtol 1e-3 or 1e-4 of their largest entry (the
reference's float32 gradients differ from float64 by up to about 1e-4 relative in single entries).
Values are checked in eval mode; dropout is tested separately, in train mode, where it acts: the positional
encoding's outputs are each 0 or (x + pe) / (1 - p); attention's output rows are the value rows weighted by
attention weights each dropped or scaled by 1 / (1 - p) (identity value and output projections); the encoder
layer with dropout_self or dropout_ffn at p = 1 is the layer without that sublayer.
LayerNorms get distinct random weights and biases, so that a layer that reuses one norm twice shows.
Attention is tested with 1, 2 and 4 heads, S != T, N > 1 with N != H, bool and float masks. Each test
also applies the hand-built check (static scan + recorded operators): attention written with
F.scaled_dot_product_attention or nn.MultiheadAttention earns nothing.
"""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.authoring import assert_close, assert_equal

RTOL, ATOL = 1e-4, 1e-5
GRAD_RTOL, GRAD_ATOL = 1e-3, 1e-4
ATTENTION_TOPICS = ("attention", "transformer", "internals")


# ---- float64 references ----------------------------------------------------------------------------------------

def _t(a, grad=False):
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


def positional_table(embed_dim, max_len):
    """(1, max_len, embed_dim): even columns sin(i / 10000^(j/E)), odd columns cos(i / 10000^((j-1)/E))."""
    i = np.arange(max_len)[:, None]
    j = np.arange(embed_dim)[None, :]
    angle = i * 10000.0 ** (-(j - j % 2) / embed_dim)
    return np.where(j % 2 == 0, np.sin(angle), np.cos(angle))[None]


def linear(p, name, x):
    return F.linear(x, p[name + ".weight"], p[name + ".bias"])


def attention_weights(p, pre, query, key, num_heads, mask=None):
    """(N, H, S, T): the softmax over the keys of the scaled scores."""
    N, S, E = query.shape
    T = key.shape[1]
    H, D = num_heads, E // num_heads
    q = linear(p, pre + "query", query).view(N, S, H, D).transpose(1, 2)
    k = linear(p, pre + "key", key).view(N, T, H, D).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(D)  # (N, H, S, T)
    if mask is not None:
        scores = scores.masked_fill(torch.as_tensor(np.asarray(mask)) == 0, float("-inf"))
    return scores.softmax(dim=-1)


def attention(p, pre, query, key, value, num_heads, mask=None):
    N, S, E = query.shape
    T = key.shape[1]
    H, D = num_heads, E // num_heads
    v = linear(p, pre + "value", value).view(N, T, H, D).transpose(1, 2)
    out = (attention_weights(p, pre, query, key, num_heads, mask) @ v).transpose(1, 2).reshape(N, S, E)
    return linear(p, pre + "proj", out)


def encoder_layer(p, pre, src, num_heads, mask=None, without=None):
    """The post-norm layer; `without` "attention" or "ffn": that sublayer's output taken as 0 (dropped entirely)."""
    E = src.shape[-1]
    norm = lambda x, name: F.layer_norm(x, (E,), p[pre + name + ".weight"], p[pre + name + ".bias"])  # noqa: E731
    attn = 0 if without == "attention" else attention(p, pre + "self_attn.", src, src, src, num_heads, mask)
    src = norm(src + attn, "norm_self")
    ffn = 0 if without == "ffn" else linear(p, pre + "ffn.fc2", F.gelu(linear(p, pre + "ffn.fc1", src)))
    return norm(src + ffn, "norm_ffn")


def patches(x, P):
    """(N, C, H, W) -> (N, (H/P)(W/P), C*P*P): row-major grid, each patch flattened (channel, row, column)."""
    N, C, H, W = x.shape
    return x.reshape(N, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5).reshape(N, (H // P) * (W // P), C * P * P)


def vit(p, x, patch_size, num_layers, num_heads):
    tokens = linear(p, "patch_embed.proj", patches(x, patch_size))
    tokens = tokens + p["positional_encoding.pe"][:, :tokens.shape[1]]
    for i in range(num_layers):
        tokens = encoder_layer(p, f"transformer.layers.{i}.", tokens, num_heads)
    return linear(p, "head", tokens.mean(dim=1))


# ---- parameters the judge makes ----------------------------------------------------------------------------------

def linear_params(rng, name, d_in, d_out, scale=None):
    scale = 1 / math.sqrt(d_in) if scale is None else scale
    return {name + ".weight": rng.normal(size=(d_out, d_in)) * scale, name + ".bias": rng.normal(size=d_out) * 0.1}


def norm_params(rng, name, E):
    return {name + ".weight": 1 + 0.3 * rng.normal(size=E), name + ".bias": 0.3 * rng.normal(size=E)}


def attention_params(rng, pre, E):
    params = {}
    for name in ("key", "query", "value", "proj"):
        params.update(linear_params(rng, pre + name, E, E))
    return params


def encoder_params(rng, pre, E, F_):
    params = attention_params(rng, pre + "self_attn.", E)
    params.update(linear_params(rng, pre + "ffn.fc1", E, F_))
    params.update(linear_params(rng, pre + "ffn.fc2", F_, E))
    params.update(norm_params(rng, pre + "norm_self", E))
    params.update(norm_params(rng, pre + "norm_ffn", E))
    return params


def vit_params(rng, img_size, patch_size, C, E, L, F_, K, max_len=5000):
    params = linear_params(rng, "patch_embed.proj", C * patch_size ** 2, E)
    params["positional_encoding.pe"] = positional_table(E, max_len)
    for i in range(L):
        params.update(encoder_params(rng, f"transformer.layers.{i}.", E, F_))
    params.update(linear_params(rng, "head", E, K))
    return params


def reference_with_grads(fn, params, inputs, dout):
    """fn(p, *inputs) in float64, and the gradients of sum(out * dout) for the inputs and every parameter."""
    p = {k: _t(v, grad=k != "positional_encoding.pe") for k, v in params.items()}
    xs = [_t(x, grad=True) for x in inputs]
    out = fn(p, *xs)
    (out * _t(dout)).sum().backward()
    return (out.detach().numpy(), [x.grad.numpy() for x in xs],
            {k: v.grad.numpy() for k, v in p.items() if v.grad is not None})


def run(submission, module, kwargs, params, inputs, mask=None, mask_name="attn_mask", dout=None, train=False, seed=0,
        dropout_p=None):
    return submission.probe("run_module", module=module, kwargs=kwargs, params=params, inputs=inputs, mask=mask,
                            mask_name=mask_name, dout=dout, train=train, seed=seed, dropout_p=dropout_p)


def assert_grad(got, ref, what):
    """float32 gradients against float64: within 1e-3 relative, or 1e-4 of the largest entry (some are exactly 0:
    the key projection's bias cannot change a softmax over keys)."""
    __tracebackhide__ = True
    ref = np.asarray(ref)
    assert_close(got, ref, rtol=GRAD_RTOL, atol=GRAD_ATOL * max(np.abs(ref).max(), 1e-2), what=what)


def check_grads(out, ref_dinputs, ref_dparams, input_names, what):
    __tracebackhide__ = True
    dinputs = out["dinputs"]
    assert isinstance(dinputs, list) and len(dinputs) == len(ref_dinputs), \
        f"{what}: no gradient reached the inputs (is the output detached from them?)"
    for name, got, ref in zip(input_names, dinputs, ref_dinputs):
        assert got is not None, f"{what}: no gradient reached `{name}`"
        assert_grad(got, ref, f"{what}: gradient of `{name}`")
    for name, ref in ref_dparams.items():
        got = out["dparams"].get(name) if isinstance(out["dparams"], dict) else None
        assert got is not None, f"{what}: no gradient reached the parameter `{name}`"
        assert_grad(got, ref, f"{what}: gradient of `{name}`")


# ---- PositionalEncoding --------------------------------------------------------------------------------------------

@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_positional_table_values(submission):
    out = submission.probe("positional_table", embed_dim=16, max_len=50)
    assert out["pe"] is not None, "PositionalEncoding has no tensor attribute `pe`"
    assert "pe" in out["buffers"], "PositionalEncoding.pe should be a buffer (register_buffer), saved with the model"
    assert out["parameters"] == 0, "PositionalEncoding should have no learnable parameters"
    assert_close(out["pe"], positional_table(16, 50), rtol=1e-4, atol=1e-5,
                 what="positional table pe (E = 16, 50 rows)")
    out = submission.probe("positional_table", embed_dim=6, max_len=5000)
    assert out["shape"] == [1, 5000, 6], f"pe has shape {out['shape']}; expected (1, max_len, embed_dim)"


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_positional_encoding_forward_and_dropout(submission, rng):
    E, S = 8, 7
    x = rng.normal(size=(2, S, E))
    expected = x + positional_table(E, 20)[:, :S]
    out = run(submission, "PositionalEncoding", dict(embed_dim=E, dropout=0.5, max_len=20), {}, [x])
    assert_close(out["out"], expected, rtol=RTOL, atol=ATOL,
                 what="PositionalEncoding output in eval mode (x + pe[:, :S])")
    # train mode, inverted dropout of the whole sum: each output 0 or (x + pe) / (1 - p), about a fraction p at 0
    x, p = rng.normal(size=(50, S, E)), 0.5
    out = run(submission, "PositionalEncoding", dict(embed_dim=E, dropout=p, max_len=20), {}, [x], train=True, seed=1)
    kept = x + positional_table(E, 20)[:, :S]
    assert out["out"] is not None and np.shape(out["out"]) == kept.shape, \
        f"PositionalEncoding in train mode returned shape {np.shape(out['out'])}; expected (N, S, D)"
    got = np.asarray(out["out"], dtype=np.float64)
    dropped = np.abs(got) <= 1e-6
    assert np.all(dropped | np.isclose(got, kept / (1 - p), rtol=1e-4, atol=1e-5)), (
        "PositionalEncoding in train mode: some outputs are neither 0 nor the eval-mode output scaled by 1 / (1 - p); "
        "dropout should act on the whole sum x + pe, as nn.Dropout does")
    assert abs(np.mean(dropped) - p) < 0.1, \
        f"PositionalEncoding in train mode with dropout p = {p} drops {np.mean(dropped):.0%} of the outputs"


# ---- MultiHeadAttention --------------------------------------------------------------------------------------------

@pytest.mark.points(3)
@pytest.mark.budget(cpu=8, cuda=8)
@pytest.mark.parametrize("heads", [1, 2, 4])
def test_attention_values_and_gradients(submission, rng, hand_built, heads):
    """Self-attention values, and cross-attention (S != T) values and gradients, N = 3 != H."""
    N, S, T, E = 3, 4, 6, 8
    params = attention_params(rng, "", E)
    x = rng.normal(size=(N, S, E))
    out = run(submission, "MultiHeadAttention", dict(embed_dim=E, num_heads=heads, dropout=0.1), params, [x, x, x])
    hand_built.check(out, "MultiHeadAttention", "cs231n/transformer_layers.py", ATTENTION_TOPICS)
    ref = attention({k: _t(v) for k, v in params.items()}, "", _t(x), _t(x), _t(x), heads).numpy()
    assert_close(out["out"], ref, rtol=RTOL, atol=ATOL, what=f"self-attention output ({heads} head(s), eval mode)")

    q, kv, dout = rng.normal(size=(N, S, E)), rng.normal(size=(N, T, E)), rng.normal(size=(N, S, E))
    k, v = kv, rng.normal(size=(N, T, E))
    out = run(submission, "MultiHeadAttention", dict(embed_dim=E, num_heads=heads, dropout=0.1), params, [q, k, v],
              dout=dout)
    ref, dinputs, dparams = reference_with_grads(lambda p, *xs: attention(p, "", *xs, heads), params, [q, k, v], dout)
    assert_close(out["out"], ref, rtol=RTOL, atol=ATOL,
                 what=f"attention output with S = {S}, T = {T} ({heads} head(s))")
    check_grads(out, dinputs, dparams, ["query", "key", "value"], f"attention ({heads} head(s))")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=8, cuda=8)
@pytest.mark.parametrize("kind", ["bool", "float_causal"])
def test_attention_mask(submission, rng, kind):
    """A bool mask (S != T) or CS231n captioning's float lower-triangular mask (S = T); 0 means may not attend."""
    N, E, H = 2, 8, 2
    S, T = (4, 6) if kind == "bool" else (5, 5)
    if kind == "bool":
        mask = rng.random((S, T)) < 0.5
        mask[np.arange(S), rng.integers(0, T, S)] = True  # every query may attend to something
    else:
        mask = np.tril(np.ones((S, T)))
    params = attention_params(rng, "", E)
    q, k, v, dout = (rng.normal(size=(N, S, E)), rng.normal(size=(N, T, E)), rng.normal(size=(N, T, E)),
                     rng.normal(size=(N, S, E)))
    out = run(submission, "MultiHeadAttention", dict(embed_dim=E, num_heads=H, dropout=0.1), params, [q, k, v],
              mask=mask, dout=dout)
    ref, dinputs, dparams = reference_with_grads(lambda p, *xs: attention(p, "", *xs, H, mask), params, [q, k, v], dout)
    assert_close(out["out"], ref, rtol=RTOL, atol=ATOL, what=f"masked attention output ({kind} mask)")
    check_grads(out, dinputs, dparams, ["query", "key", "value"], f"masked attention ({kind} mask)")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_attention_mask_leaving_one_key(submission, rng):
    """A mask that lets query i see only key j_i: output row i is proj(value projection of value[:, j_i])."""
    N, S, T, E, H = 2, 5, 4, 8, 4
    keep = rng.integers(0, T, S)
    mask = np.zeros((S, T), dtype=bool)
    mask[np.arange(S), keep] = True
    params = attention_params(rng, "", E)
    q, k, v = rng.normal(size=(N, S, E)), rng.normal(size=(N, T, E)), rng.normal(size=(N, T, E))
    out = run(submission, "MultiHeadAttention", dict(embed_dim=E, num_heads=H, dropout=0.0), params, [q, k, v],
              mask=mask)
    p = {name: _t(value) for name, value in params.items()}
    expected = linear(p, "proj", linear(p, "value", _t(v)))[:, keep].numpy()  # (N, S, E)
    assert_close(out["out"], expected, rtol=RTOL, atol=ATOL,
                 what="attention output when the mask leaves each query one key (mask == 0 means: may not attend)")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=8, cuda=8)
def test_attention_dropout(submission, rng):
    """Dropout on the attention weights: off in eval mode. In train mode, with the value and output projections
    set to the identity, each output row of head h is sum_t m_t a_t v_t / (1 - p) over the keys t (m_t 0 or 1,
    a_t the attention weight, v_t head h's slice of value row t). With T <= D the value rows are independent, so
    the judge solves for the coefficient of each v_t: every one must be 0 or a_t / (1 - p). Dropout on the
    output, on the values or on the scores leaves the span of the value rows or gives other coefficients."""
    S, T, E, H = 3, 5, 8, 2
    params = attention_params(rng, "", E)
    q, kv = rng.normal(size=(1, S, E)), rng.normal(size=(1, T, E))
    p = {name: _t(value) for name, value in params.items()}
    expected = attention(p, "", _t(q), _t(kv), _t(kv), H)[0].numpy()
    out = run(submission, "MultiHeadAttention", dict(embed_dim=E, num_heads=H, dropout=0.3), params, [q, kv, kv])
    assert_close(out["out"][0] if out["out"] is not None else None, expected, rtol=RTOL, atol=ATOL,
                 what="attention output in eval mode with dropout = 0.3 (dropout must be off in eval mode)")

    N, S, T, drop = 40, 5, 3, 0.5
    D = E // H
    params.update({"value.weight": np.eye(E), "value.bias": np.zeros(E), "proj.weight": np.eye(E),
                   "proj.bias": np.zeros(E)})
    q, k, v = rng.normal(size=(N, S, E)), rng.normal(size=(N, T, E)), rng.normal(size=(N, T, E))
    out = run(submission, "MultiHeadAttention", dict(embed_dim=E, num_heads=H, dropout=drop), params, [q, k, v],
              train=True, seed=2)
    assert out["out"] is not None and np.shape(out["out"]) == (N, S, E), \
        f"attention in train mode returned shape {np.shape(out['out'])}; expected (N, S, E)"
    weights = attention_weights({name: _t(value) for name, value in params.items()}, "", _t(q), _t(k), H).numpy()
    got = np.asarray(out["out"], dtype=np.float64).reshape(N, S, H, D).transpose(0, 2, 1, 3)  # (N, H, S, D)
    values = v.reshape(N, T, H, D).transpose(0, 2, 1, 3)  # (N, H, T, D)
    coef = got @ np.linalg.pinv(values)  # (N, H, S, T)
    outside = np.abs(got - coef @ values).max()
    dropped = np.isclose(coef, 0, atol=1e-3)
    kept = np.isclose(coef, weights / (1 - drop), rtol=1e-3, atol=1e-3)
    assert outside < 1e-3 and np.all(dropped | kept), (
        "attention in train mode: an output row is not the value rows weighted by the attention weights, each "
        "either dropped or scaled by 1 / (1 - p); dropout (attn_drop) belongs on the attention weights")
    assert abs(np.mean(dropped) - drop) < 0.1, \
        f"attention in train mode with dropout p = {drop} drops {np.mean(dropped):.0%} of the attention weights"


# ---- TransformerEncoderLayer ----------------------------------------------------------------------------------------

@pytest.mark.points(4)
@pytest.mark.budget(cpu=8, cuda=8)
@pytest.mark.parametrize("masked", [False, True], ids=["no_mask", "mask"])
def test_encoder_layer(submission, rng, hand_built, masked):
    """Post-norm: norm_self(src + attn(src)), then norm_ffn(src + ffn(src)); distinct norms; with, without src_mask."""
    N, S, E, H, F_ = 3, 5, 8, 2, 12
    params = encoder_params(rng, "", E, F_)
    mask = np.tril(np.ones((S, S)), k=1).astype(bool) if masked else None
    src, dout = rng.normal(size=(N, S, E)), rng.normal(size=(N, S, E))
    out = run(submission, "TransformerEncoderLayer", dict(input_dim=E, num_heads=H, dim_feedforward=F_, dropout=0.1),
              params, [src], mask=mask, mask_name="src_mask", dout=dout)
    hand_built.check(out, "TransformerEncoderLayer", "cs231n/transformer_layers.py", ATTENTION_TOPICS)
    ref, dinputs, dparams = reference_with_grads(lambda p, x: encoder_layer(p, "", x, H, mask), params, [src], dout)
    assert_close(out["out"], ref, rtol=RTOL, atol=ATOL,
                 what=f"TransformerEncoderLayer output ({'with' if masked else 'without'} src_mask, eval mode)")
    check_grads(out, dinputs, dparams, ["src"], "TransformerEncoderLayer")


@pytest.mark.points(1)
@pytest.mark.budget(cpu=5, cuda=5)
def test_encoder_layer_dropout_in_train_mode(submission, rng):
    """dropout_self on the attention's output and dropout_ffn on the FFN's, each before its residual add: in train
    mode, with one of them at p = 1 (it drops everything) and every other dropout at 0, the layer computes the
    eval-mode layer without that sublayer."""
    N, S, E, H, F_ = 2, 4, 8, 2, 12
    params = encoder_params(rng, "", E, F_)
    src = rng.normal(size=(N, S, E))
    kwargs = dict(input_dim=E, num_heads=H, dim_feedforward=F_, dropout=0.2)
    p = {k: _t(v) for k, v in params.items()}
    for sublayer, dropped in (("attention", "dropout_self"), ("ffn", "dropout_ffn")):
        dropout_p = {"self_attn.attn_drop": 0.0, "ffn.dropout": 0.0, "dropout_self": 0.0, "dropout_ffn": 0.0,
                     dropped: 1.0}
        out = run(submission, "TransformerEncoderLayer", kwargs, params, [src], mask_name="src_mask", train=True,
                  dropout_p=dropout_p)
        assert_close(out["out"], encoder_layer(p, "", _t(src), H, without=sublayer).numpy(), rtol=RTOL, atol=ATOL,
                     what=f"TransformerEncoderLayer in train mode with {dropped} dropping everything (the layer "
                          f"without its {sublayer} sublayer: {dropped} applies to that sublayer's output, before the "
                          f"residual add)")


# ---- PatchEmbedding -----------------------------------------------------------------------------------------------

@pytest.mark.points(3)
@pytest.mark.budget(cpu=5, cuda=5)
def test_patch_order(submission, rng):
    """With an identity projection the embedding is the flattened patches: row-major grid, (C, row, column) inside."""
    N, C, img, P = 2, 3, 8, 4
    D = C * P * P
    x = rng.normal(size=(N, C, img, img))
    params = {"proj.weight": np.eye(D), "proj.bias": np.zeros(D)}
    out = run(submission, "PatchEmbedding", dict(img_size=img, patch_size=P, in_channels=C, embed_dim=D), params, [x])
    assert_close(out["out"], patches(_t(x), P).numpy(), rtol=RTOL, atol=ATOL,
                 what="PatchEmbedding with proj = identity (the flattened patches: patches in row-major grid order, "
                      "pixels in (channel, patch row, patch column) order)")


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_patch_embedding_values_and_gradients(submission, rng, hand_built):
    N, C, img, P, E = 2, 2, 12, 3, 10
    params = linear_params(rng, "proj", C * P * P, E)
    x, dout = rng.normal(size=(N, C, img, img)), rng.normal(size=(N, (img // P) ** 2, E))
    out = run(submission, "PatchEmbedding", dict(img_size=img, patch_size=P, in_channels=C, embed_dim=E), params, [x],
              dout=dout)
    hand_built.check(out, "PatchEmbedding", "cs231n/transformer_layers.py", ATTENTION_TOPICS)
    ref, dinputs, dparams = reference_with_grads(lambda p, x_: linear(p, "proj", patches(x_, P)), params, [x], dout)
    assert_close(out["out"], ref, rtol=RTOL, atol=ATOL, what="PatchEmbedding output")
    check_grads(out, dinputs, dparams, ["x"], "PatchEmbedding")


# ---- VisionTransformer ---------------------------------------------------------------------------------------------

VIT = dict(img_size=16, patch_size=4, in_channels=3, embed_dim=16, num_layers=2, num_heads=2, dim_feedforward=24,
           num_classes=5, dropout=0.1)


def vit_param_count(img_size, patch_size, in_channels, embed_dim, num_layers, num_heads, dim_feedforward, num_classes,
                    dropout):
    E, F_ = embed_dim, dim_feedforward
    layer = 4 * (E * E + E) + (E * F_ + F_) + (F_ * E + E) + 2 * 2 * E
    return (in_channels * patch_size ** 2 * E + E) + num_layers * layer + (E * num_classes + num_classes)


@pytest.mark.points(2)
@pytest.mark.budget(cpu=5, cuda=5)
def test_vit_structure(submission, rng):
    """The state-dict names of CS231n's starter, deep-copied layers, and the parameter count."""
    out = submission.probe("structure", module="VisionTransformer", kwargs=VIT)
    expected = {k: list(np.shape(v)) for k, v in vit_params(rng, 16, 4, 3, 16, 2, 24, 5).items()}
    missing = sorted(set(expected) - set(out["names"]))
    assert not missing, (f"VisionTransformer's state dict lacks {', '.join(missing[:4])}"
                         f"{' ...' if len(missing) > 4 else ''}")
    wrong = [k for k in expected if out["names"][k] != expected[k]]
    assert not wrong, (f"VisionTransformer's `{wrong[0]}` has shape {out['names'][wrong[0]]}; "
                       f"expected {expected[wrong[0]]}")
    assert out["attributes"].get("distinct_layers") == 2 * 16, \
        "the encoder's layers share parameters: TransformerEncoder should hold deep copies of the layer"
    assert_equal(out["num_params"], vit_param_count(**VIT), what="VisionTransformer parameter count")


@pytest.mark.points(4)
@pytest.mark.budget(cpu=8, cuda=8)
def test_vit_forward_from_copied_state_dict(submission, rng, hand_built):
    """The whole ViT with every weight copied in: patches, + pe, encoder layers, mean over tokens, head."""
    params = vit_params(rng, 16, 4, 3, 16, 2, 24, 5)
    x = rng.normal(size=(3, 3, 16, 16))
    dout = rng.normal(size=(3, 5))
    out = run(submission, "VisionTransformer", VIT, params, [x], dout=dout)
    hand_built.check(out, "VisionTransformer", "cs231n/classifiers/transformer.py", ATTENTION_TOPICS)
    ref, dinputs, _ = reference_with_grads(lambda p, x_: vit(p, x_, 4, 2, 2), params, [x], dout)
    assert_close(out["out"], ref, rtol=RTOL, atol=ATOL, what="VisionTransformer scores (eval mode, copied weights)")
    check_grads(out, dinputs, {}, ["x"], "VisionTransformer")
