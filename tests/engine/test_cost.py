"""autograder.worker.cost: multiply-accumulates and the model state read, counted around the code that ran."""
import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from autograder.worker.cost import measure_cost, record_devices, trusted_check


def _net(width):
    return torch.nn.Sequential(torch.nn.Conv2d(3, width, 3, padding=1), torch.nn.BatchNorm2d(width)).eval()


def _predict(model, images, repeats=1):
    """A student's predict: numpy in, the model run `repeats` times, numpy out."""
    x = torch.as_tensor(images, dtype=torch.float32).permute(0, 3, 1, 2) / 255
    with torch.no_grad():
        return (sum(model(x) for _ in range(repeats)) / repeats).argmax(1).numpy()


def test_state_is_what_the_call_read_wherever_it_is_kept():
    hidden = _net(32)
    decoy = _net(4)
    decoy.hidden = [hidden]                  # out of parameters(): a plain list attribute
    closure = (lambda images: _predict(hidden, images))
    images = np.zeros((2, 8, 8, 3), np.uint8)
    with measure_cost() as cost:
        closure(images)
    conv_and_bn = 32 * 3 * 9 + 32 + 4 * 32   # weights, bias; BN weight, bias, running mean and variance
    assert cost.params == conv_and_bn
    assert cost.macs == 2 * 8 * 8 * 32 * 27
    assert cost.devices == {"cpu"}


def test_every_run_of_the_model_counts_and_inputs_are_not_state():
    model, images = _net(8), np.zeros((4, 8, 8, 3), np.uint8)
    with measure_cost() as once:
        _predict(model, images)
    with measure_cost() as thrice:
        _predict(model, images, repeats=3)
    assert thrice.macs == 3 * once.macs > 0
    assert thrice.params == once.params == 8 * 27 + 8 + 4 * 8
    table = torch.arange(1000.0)                  # a constant table read by the call counts as state too
    with measure_cost() as lookup:
        table[:3].sum()
    assert lookup.params == 1000


def test_trusted_check_sees_a_patched_counter(monkeypatch):
    assert trusted_check()
    monkeypatch.setattr(FlopCounterMode, "get_total_flops", lambda self: 2)
    assert not trusted_check()


def test_record_devices_lists_what_operators_touched():
    with record_devices() as devices:
        torch.ones(2) + 1
    assert devices == {"cpu"}
