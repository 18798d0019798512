"""Probes for the public tests: they run your code inside the grader's worker and report what came back."""
import numpy as np

from autograder.authoring import answers, array, number, plain


def _leaf(values):
    import torch
    return torch.from_numpy(np.array(values, dtype=np.float64)).requires_grad_()


def _set(module, params):
    import torch
    for name, value in params.items():
        setattr(module, name, torch.nn.Parameter(torch.from_numpy(np.array(value, dtype=np.float64))))


@answers(out=array, dx=array, dw=array, db=array, ops=plain)
def conv2d(x, weight, bias, dout, stride, padding):
    """Your Conv2d with the given weight and bias: output and gradients, and the operators it ran."""
    from autograder.authoring import record_ops
    import layers
    C_out, C_in, K, _ = np.shape(weight)
    with record_ops() as ops:
        conv = layers.Conv2d(C_in, C_out, K, stride=stride, padding=padding)
        _set(conv, {"weight": weight, "bias": bias})
        xt = _leaf(x)
        out = conv(xt)
        (out * _leaf(dout).detach()).sum().backward()
    return {"out": out.detach().numpy(), "dx": xt.grad.numpy(), "dw": conv.weight.grad.numpy(),
            "db": conv.bias.grad.numpy(), "ops": sorted(ops)}


@answers(out=array, ops=plain)
def maxpool2d(x, kernel_size):
    """Your MaxPool2d on x."""
    from autograder.authoring import record_ops
    import layers
    with record_ops() as ops:
        out = layers.MaxPool2d(kernel_size)(_leaf(x))
    return {"out": out.detach().numpy(), "ops": sorted(ops)}


@answers(scores=array, num_params=number)
def lenet(x):
    """Your LeNet5's scores for x and its parameter count."""
    import torch
    import lenet as lenet_module
    model = lenet_module.LeNet5()
    scores = model(torch.from_numpy(np.array(x, dtype=np.float32)))
    return {"scores": scores.detach().numpy(), "num_params": int(sum(p.numel() for p in model.parameters()))}


@answers(h_next=array, ops=plain)
def grucell(x, h, params):
    """Your GRUCell with the given parameters: the next hidden state, and the operators it ran."""
    from autograder.authoring import record_ops
    import gru
    H, I = np.shape(params["weight_ih"])[0] // 3, np.shape(params["weight_ih"])[1]
    with record_ops() as ops:
        cell = gru.GRUCell(I, H)
        _set(cell, params)
        h_next = cell(_leaf(x), _leaf(h))
    return {"h_next": h_next.detach().numpy(), "ops": sorted(ops)}


@answers(outputs=plain, h_T=plain)
def gru_shapes(x):
    """Shapes of your GRU's outputs for x of shape (B, T, I), hidden size 5."""
    import torch
    import gru
    outputs, h_T = gru.GRU(x.shape[2], 5)(torch.from_numpy(np.array(x, dtype=np.float32)))
    return {"outputs": list(outputs.shape), "h_T": list(h_T.shape)}


@answers(y_pred=array)
def train_gru(X_train, y_train, X_val):
    """Your train_gru with its defaults on the grading device; predictions for X_val."""
    from autograder.authoring import device, seed_all
    seed_all(0)
    import train
    model = train.train_gru(X_train, y_train, seed=0, device=device())
    return {"y_pred": np.asarray(train.predict_gru(model, X_val, device=device()))}
