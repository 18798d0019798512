"""Hidden tests for resnet.py: BasicBlock and the CIFAR-style ResNet. 25 points.

Each block is compared with a float64 reference computed here with the same weights copied in by state-dict
name (conv1, bn1, conv2, bn2, shortcut.0 / shortcut.1 for a projection), BatchNorm's running statistics
included, in eval mode and in train mode (batch statistics). The student's module runs in float32 on the CPU,
so values are compared with rtol 1e-4 and a small atol. With the residual branch zeroed (bn2's weight and
bias 0) a block must return exactly relu(shortcut(x)): ReLU before the addition, or a projection without
its BatchNorm, shows there. The parameter count is checked against its closed form for several shapes.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograder.authoring import assert_close, assert_equal

RTOL, ATOL = 1e-4, 1e-4


def _t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


# ---- float64 reference ----------------------------------------------------------------------------------------------

def bn(p, name, x, train):
    return F.batch_norm(x, p[name + ".running_mean"].clone(), p[name + ".running_var"].clone(), p[name + ".weight"],
                        p[name + ".bias"], training=train, eps=1e-5)


def block(p, pre, x, stride, train):
    out = F.relu(bn(p, pre + "bn1", F.conv2d(x, p[pre + "conv1.weight"], stride=stride, padding=1), train))
    out = bn(p, pre + "bn2", F.conv2d(out, p[pre + "conv2.weight"], padding=1), train)
    if pre + "shortcut.0.weight" in p:
        short = bn(p, pre + "shortcut.1", F.conv2d(x, p[pre + "shortcut.0.weight"], stride=stride), train)
    else:
        short = x
    return F.relu(out + short)


def resnet(p, x, num_blocks, train=False):
    out = F.relu(bn(p, "bn1", F.conv2d(x, p["conv1.weight"], padding=1), train))
    for stage, blocks in enumerate(num_blocks, start=1):
        for b in range(blocks):
            out = block(p, f"layer{stage}.{b}.", out, 2 if (b == 0 and stage > 1) else 1, train)
    return F.linear(out.mean(dim=(2, 3)), p["fc.weight"], p["fc.bias"])


# ---- parameters the judge makes ---------------------------------------------------------------------------------

def bn_params(rng, name, C):
    return {name + ".weight": 1 + 0.3 * rng.normal(size=C), name + ".bias": 0.3 * rng.normal(size=C),
            name + ".running_mean": 0.3 * rng.normal(size=C), name + ".running_var": rng.uniform(0.5, 2.0, C)}


def block_params(rng, pre, c_in, c_out, stride):
    params = {pre + "conv1.weight": rng.normal(size=(c_out, c_in, 3, 3)) / np.sqrt(9 * c_in),
              pre + "conv2.weight": rng.normal(size=(c_out, c_out, 3, 3)) / np.sqrt(9 * c_out)}
    params.update(bn_params(rng, pre + "bn1", c_out))
    params.update(bn_params(rng, pre + "bn2", c_out))
    if stride != 1 or c_in != c_out:
        params[pre + "shortcut.0.weight"] = rng.normal(size=(c_out, c_in, 1, 1)) / np.sqrt(c_in)
        params.update(bn_params(rng, pre + "shortcut.1", c_out))
    return params


def resnet_params(rng, num_blocks, c_in, K, w):
    params = {"conv1.weight": rng.normal(size=(w, c_in, 3, 3)) / np.sqrt(9 * c_in)}
    params.update(bn_params(rng, "bn1", w))
    channels = w
    for stage, blocks in enumerate(num_blocks, start=1):
        width = w * 2 ** (stage - 1)
        for b in range(blocks):
            stride = 2 if (b == 0 and stage > 1) else 1
            params.update(block_params(rng, f"layer{stage}.{b}.", channels, width, stride))
            channels = width
    params.update({"fc.weight": rng.normal(size=(K, 4 * w)) / np.sqrt(4 * w), "fc.bias": 0.1 * rng.normal(size=K)})
    return params


def resnet_param_count(num_blocks, in_channels, num_classes, width):
    """Closed form: stem conv + BN, each block's two convs + BNs (+ 1x1 projection + BN), the linear layer."""
    w = width
    total = 9 * in_channels * w + 2 * w
    c = w
    for stage, blocks in enumerate(num_blocks):
        out = w * 2 ** stage
        for b in range(blocks):
            total += 9 * c * out + 2 * out + 9 * out * out + 2 * out
            if c != out or (b == 0 and stage > 0):
                total += c * out + 2 * out
            c = out
    return total + 4 * w * num_classes + num_classes


def run(submission, module, kwargs, params, x, train=False, dout=None):
    return submission.probe("run_module", module=module, kwargs=kwargs, params=params, inputs=[x], mask=None,
                            mask_name="mask", dout=dout, train=train, seed=0)


BLOCKS = {"identity": dict(in_channels=4, out_channels=4, stride=1),
          "projection": dict(in_channels=3, out_channels=6, stride=2),
          "projection_stride1": dict(in_channels=3, out_channels=5, stride=1),
          "projection_same_channels": dict(in_channels=4, out_channels=4, stride=2)}


@pytest.mark.points(3)
@pytest.mark.budget(cpu=8, cuda=8)
@pytest.mark.parametrize("shortcut", list(BLOCKS))
def test_basic_block_values(submission, rng, shortcut):
    """Eval mode (running statistics) and train mode (batch statistics), with the input gradient in eval mode."""
    kw = BLOCKS[shortcut]
    params = block_params(rng, "", kw["in_channels"], kw["out_channels"], kw["stride"])
    x = rng.normal(size=(3, kw["in_channels"], 7, 7))
    p = {k: _t(v) for k, v in params.items()}
    for train in (False, True):
        out = run(submission, "BasicBlock", kw, params, x, train=train)
        expected = block(p, "", _t(x), kw["stride"], train).numpy()
        assert_close(out["out"], expected, rtol=RTOL, atol=ATOL,
                     what=f"BasicBlock ({shortcut.replace('_', ', ')} shortcut) output in "
                          f"{'train' if train else 'eval'} mode")
    xt = _t(x).requires_grad_()
    ref = block(p, "", xt, kw["stride"], False)
    dout = rng.normal(size=ref.shape)
    (ref * _t(dout)).sum().backward()
    out = run(submission, "BasicBlock", kw, params, x, dout=dout)
    assert out["dinputs"] and out["dinputs"][0] is not None, "no gradient reached BasicBlock's input"
    assert_close(out["dinputs"][0], xt.grad.numpy(), rtol=1e-3, atol=1e-4, what="BasicBlock input gradient")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=5, cuda=5)
@pytest.mark.parametrize("shortcut", ["identity", "projection"])
def test_basic_block_zeroed_residual_is_the_shortcut(submission, rng, shortcut):
    """bn2's weight and bias zeroed: the residual branch is 0, so the block returns relu(shortcut(x)) exactly."""
    kw = BLOCKS[shortcut]
    params = block_params(rng, "", kw["in_channels"], kw["out_channels"], kw["stride"])
    params["bn2.weight"], params["bn2.bias"] = np.zeros(kw["out_channels"]), np.zeros(kw["out_channels"])
    x = rng.normal(size=(2, kw["in_channels"], 6, 6))
    out = run(submission, "BasicBlock", kw, params, x)
    p = {k: _t(v) for k, v in params.items()}
    short = _t(x) if shortcut == "identity" else bn(p, "shortcut.1", F.conv2d(_t(x), p["shortcut.0.weight"],
                                                                               stride=kw["stride"]), False)
    assert_close(out["out"], F.relu(short).numpy(), rtol=RTOL, atol=ATOL,
                 what=f"BasicBlock with a zeroed residual branch ({shortcut} shortcut): relu(shortcut(x)), "
                      f"the ReLU after the addition")


@pytest.mark.points(3)
@pytest.mark.budget(cpu=8, cuda=8)
def test_resnet_forward_from_copied_state_dict(submission, rng):
    num_blocks, c_in, K, w = (2, 1, 1), 2, 4, 4
    params = resnet_params(rng, num_blocks, c_in, K, w)
    x = rng.normal(size=(3, c_in, 12, 12))
    out = run(submission, "ResNet", dict(num_blocks=num_blocks, in_channels=c_in, num_classes=K, width=w), params, x)
    p = {k: _t(v) for k, v in params.items()}
    assert_close(out["out"], resnet(p, _t(x), num_blocks).numpy(), rtol=RTOL, atol=ATOL,
                 what="ResNet scores (eval mode, copied weights)")


@pytest.mark.points(4)
@pytest.mark.budget(cpu=5, cuda=5)
def test_resnet_structure_and_parameter_count(submission, rng):
    """State-dict names and shapes, and the parameter count against the closed form, for several shapes."""
    for num_blocks, c_in, K, w in [((2, 2, 2), 1, 10, 16), ((1, 1, 1), 3, 10, 8), ((3, 1, 2), 2, 7, 4)]:
        kwargs = dict(num_blocks=num_blocks, in_channels=c_in, num_classes=K, width=w)
        out = submission.probe("structure", module="ResNet", kwargs=kwargs)
        expected = {k: list(np.shape(v)) for k, v in resnet_params(rng, num_blocks, c_in, K, w).items()}
        learned = {k: v for k, v in expected.items() if not k.endswith(("running_mean", "running_var"))}
        missing = sorted(set(learned) - set(out["names"]))
        assert not missing, (f"ResNet{kwargs}'s state dict lacks {', '.join(missing[:4])}"
                             f"{' ...' if len(missing) > 4 else ''} (see the names in resnet.py's docstrings)")
        wrong = [k for k in learned if out["names"][k] != learned[k]]
        assert not wrong, (f"ResNet{kwargs}: `{wrong[0]}` has shape {out['names'][wrong[0]]}; "
                           f"expected {learned[wrong[0]]}")
        assert_equal(out["num_params"], resnet_param_count(num_blocks, c_in, K, w),
                     what=f"parameter count of ResNet(num_blocks={num_blocks}, in_channels={c_in}, "
                          f"num_classes={K}, width={w})")
