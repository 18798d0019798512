"""The `submission` fixture's object: one test's handle on the submission, running probes in a sandboxed worker
with the test's time limit, and turning a worker's failure into one sentence for the student."""

import time
from pathlib import Path
from typing import Callable, TypeVar

import numpy as np
import pytest

from autograder.judge import answers, devices
from autograder.judge.session import masks
from autograder.sandbox.client import Worker
from autograder.sandbox.launch import WorkerFailure, WorkerSpec

T = TypeVar("T")


class ProbeHandle:
    """The `submission` fixture: the judge's view of the submission inside one test, whose probes run in a
    sandboxed worker forked from the submission's sandbox."""

    def __init__(self, session, assignment, test_path, record):
        self.session, self.assignment, self.record = session, assignment, record
        self.materialized = session.materialized(assignment)
        self.profile = session.profile(assignment)
        self.device = self.profile.execute_on
        self.probes_file = Path(test_path).parent / "probes.py"
        self.worker = None
        self.deadline = None
        self.timing = session.timing(assignment)
        record.limit = self.timing.limit(record.test_id, record.budget)
        record.limit_source = self.timing.source_for(record.test_id)

    @property
    def cpu_profile(self):
        """This machine's CPU profile, whatever device grades: costs (latency) are measured on the CPU."""
        return devices.cpu_profile(self.profile)

    def source(self, relpath: str) -> str:
        """Text of a submitted file (for static checks; never executed here)."""
        path = self.materialized.folder / relpath
        if not path.is_file():
            pytest.fail(f"{relpath} is missing from the submission", pytrace=False)
        return path.read_text(errors="replace")

    def spec(self, broken_modules=None):
        return WorkerSpec(submission_dir=self.materialized.folder, probes_file=self.probes_file,
                          aliases=self.assignment.aliases, masks=masks(self.assignment), device=self.device,
                          limits=devices.shared_limits(self.assignment.limits),
                          broken_modules=dict(broken_modules or {}),
                          preload=self.assignment.preload, assets=self.assignment.asset_paths(),
                          deterministic=self.profile.kind == "cuda")

    def probe(self, name: str, /, **kwargs) -> dict:
        """Run probe `name` on the submission with plain-data kwargs; returns its dict of plain data."""
        __tracebackhide__ = True
        return self._call(name, kwargs)[0]

    def share(self, name: str, /, **arrays: np.ndarray) -> None:
        """Hand `arrays` to this grade's probes as read-only `.npy` files, written once (the first share of a
        name wins): a probe reads them with `autograder.worker.probe.shared(name)`, and nothing is re-sent per call."""
        __tracebackhide__ = True
        try:
            self.session.sandbox(self, self.record.limit).share(name, arrays)
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
            self._extend(self.timing.allowance(key))   # the reference's time for it, whichever test runs it
            started, timed_calls = time.monotonic(), self.record.timed_calls
            try:
                memo[key] = (make(), None)
            except (Exception, pytest.fail.Exception) as exc:   # pytest.fail's is a BaseException
                memo[key] = (None, exc)
            finally:   # its time and its timed calls are the shared training's, not this test's
                self.record.once_seconds[key] = round(time.monotonic() - started, 3)
                self.record.timed_calls = timed_calls
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
        self.record.timed_calls = True
        best, value = float("inf"), None
        for _ in range(repeat):
            value, seconds = self._call(name, kwargs)
            best = min(best, seconds)
            if within is not None and (best <= within or seconds > 3 * within):
                break
        return value, best

    def _extend(self, seconds):
        """Allow this test `seconds` more (a shared training it runs)."""
        self.record.limit = round(self.record.limit + seconds, 2)
        if self.deadline is not None:
            self.deadline += seconds

    def _call(self, name, kwargs):
        __tracebackhide__ = True
        fields = answers.declared(self.probes_file, name)
        started = time.monotonic()
        try:
            if self.worker is None or self.worker.dead:
                sandbox = self.session.sandbox(self, self.record.limit)
                spec = self.spec(self.session.broken_modules.get(self.probes_file))
                cpu_seconds = int((self.record.limit + self.timing.ceiling()) * 2) + 30
                self.worker = Worker(spec, cpu_seconds=cpu_seconds, sandbox=sandbox).start()
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
                message = self.timing.explain(self.record.test_id, self.record.budget, self.record.limit)
            pytest.fail(message, pytrace=False)
        finally:
            self.record.probe_seconds += time.monotonic() - started
        if answer.get("output"):
            self.record.extra.setdefault("output", []).append(answer["output"])
        for key in ("gpu_peak_bytes", "memory_peak_bytes"):
            if answer.get(key) is not None:
                self.record.extra[key] = max(answer[key], self.record.extra.get(key, 0))
        reported = answer.get("nondeterministic_ops")   # the worker's word: only ever shown, never graded
        for op in reported if isinstance(reported, list) else []:
            ops = self.record.extra.setdefault("nondeterministic_ops", [])
            ops += [str(op)[:200]] if str(op)[:200] not in ops and len(ops) < 20 else []
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
