"""The pytest plugin: markers, the `submission`, `rng` and `credit` fixtures, and a score on every report.

Loaded through the `pytest11` entry point, so hidden tests run as plain pytest:
`pytest tests/hidden/a1_classification --submission solutions/a1_classification`.
The judge process never imports the submission; `submission.probe(...)` runs a
probe in a fresh sandboxed worker, one worker per test.
"""

import importlib.util
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from autograder import answers, assignments, handbuilt, limits
from autograder.sandbox.client import Worker, WorkerFailure, WorkerSpec, Zygote, engine_tmp, forkserver
from autograder.submission import SubmissionError, materialize

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
session_key = pytest.StashKey["GradingSession"]()
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
    if config.getoption("--submission", None):
        config.stash[session_key] = GradingSession(config)
        forkserver()  # start it now (torch import, once) so no test's time limit pays for it


def pytest_unconfigure(config):
    session = config.stash.get(session_key, None)
    if session is not None:
        session.close()


@dataclass
class TestRecord:
    """What the results need from one test, kept on the item while it runs."""

    points: float
    visibility: str
    budget: dict
    limit: float | None = None
    fraction: float = 1.0
    credit_note: str = ""
    not_attempted: bool = False
    probe_seconds: float = 0.0
    worker_failure: str | None = None
    extra: dict = field(default_factory=dict)


class GradingSession:
    """Per-run state: the device profile, the materialized submission and the sandbox of each assignment."""

    def __init__(self, config):
        self.config = config
        self.source = config.getoption("--submission")
        self._profile = None
        self.submissions = {}      # assignment name -> Materialized
        self.zygotes = {}          # probe file -> Zygote, or the WorkerFailure that kept it from starting
        self.broken_modules = {}   # probe file -> {module: why importing it hangs or kills the worker}
        self.protections = {}
        self.speed_warning = self.device_error = None

    def zygote(self, handle, limit):
        """The sandbox of this submission for `handle`'s probe file, made (and its imports checked) once."""
        key = handle.probes_file
        if key not in self.zygotes:
            try:
                self.zygotes[key] = Zygote(handle.spec()).start()
                self.protections = self.zygotes[key].protections
                self.broken_modules[key] = _broken_modules(self.zygotes[key], handle, limit)
            except WorkerFailure as failure:
                self.zygotes[key] = failure
        if isinstance(self.zygotes[key], WorkerFailure):
            raise self.zygotes[key]
        return self.zygotes[key]

    def close(self):
        for zygote in self.zygotes.values():
            if isinstance(zygote, Zygote):
                zygote.stop()
        self.zygotes.clear()

    def profile(self, assignment):
        if self._profile is None:
            requested = self.config.getoption("--device")
            if "cuda" not in assignment.devices:
                if requested == "cuda":
                    raise limits.DeviceError(f"{assignment.name} runs on the CPU only (devices in assignment.toml)")
                requested = "cpu"
            profile = limits.resolve_profile(requested, assignment.limits.threads,
                                             self.config.getoption("--device-profile"))
            try:
                self.speed_warning = profile.check_speed()
            except limits.DeviceError as exc:
                self.device_error = exc
                raise
            self._profile = profile
        return self._profile

    def materialized(self, assignment):
        if assignment.name not in self.submissions:
            self.submissions[assignment.name] = materialize(self.source, assignment, engine_tmp())
        return self.submissions[assignment.name]


def _masks():
    """Folders inside the worker's view that must look empty: scikit-learn's bundled digits are A1's held-out set."""
    sklearn = importlib.util.find_spec("sklearn")
    if sklearn and sklearn.submodule_search_locations:
        return [Path(sklearn.submodule_search_locations[0]) / "datasets" / "data"]
    return []


def _broken_modules(zygote, handle, limit):
    """The submission's modules that hang, crash or exit while imported, found once before the tests.

    Such a module would do it again in every test that imports it; found here, it costs the grade one
    limit, and each test that imports it fails at once with the cause. Ordinary import errors are left
    to the tests. One worker imports everything; only if it dies does each module get a worker of its own.
    """
    modules = [f[:-3].replace("/", ".").removesuffix(".__init__") for f in handle.assignment.files
               if f.endswith(".py")]
    broken = {}

    def check(names):
        worker = Worker(handle.spec(broken), cpu_seconds=int(limit * 2) + 30, zygote=zygote)
        try:
            worker.start()
            worker.call_import(names, timeout=limit)
            return None
        except WorkerFailure as failure:
            return str(failure)
        finally:
            worker.stop()

    if check(modules) is not None:
        for name in modules:
            cause = check([name])
            if cause:
                broken[name] = f"importing {name} did not finish when it was checked before the tests: {cause}"
    return broken


class Submission:
    """The judge's view of the submission inside one test: probes run in a sandboxed worker."""

    def __init__(self, session, assignment, test_path, record):
        self.session, self.assignment, self.record = session, assignment, record
        self.materialized = session.materialized(assignment)
        self.profile = session.profile(assignment)
        self.device = self.profile.execute_on
        self.probes_file = Path(test_path).parent / "probes.py"
        self.worker = None
        self.deadline = None
        record.limit = self.profile.limit(record.budget)

    def source(self, relpath):
        """Text of a submitted file (for static checks; never executed here)."""
        path = self.materialized.folder / relpath
        if not path.is_file():
            pytest.fail(f"{relpath} is missing from the submission", pytrace=False)
        return path.read_text(errors="replace")

    def spec(self, broken_modules=None):
        lim = self.assignment.limits
        return WorkerSpec(submission_dir=self.materialized.folder, probes_file=self.probes_file,
                          aliases=self.assignment.aliases, masks=_masks(), device=self.device, threads=lim.threads,
                          memory_mb=lim.memory_mb, file_mb=lim.file_mb, scratch_mb=lim.scratch_mb,
                          pids_max=lim.pids_max, gpu_memory_fraction=lim.gpu_memory_fraction,
                          broken_modules=dict(broken_modules or {}))

    def probe(self, name, /, **kwargs):
        """Run probe `name` on the submission with plain-data kwargs; returns its dict of plain data."""
        __tracebackhide__ = True
        return self._call(name, kwargs)[0]

    def timed(self, name, /, repeat=3, within=None, **kwargs):
        """Run probe `name` up to `repeat` times; returns (last answer, best seconds by the judge's clock).

        The time is taken here, around each call, so nothing in the worker can forge it. With `within`
        (seconds), stop early once a run is within it, or once one takes over 3x as long (no noise explains that).
        """
        __tracebackhide__ = True
        best, value = float("inf"), None
        for _ in range(repeat):
            value, seconds = self._call(name, kwargs)
            best = min(best, seconds)
            if within is not None and (best <= within or seconds > 3 * within):
                break
        return value, best

    def _call(self, name, kwargs):
        __tracebackhide__ = True
        fields = answers.declared(self.probes_file, name)
        started = time.monotonic()
        try:
            if self.worker is None or self.worker.dead:
                zygote = self.session.zygote(self, self.record.limit)
                spec = self.spec(self.session.broken_modules.get(self.probes_file))
                self.worker = Worker(spec, cpu_seconds=int(self.record.limit * 2) + 30, zygote=zygote).start()
                self.session.protections = self.worker.protections
            if self.deadline is None:  # the clock starts once a worker is ready: its start is the engine's cost
                self.deadline = time.monotonic() + self.record.limit
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerFailure("timeout", f"time limit of {self.record.limit:.1f} s exceeded")
            called = time.perf_counter()
            answer = self.worker.call(name, kwargs, timeout=remaining)
            seconds = time.perf_counter() - called
        except WorkerFailure as failure:
            self.record.worker_failure = failure.kind
            message = str(failure)
            if failure.kind == "timeout":
                message = (f"time limit of {self.record.limit:.1f} s exceeded ({_describe_budget(self.record.budget)}"
                           f" on the reference machine, scaled for this {self.profile.kind} by "
                           f"{self.profile.factor:g}, plus {limits.START_ALLOWANCE:g} s start allowance)")
            pytest.fail(message, pytrace=False)
        finally:
            self.record.probe_seconds += time.monotonic() - started
        if answer.get("output"):
            self.record.extra.setdefault("output", []).append(answer["output"])
        for key in ("gpu_peak_bytes", "memory_peak_bytes"):
            if answer.get(key) is not None:
                self.record.extra[key] = max(answer[key], self.record.extra.get(key, 0))
        if not answer.get("ok"):
            pytest.fail(self._explain(answer["error"]), pytrace=False)
        try:
            answers.check(name, fields, answer.get("value"))
        except answers.AnswerError as exc:
            pytest.fail(str(exc), pytrace=False)
        return answer["value"], seconds

    def _explain(self, error):
        where = f" (at {error['where']})" if error.get("where") else ""
        if error.get("not_attempted"):
            self.record.not_attempted = True
            return f"not attempted: the code{where} still raises NotImplementedError"
        module = error.get("missing_module")
        if module:
            as_file = module.replace(".", "/") + ".py"
            if as_file in self.assignment.files or any(f.startswith(module.replace(".", "/") + "/")
                                                       for f in self.assignment.files):
                return f"{as_file} is missing from the submission"
            return f"the submission imports `{module}`, which is not installed in the grading environment{where}"
        if error.get("scratch_full"):
            return (f"{error['type']}: the code filled its scratch space (the limit is "
                    f"{self.assignment.limits.scratch_mb} MiB, `scratch_mb` in assignment.toml){where}")
        if error["type"] == "MemoryError":
            limit = self.assignment.limits.memory_mb
            return f"MemoryError: the code ran out of memory (the limit is {limit} MiB){where}"
        return f"{error['type']}: {error['message']}{where}"

    def close(self):
        if self.worker is not None:
            self.worker.stop()


def _describe_budget(budget):
    return "budget " + ", ".join(f"{seconds:g} s on {kind}" for kind, seconds in budget.items())


def _record_for(item):
    points = item.get_closest_marker("points")
    budget = item.get_closest_marker("budget")
    visibility = item.get_closest_marker("visibility")
    vis = visibility.args[0] if visibility else "visible"
    if vis not in VISIBILITIES:
        raise pytest.UsageError(f"{item.nodeid}: visibility {vis!r} is not one of {', '.join(VISIBILITIES)}")
    return TestRecord(points=float(points.args[0]) if points else 1.0, visibility=vis,
                      budget=dict(budget.kwargs) if budget else dict(limits.DEFAULT_BUDGET))


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
        handle = Submission(session, assignment, request.node.path, request.node.stash[record_key])
    except (SubmissionError, limits.DeviceError) as exc:
        pytest.fail(str(exc), pytrace=False)
    yield handle
    handle.close()


@pytest.fixture
def hand_built(request, submission):
    """The hand-built check for this assignment's `[[forbidden]]` rules: `hand_built.check(out, what, relpath)`."""
    return handbuilt.for_assignment(submission, submission.assignment)


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
        self.record.fraction = fraction
        self.record.credit_note = (f"{what} {value:.4f}: full credit at {threshold:.4f} or above, "
                                   f"none at {floor:.4f} or below ({fraction:.0%} awarded)")
        if fraction <= 0.0:
            pytest.fail(self.record.credit_note, pytrace=False)
        return fraction


@pytest.fixture
def credit(request):
    """Partial credit: `credit.scale(value, floor=..., threshold=..., what=...)`."""
    return Credit(request.node.stash[record_key])


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
        status, score = "skipped", 0.0
        message = str(call.excinfo.value.msg) if call.excinfo else ""
    elif report.failed:
        status = "not attempted" if record.not_attempted else "failed"
        score, message = 0.0, _message(call) if call.excinfo else "failed"
    else:
        score = round(record.points * record.fraction, 4)
        status = "passed" if record.fraction >= 1.0 else "partial"
        message = record.credit_note
    report.user_properties.append(("autograder", {
        "name": item.nodeid.split("::", 1)[-1], "nodeid": item.nodeid, "file": item.path.name,
        "max_score": record.points, "score": score, "status": status, "output": message,
        "visibility": record.visibility, "budget": record.budget, "limit_s": record.limit,
        "probe_seconds": round(record.probe_seconds, 3), "worker_failure": record.worker_failure,
        "student_output": "".join(record.extra.get("output", []))[-4000:],
        "gpu_peak_bytes": record.extra.get("gpu_peak_bytes"),
        "memory_peak_bytes": record.extra.get("memory_peak_bytes")}))


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
        total = sum(r["max_score"] for r in records.values() if r["status"] != "skipped")
        got = sum(r["score"] for r in records.values())
        terminalreporter.write_line(f"autograder score: {got:g} / {total:g}")
