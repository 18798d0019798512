"""Grade one submission: run the assignment's tests through pytest in this (judge) process, collect scores."""

import contextlib
import io
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pytest

from autograder import assignments

from autograder.judge import devices, environment
from autograder.data import DatasetError
from autograder.stamp import stamp
from autograder.judge.results import Results
from autograder.sandbox.launch import engine_tmp
from autograder.judge.plugin import SessionHooks
from autograder.judge.session import GradingSession
from autograder.judge.materialize import SubmissionError, materialize

# What grade() raises with one sentence for the user; all but a submission's own are the course's or the
# machine's fault, so a batch grades such an entry again on its next run.
USER_ERRORS = (SubmissionError, assignments.AssignmentError, devices.DeviceError, DatasetError)


def pytest_args(tests_dir):
    """pytest's arguments for running (or collecting) the tests in `tests_dir` as the judge does."""
    return [str(tests_dir), "-q", "-p", "no:cacheprovider", "--import-mode=importlib", "--rootdir", str(tests_dir),
            "-o", "addopts=", "--strict-markers", "-W", "ignore::pytest.PytestAssertRewriteWarning"]


def forget_modules_under(folder):
    """Drop test modules imported from `folder`: pytest's importlib mode would reuse a module of the same
    name (another assignment's test_public.py, say) in the next run of this process."""
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if path and Path(path).resolve().is_relative_to(folder.resolve()):
            del sys.modules[name]


def grade(assignment: str | assignments.Assignment, submission: str | os.PathLike, *, device: str = "auto",
          device_profile: str | None = None, public: bool = False, select: str | None = None,
          log: TextIO | None = None, declared_limits: bool = False) -> Results:
    """Grade `submission` (folder, zip or .py) against `assignment` (id, name or Assignment).

    `declared_limits`: the declared budgets x factor even where the course timed its reference (calibration).

    Raises SubmissionError / AssignmentError with one sentence when the input cannot be graded at all.
    """
    if not isinstance(assignment, assignments.Assignment):
        assignment = assignments.find(assignment)
    started = time.monotonic()
    assignment.asset_paths()   # a listed asset that is missing stops the grade here, in one sentence
    checked = materialize(submission, assignment, engine_tmp())  # fails early on an unreadable submission
    tests_dir = assignment.public_tests if public else assignment.hidden_tests
    if not tests_dir.is_dir():
        shutil.rmtree(checked.folder, ignore_errors=True)
        raise assignments.AssignmentError(f"{tests_dir} does not exist: no tests to run for {assignment.name}")
    session = GradingSession(device=device, device_profile=device_profile, materialized={assignment.name: checked},
                             declared_limits=declared_limits)
    args = pytest_args(tests_dir) + ["--tb=short"]
    if select:
        args += ["-k", select]
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            code = pytest.main(args, plugins=[SessionHooks(session)])
    finally:
        forget_modules_under(tests_dir)
        for m in session.submissions.values():
            shutil.rmtree(m.folder, ignore_errors=True)
    if log is not None:
        log.write(buffer.getvalue())
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        raise assignments.AssignmentError(f"no test of {assignment.name} matches -k {select!r}" if select
                                          else f"{tests_dir} holds no tests")
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise RuntimeError(f"pytest could not run the tests of {assignment.name} (exit {int(code)}):\n"
                           + buffer.getvalue()[-3000:])
    tests = list(session.results.values())
    if session.device_error:
        raise session.device_error
    profile = session.profile(assignment).as_dict()
    limits = session.timing(assignment)
    problems = checked.problems + [p for p in (session.speed_warning, limits.note) if p]
    return Results(assignment=assignment.name, version=assignment.version, submission=str(Path(submission)),
                   tests=tests, execution_time=time.monotonic() - started, device=profile,
                   protections=session.protections, problems=problems,
                   environment={**environment.record(), "isolation": _isolation(session)}, release=stamp(assignment),
                   limits_source=limits.source)


@dataclass
class Outcome:
    """A grade that always has a result: `results` is a score-0 one saying why when grading failed."""

    results: Results
    error: str | None = None        # the sentence the result carries when grading failed
    retry: bool = False             # not the submission's fault: a rerun may grade it
    details: str | None = None      # an engine fault's text, for the staff
    exception: Exception | None = None


def grade_or_fail(assignment: assignments.Assignment, submission: str | os.PathLike, **options) -> Outcome:
    """grade() that never leaves a submission without a result (the CLI's result file, a batch's entry): a
    submission that cannot be graded, or an engine fault, becomes a score-0 result that says why."""
    try:
        return Outcome(grade(assignment, submission, **options))
    except SubmissionError as exc:
        error, retry, details, failure = str(exc), False, None, exc
    except USER_ERRORS as exc:
        error, retry, details, failure = str(exc), True, None, exc
    except Exception as exc:  # an engine fault fails only this submission; the details stay with the staff
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        error, retry, details = f"internal grading error: {type(exc).__name__}: {first}", True, str(exc)[-3000:]
        failure = exc
    return Outcome(Results.failed(assignment, submission, error), error, retry, details, failure)


def _isolation(session):
    """How the workers were confined: 'root' or 'user-namespace' namespaces, or 'none' (rlimits only)."""
    return session.protections.get("namespaces") or "none"
