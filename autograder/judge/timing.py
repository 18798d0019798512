"""Time limits timed from the reference solution on the device that grades, or declared budgets scaled by the
machine's factor where no such timing exists.

`autograder calibrate aN --device cuda` (course staff, once per kind of grading device) grades the reference a
few times and writes `limits/<assignment>.json` in the course root, one entry per device: each test's best
time and kind, and the best time of each training a grade shares (`submission.once`). A grade on a device with
an entry of the current release gets, per test, k x the reference's time + a floor (k per kind and the floor
from `[timing]` in assignment.toml), plus k x a shared training's time in the test that runs it, whichever
test that is. Elsewhere, and for a test the entry lacks, the declared budget x the device's factor applies.
"""

import json
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from autograder import env
from autograder.judge.results import write_atomic
from autograder.stamp import stamp

KINDS = ("numeric", "training", "throughput")
DEFAULT_K = {"numeric": 5.0, "training": 3.0, "throughput": 3.0}
DEFAULT_FLOOR_S = 2.0
DECLARED = "declared budget x factor"


def limits_file(assignment) -> Path:
    return env.course_root() / "limits" / f"{assignment.name}.json"


def device_key(profile) -> str:
    """What a timing is valid for: the device kind and model, and the torch that ran it."""
    return f"{profile.kind}: {profile.name} (torch {metadata.version('torch')})"


def settings(assignment):
    """(k per kind, floor seconds) from assignment.toml's [timing] table."""
    table = assignment.timing
    k = {**DEFAULT_K, **{kind: float(v) for kind, v in table.get("k", {}).items()}}
    return k, float(table.get("floor_s", DEFAULT_FLOOR_S))


def read(assignment) -> dict:
    path = limits_file(assignment)
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text()).get("devices", {})
    except (OSError, ValueError, AttributeError):
        return {}


@dataclass
class Timing:
    """The limits of one grade: per test, timed from the reference here or declared."""

    profile: object
    k: dict
    floor: float
    entry: dict = field(default_factory=dict)   # the limits file's entry for this device, {} when none applies
    note: str = ""                              # why no entry applies, when one exists for another release

    @property
    def source(self):
        return f"reference timed on {self.entry['device']}" if self.entry else DECLARED

    def timed(self, test_id):
        return self.entry.get("tests", {}).get(test_id)

    def source_for(self, test_id):
        """Where the test's limit comes from (its extra_data.timing.limit_source)."""
        return self.source if self.timed(test_id) else DECLARED

    def limit(self, test_id, budget):
        """Seconds allowed for the test's own probes (a shared training it runs is added by `allowance`)."""
        timed = self.timed(test_id)
        if timed is None:
            return self.profile.limit(budget)
        return round(self.k[timed["kind"]] * timed["seconds"] + self.floor, 2)

    def allowance(self, key):
        """Seconds added to the limit of the test that runs the shared training `key`."""
        seconds = self.entry.get("once", {}).get(key)
        return round(self.k["training"] * seconds, 2) if seconds is not None else 0.0

    def ceiling(self):
        """The most any test may be allowed with every shared training added (the worker's CPU-time cap)."""
        return sum(self.allowance(key) for key in self.entry.get("once", {}))

    def explain(self, test_id, budget, limit):
        timed = self.timed(test_id)
        if timed is None:
            return self.profile.explain(budget)
        return (f"time limit of {limit:.1f} s exceeded ({self.k[timed['kind']]:g}x the reference solution's "
                f"{timed['seconds']:.2f} s on this device ({self.entry['device']}), plus {self.floor:g} s"
                f"{', plus the training this test ran' if limit > self.limit(test_id, budget) else ''})")


def for_grade(assignment, profile, declared=False) -> Timing:
    k, floor = settings(assignment)
    entry = {} if declared else read(assignment).get(device_key(profile), {})
    if entry and entry.get("release") != stamp(assignment):
        return Timing(profile, k, floor, note=f"the limits file's timing for {device_key(profile)} is of another "
                                              f"release: run `autograder calibrate {assignment.id}` again")
    return Timing(profile, k, floor, entry)


def measure(runs):
    """The best timing of each test and each shared training over `runs` (lists of TestResults of a graded
    reference): the test's own probe time (its shared trainings taken out) and its kind."""
    tests, once = {}, {}
    for results in runs:
        for t in results:
            own = max(0.0, t.probe_seconds - sum(t.timing.get("once", {}).values()))
            best = tests.get(t.timing["test_id"])
            if best is None or own < best["seconds"]:
                tests[t.timing["test_id"]] = {"seconds": round(own, 3), "kind": t.timing["kind"]}
            for key, seconds in t.timing.get("once", {}).items():
                once[key] = round(min(seconds, once.get(key, seconds)), 3)
    return tests, once


def write_entry(assignment, profile, tests, once, runs):
    """Record this device's timing in the course's limits file (other devices' entries kept); returns the path."""
    path = limits_file(assignment)
    data = {"assignment": assignment.id, "devices": read(assignment)}
    data["devices"][device_key(profile)] = {
        "device": device_key(profile), "kind": profile.kind, "release": stamp(assignment), "runs": runs,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "factor": profile.factor, "tests": tests, "once": once}
    write_atomic(path, json.dumps(data, indent=1, sort_keys=True))
    return path
