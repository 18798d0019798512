"""Run-time record of the torch functions and ATen operators a block of code calls, for forbidden-API checks.

Worker side: a probe wraps the student's call in `record_ops()` and returns the names
it recorded as a plain list of strings; the judge decides with `forbidden_ops` (the
worker never grades). Two recorders are needed:

- a TorchFunctionMode sees Python-level torch functions under their public names
  ("torch.nn.functional.conv2d", "torch.gru_cell"): on CPU, nn.GRUCell and nn.GRU
  reach ATen only as addmm / sigmoid / tanh, so only this recorder sees them;
- a TorchDispatchMode sees ATen operators ("aten.convolution.default",
  "aten.max_pool2d_with_indices.default", "aten.im2col.default" for F.unfold),
  including those run by autograd's backward pass, whichever Python route led there.

Each recorder sees the outermost call only: what a recorded function or operator
runs inside itself is not recorded again. Code that switches torch's modes off
escapes both recorders; the static scan (`autograder.judge.forbidden`) forbids the
names that do that.
"""

import contextlib

from torch.overrides import TorchFunctionMode, resolve_name
from torch.utils._python_dispatch import TorchDispatchMode


def function_name(func):
    """The public dotted name of a torch function ("torch.nn.functional.conv2d"), or module.qualname."""
    name = resolve_name(func)
    if name:
        return name
    module = getattr(func, "__module__", None) or "?"
    return f"{module}.{getattr(func, '__qualname__', None) or getattr(func, '__name__', repr(func))}"


class _FunctionRecorder(TorchFunctionMode):
    def __init__(self, names):
        super().__init__()
        self.names = names

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.names.add(function_name(func))
        return func(*args, **(kwargs or {}))


class _OperatorRecorder(TorchDispatchMode):
    @classmethod
    def _should_skip_dynamo(cls):
        # False: torch would otherwise wrap __torch_dispatch__ with torch._disable_dynamo, whose first call
        # imports torch._dynamo (about 2 s in every fresh worker); nothing is compiled inside this mode.
        return False

    def __init__(self, names):
        super().__init__()
        self.names = names

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.names.add(str(func))  # the overload's name, e.g. "aten.convolution.default"
        return func(*args, **(kwargs or {}))


@contextlib.contextmanager
def record_ops():
    """
    Records the torch functions and ATen operators called inside the `with` block.

    Usage (in a probe):
        with record_ops() as ops:
            out = layer(x)
            out.backward(dout)
        return {"out": out.detach().cpu().numpy(), "ops": sorted(ops)}

    Yields:
    - ops: a set of str, filled while the block runs: function names such as
      "torch.nn.functional.unfold" and operator overloads such as "aten.im2col.default".
    """
    ops = set()
    with _FunctionRecorder(ops), _OperatorRecorder(ops):
        yield ops
