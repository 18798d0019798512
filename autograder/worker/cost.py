"""What a block of code costs, measured around the code itself: multiply-accumulates and the model state it reads.

Worker side: a probe wraps the student's whole `predict` call in `measure_cost()`, so what is counted is what
produced the answers: test-time augmentation, a second model and decoding all count, and a model kept out
of `parameters()` (in a list, a dict or a closure) counts the moment `predict` reads it.

- Multiply-accumulates: PyTorch's FlopCounterMode over every operator the block runs, FLOPs / 2.
- Parameters: every tensor that existed before the block and that an operator inside it reads (a parameter,
  a buffer, a constant table), counted once per storage, in elements. Tensors made inside the block (the
  inputs it converts, activations) are not state. Python objects are found with `gc`, which tracks every
  tensor; a weight kept as a numpy array and wrapped afresh on each call is not seen as state, but its
  multiply-accumulates still count, and so does its latency.
- Devices: the device of every tensor an operator reads, so a probe can require a CPU-only run.

The static scan forbids the modules that switch torch's modes off (`torch._C`, `torch.utils._python_dispatch`),
so the student's code cannot step outside the counters.
"""

import contextlib
import gc

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves
from torch.utils.flop_counter import FlopCounterMode


def _storage_key(tensor):
    storage = tensor.untyped_storage()
    return (tensor.device.type, storage.data_ptr()) if storage.nbytes() else None


class _StateReads(TorchDispatchMode):
    """Records which of the `before` storages the operators read, and every device they touch."""

    @classmethod
    def _should_skip_dynamo(cls):
        return False   # as optrace's recorder: no torch._dynamo import in every worker

    def __init__(self, before):
        super().__init__()
        self.before, self.read, self.devices = before, {}, set()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        for leaf in tree_leaves((args, kwargs or {})):
            if isinstance(leaf, torch.Tensor):
                self.devices.add(leaf.device.type)
                key = _storage_key(leaf)
                if key in self.before:
                    self.read[key] = self.before[key]
        return func(*args, **(kwargs or {}))


class Cost:
    """Filled when the `measure_cost()` block ends: macs, params (elements of state read), devices (a set)."""

    macs = params = 0
    devices = frozenset()


def _existing_storages():
    """{storage key: elements} of every tensor alive now."""
    found = {}
    for obj in gc.get_objects():
        if issubclass(type(obj), torch.Tensor):   # type(), not isinstance: no __class__ of the student's to ask
            try:
                key = _storage_key(obj)
            except (RuntimeError, NotImplementedError):   # sparse and other storage-less tensors
                continue
            if key is not None:
                found[key] = obj.untyped_storage().nbytes() // obj.element_size()
    return found


@contextlib.contextmanager
def measure_cost():
    """
    Counts what the `with` block costs.

    Usage (in a probe):
        with measure_cost() as cost:
            predictions = train.predict(model, images)
        return {"macs_per_image": cost.macs / len(images), "params": cost.params}
    """
    cost = Cost()
    reads = _StateReads(_existing_storages())
    counter = FlopCounterMode(display=False)
    with counter, reads:
        yield cost
    cost.macs = counter.get_total_flops() // 2
    cost.params = sum(reads.read.values())
    cost.devices = frozenset(reads.devices)


@contextlib.contextmanager
def record_devices():
    """Yields the set of device types ("cpu", "cuda") that the operators inside the block read, filled as they
    run; cheap enough to sit inside a timed call (no search for existing tensors)."""
    reads = _StateReads({})
    with reads:
        yield reads.devices


def trusted_check():
    """Whether the counters count a trusted layer right (nn.Linear(10, 10) on one input: 100 multiply-accumulates,
    110 parameters): a patched FlopCounterMode or dispatch shows here."""
    layer = torch.nn.Linear(10, 10)
    with torch.no_grad(), measure_cost() as cost:
        layer(torch.ones(1, 10))   # made inside the block: an input, not state
    return cost.macs == 100 and cost.params == 110
