"""Device selection, calibration cache and budget scaling, with injected device profiles (no GPU needed)."""

import json

import pytest

from autograder.judge import devices
from autograder.judge.devices import DeviceProfile


def test_select_device():
    assert devices.select_device("auto", cuda_available=False) == "cpu"
    assert devices.select_device("auto", cuda_available=True) == "cuda"
    assert devices.select_device("cpu", cuda_available=True) == "cpu"
    with pytest.raises(devices.DeviceError, match="no NVIDIA GPU is visible"):
        devices.select_device("cuda", cuda_available=False)
    with pytest.raises(devices.DeviceError, match="unknown device"):
        devices.select_device("tpu")


def test_limit_uses_the_budget_of_the_device_kind():
    budget = {"cpu": 60, "cuda": 8}
    assert DeviceProfile("cpu", "ref", factor=1.0).limit(budget) == 61.0
    assert DeviceProfile("cuda", "gpu", factor=1.0).limit(budget) == 9.0
    assert DeviceProfile("cuda", "gpu", factor=1.0).limit({"cpu": 60}) == 61.0  # no cuda budget: the cpu one


def test_the_explanation_gives_the_numbers_the_limit_was_made_of():
    fast = DeviceProfile("cpu", "fast", factor=0.01)   # clamped: the explanation shows the factor used, not 0.01
    text = fast.explain({"cpu": 10, "cuda": 2})
    low = devices.FACTOR_BOUNDS[0]
    assert text == (f"time limit of {fast.limit({'cpu': 10}):.1f} s exceeded (budget 10 s on cpu, 2 s on cuda on "
                    f"the reference machine, scaled for this cpu by {low:g}, plus {devices.START_ALLOWANCE:g} s "
                    f"start allowance)")


def test_speed_factor_is_clamped():
    budget = {"cpu": 10}
    assert DeviceProfile("cpu", "slow", factor=2.0).limit(budget) == 21.0
    assert DeviceProfile("cpu", "glacial", factor=100.0).limit(budget) == 10 * devices.FACTOR_BOUNDS[1] + 1
    assert DeviceProfile("cpu", "fast", factor=0.01).limit(budget) == 10 * devices.FACTOR_BOUNDS[0] + 1


def test_factor_from_measurements():
    ref = devices.REFERENCE_SECONDS["cpu"]
    assert devices.factor_from({k: 2 * v for k, v in ref.items()}, "cpu") == pytest.approx(2.0)
    assert devices.factor_from({"matmul": 1, "conv": 1}, "cuda") == 1.0  # no reference GPU measured yet
    # fast kernels do not hide slow per-operator overhead: the slowest side sets the limits
    assert devices.factor_from({**{k: 0.5 * v for k, v in ref.items()}, "steps": 1.5 * ref["steps"]},
                              "cpu") == pytest.approx(1.5)


def test_injected_profile_from_env(monkeypatch):
    monkeypatch.setenv(devices.PROFILE_ENV, json.dumps({"kind": "cuda", "name": "fake H100", "factor": 0.5}))
    profile = devices.resolve_profile("auto")
    assert (profile.kind, profile.execute_on, profile.source, profile.factor) == ("cuda", "cpu", "injected", 0.5)


def test_calibration_is_cached_per_fingerprint(monkeypatch, tmp_path):
    monkeypatch.delenv(devices.PROFILE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls = []

    def fake_measure(kind, threads):
        calls.append((kind, threads))
        return {**{k: 2 * v for k, v in devices.REFERENCE_SECONDS["cpu"].items()}, "info": {}}

    monkeypatch.setattr(devices, "_measure", fake_measure)
    monkeypatch.setattr(devices, "cuda_present", lambda: False)
    first = devices.resolve_profile("auto", threads=1)
    second = devices.resolve_profile("auto", threads=1)
    other = devices.resolve_profile("auto", threads=2)
    assert calls == [("cpu", 1), ("cpu", 2)]
    assert (first.source, second.source, first.factor) == ("measured", "cache", pytest.approx(2.0))
    assert first.fingerprint == second.fingerprint != other.fingerprint
    halved = {k: v / 2 for k, v in devices.REFERENCE_SECONDS["cpu"].items()}
    monkeypatch.setitem(devices.REFERENCE_SECONDS, "cpu", halved)   # a corrected reference, same benchmarks
    assert devices.resolve_profile("auto", threads=1).factor == pytest.approx(4.0) and len(calls) == 2


def test_real_calibration_runs_in_a_worker(monkeypatch, tmp_path):
    monkeypatch.delenv(devices.PROFILE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(devices, "cuda_present", lambda: False)
    profile = devices.resolve_profile("cpu")
    assert profile.kind == "cpu" and 0.05 < profile.factor < 50
    assert set(profile.measured) == set(devices.REFERENCE_SECONDS["cpu"])


@pytest.mark.skipif(not devices.cuda_present(), reason="needs an NVIDIA GPU; the same logic is tested above "
                                                      "with injected cuda profiles")
def test_real_cuda_calibration(monkeypatch, tmp_path):
    monkeypatch.delenv(devices.PROFILE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    profile = devices.resolve_profile("cuda")
    assert profile.kind == "cuda" and profile.measured["matmul"] > 0


def test_a_cpu_only_assignment_grades_on_the_cpu_and_refuses_cuda(monkeypatch):
    from types import SimpleNamespace
    cpu_only = SimpleNamespace(name="a1_classification", devices=["cpu"])
    both = SimpleNamespace(name="a2_lenet_gru", devices=["cpu", "cuda"])
    assert devices.allowed_device(cpu_only, "auto") == "cpu" and devices.allowed_device(both, "auto") == "auto"
    with pytest.raises(devices.DeviceError, match="a1_classification runs on the CPU only"):
        devices.allowed_device(cpu_only, "cuda")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0, 2,-1")
    assert devices.visible_gpus() == ["0", "2"]
