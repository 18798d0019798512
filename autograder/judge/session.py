"""The judge's state while one submission is graded: the device profile, the materialized submission, the
sandbox of each probe file, and each test's result."""

import importlib.util
from pathlib import Path

import pytest

from autograder.judge import devices, timing
from autograder.judge.imports import broken_modules
from autograder.judge.materialize import materialize
from autograder.judge.results import Status, TestResult
from autograder.sandbox.launch import Sandbox, WorkerFailure, engine_tmp

session_key = pytest.StashKey["GradingSession"]()
RANK = {Status.PASSED: 0, Status.SKIPPED: 0, Status.PARTIAL: 1, Status.NOT_ATTEMPTED: 2, Status.FAILED: 3}


class GradingSession:
    """One grade's state: what is graded (the submission, materialized once), on which device, the sandbox of
    each probe file, and the typed result of each test.

    `grade()` makes one from what it holds and binds it to its pytest run (plugin.SessionHooks); a plain
    `pytest tests/hidden/aN --submission DIR` run gets one made from its command-line options (plugin.py).
    """

    def __init__(self, source=None, device="auto", device_profile=None, materialized=None, declared_limits=False):
        self.source, self.requested_device, self.device_profile = source, device, device_profile
        self.declared_limits = declared_limits
        self._profile = self._timing = None
        self.submissions = dict(materialized or {})   # assignment name -> Materialized
        self.sandboxes = {}          # probe file -> Sandbox, or the WorkerFailure that kept it from starting
        self.broken_modules = {}   # probe file -> {module: why importing it hangs or kills the worker}
        self.protections = {}
        self.speed_warning = self.device_error = None
        self.memo = {}             # Submission.once: key -> (value, exception)
        self.results = {}          # nodeid -> TestResult, the worst of a test's reports

    def add_report(self, report):
        """Keep the worst of a test's reports (setup, call, teardown) as its result."""
        for key, value in report.user_properties:
            if key == "autograder":
                result = TestResult(**dict(value, status=Status(value["status"])))
                old = self.results.get(result.nodeid)
                if old is None or RANK[result.status] >= RANK[old.status]:
                    self.results[result.nodeid] = result

    def sandbox(self, handle, limit):
        """The sandbox of this submission for `handle`'s probe file, made (and its imports checked) once."""
        key = handle.probes_file
        if key not in self.sandboxes:
            try:
                self.sandboxes[key] = Sandbox(handle.spec()).start()
                self.protections = self.sandboxes[key].protections
                self.broken_modules[key] = broken_modules(self.sandboxes[key], handle, limit)
            except WorkerFailure as failure:
                self.sandboxes[key] = failure
        if isinstance(self.sandboxes[key], WorkerFailure):
            raise self.sandboxes[key]
        return self.sandboxes[key]

    def close(self):
        for sandbox in self.sandboxes.values():
            if isinstance(sandbox, Sandbox):
                sandbox.stop()
        self.sandboxes.clear()

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

    def timing(self, assignment):
        """This grade's limits: timed from the reference on this device, or declared (autograder.judge.timing)."""
        if self._timing is None:
            self._timing = timing.for_grade(assignment, self.profile(assignment), declared=self.declared_limits)
        return self._timing

    def materialized(self, assignment):
        """The checked copy of the submission for `assignment`: made here only on a plain pytest run."""
        if assignment.name not in self.submissions:
            self.submissions[assignment.name] = materialize(self.source, assignment, engine_tmp())
        return self.submissions[assignment.name]


def masks(assignment):
    """The folders of installed packages that the assignment's `mask` shows empty inside the worker's view."""
    folders = []
    for entry in assignment.mask:
        package, _, folder = entry.partition("/")
        spec = importlib.util.find_spec(package)
        if spec and spec.submodule_search_locations:
            folders.append(Path(spec.submodule_search_locations[0]) / folder)
    return folders
