"""Probes for assignment 3's hidden tests: build the student's layers and models inside the worker, run them, report.

No expected values and no held-out labels live here. Submission modules are imported inside each probe
(`cs231n.transformer_layers`, `cs231n.classifiers.transformer`, `resnet`, `compare`: the submission's own
files, first on sys.path). Component probes run on the CPU in float32 (CS231n's starter writes into float32
CPU placeholders) with the judge's parameters copied in by state-dict name, forward and backward inside
`record_ops()`, and return the names recorded ("ops") so that the judge can tell hand-built attention from
library calls. Training and timing probes run on the grading device. FLOPs are counted here with PyTorch's
own FlopCounterMode (probe code, not the student's) as well as by the student's count_flops.
"""
import numpy as np

from autograder.authoring import answers, array, flag, number, optional, plain, text

# The modules a component probe may build: name -> (module path, class name).
MODULES = {
    "PositionalEncoding": ("cs231n.transformer_layers", "PositionalEncoding"),
    "MultiHeadAttention": ("cs231n.transformer_layers", "MultiHeadAttention"),
    "FeedForwardNetwork": ("cs231n.transformer_layers", "FeedForwardNetwork"),
    "TransformerEncoderLayer": ("cs231n.transformer_layers", "TransformerEncoderLayer"),
    "PatchEmbedding": ("cs231n.transformer_layers", "PatchEmbedding"),
    "VisionTransformer": ("cs231n.classifiers.transformer", "VisionTransformer"),
    "BasicBlock": ("resnet", "BasicBlock"),
    "ResNet": ("resnet", "ResNet"),
}


def _build(module, kwargs):
    import importlib
    path, name = MODULES[module]
    return getattr(importlib.import_module(path), name)(**kwargs)


def _array(tensor):
    import torch
    return tensor.detach().cpu().numpy() if isinstance(tensor, torch.Tensor) else tensor


def _load(model, owner, params):
    """Copy the given values into the student's parameters and buffers, by state-dict name (float32)."""
    import torch
    state = model.state_dict(keep_vars=True)
    for name, value in params.items():
        if name not in state:
            raise KeyError(f"{owner} has no parameter or buffer named `{name}` (see the names in the docstrings)")
        if tuple(state[name].shape) != tuple(np.shape(value)):
            raise ValueError(f"{owner}'s `{name}` has shape {tuple(state[name].shape)}; "
                             f"expected {tuple(np.shape(value))}")
        with torch.no_grad():
            state[name].copy_(torch.as_tensor(np.asarray(value), dtype=state[name].dtype))


def _tensor(value, grad):
    import torch
    if value is None:
        return None
    arr = np.asarray(value)
    if arr.dtype == np.bool_:
        return torch.from_numpy(arr)
    return torch.tensor(arr, dtype=torch.float32, requires_grad=grad)


@answers(out=optional(array), dinputs=plain, dparams=plain, ops=plain, names=plain)
def run_module(module, kwargs, params, inputs, mask, mask_name, dout, train, seed, dropout_p=None):
    """
    Build `module` with `kwargs`, copy `params` in by name, put it in train or eval mode, and call it on
    `inputs` (positional, float32; a mask given as bool stays bool, as float stays float) with the mask as
    keyword `mask_name`. With `dout`, differentiate sum(out * dout) and return the gradients of the inputs
    and of the given parameters. `names`: the state-dict names and shapes of the fresh module. `dropout_p`:
    {submodule name: p} set on the starter's nn.Dropout submodules after building (p = 1 drops everything).
    """
    import torch
    from autograder.authoring import record_ops
    torch.manual_seed(seed)
    with record_ops() as ops:
        model = _build(module, kwargs)
        names = {k: list(v.shape) for k, v in model.state_dict().items()}
        _load(model, module, params)
        for name, p in (dropout_p or {}).items():
            try:
                model.get_submodule(name).p = p
            except AttributeError:
                raise KeyError(f"{module} has no dropout layer named `{name}` (keep the starter's names)") from None
        model.train(bool(train))
        xs = [_tensor(x, dout is not None) for x in inputs]
        extra = {} if mask is None else {mask_name: _tensor(mask, False)}
        out = model(*xs, **extra)
        dinputs, dparams = [], {}
        if dout is not None and isinstance(out, torch.Tensor) and out.requires_grad:
            (out * torch.as_tensor(np.asarray(dout), dtype=out.dtype)).sum().backward()
            dinputs = [_array(x.grad) if x is not None and x.grad is not None else None for x in xs]
            own = dict(model.named_parameters())
            dparams = {k: _array(own[k].grad) for k in params if k in own and own[k].grad is not None}
    return {"out": _array(out), "dinputs": dinputs, "dparams": dparams, "ops": sorted(ops), "names": names}


@answers(pe=optional(array), shape=plain, buffers=plain, parameters=number)
def positional_table(embed_dim, max_len):
    """The PositionalEncoding's table `pe` (a buffer) and its shape."""
    import torch
    from cs231n.transformer_layers import PositionalEncoding
    layer = PositionalEncoding(embed_dim, dropout=0.0, max_len=max_len)
    pe = getattr(layer, "pe", None)
    return {"pe": _array(pe) if isinstance(pe, torch.Tensor) else None,
            "shape": list(pe.shape) if isinstance(pe, torch.Tensor) else None,
            "buffers": sorted(dict(layer.named_buffers())), "parameters": sum(p.numel() for p in layer.parameters())}


@answers(names=plain, num_params=number, attributes=plain)
def structure(module, kwargs):
    """A fresh module's state-dict names and shapes, its parameter count (counted here), and a few attributes."""
    model = _build(module, kwargs)
    attributes = {}
    for name in ("n_head", "head_dim", "emd_dim", "num_patches", "patch_dim", "num_classes"):
        value = getattr(model, name, None)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            attributes[name] = value
    layers = getattr(getattr(model, "transformer", None), "layers", None)
    if layers is not None:
        attributes["distinct_layers"] = len({id(p) for layer in layers for p in layer.parameters()})
        attributes["layer_params"] = sum(p.numel() for layer in layers for p in layer.parameters())
    return {"names": {k: list(v.shape) for k, v in model.state_dict().items()},
            "num_params": int(sum(p.numel() for p in model.parameters())), "attributes": attributes}


# ---- compare.py ----------------------------------------------------------------------------------------------

@answers(x=optional(array), dtype=text, shape=plain)
def prepare_images(X, mean, std):
    """compare.prepare_images(X) (mean/std None: the defaults) as a float array."""
    import compare
    kwargs = {} if mean is None else {"mean": tuple(mean), "std": tuple(std)}
    x = compare.prepare_images(X, **kwargs)
    return {"x": _array(x), "dtype": str(getattr(x, "dtype", type(x).__name__)), "shape": list(np.shape(x))}


def _linear_model(weight, bias, dropout):
    """A trusted classifier (Flatten, Dropout, Linear) with the given weights."""
    import torch
    import torch.nn as nn
    model = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(weight.shape[1], weight.shape[0]))
    with torch.no_grad():
        model[2].weight.copy_(torch.as_tensor(weight))
        model[2].bias.copy_(torch.as_tensor(bias))
    return model


@answers(y_pred=optional(array), accuracy=plain, training_after=optional(flag))
def predict_evaluate(weight, bias, X, y):
    """compare.predict and compare.evaluate on a trusted linear model with dropout, handed over in train mode."""
    import compare
    model = _linear_model(weight, bias, dropout=0.5).train()
    y_pred = compare.predict(model, X)
    accuracy = compare.evaluate(model.train(), X, y)
    accuracy = float(accuracy) if isinstance(accuracy, (int, float, np.floating)) else None
    return {"y_pred": np.asarray(_array(y_pred)), "accuracy": accuracy, "training_after": model.training}


class _TrainingRecorder:
    """How a model is trained, seen from outside `train`: every forward pass of the whole model in train mode
    with gradients (its batch size and, with `rows`, which rows of `rows` it held, matched by content), and every
    optimizer step over the model's parameters (the optimizer's class, each param group's lr and weight decay,
    whether the decay is decoupled as AdamW's is, whether it holds all the model's parameters)."""

    def __init__(self, model, rows=None):
        import torch
        self.model, self.batches, self.rows_seen, self.steps = model, [], set(), []
        self.params = {id(p) for p in model.parameters()}
        self.project = None
        if rows is not None:
            rows = torch.as_tensor(rows).flatten(1).double()
            self.project = torch.randn(rows.shape[1], generator=torch.Generator().manual_seed(0), dtype=torch.float64)
            self.row_of = {key: i for i, key in enumerate(self._keys(rows))}
        model.register_forward_pre_hook(self._forward, with_kwargs=True)

    def _keys(self, x):
        import torch
        return torch.round(x.detach().cpu().flatten(1).double() @ self.project * 1e4).long().tolist()

    def _forward(self, module, args, kwargs):
        import torch
        x = next((a for a in list(args) + list(kwargs.values()) if isinstance(a, torch.Tensor)), None)
        if x is None or not module.training or not torch.is_grad_enabled():
            return
        self.batches.append(len(x))
        if self.project is not None:
            self.rows_seen.update(self.row_of.get(key, -1) for key in self._keys(x))

    def step(self, optimizer):
        held = {id(p) for group in optimizer.param_groups for p in group["params"]}
        if not held & self.params:
            return
        groups = optimizer.param_groups
        self.steps.append({"optimizer": type(optimizer).__name__,
                           "lr": [float(g["lr"]) for g in groups],
                           "weight_decay": [float(g.get("weight_decay", 0.0)) for g in groups],
                           "decoupled": all(bool(g.get("decoupled_weight_decay", False)) for g in groups),
                           "all_parameters": self.params <= held})

    def report(self):
        return {"batches": self.batches, "rows": sorted(self.rows_seen), "steps": self.steps}


class _StepHooks:
    """While open, every optimizer step anywhere is shown to each recorder (torch's global step pre-hook)."""

    def __init__(self, recorders):
        self.recorders = recorders

    def __enter__(self):
        from torch.optim.optimizer import register_optimizer_step_pre_hook

        def show(optimizer, args, kwargs):
            for recorder in self.recorders:
                recorder.step(optimizer)
        self.handle = register_optimizer_step_pre_hook(show)
        return self

    def __exit__(self, *exc):
        self.handle.remove()


@answers(batches=plain, rows=plain, steps=plain, training_after=flag)
def train_recipe(X, y, classes, epochs, batch_size, lr):
    """compare.train(epochs, batch_size, lr given) on a trusted linear model, recorded from outside: the batch
    sizes of its training forward passes and each optimizer step's optimizer, learning rates and weight decay."""
    import torch
    import compare
    from autograder.authoring import device, seed_all
    seed_all(0)
    model = _linear_model(np.zeros((classes, int(np.prod(np.shape(X)[1:])))), np.zeros(classes), dropout=0.0)
    torch.nn.init.normal_(model[2].weight, std=0.01)
    recorder = _TrainingRecorder(model)
    with _StepHooks([recorder]):
        compare.train(model, X, y, epochs=epochs, batch_size=batch_size, lr=lr, seed=0, device=device())
    return dict(recorder.report(), training_after=bool(model.training))


@answers(weights=plain, again=plain, other_seed=plain, training_after=optional(flag), train_acc=optional(number))
def train_linear(X, y, classes, seed):
    """compare.train (20 epochs, batches of 32, lr 0.01) on a trusted linear model: twice with one seed, once with
    another."""
    import torch
    import compare
    from autograder.authoring import device, seed_all
    results = []
    for s in (seed, seed, seed + 1):
        seed_all(0)  # the same initial weights every time: only the seed given to train differs
        model = _linear_model(np.zeros((classes, int(np.prod(np.shape(X)[1:])))), np.zeros(classes), dropout=0.0)
        torch.nn.init.normal_(model[2].weight, std=0.01)
        trained = compare.train(model, X, y, epochs=20, batch_size=32, lr=0.01, seed=s, device=device())
        results.append(trained)
    first = results[0]
    weights = [_array(p) for p in first.parameters()]
    with torch.no_grad():
        first.eval()
        scores = first(torch.as_tensor(np.asarray(X), dtype=torch.float32).to(device()))
    train_acc = float((scores.argmax(1).cpu().numpy() == np.asarray(y)).mean())
    return {"weights": weights, "again": [_array(p) for p in results[1].parameters()],
            "other_seed": [_array(p) for p in results[2].parameters()], "training_after": bool(first.training),
            "train_acc": train_acc}


@answers(table=plain, y_pred=plain)
def data_efficiency_table(X, y, X_test, y_test, sizes, seed):
    """compare.data_efficiency with a trusted linear make_model, and the predictions of models trained the way its
    docstring says (seed everything, make_model, train on the first n with train's defaults) for the judge."""
    import torch
    import torch.nn as nn
    import compare
    from autograder.authoring import device, seed_all
    D, K = int(np.prod(np.shape(X)[1:])), int(max(np.max(y), np.max(y_test)) + 1)

    def make_model():
        return nn.Sequential(nn.Flatten(), nn.Linear(D, K))

    table = compare.data_efficiency(make_model, X, y, X_test, y_test, sizes, seed=seed, device=device())
    table = [[int(n), float(acc)] for n, acc in dict(table).items()] if isinstance(table, dict) else None
    y_pred = []
    for n in sizes:
        seed_all(seed)
        model = compare.train(make_model(), X[:n], y[:n], seed=seed, device=device())
        with torch.no_grad():
            scores = model.eval()(torch.as_tensor(np.asarray(X_test), dtype=torch.float32).to(device()))
        y_pred.append(scores.argmax(1).cpu().numpy())
    return {"table": table, "y_pred": y_pred}


@answers(tables=plain, runs=plain)
def data_efficiency_runs(X, y, X_test, y_test, sizes, seed):
    """compare.data_efficiency with make_resnet and with make_vit on the student's prepared digits (tables[arch]:
    its table as [n, accuracy] rows, or None). Every model make_model made is recorded (runs[arch], in the order
    made): the rows of X it trained on, its batch sizes and optimizer steps (_TrainingRecorder), and its own
    classes for X_test (eval mode) once data_efficiency has returned."""
    import compare
    from autograder.authoring import device
    x, x_test = compare.prepare_images(X), compare.prepare_images(X_test)
    tables, runs = {}, {}
    for arch, make in (("resnet", compare.make_resnet), ("vit", compare.make_vit)):
        recorders = []

        def make_model(make=make, recorders=recorders):
            model = make()
            recorders.append(_TrainingRecorder(model, rows=x))
            return model

        with _StepHooks(recorders):
            table = compare.data_efficiency(make_model, x, y, x_test, y_test, sizes, seed=seed, device=device())
        tables[arch] = [[int(n), float(acc)] for n, acc in dict(table).items()] if isinstance(table, dict) else None
        runs[arch] = [dict(r.report(), y_model=_own_classes(r.model, x_test)) for r in recorders]
    return {"tables": tables, "runs": runs}


@answers(student=plain, counted=number, training_after=flag)
def parameters(kind, train):
    """compare.count_parameters on a trusted module with a frozen parameter and a buffer, or on make_resnet() /
    make_vit(): the student's count and the count made here."""
    import torch
    import torch.nn as nn
    import compare
    if kind == "trusted":
        model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4, 5))
        model[0].bias.requires_grad_(False)
    else:
        model = compare.make_resnet() if kind == "resnet" else compare.make_vit()
    model.train(bool(train))
    count = compare.count_parameters(model)
    counted = sum(p.numel() for p in model.parameters() if p.requires_grad)
    if isinstance(count, np.integer) or (isinstance(count, torch.Tensor) and count.numel() == 1):
        count = int(count)
    return {"student": count if isinstance(count, (int, float)) else None, "counted": int(counted),
            "training_after": bool(model.training)}


def _mode_dependent():
    """A trusted module whose FLOPs differ between train and eval mode and grow with the batch."""
    import torch
    import torch.nn as nn

    class ModeDependent(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(12, 7)
            self.extra = nn.Linear(7, 7)

        def forward(self, x):
            out = self.fc(x.flatten(1))  # (N, 7): 2 * 12 * 7 FLOPs per image
            if self.training:
                out = self.extra(out)  # counted only in train mode
            return out

    torch.manual_seed(0)
    return ModeDependent()


@answers(student=plain, counted=number, training_after=flag, check=number)
def flops(kind, input_shape, train):
    """compare.count_flops on a trusted mode-dependent module or on make_resnet() / make_vit(), handed over in
    train or eval mode; `counted`: FLOPs of one eval-mode forward pass on one image, counted here; `check`:
    the trusted module's eval-mode FLOPs on a (1, 3, 2, 2) input, counted here too (the judge knows them)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    import compare
    if kind == "trusted":
        model = _mode_dependent()
    else:
        model = compare.make_resnet() if kind == "resnet" else compare.make_vit()
    model.eval()
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        model(torch.zeros(1, *input_shape))
    counted = int(counter.get_total_flops())
    model.train(bool(train))
    student = compare.count_flops(model, tuple(input_shape))
    if isinstance(student, torch.Tensor) and student.numel() == 1:
        student = student.item()
    check = FlopCounterMode(display=False)
    with torch.no_grad(), check:
        _mode_dependent().eval()(torch.zeros(1, 3, 2, 2))
    return {"student": student if isinstance(student, (int, float)) and not isinstance(student, bool) else None,
            "counted": counted, "training_after": bool(model.training), "check": int(check.get_total_flops())}


def _speed_model():
    """A trusted convolutional model for throughput checks (fixed weights) that records each forward pass it runs
    in `calls`: [batch size, train mode, gradients on]."""
    import torch
    import torch.nn as nn

    class Recorded(nn.Sequential):
        def forward(self, x):
            self.calls.append([len(x), self.training, torch.is_grad_enabled()])
            return super().forward(x)

    torch.manual_seed(0)
    model = Recorded(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(),
                     nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10))
    model.calls = []
    return model


@answers(calls=plain)
def speed_model_only(train):
    """What the throughput probe does besides calling compare.throughput: the judge times it, to subtract."""
    from autograder.authoring import device
    model = _speed_model().to(device()).train(bool(train))
    return {"calls": model.calls}


@answers(images_per_second=plain, training_after=flag, calls=plain)
def throughput(batch_size, train):
    """compare.throughput on the trusted speed model, (1, 28, 28) images, handed over in train or eval mode: the
    figure it returned and the forward passes it ran (batch size, train mode, gradients on). The judge times
    this call: nothing else in it takes time."""
    import torch
    import compare
    from autograder.authoring import device
    model = _speed_model().to(device()).train(bool(train))
    value = compare.throughput(model, (1, 28, 28), device(), batch_size)
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    return {"images_per_second": float(value) if isinstance(value, (int, float, np.floating)) else None,
            "training_after": bool(model.training), "calls": model.calls}


# ---- training ------------------------------------------------------------------------------------------------

def _own_classes(model, x, batch_size=500):
    """The model's own classes for x: its forward in eval mode, argmax (probe code, not the student's predict)."""
    import torch
    from autograder.authoring import device
    model.eval()
    with torch.no_grad():
        x = torch.as_tensor(x, dtype=torch.float32)
        return torch.cat([model(chunk.to(device())).argmax(dim=1).cpu() for chunk in x.split(batch_size)]).numpy()


@answers(y_pred=plain, y_model=array(ndim=1), y_untrained=plain, model=text, train_seconds=number,
         num_params=number)
def train_models(arch, X_train, y_train, X_test, seed):
    """Seed everything, make_resnet() or make_vit(), compare.train on the prepared training images with the
    student's defaults, on the grading device. For the prepared X_test: the returned model's own classes
    (y_model, taken before predict runs), compare.predict's (y_pred), and compare.predict's for a fresh,
    untrained model from the same constructor (y_untrained, seeded)."""
    import time
    import compare
    from autograder.authoring import device, seed_all
    x_train, x_test = compare.prepare_images(X_train), compare.prepare_images(X_test)
    make = compare.make_resnet if arch == "resnet" else compare.make_vit
    seed_all(seed)
    model = make()
    start = time.perf_counter()
    model = compare.train(model, x_train, y_train, seed=seed, device=device())
    seconds = time.perf_counter() - start
    y_model = _own_classes(model, x_test)
    y_pred = np.asarray(_array(compare.predict(model, x_test, device=device())))
    seed_all(seed + 1)
    untrained = make().to(device())
    y_untrained = np.asarray(_array(compare.predict(untrained, x_test, device=device())))
    return {"y_pred": y_pred, "y_model": y_model, "y_untrained": y_untrained, "model": type(model).__name__,
            "train_seconds": seconds, "num_params": int(sum(p.numel() for p in model.parameters()))}


@answers(scores=optional(array), ops=plain, model=text)
def forward_model(arch, x, seed):
    """A fresh make_resnet() or make_vit() (train mode, then backward) on x, recording the operators it runs."""
    import torch
    import compare
    from autograder.authoring import record_ops
    from autograder.authoring import seed_all
    seed_all(seed)
    with record_ops() as ops:
        model = compare.make_resnet() if arch == "resnet" else compare.make_vit()
        scores = model.train()(torch.as_tensor(np.asarray(x), dtype=torch.float32))
        if isinstance(scores, torch.Tensor) and scores.requires_grad:
            scores.sum().backward()
    return {"scores": _array(scores), "ops": sorted(ops), "model": type(model).__name__}


@answers(shapes=plain)
def cifar_shapes(X, seed):
    """The CIFAR-10 path: prepare_images with CIFAR10_MEAN / STD on (N, 32, 32, 3) images, then make_resnet(3) and
    make_vit(32, 3) forward: the shapes that come back."""
    import torch
    import compare
    from autograder.authoring import seed_all
    seed_all(seed)
    x = compare.prepare_images(X, mean=compare.CIFAR10_MEAN, std=compare.CIFAR10_STD)
    shapes = {"x": list(x.shape)}
    with torch.no_grad():
        shapes["resnet"] = list(compare.make_resnet(in_channels=3).eval()(x).shape)
        shapes["vit"] = list(compare.make_vit(img_size=32, in_channels=3).eval()(x).shape)
    return {"shapes": shapes}
