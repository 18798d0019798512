"""Limits timed from the reference solution on the grading device (`autograder calibrate aN`): written, used and
recorded; a submission 5x slower than the reference fails on time, the reference passes on a loaded machine, an
injected CUDA profile picks the CUDA entry, and a device or release without an entry falls back to the budgets."""

import json
import subprocess
import sys

import pytest

from autograder import assignments
from autograder.cli import main
from autograder.judge import timing
from autograder.judge.grading import grade
from toy import write

# CPU work, not sleep: a loaded machine slows it down. WORK is about 0.5 s here.
WORK = 5_000_000
SOURCE = '''
def add(a, b):
    return a + b

def busy():
    total = 0
    for i in range({work}):
        total += i % 7
    return 1
'''
TESTS = '''
import pytest

@pytest.mark.points(2)
@pytest.mark.budget(cpu=60, cuda=60)
def test_busy(submission):
    assert submission.probe("run", name="busy")["value"] == 1

@pytest.mark.points(1)
@pytest.mark.budget(cpu=60, cuda=60)
def test_shared_training(submission):
    value = submission.once("trained", lambda: submission.timed("run", repeat=1, name="busy")[0]["value"])
    assert value == 1
'''
TIMING = '\n[timing]\nfloor_s = 0.3\nk = { numeric = 2.0, training = 2.0 }\n'
CUDA = '{"kind": "cuda", "name": "Injected T4", "factor": 1.0}'


@pytest.fixture
def course(toy_course):
    toml = toy_course / "assignments/toy/assignment.toml"
    toml.write_text(toml.read_text() + TIMING)
    (toy_course / "tests/hidden/toy/test_toy.py").unlink()
    write(toy_course, "tests/hidden/toy/test_busy.py", TESTS)
    write(toy_course, "solutions/toy/lib/ops.py", SOURCE.format(work=WORK))
    return assignments.find("t1")


def _calibrate(capsys, *options, runs=2):
    assert main(["calibrate", "t1", "--runs", str(runs), *options]) == 0
    return capsys.readouterr().out


def _busy(results):
    return {t.name.split("::")[-1]: t for t in results.tests}


def test_limits_are_timed_written_and_used(course, make_submission, capsys):
    out = _calibrate(capsys, "--device", "cpu")
    data = json.loads(timing.limits_file(course).read_text())
    (key, entry), = data["devices"].items()
    assert key.startswith("cpu: ") and entry["runs"] == 2
    busy = entry["tests"]["test_busy.py::test_busy"]
    assert busy["kind"] == "numeric" and 0.02 < busy["seconds"] < 5
    # The shared training is timed once, apart from the test that happened to run it.
    assert entry["tests"]["test_busy.py::test_shared_training"]["seconds"] < busy["seconds"]
    assert entry["once"]["trained"] > 0.5 * busy["seconds"]
    assert entry["tests"]["test_busy.py::test_shared_training"]["kind"] == "numeric"   # timed inside the training
    assert "test_busy.py::test_busy" in out and "wrote" in out

    results = grade(course, make_submission(SOURCE.format(work=WORK)), select="busy or shared")
    assert results.limits_source == f"reference timed on {key}"
    tests = _busy(results)
    assert tests["test_busy"].limit_s == pytest.approx(2.0 * busy["seconds"] + 0.3, abs=0.01)
    assert tests["test_shared_training"].limit_s == pytest.approx(
        2.0 * entry["tests"]["test_busy.py::test_shared_training"]["seconds"] + 0.3 + 2.0 * entry["once"]["trained"],
        abs=0.02)
    assert all(t.score == t.max_score for t in results.tests), [t.output for t in results.tests]
    assert results.gradescope()["extra_data"]["limits_source"] == results.limits_source


def test_five_times_slower_fails_and_a_loaded_machine_passes(course, make_submission, capsys):
    _calibrate(capsys, "--device", "cpu")
    slow = grade(course, make_submission(SOURCE.format(work=5 * WORK), name="slow"), select="test_busy")
    busy = _busy(slow)["test_busy"]
    assert busy.score == 0 and "the reference solution's" in busy.output and "time limit" in busy.output

    loader = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        loaded = grade(course, make_submission(SOURCE.format(work=WORK), name="loaded"), select="test_busy")
    finally:
        loader.kill()
    assert _busy(loaded)["test_busy"].score == 2, _busy(loaded)["test_busy"].output


def test_an_injected_cuda_profile_picks_the_cuda_entry(course, make_submission, capsys):
    _calibrate(capsys, "--device-profile", CUDA)
    devices = json.loads(timing.limits_file(course).read_text())["devices"]
    assert list(devices) == [next(k for k in devices if k.startswith("cuda: Injected T4 (torch "))]
    on_cuda = grade(course, make_submission(SOURCE.format(work=WORK)), device_profile=CUDA, select="test_busy")
    assert on_cuda.limits_source == f"reference timed on {list(devices)[0]}"
    # A CPU grade finds no CPU entry: the declared budget x factor, said so.
    on_cpu = grade(course, make_submission(SOURCE.format(work=WORK), name="cpu"),
                   device_profile='{"kind": "cpu", "factor": 1.0}', select="test_busy")
    assert on_cpu.limits_source == timing.DECLARED
    assert _busy(on_cpu)["test_busy"].limit_s == 61.0


def test_a_changed_release_falls_back_to_the_budgets_and_says_so(course, make_submission, capsys):
    _calibrate(capsys, "--device-profile", CUDA, runs=1)
    hidden = course.hidden_tests / "test_busy.py"
    hidden.write_text(hidden.read_text() + "\n# a fix\n")
    results = grade(course, make_submission(SOURCE.format(work=WORK)), device_profile=CUDA, select="test_busy")
    assert results.limits_source == timing.DECLARED
    assert any("calibrate t1" in p for p in results.problems)


def test_calibrate_refuses_a_reference_that_loses_points(course, capsys):
    write(course.solution.parent.parent, "solutions/toy/lib/ops.py", "def busy():\n    return 2\n")
    assert main(["calibrate", "t1", "--runs", "1", "--device", "cpu"]) == 2
    assert "the reference solution lost points" in capsys.readouterr().err
    assert not timing.limits_file(course).exists()


def test_the_gradescope_zip_carries_the_limits_file(course, capsys, tmp_path):
    import zipfile
    from autograder.course import release
    _calibrate(capsys, "--device-profile", CUDA, runs=1)
    root = course.solution.parent.parent
    for name in ("pyproject.toml", "requirements.lock"):
        (root / name).write_text("")
    names = zipfile.ZipFile(release.gradescope_zip(course, tmp_path)).namelist()
    assert "limits/toy.json" in names and not any(n.startswith("solutions/") for n in names)
