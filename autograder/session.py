"""The judge's state while one submission is graded: the session (device profile, materialized
submission, a sandbox per probe file) and, inside each test, the `Submission` handle whose probes run
in a worker forked from that sandbox."""

import importlib.util
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TypeVar

import numpy as np
import pytest

from autograder import answers, devices
from autograder.results import Status, TestResult
from autograder.sandbox.client import Worker
from autograder.sandbox.launch import WorkerFailure, WorkerSpec, Zygote, engine_tmp
from autograder.submission import materialize


session_key = pytest.StashKey["GradingSession"]()
T = TypeVar("T")
RANK = {Status.PASSED: 0, Status.SKIPPED: 0, Status.PARTIAL: 1, Status.NOT_ATTEMPTED: 2, Status.FAILED: 3}


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
    probe_seconds: float = 0.0    # from the worker being ready: what the limit is charged
    start_seconds: float = 0.0    # starting its worker: the engine's cost
    worker_failure: str | None = None
    leaderboard: list = field(default_factory=list)   # {"name", "value", "order"} dicts, in the order added
    extra: dict = field(default_factory=dict)


class GradingSession:
    """One grade's state: what is graded (the submission, materialized once), on which device, the sandbox of
    each probe file, and the typed result of each test.

    `grade()` makes one from what it holds and hands it to pytest as a plugin object; a plain
    `pytest tests/hidden/aN --submission DIR` run gets one made from its command-line options (plugin.py).
    """

    def __init__(self, source=None, device="auto", device_profile=None, materialized=None):
        self.source, self.requested_device, self.device_profile = source, device, device_profile
        self._profile = None
        self.submissions = dict(materialized or {})   # assignment name -> Materialized
        self.zygotes = {}          # probe file -> Zygote, or the WorkerFailure that kept it from starting
        self.broken_modules = {}   # probe file -> {module: why importing it hangs or kills the worker}
        self.protections = {}
        self.speed_warning = self.device_error = None
        self.memo = {}             # Submission.once: key -> (value, exception)
        self.results = {}          # nodeid -> TestResult, the worst of a test's reports

    def pytest_configure(self, config):
        config.stash[session_key] = self

    def pytest_runtest_logreport(self, report):
        for key, value in report.user_properties:
            if key == "autograder":
                result = TestResult(**dict(value, status=Status(value["status"])))
                old = self.results.get(result.nodeid)
                if old is None or RANK[result.status] >= RANK[old.status]:
                    self.results[result.nodeid] = result

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
            profile = devices.profile_for(assignment, self.requested_device, self.device_profile)
            try:
                self.speed_warning = profile.check_speed()
            except devices.DeviceError as exc:
                self.device_error = exc
                raise
            self._profile = profile
        return self._profile

    def materialized(self, assignment):
        """The checked copy of the submission for `assignment`: made here only on a plain pytest run."""
        if assignment.name not in self.submissions:
            self.submissions[assignment.name] = materialize(self.source, assignment, engine_tmp())
        return self.submissions[assignment.name]


def _masks(assignment):
    """The folders of installed packages that the assignment's `mask` shows empty inside the worker's view."""
    folders = []
    for entry in assignment.mask:
        package, _, folder = entry.partition("/")
        spec = importlib.util.find_spec(package)
        if spec and spec.submodule_search_locations:
            folders.append(Path(spec.submodule_search_locations[0]) / folder)
    return folders


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

    def source(self, relpath: str) -> str:
        """Text of a submitted file (for static checks; never executed here)."""
        path = self.materialized.folder / relpath
        if not path.is_file():
            pytest.fail(f"{relpath} is missing from the submission", pytrace=False)
        return path.read_text(errors="replace")

    def spec(self, broken_modules=None):
        return WorkerSpec(submission_dir=self.materialized.folder, probes_file=self.probes_file,
                          aliases=self.assignment.aliases, masks=_masks(self.assignment), device=self.device,
                          limits=self.assignment.limits, broken_modules=dict(broken_modules or {}),
                          preload=self.assignment.preload, assets=self.assignment.asset_paths())

    def probe(self, name: str, /, **kwargs) -> dict:
        """Run probe `name` on the submission with plain-data kwargs; returns its dict of plain data."""
        __tracebackhide__ = True
        return self._call(name, kwargs)[0]

    def share(self, name: str, /, **arrays: np.ndarray) -> None:
        """Hand `arrays` to this grade's probes as read-only `.npy` files, written once (the first share of a
        name wins): a probe reads them with `autograder.probe.shared(name)`, and nothing is re-sent per call."""
        __tracebackhide__ = True
        try:
            self.session.zygote(self, self.record.limit).share(name, arrays)
        except WorkerFailure as failure:
            self.record.worker_failure = failure.kind
            pytest.fail(str(failure), pytrace=False)

    def once(self, key: str, make: Callable[[], T]) -> T:
        """make()'s value, computed by the first test of this grade that asks for `key` and kept for the others
        (a trained model's figures). A failure is kept too: every test that needs it fails the same way, and the
        training is not run again."""
        __tracebackhide__ = True
        memo = self.session.memo
        if key not in memo:
            try:
                memo[key] = (make(), None)
            except (Exception, pytest.fail.Exception) as exc:   # pytest.fail's is a BaseException
                memo[key] = (None, exc)
        value, exc = memo[key]
        if exc is not None:
            raise exc
        return value

    def timed(self, name: str, /, repeat: int = 3, within: float | None = None, **kwargs) -> tuple[dict, float]:
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
                ready = time.monotonic()
                self.record.start_seconds += ready - started
                started = ready
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
                message = self.profile.explain(self.record.budget)
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
