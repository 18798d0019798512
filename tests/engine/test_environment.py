"""The grading environment: a lock that matches pyproject.toml, versions in every result, a warning for students."""

import json
import subprocess
import sys
import tomllib

import numpy as np
import pytest
from packaging.requirements import Requirement

from autograder import env
from autograder.judge import environment

from autograder.course import gradebook
from autograder.judge.grading import grade

LOCKS = [environment.LOCK, env.REPO / "requirements-dev.lock"]


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: p.name)
def test_lock_was_regenerated_after_the_last_change_to_pyproject(lock):
    assert environment.stamped_inputs_hash(lock) == environment.inputs_hash(), (
        f"{lock.name} is out of date with pyproject.toml: run scripts/lock.sh")


def test_lock_pins_every_requirement_with_a_hash_and_keeps_torch_to_its_own_rule():
    text = environment.LOCK.read_text()
    locked = environment.locked_versions()
    project = tomllib.loads((env.REPO / "pyproject.toml").read_text())["project"]
    for requirement in map(Requirement, project["dependencies"]):
        name = environment._normal(requirement.name)
        assert name in locked, f"{name} is not in the lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (name, locked[name])
    assert "\ntorch==" not in text and "nvidia-" not in text    # torch comes from venv.sh's pin
    assert text.count("==") <= text.count("--hash=sha256:")
    assert locked["torch"] == environment.TORCH_PIN


def test_locked_numpy_keeps_classic_cs231n_code_working():
    major, minor = map(int, environment.locked_versions()["numpy"].split(".")[:2])
    assert (major, minor) < (2, 4), "numpy 2.4 turned `y_pred[i] = labels[[j]]` into an error"


def test_students_are_warned_in_one_line_when_numpy_differs(monkeypatch):
    locked = environment.locked_versions()["numpy"]
    real = environment.installed_version
    monkeypatch.setattr(environment, "installed_version", lambda name: "2.4.0" if name == "numpy" else real(name))
    line = environment.warning()
    assert line.startswith(f"numpy 2.4.0 here; the course grades with {locked}: results may differ")
    assert environment.record()["matches_lock"] is False


def test_no_warning_when_the_environment_is_the_lock():
    assert environment.mismatches() == [], "this environment was not installed from the lock (scripts/venv.sh)"
    assert environment.warning() is None


def test_check_prints_the_warning_first(toy_course, make_submission, tmp_path):
    public = toy_course / "assignments" / "toy" / "tests"
    public.mkdir()
    hidden = toy_course / "tests" / "hidden" / "toy"
    (public / "probes.py").write_text((hidden / "probes.py").read_text())
    (public / "test_public.py").write_text("def test_add(submission):\n"
                                           "    assert submission.probe('add', a=1, b=2)['sum'] == 3\n")
    code = ("import sys; from autograder import cli; from autograder.judge import environment\n"
            "environment.installed_version = lambda name, real=environment.installed_version: "
            "'2.4.0' if name == 'numpy' else real(name)\n"
            f"sys.exit(cli.main(['check', 't1', {str(make_submission())!r}]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stderr.startswith("warning: numpy 2.4.0 here; the course grades with")
    assert "Total: 1 / 1" in out.stdout


def test_results_record_the_environment(toy_course, make_submission):
    data = grade("t1", make_submission(), select="add_values").gradescope()
    env = data["extra_data"]["environment"]
    assert env["numpy"] == np.__version__ and env["python"] == ".".join(map(str, sys.version_info[:3]))
    assert env["lock"] == environment.lock_hash() and env["isolation"] in ("root", "user-namespace", "none")
    assert {"torch", "scikit-learn"} <= set(env)


def test_summary_warns_when_a_batch_mixed_environments(tmp_path):
    for student, numpy_version in (("ann", "2.3.5"), ("ben", "2.3.5"), ("cid", "2.4.0")):
        data = {"score": 1, "max_score": 1, "tests": [], "extra_data": {
            "environment": {"python": "3.11.7", "numpy": numpy_version, "torch": "2.13.0", "lock": "x"}}}
        (tmp_path / "results").mkdir(exist_ok=True)
        (tmp_path / "results" / f"{student}.json").write_text(json.dumps(data))
    gradebook.build(tmp_path)
    page = (tmp_path / "summary.html").read_text()
    assert "graded in 2 different environments" in page and "numpy 2.4.0" in page
    assert gradebook.load(tmp_path).rows[2].environment["numpy"] == "2.4.0"
