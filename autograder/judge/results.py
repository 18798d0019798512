"""The results of grading one submission: Gradescope's results.json schema and JUnit XML."""

import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from autograder.judge import environment
from autograder.stamp import stamp


class Status(StrEnum):
    """A test's outcome. Gradescope knows passed and failed only; the others travel in extra_data."""
    PASSED = "passed"
    PARTIAL = "partial"             # some of the points (a scaled or cost credit)
    FAILED = "failed"
    NOT_ATTEMPTED = "not attempted"   # the code under test is still the stub
    SKIPPED = "skipped"               # not run here (a CUDA-only test on a CPU machine), not counted

    @property
    def counted(self):
        return self is not Status.SKIPPED


@dataclass
class TestResult:
    name: str
    score: float
    max_score: float
    status: Status
    output: str = ""
    visibility: str = "visible"
    limit_s: float | None = None
    probe_seconds: float = 0.0              # the test's probe calls, from its worker being ready: what its limit counts
    start_seconds: float = 0.0              # starting its worker (and the submission's sandbox): the engine's cost
    budget: dict = field(default_factory=dict)
    student_output: str = ""
    gpu_peak_bytes: int | None = None       # reported by the worker (torch's allocator): informative, never graded
    memory_peak_bytes: int | None = None    # the cgroup's peak, read by the judge: what a limit or a grade may use
    leaderboard: list = field(default_factory=list)   # {"name", "value", "order"} dicts from the `leaderboard` fixture
    nodeid: str = ""                                  # pytest's id, to tell apart two tests of the same name
    nondeterministic_ops: list = field(default_factory=list)   # a CUDA grade's operators without a repeatable kernel
    timing: dict = field(default_factory=dict)   # test_id, kind, shared trainings run, limit_source (judge.timing)

    def gradescope(self):
        out = self.output
        if self.student_output:
            out += f"\n\nYour code printed:\n{self.student_output}"
        return {"name": self.name, "score": self.score, "max_score": self.max_score,
                "status": "passed" if self.status == Status.PASSED else "failed",
                "output": out.strip(), "visibility": self.visibility,
                "extra_data": {"status": self.status, "limit_s": self.limit_s, "budget": self.budget,
                               "probe_seconds": self.probe_seconds, "start_seconds": self.start_seconds,
                               "gpu_peak_bytes": self.gpu_peak_bytes,
                               "memory_peak_bytes": self.memory_peak_bytes,
                               "nondeterministic_ops": self.nondeterministic_ops, "timing": self.timing}}


@dataclass
class Results:
    assignment: str
    version: str
    submission: str
    tests: list
    execution_time: float
    device: dict = field(default_factory=dict)
    protections: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    environment: dict = field(default_factory=dict)
    release: dict = field(default_factory=dict)   # which release graded it: version and content hash (autograder.stamp)
    limits_source: str = ""   # "reference timed on <device>" or "declared budget x factor" (autograder.judge.timing)

    @classmethod
    def failed(cls, assignment, submission, message):
        """A score-0 result for a submission that could not be graded at all, saying why."""
        return cls(assignment.name, assignment.version, str(submission), [], 0.0, problems=[message],
                   environment=environment.record(), release=stamp(assignment))

    @property
    def score(self):
        return round(sum(t.score for t in self.tests), 4)

    @property
    def max_score(self):
        return round(sum(t.max_score for t in self.tests if Status(t.status).counted), 4)

    @property
    def leaderboard(self):
        """Every test's leaderboard entries, in test order; a later entry of the same name replaces an earlier one."""
        entries = {}
        for t in self.tests:
            entries.update((entry["name"], dict(entry)) for entry in t.leaderboard)
        return list(entries.values())

    def gradescope(self):
        summary = "\n".join(self.problems)
        data = {"score": self.score, "max_score": self.max_score, "execution_time": round(self.execution_time, 2),
                "output": summary, "visibility": "visible", "stdout_visibility": "hidden",
                "tests": [t.gradescope() for t in self.tests],
                "extra_data": {"assignment": self.assignment, "version": self.version, "release": self.release,
                               "device": self.device, "limits_source": self.limits_source,
                               "protections": self.protections, "environment": self.environment}}
        if self.leaderboard:
            data["leaderboard"] = self.leaderboard   # Gradescope's: [{"name", "value", "order": "asc" | "desc"}]
        return data

    def write_json(self, path):
        write_atomic(path, json.dumps(self.gradescope(), indent=2))

    def write_junit(self, path):
        suite = ET.Element("testsuite", name=self.assignment, tests=str(len(self.tests)),
                           failures=str(sum(t.status not in (Status.PASSED, Status.SKIPPED) for t in self.tests)),
                           skipped=str(sum(t.status == Status.SKIPPED for t in self.tests)),
                           time=f"{self.execution_time:.3f}")
        for key, value in (("score", self.score), ("max_score", self.max_score)):
            props = suite.find("properties") or ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name=key, value=str(value))
        for t in self.tests:
            case = ET.SubElement(suite, "testcase", classname=self.assignment, name=t.name,
                                 time=f"{t.probe_seconds:.3f}")
            if t.status == Status.SKIPPED:
                ET.SubElement(case, "skipped", message=t.output)
            elif t.status != Status.PASSED:
                failure = ET.SubElement(case, "failure", message=f"{t.score:g}/{t.max_score:g}: {t.output}")
                failure.text = t.output
        write_atomic(path, ET.tostring(suite, encoding="unicode"))


def figure(value):
    """A leaderboard value for people: ints with thousands separators, floats to 4 significant digits."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:.4g}"


def write_atomic(path, text):
    """Write through a temporary file and rename, so a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    tmp.replace(path)
