"""Grading the toy course with submissions that attack what the judge takes from the worker: forged
frames, forged timings and memory figures, a full scratch, a hang at import; and a machine too slow
for the limits to scale."""

import time

import pytest

from autograder.judge import devices
from autograder.judge.grading import grade

CPU = '{"kind": "cpu", "factor": 1.0}'

EXTRA_TESTS = '''
def test_timed_by_the_judge(submission):
    value, seconds = submission.timed("run", repeat=1, name="looks_fast")
    assert False, f"the judge measured {seconds:.2f} s"

def test_memory_by_the_judge(submission):
    assert submission.probe("run", name="hoard")["value"] == 1

def test_scratch(submission):
    assert submission.probe("run", name="fill_scratch")["value"] == 1
'''

ATTACKS = '''
import os, time

def add(a, b):
    from autograder.worker import channel
    for seq in range(1, 5):
        frame = channel.encode({"kind": "result", "ok": True, "value": {"sum": a + b}, "seq": seq, "output": ""})
        for fd in range(1024):
            try:
                os.write(fd, frame)
            except OSError:
                pass
    return a + b

def slow():
    return 1

def looks_fast():
    time.sleep(0.6)
    time.perf_counter = time.monotonic = time.time = lambda: 0.0
    return 1

def hoard():
    import autograder.worker.loop as worker
    worker._device_stats = lambda device: {"memory_peak_bytes": 1, "gpu_peak_bytes": 1}
    block = bytearray(300 * 2**20)
    block[::4096] = b"x" * len(block[::4096])
    return 1

def fill_scratch():
    n = 0
    while True:
        with open(f"fill-{n}.bin", "wb") as f:
            f.write(bytes(8 * 2**20))
        n += 1
'''


def by_name(results):
    return {t.name: t for t in results.tests}


@pytest.fixture
def graded(toy_course, make_submission):
    (toy_course / "tests" / "hidden" / "toy" / "test_extra.py").write_text(EXTRA_TESTS)
    return grade("t1", make_submission(ATTACKS), device_profile=CPU)


@pytest.fixture
def attacked(graded):
    return by_name(graded)


def test_forged_frames_score_nothing_and_say_why(attacked):
    for name in ("test_add_values", "test_partial"):
        assert attacked[name].score == 0
        assert "code of the submission wrote to it" in attacked[name].output, attacked[name].output
    assert attacked["test_slow_within_budget"].score == 2  # the next test's worker is a fresh one


def test_timing_and_memory_figures_come_from_outside_the_worker(graded, attacked):
    seconds = float(attacked["test_timed_by_the_judge"].output.split("measured ")[1].split(" s")[0])
    assert seconds >= 0.6
    peak = attacked["test_memory_by_the_judge"].memory_peak_bytes
    if not graded.protections["cgroup"]:
        pytest.skip("no writable cgroups here: the judge has no memory figure of its own")
    assert peak >= 300 * 2**20
    assert attacked["test_memory_by_the_judge"].gpu_peak_bytes in (None, 1)  # the worker's own report: never graded


def test_a_full_scratch_names_the_limit(graded, attacked):
    out = attacked["test_scratch"]
    assert out.score == 0
    if graded.protections["filesystem"] != "allowlist":
        pytest.skip("no namespaces here, so no scratch quota (the results say so)")
    assert "filled its scratch space (the limit is 256 MiB, `scratch_mb` in assignment.toml)" in out.output


def test_a_hang_at_import_costs_one_limit_not_one_per_test(toy_course, make_submission):
    started = time.monotonic()
    results = grade("t1", make_submission("while True:\n    pass\n"), device_profile=CPU)
    elapsed = time.monotonic() - started
    limits_sum = sum(t.limit_s for t in results.tests)
    assert results.score == 0
    for t in results.tests:
        assert "importing lib.ops did not finish when it was checked before the tests" in t.output, t.output
    longest = max(t.limit_s for t in results.tests)
    assert elapsed < longest + 8 < limits_sum + 8, (elapsed, longest, limits_sum)


def test_a_machine_too_slow_for_the_limits_is_refused_unless_allowed(toy_course, make_submission, monkeypatch):
    slow = '{"kind": "cpu", "factor": 6.0}'
    monkeypatch.delenv(devices.SLOW_ENV, raising=False)
    with pytest.raises(devices.DeviceError, match="6x slower than the reference machine.*--allow-slow-device"):
        grade("t1", make_submission(), device_profile=slow, select="slow")
    monkeypatch.setenv(devices.SLOW_ENV, "1")
    results = grade("t1", make_submission(), device_profile=slow, select="slow")
    assert by_name(results)["test_slow_within_budget"].limit_s == 0.5 * 6 + devices.START_ALLOWANCE
    assert any("--allow-slow-device" in p for p in results.problems)


def test_cli_says_first_when_the_file_system_is_not_isolated(toy_course, make_submission, monkeypatch, capsys):
    from autograder import cli
    monkeypatch.setenv("AUTOGRADER_ISOLATION", "none")
    from autograder.sandbox import launch
    monkeypatch.setattr(launch, "_servers", {})
    try:
        assert cli.main(["grade", "t1", str(make_submission()), "--device-profile", CPU, "-k", "add_values"]) == 0
    finally:
        launch.shutdown_forkserver()
    first = capsys.readouterr().out.strip().splitlines()[0]
    assert first.startswith("warning: the file system is not isolated")

