"""Probes for assignment 2's hidden tests: build the student's layers and models inside the worker, run them, report.

No expected values and no held-out labels live here. Submission modules are imported inside each
probe. Component probes run on the CPU in float64, with given parameters set on the student's module,
forward and backward inside `record_ops()`, and return the names recorded ("ops") so that the judge
can tell hand-built code from library calls. Training probes run on the grading device.
"""
import numpy as np

from autograder.authoring import answers, array, number, optional, plain, text


def _param(value):
    import torch
    return torch.nn.Parameter(torch.from_numpy(np.array(value, dtype=np.float64)))


def _set_params(module, owner, params):
    """Replace the student's parameters by the given float64 values, after checking that they exist with that shape."""
    import torch
    for name, value in params.items():
        current = getattr(module, name, None)
        if not isinstance(current, torch.Tensor):
            raise AttributeError(f"{owner}.{name} should be a tensor (an nn.Parameter) but is {type(current).__name__}")
        if tuple(current.shape) != tuple(np.shape(value)):
            raise ValueError(f"{owner}.{name} has shape {tuple(current.shape)}; expected {tuple(np.shape(value))}")
        setattr(module, name, _param(value))


def _leaf(values):
    import torch
    return torch.from_numpy(np.array(values, dtype=np.float64)).requires_grad_()


def _grad(tensor):
    return None if tensor.grad is None else tensor.grad.detach().cpu().numpy()


def _array(tensor):
    import torch
    return tensor.detach().cpu().numpy() if isinstance(tensor, torch.Tensor) else tensor


def _backward(outputs_and_upstream):
    """Sum of <output, upstream gradient> over the pairs, differentiated (outputs that are not tensors are skipped)."""
    import torch
    total = sum((out * torch.from_numpy(np.asarray(up, dtype=np.float64)).to(out)).sum()
                for out, up in outputs_and_upstream if isinstance(out, torch.Tensor) and out.requires_grad)
    if isinstance(total, torch.Tensor):
        total.backward()


@answers(weight=optional(array), bias=optional(array))
def conv2d_init(in_channels, out_channels, kernel_size, seed):
    """A freshly made Conv2d's parameters (as the student initialises them)."""
    from autograder.authoring import seed_all
    seed_all(seed)
    import layers
    conv = layers.Conv2d(in_channels, out_channels, kernel_size)
    return {"weight": _array(conv.weight), "bias": _array(conv.bias)}


@answers(out=optional(array), dx=optional(array), dw=optional(array), db=optional(array), ops=plain)
def conv2d(x, weight, bias, dout, stride, padding):
    """Conv2d with the given parameters: output, and gradients for the upstream gradient dout."""
    from autograder.authoring import record_ops
    import layers
    C_out, C_in, K, _ = np.shape(weight)
    with record_ops() as ops:
        conv = layers.Conv2d(C_in, C_out, K, stride=stride, padding=padding)
        _set_params(conv, "Conv2d", {"weight": weight, "bias": bias})
        xt = _leaf(x)
        out = conv(xt)
        if dout is not None:
            _backward([(out, dout)])
    return {"out": _array(out), "dx": _grad(xt), "dw": _grad(conv.weight), "db": _grad(conv.bias), "ops": sorted(ops)}


@answers(out=optional(array), dx=optional(array), ops=plain)
def pool2d(kind, x, dout, kernel_size, stride):
    """MaxPool2d or AvgPool2d (kind "max" / "avg"): output, and the input gradient for dout."""
    from autograder.authoring import record_ops
    import layers
    with record_ops() as ops:
        pool = (layers.MaxPool2d if kind == "max" else layers.AvgPool2d)(kernel_size, stride=stride)
        xt = _leaf(x)
        out = pool(xt)
        if dout is not None:
            _backward([(out, dout)])
    return {"out": _array(out), "dx": _grad(xt), "ops": sorted(ops)}


@answers(out=optional(array), dx=optional(array), dw=optional(array), db=optional(array), ops=plain)
def linear(x, weight, bias, dout):
    """Linear with the given parameters: output and gradients."""
    from autograder.authoring import record_ops
    import layers
    D_out, D_in = np.shape(weight)
    with record_ops() as ops:
        fc = layers.Linear(D_in, D_out)
        _set_params(fc, "Linear", {"weight": weight, "bias": bias})
        xt = _leaf(x)
        out = fc(xt)
        _backward([(out, dout)])
    return {"out": _array(out), "dx": _grad(xt), "dw": _grad(fc.weight), "db": _grad(fc.bias), "ops": sorted(ops)}


@answers(weight=optional(array), bias=optional(array))
def linear_init(in_features, out_features, seed):
    """A freshly made Linear's parameters."""
    from autograder.authoring import seed_all
    seed_all(seed)
    import layers
    fc = layers.Linear(in_features, out_features)
    return {"weight": _array(fc.weight), "bias": _array(fc.bias)}


@answers(relu=optional(array), flat=optional(array), dx=optional(array), ops=plain)
def relu_flatten(x, dout):
    """ReLU then Flatten on x: both outputs, and the input gradient for dout (given for the flattened output)."""
    from autograder.authoring import record_ops
    import layers
    with record_ops() as ops:
        xt = _leaf(x)
        relu = layers.ReLU()(xt)
        flat = layers.Flatten()(relu)
        _backward([(flat, dout)])
    return {"relu": _array(relu), "flat": _array(flat), "dx": _grad(xt), "ops": sorted(ops)}


@answers(scores=optional(array), num_params=number, ops=plain)
def lenet(x, seed):
    """A fresh LeNet5: scores for x, parameter count, and the operators of one forward and backward pass."""
    import torch
    from autograder.authoring import record_ops
    from autograder.authoring import seed_all
    seed_all(seed)
    import lenet as lenet_module
    with record_ops() as ops:
        model = lenet_module.LeNet5()
        scores = model(torch.from_numpy(np.array(x, dtype=np.float32)))
        if isinstance(scores, torch.Tensor) and scores.requires_grad:
            scores.sum().backward()
    num_params = sum(p.numel() for p in model.parameters())
    return {"scores": _array(scores), "num_params": int(num_params), "ops": sorted(ops)}


GRU_PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


@answers(weight_ih=optional(array), weight_hh=optional(array), bias_ih=optional(array), bias_hh=optional(array))
def grucell_init(input_size, hidden_size, seed):
    """A freshly made GRUCell's parameters."""
    from autograder.authoring import seed_all
    seed_all(seed)
    import gru
    cell = gru.GRUCell(input_size, hidden_size)
    return {name: _array(getattr(cell, name, None)) for name in GRU_PARAMS}


@answers(h_next=optional(array), dx=optional(array), dh=optional(array), dweight_ih=optional(array), dweight_hh=optional(array), dbias_ih=optional(array), dbias_hh=optional(array), ops=plain)
def grucell(x, h, params, dout):
    """GRUCell with the given parameters: the next hidden state, and gradients for dout."""
    from autograder.authoring import record_ops
    import gru
    H, I = np.shape(params["weight_ih"])[0] // 3, np.shape(params["weight_ih"])[1]
    with record_ops() as ops:
        cell = gru.GRUCell(I, H)
        _set_params(cell, "GRUCell", params)
        xt, ht = _leaf(x), _leaf(h)
        h_next = cell(xt, ht)
        _backward([(h_next, dout)])
    grads = {"d" + name: _grad(getattr(cell, name)) for name in GRU_PARAMS}
    return {"h_next": _array(h_next), "dx": _grad(xt), "dh": _grad(ht), **grads, "ops": sorted(ops)}


@answers(outputs=optional(array), h_T=optional(array), dx=optional(array), dh0=optional(array), dweight_ih=optional(array), dweight_hh=optional(array), dbias_ih=optional(array), dbias_hh=optional(array), ops=plain)
def gru(x, h0, params, doutputs, dh_T):
    """GRU over x (B, T, I) from h0 (None: zeros) with the given cell parameters: outputs, h_T and gradients."""
    from autograder.authoring import record_ops
    import gru as gru_module
    H, I = np.shape(params["weight_ih"])[0] // 3, np.shape(params["weight_ih"])[1]
    with record_ops() as ops:
        model = gru_module.GRU(I, H)
        _set_params(model.cell, "GRU.cell", params)
        xt = _leaf(x)
        h0t = None if h0 is None else _leaf(h0)
        result = model(xt) if h0t is None else model(xt, h0t)
        outputs, h_T = result if isinstance(result, (tuple, list)) and len(result) == 2 else (result, None)
        if doutputs is not None:
            _backward([(outputs, doutputs), (h_T, dh_T)])
    grads = {"d" + name: _grad(getattr(model.cell, name)) for name in GRU_PARAMS}
    return {"outputs": _array(outputs), "h_T": _array(h_T), "dx": _grad(xt),
            "dh0": None if h0t is None else _grad(h0t), **grads, "ops": sorted(ops)}


@answers(scores=optional(array), ops=plain)
def ionosphere_gru(x, hidden_size, seed):
    """A fresh IonosphereGRU's scores for x (B, 34), and its operators."""
    import torch
    from autograder.authoring import record_ops
    from autograder.authoring import seed_all
    seed_all(seed)
    import gru
    with record_ops() as ops:
        model = gru.IonosphereGRU(hidden_size=hidden_size)
        scores = model(torch.from_numpy(np.array(x, dtype=np.float32)))
    return {"scores": _array(scores), "ops": sorted(ops)}


def _labels(model, x, dev):
    """argmax of the model's own scores for prepared inputs x, in chunks of 500, on device dev."""
    import torch
    with torch.no_grad():
        return torch.cat([model(chunk.to(dev)).argmax(dim=1).cpu() for chunk in x.split(500)]).numpy()


PREPARE = {"lenet": "prepare_digits", "gru": "prepare_ionosphere"}


def _trained_predictions(kind, X_train, y_train, X_test, seed, untrained_seed):
    """train_<kind> with the student's defaults, then on X_test: predict_<kind>'s answers ("y_pred"); the argmax
    of the scores of a fresh model from the student's constructor holding the returned model's parameters and
    buffers, its own forward without anything kept outside them ("own_pred"); and predict_<kind>'s answers for
    a fresh, untrained model seeded with untrained_seed ("untrained_pred")."""
    import inspect
    import torch
    from autograder.authoring import device, seed_all
    seed_all(seed)
    import gru
    import lenet
    import train
    dev = device()
    train_fn, predict_fn = getattr(train, f"train_{kind}"), getattr(train, f"predict_{kind}")
    if kind == "lenet":
        make_model = lenet.LeNet5
    else:
        default = inspect.signature(train_fn).parameters.get("hidden_size")
        hidden_size = 32 if default is None or default.default is inspect.Parameter.empty else default.default
        make_model = lambda: gru.IonosphereGRU(hidden_size)  # noqa: E731
    model = train_fn(X_train, y_train, seed=seed, device=dev)
    y_pred = predict_fn(model, X_test, device=dev)
    out = {"y_pred": np.asarray(_array(y_pred)), "model": type(model).__name__}
    if not isinstance(model, torch.nn.Module):
        return out
    own = make_model()
    try:
        own.load_state_dict(model.state_dict())
    except RuntimeError as e:
        raise ValueError(f"the model train_{kind} returned does not load into a fresh {type(own).__name__} "
                         f"(load_state_dict): keep every learned tensor a parameter or buffer made in __init__ "
                         f"({str(e).splitlines()[0][:200]})") from None
    out["own_pred"] = _labels(own.to(dev).eval(), getattr(train, PREPARE[kind])(X_test), dev)
    seed_all(untrained_seed)
    out["untrained_pred"] = np.asarray(_array(predict_fn(make_model().to(dev).eval(), X_test, device=dev)))
    return out


@answers(y_pred=array, model=text, own_pred=optional(array), untrained_pred=optional(array))
def train_lenet(X_train, y_train, X_test, seed, untrained_seed):
    """train.train_lenet with its default settings on the grading device; predicted digits for X_test (see
    _trained_predictions)."""
    return _trained_predictions("lenet", X_train, y_train, X_test, seed, untrained_seed)


@answers(y_pred=array, model=text, own_pred=optional(array), untrained_pred=optional(array))
def train_gru(X_train, y_train, X_test, seed, untrained_seed):
    """train.train_gru with its default settings on the grading device; predicted classes for X_test (see
    _trained_predictions)."""
    return _trained_predictions("gru", X_train, y_train, X_test, seed, untrained_seed)


@answers(x=optional(array), dtype=text, device=text)
def prepare(kind, X):
    """train.prepare_digits or train.prepare_ionosphere on X, as it is (no model, no training)."""
    import train
    x = getattr(train, f"prepare_{kind}")(X)
    return {"x": _array(x) if x is not None else None, "dtype": str(getattr(x, "dtype", type(x).__name__)),
            "device": str(getattr(x, "device", ""))}


@answers(weights=array, biases=array, init_weight=array, init_bias=array, same_model=plain, eval_mode=plain,
         loss_before=number, loss_after=number)
def fit_linear(x, y, epochs, batch_size, lr, seeds):
    """train.fit on a float64 linear classifier (the same initial weights every time), once per seed."""
    import torch
    import torch.nn.functional as F
    import train
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    weights, biases, same, evals = [], [], [], []
    for seed in seeds:
        torch.manual_seed(0)
        model = torch.nn.Linear(x.shape[1], int(y.max()) + 1).double()
        init_weight, init_bias = _array(model.weight).copy(), _array(model.bias).copy()  # before fit changes them
        with torch.no_grad():
            loss_before = float(F.cross_entropy(model(xt), yt))
        trained = train.fit(model, xt, yt, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
        same.append(trained is model)
        evals.append(not model.training)
        weights.append(_array(model.weight).copy())
        biases.append(_array(model.bias).copy())
        if len(weights) == 1:
            with torch.no_grad():
                loss_after = float(F.cross_entropy(model(xt), yt))
    return {"weights": np.stack(weights), "biases": np.stack(biases), "init_weight": init_weight,
            "init_bias": init_bias, "same_model": all(same), "eval_mode": all(evals),
            "loss_before": loss_before, "loss_after": loss_after}
