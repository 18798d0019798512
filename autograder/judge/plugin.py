"""The pytest plugin: markers, the `submission`, `rng`, `credit` and `leaderboard` fixtures, and a score on
every report.

Loaded through the `pytest11` entry point, so hidden tests run as plain pytest:
`pytest tests/hidden/aN_name --submission solutions/aN_name`.
The judge process never imports the submission; `submission.probe(...)` runs a
probe in a fresh sandboxed worker, one worker per test.
"""

import math
import numbers
import zlib
from dataclasses import asdict

import numpy as np
import pytest

from autograder import assignments

from autograder.judge import handbuilt, devices
from autograder.sandbox.launch import forkserver
from autograder.judge.results import Status, TestResult
from autograder.judge.handle import ProbeHandle
from autograder.judge.records import TestRecord
from autograder.judge.session import GradingSession, session_key
from autograder.judge.materialize import SubmissionError

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
record_key = pytest.StashKey["TestRecord"]()


def pytest_addoption(parser):
    group = parser.getgroup("autograder")
    group.addoption("--submission", help="grade this submission (folder, zip or .py file)")
    group.addoption("--device", default="auto", choices=["auto", "cpu", "cuda"], help="device to grade on")
    group.addoption("--device-profile", default=None,
                    help="JSON file or text describing the device (kind, factor); skips calibration")


def pytest_configure(config):
    config.addinivalue_line("markers", "points(n): points this test is worth (default 1). "
                                       "Example: @pytest.mark.points(4)")
    config.addinivalue_line("markers", "budget(cpu=s, cuda=s): seconds on the reference machine for this "
                                       "test's probes, per device kind. Example: @pytest.mark.budget(cpu=60, cuda=8)")
    config.addinivalue_line("markers", "visibility(name): Gradescope visibility, one of "
                                       + ", ".join(VISIBILITIES) + ". Example: @pytest.mark.visibility('hidden')")
    if session_key not in config.stash and config.getoption("--submission", None):   # a plain pytest run
        config.stash[session_key] = GradingSession(config.getoption("--submission"), config.getoption("--device"),
                                                   config.getoption("--device-profile"))


class SessionHooks:
    """Binds one GradingSession to the pytest run grade() starts: the session is found in the config's stash,
    and every test's report is kept in it."""

    def __init__(self, session):
        self.session = session

    def pytest_configure(self, config):
        config.stash[session_key] = self.session

    def pytest_runtest_logreport(self, report):
        self.session.add_report(report)


def pytest_collection_finish(session):
    """Start the fork server of each assignment collected now (its imports, once), before the first test."""
    if session_key not in session.config.stash:
        return
    preloads = set()
    for path in {item.path.parent: item.path for item in session.items}.values():   # one test file per folder
        try:
            preloads.add(assignments.for_test_path(path).preload)
        except assignments.AssignmentError:
            pass
    for preload in preloads:
        forkserver(preload)


def pytest_unconfigure(config):
    session = config.stash.get(session_key, None)
    if session is not None:
        session.close()


def _record_for(item):
    points = item.get_closest_marker("points")
    budget = item.get_closest_marker("budget")
    visibility = item.get_closest_marker("visibility")
    vis = visibility.args[0] if visibility else "visible"
    if vis not in VISIBILITIES:
        raise pytest.UsageError(f"{item.nodeid}: visibility {vis!r} is not one of {', '.join(VISIBILITIES)}")
    return TestRecord(points=float(points.args[0]) if points else 1.0, visibility=vis,
                      budget=dict(budget.kwargs) if budget else dict(devices.DEFAULT_BUDGET),
                      test_id=f"{item.path.name}::{item.nodeid.split('::', 1)[-1]}")


@pytest.fixture
def submission(request):
    """The submission under test; `submission.probe(name, **kwargs)` runs a probe in a sandboxed worker."""
    session = request.config.stash.get(session_key, None)
    if session is None:
        pytest.fail("no submission to grade: pass --submission PATH (a folder, zip or .py file)", pytrace=False)
    try:
        assignment = assignments.for_test_path(request.node.path)
    except assignments.AssignmentError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        handle = ProbeHandle(session, assignment, request.node.path, request.node.stash[record_key])
    except (SubmissionError, devices.DeviceError) as exc:
        pytest.fail(str(exc), pytrace=False)
    yield handle
    handle.close()


@pytest.fixture
def hand_built(request, submission):
    """The hand-built check for this assignment's `[[forbidden]]` rules: `hand_built.check(out, what, relpath)`."""
    return handbuilt.for_assignment(submission, submission.assignment)


@pytest.fixture
def call(submission):
    """call(module, function, *args, tensors=(), grad=False, **kwargs) -> the `call` probe's dict (out, grads,
    inputs_after): any function of the submission run in the worker, `tensors` naming the arguments made tensors
    first. The assignment's probes file serves it with `from autograder.worker.probe import call`."""
    def run(module, function, *args, tensors=(), grad=False, **kwargs):
        __tracebackhide__ = True
        return submission.probe("call", module=module, function=function, args=list(args), kwargs=kwargs,
                                tensors=list(tensors), grad=grad)
    return run


@pytest.fixture
def rng(request):
    """A numpy Generator seeded from the test's name: the same inputs on every run."""
    return np.random.default_rng(zlib.crc32(f"{request.node.path.name}::{request.node.name}".encode()))


class Credit:
    """Partial credit between a floor and a threshold, for scores like accuracy."""

    def __init__(self, record):
        self.record = record

    def scale(self, value, floor, threshold, what="score"):
        __tracebackhide__ = True
        fraction = float(np.clip((value - floor) / (threshold - floor), 0.0, 1.0))
        return self._award(fraction, f"{what} {value:.4f}: full credit at {threshold:.4f} or above, "
                                     f"none at {floor:.4f} or below ({fraction:.0%} awarded)")

    def cost(self, value, full_at, none_at, what="cost", unit=""):
        """Credit for a cost (lower is better): full at or below `full_at`, none at or above `none_at`,
        linear in log(cost) between them (so each halving of the cost earns the same)."""
        __tracebackhide__ = True
        fraction = float(np.clip(np.log(none_at / max(value, 1e-300)) / np.log(none_at / full_at), 0.0, 1.0))
        return self._award(fraction, f"{what} {value:,.4g}{unit}: full credit at {full_at:,.4g}{unit} or below, "
                                     f"none at {none_at:,.4g}{unit} or above, linear in log(cost) ({fraction:.0%} awarded)")

    def _award(self, fraction, note):
        __tracebackhide__ = True
        self.record.fraction, self.record.credit_note = fraction, note
        if fraction <= 0.0:
            pytest.fail(note, pytrace=False)
        return fraction


@pytest.fixture
def credit(request):
    """Partial credit: `credit.scale(value, floor=..., threshold=..., what=...)`; for costs, `credit.cost(...)`."""
    return Credit(request.node.stash[record_key])


class Leaderboard:
    """Figures for Gradescope's leaderboard (mAP, parameters, latency): they rank, they are never graded."""

    ORDERS = ("asc", "desc")

    def __init__(self, record):
        self.record = record

    def add(self, name, value, order="desc"):
        """Record `value` under `name`; order "desc" ranks higher values first, "asc" lower ones (Gradescope's)."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"leaderboard name must be a non-empty string, got {name!r}")
        if order not in self.ORDERS:
            raise ValueError(f"leaderboard order of {name!r} must be 'asc' or 'desc', got {order!r}")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"leaderboard value of {name!r} must be a number, got {type(value).__name__}")
        value = int(value) if isinstance(value, numbers.Integral) else float(value)
        if not math.isfinite(value):
            raise ValueError(f"leaderboard value of {name!r} must be finite, got {value}")
        self.record.leaderboard.append({"name": name, "value": value, "order": order})


@pytest.fixture
def leaderboard(request):
    """Leaderboard figures: `leaderboard.add(name, value, order="desc")`, "asc" when lower is better."""
    return Leaderboard(request.node.stash[record_key])


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    item.stash[record_key] = _record_for(item)


def _message(call):
    """What a student may read about a failure: the failure message, never the test's source."""
    exc = call.excinfo.value
    if isinstance(exc, pytest.fail.Exception) or isinstance(exc, pytest.skip.Exception):
        return str(exc.msg) if hasattr(exc, "msg") else str(exc)
    if isinstance(exc, AssertionError):
        text = str(exc)
        first = text.split("\nassert ")[0].strip()
        if first and not first.startswith("assert "):
            return first
        return "a check of this test failed"
    return f"the test itself failed to run: {type(exc).__name__}: {str(exc)[:300]}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    record = item.stash.get(record_key, None)
    if record is None or not (report.when == "call" or report.failed or report.skipped):
        return
    if report.when != "call" and report.passed:
        return
    if report.skipped:
        status, score = Status.SKIPPED, 0.0
        message = str(call.excinfo.value.msg) if call.excinfo else ""
    elif report.failed:
        status = Status.NOT_ATTEMPTED if record.not_attempted else Status.FAILED
        score, message = 0.0, _message(call) if call.excinfo else "failed"
    else:
        score = round(record.points * record.fraction, 4)
        status = Status.PASSED if record.fraction >= 1.0 else Status.PARTIAL
        message = record.credit_note
    nondeterministic = record.extra.get("nondeterministic_ops", [])
    if nondeterministic and status is not Status.PASSED:
        message += (f"\n(this CUDA grade ran {', '.join(nondeterministic)}, which has no deterministic CUDA kernel: "
                    f"two runs of the same code may differ)")
    # As plain data: reports cross process boundaries under pytest-xdist; GradingSession rebuilds the TestResult.
    result = TestResult(
        name=item.nodeid.split("::", 1)[-1], nodeid=item.nodeid, max_score=record.points, score=score, status=status,
        output=message, visibility=record.visibility, budget=record.budget, limit_s=record.limit,
        probe_seconds=round(record.probe_seconds, 3), start_seconds=round(record.start_seconds, 3),
        student_output="".join(record.extra.get("output", []))[-4000:],
        gpu_peak_bytes=record.extra.get("gpu_peak_bytes"), memory_peak_bytes=record.extra.get("memory_peak_bytes"),
        leaderboard=list(record.leaderboard), nondeterministic_ops=list(nondeterministic),
        timing={"test_id": record.test_id, "kind": record.kind, "once": dict(record.once_seconds),
                "limit_source": record.limit_source})
    report.user_properties.append(("autograder", dict(asdict(result), status=status.value)))


def pytest_terminal_summary(terminalreporter, config):
    """A score line for plain `pytest --submission ...` runs."""
    if session_key not in config.stash:
        return
    records = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            for key, value in getattr(report, "user_properties", []):
                if key == "autograder":
                    records[value["nodeid"]] = value
    if records:
        total = sum(r["max_score"] for r in records.values() if Status(r["status"]).counted)
        got = sum(r["score"] for r in records.values())
        terminalreporter.write_line(f"autograder score: {got:g} / {total:g}")
