"""`autograder calibrate aN`: time the reference solution on this grading device and record its limits.

The reference is graded `runs` times through the engine, as a student's work is, under the declared budgets;
each test's best time (and each shared training's) goes into the course's limits file (autograder.judge.timing).
"""

from dataclasses import dataclass

from autograder.judge import devices, timing
from autograder.judge.grading import grade
from autograder.judge.results import Status


class CalibrationError(Exception):
    """The reference could not be timed (one sentence, for the user)."""


@dataclass
class Row:
    test_id: str
    kind: str
    seconds: float
    limit: float
    declared: float

    @property
    def headroom(self):
        return self.limit / max(self.seconds, 1e-3)


def calibrate(assignment, device="auto", device_profile=None, runs=3, log=None):
    """Grade the reference `runs` times, write this device's entry; returns (path, rows, profile)."""
    if not assignment.solution.is_dir():
        raise CalibrationError(f"{assignment.solution} does not exist: the reference solution is needed to time "
                               f"the limits (calibrate in the course repository, not in a bundle)")
    if runs < 1:
        raise CalibrationError(f"--runs must be at least 1, not {runs}")
    profile = devices.profile_for(assignment, device, device_profile)
    graded = []
    for run in range(runs):
        results = grade(assignment, assignment.solution, device=device, device_profile=device_profile,
                        declared_limits=True)
        lost = [t.name for t in results.tests if t.score < t.max_score and t.status != Status.SKIPPED]
        if lost:
            raise CalibrationError(f"the reference solution lost points on this device ({', '.join(lost[:5])}): "
                                   f"fix it or its limits before timing them")
        graded.append(results.tests)
        if log:
            log(f"run {run + 1}/{runs}: {results.score:g}/{results.max_score:g} in {results.execution_time:.1f} s")
    tests, once = timing.measure(graded)
    path = timing.write_entry(assignment, profile, tests, once, runs)
    limits = timing.for_grade(assignment, profile)
    budgets = {t.timing["test_id"]: t.budget for t in graded[0]}
    rows = [Row(test_id, t["kind"], t["seconds"], limits.limit(test_id, budgets[test_id]),
                profile.limit(budgets[test_id])) for test_id, t in sorted(tests.items())]
    rows += [Row(f"shared training {key!r}", "training", seconds, limits.allowance(key), float("nan"))
             for key, seconds in sorted(once.items())]
    return path, rows, profile
