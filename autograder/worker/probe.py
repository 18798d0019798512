"""Helpers for probe authors; these run inside the sandboxed worker."""

import os
import random
import sys

import numpy as np

from autograder import env


def device() -> str:
    """The torch device this grading run uses: 'cpu' or 'cuda'."""
    return os.environ.get(env.WORKER_DEVICE, "cpu")


def seed_all(seed: int) -> None:
    """Seed Python, numpy and torch (CPU and CUDA) so the student's code is deterministic.

    torch is seeded where it is loaded (preloaded, or imported by the submission before this call); a numpy-only
    assignment's workers do not pay its import."""
    random.seed(seed)
    np.random.seed(seed)
    torch = sys.modules.get("torch")
    if torch is None:
        return
    torch.manual_seed(seed)
    if device() == "cuda" and torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
        torch.backends.cudnn.benchmark = False
        torch.backends.cudnn.deterministic = True


def shared(name: str) -> dict[str, np.ndarray]:
    """The arrays a hidden test shared under `name` (`submission.share(name, ...)`), {key: array}, as read-only
    memory maps: copy one (`np.array(a)`) before handing it to code that may change it in place."""
    folder = os.path.join(os.environ.get(env.WORKER_INPUTS, ""), name)
    if not os.path.isdir(folder):
        raise LookupError(f"no input named {name!r} was shared with this probe (submission.share in the test)")
    return {f[:-4]: np.load(os.path.join(folder, f), mmap_mode="r", allow_pickle=False)
            for f in sorted(os.listdir(folder)) if f.endswith(".npy")}


def asset(name: str) -> str:
    """The path, inside the sandbox, of `name` from assignment.toml's `assets` (a course file, read-only)."""
    path = os.path.join(os.environ.get(env.WORKER_ASSETS, ""), name)
    if not os.path.isfile(path):
        raise LookupError(f"{name!r} is not one of this assignment's assets (assignment.toml `assets`)")
    return path


class Field:
    """What one key of a probe's answer holds; `array(ndim=2, finite=True)` refines a field."""

    def __init__(self, kind, ndim=None, finite=False, nullable=False):
        self.kind, self.ndim, self.finite, self.nullable = kind, ndim, finite, nullable

    def __call__(self, ndim=None, finite=False):
        return Field(self.kind, ndim, finite, self.nullable)

    def __repr__(self):
        return self.kind + (f"(ndim={self.ndim})" if self.ndim is not None else "") + ("?" if self.nullable else "")


array = Field("array")      # a numeric or bool array (a nested list or a number too: student code returns those)
number = Field("number")    # an int or a float
text = Field("text")        # a str
flag = Field("flag")        # a bool
plain = Field("plain")      # any plain data: numbers, strings, lists, dicts, arrays


def optional(field):
    """`field`, None, or absent from the answer."""
    return Field(field.kind, field.ndim, field.finite, nullable=True)


def answers(**fields):
    """Declare the keys of a probe's answer and what each holds; the judge rejects any other answer.

    Example: `@answers(dists=array(ndim=2), X_after=array, ops=plain)`.
    """
    def mark(fn):
        fn.__answer__ = fields
        return fn
    return mark


def to_tensor(value, grad=False):
    """Arrays become tensors (float ones float32, with grad if asked; integer int64; bool bool), dicts and lists
    item by item."""
    import torch
    if isinstance(value, dict):
        return {k: to_tensor(v, grad) for k, v in value.items()}
    if isinstance(value, list):
        return [to_tensor(v, grad) for v in value]
    arr = np.asarray(value)
    if arr.dtype == np.bool_:
        return torch.from_numpy(arr.copy())
    if np.issubdtype(arr.dtype, np.integer):
        return torch.as_tensor(arr, dtype=torch.int64)
    return torch.tensor(arr, dtype=torch.float32, requires_grad=grad)


def to_plain(value):
    """Tensors become numpy arrays, tuples lists and numpy scalars Python numbers, recursively."""
    import torch
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


@answers(out=plain, grads=plain, inputs_after=plain)
def call(module, function, args, kwargs, tensors, grad):
    """
    A probe for any function of the submission: `module.function(*args, **kwargs)`. The positions in `tensors`
    (ints for args, names for kwargs) are turned into tensors first; with `grad`, the output (a scalar tensor,
    or a dict whose "total" is one) is differentiated and the gradients of the float tensor inputs come back by
    position. `inputs_after`: the numpy arguments after the call (for functions that write in place).
    """
    import importlib

    import torch
    fn = getattr(importlib.import_module(module), function)
    args, kwargs = list(args), dict(kwargs)
    for key in tensors:
        if isinstance(key, int):
            args[key] = to_tensor(args[key], grad)
        else:
            kwargs[key] = to_tensor(kwargs[key], grad)
    out = fn(*args, **kwargs)
    grads = {}
    if grad:
        scalar = out.get("total") if isinstance(out, dict) else out
        if isinstance(scalar, torch.Tensor) and scalar.requires_grad:
            scalar.backward()
            for key in tensors:
                value = args[key] if isinstance(key, int) else kwargs[key]
                if isinstance(value, torch.Tensor) and value.grad is not None:
                    grads[str(key)] = value.grad.numpy()
                elif isinstance(value, dict):   # a dict of tensors: the gradient of each that has one
                    found = {k: v.grad.numpy() for k, v in value.items()
                             if isinstance(v, torch.Tensor) and v.grad is not None}
                    if found:
                        grads[str(key)] = found
    after = [a for a in args if isinstance(a, np.ndarray)]
    return {"out": to_plain(out), "grads": grads, "inputs_after": after}


def stand_in_model(outputs):
    """A module standing in for the student's model (to grade a predict function on its own): forward returns the
    next rows of `outputs` (an array, or a dict of arrays) for the images it is handed, in order, and records
    each call's mode (`modes`: training or not) and input (`inputs`). It starts in train mode."""
    import torch

    class Fixed(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.anchor = torch.nn.Parameter(torch.zeros(1))
            self.seen, self.modes, self.inputs = 0, [], []

        def forward(self, x):
            n = x.shape[0]
            self.inputs.append(x.detach().cpu().numpy())
            self.modes.append(self.training)
            take = lambda v: torch.as_tensor(np.asarray(v[self.seen:self.seen + n]), dtype=torch.float32)
            part = {k: take(v) for k, v in outputs.items()} if isinstance(outputs, dict) else take(outputs)
            self.seen += n
            return part
    return Fixed().train()
