"""Grade one submission: run the assignment's tests through pytest in this (judge) process, collect scores."""

import contextlib
import io
import shutil
import sys
import time
from pathlib import Path

import pytest

from autograder import assignments, environment
from autograder.plugin import session_key
from autograder.release import stamp
from autograder.results import Results, TestResult
from autograder.sandbox.launch import engine_tmp
from autograder.submission import materialize

RANK = {"passed": 0, "skipped": 0, "partial": 1, "not attempted": 2, "failed": 3}


class _Collector:
    """Gathers the score record the plugin attaches to each report (the last, worst one per test wins)."""

    def __init__(self):
        self.records, self.session = {}, None

    def pytest_runtest_logreport(self, report):
        for key, value in report.user_properties:
            if key == "autograder":
                old = self.records.get(value["nodeid"])
                if old is None or RANK[value["status"]] >= RANK[old["status"]]:
                    self.records[value["nodeid"]] = value

    def pytest_sessionfinish(self, session):
        self.session = session.config.stash.get(session_key, None)


def _forget_modules_under(folder):
    """Drop test modules imported from `folder`: pytest's importlib mode would reuse a module of the same
    name (another assignment's test_public.py, say) in the next run of this process."""
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if path and Path(path).resolve().is_relative_to(folder.resolve()):
            del sys.modules[name]


def grade(assignment, submission, *, device="auto", device_profile=None, public=False, select=None,
          log=None):
    """Grade `submission` (folder, zip or .py) against `assignment` (id, name or Assignment).

    Raises SubmissionError / AssignmentError with one sentence when the input cannot be graded at all.
    """
    if not isinstance(assignment, assignments.Assignment):
        assignment = assignments.find(assignment)
    started = time.monotonic()
    checked = materialize(submission, assignment, engine_tmp())  # fails early on an unreadable submission
    tests_dir = assignment.public_tests if public else assignment.hidden_tests
    if not tests_dir.is_dir():
        raise assignments.AssignmentError(f"{tests_dir} does not exist: no tests to run for {assignment.name}")
    args = [str(tests_dir), "--submission", str(checked.folder), "--device", device, "-q", "--tb=short",
            "-p", "no:cacheprovider", "--import-mode=importlib", "--rootdir", str(tests_dir), "-o", "addopts=",
            "--strict-markers", "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    if device_profile:
        args += ["--device-profile", device_profile]
    if select:
        args += ["-k", select]
    collector = _Collector()
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            code = pytest.main(args, plugins=[collector])
    finally:
        _forget_modules_under(tests_dir)
        session = collector.session
        for m in [checked, *(session.submissions.values() if session else [])]:
            shutil.rmtree(m.folder, ignore_errors=True)
    if log is not None:
        log.write(buffer.getvalue())
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        raise assignments.AssignmentError(f"no test of {assignment.name} matches -k {select!r}" if select
                                          else f"{tests_dir} holds no tests")
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise RuntimeError(f"pytest could not run the tests of {assignment.name} (exit {int(code)}):\n"
                           + buffer.getvalue()[-3000:])
    tests = [TestResult(name=r["name"], score=r["score"], max_score=r["max_score"], status=r["status"],
                        output=r["output"], visibility=r["visibility"], limit_s=r["limit_s"],
                        probe_seconds=r["probe_seconds"], budget=r["budget"], student_output=r["student_output"],
                        gpu_peak_bytes=r["gpu_peak_bytes"], memory_peak_bytes=r["memory_peak_bytes"],
                        leaderboard=r["leaderboard"])
             for r in collector.records.values()]
    if session and session.device_error:
        raise session.device_error
    profile = session.profile(assignment).as_dict() if session else {}
    problems = checked.problems + ([session.speed_warning] if session and session.speed_warning else [])
    return Results(assignment=assignment.name, version=assignment.version, submission=str(Path(submission)),
                   tests=tests, execution_time=time.monotonic() - started, device=profile,
                   protections=session.protections if session else {}, problems=problems,
                   environment={**environment.record(), "isolation": _isolation(session)}, release=stamp(assignment))


def _isolation(session):
    """How the workers were confined: 'root' or 'user-namespace' namespaces, or 'none' (rlimits only)."""
    namespaces = session.protections.get("namespaces") if session else None
    return namespaces or "none"
