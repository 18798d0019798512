"""The points of an assignment's hidden tests, read by pytest collection (never run): per test, and per group,
one group per hidden test file. nbgrader's notebook cells stand for the groups."""
import contextlib
import io
from pathlib import Path

import pytest

from autograder import assignments
from autograder.judge.grading import forget_modules_under, pytest_args


def group_of(test_path):
    """The group of a hidden test file: tests/hidden/<name>/test_layers.py -> 'layers'."""
    return Path(test_path).stem.removeprefix("test_")


class _PointsCollector:
    """Reads each collected test's `points` marker as the plugin does (no marker: 1 point)."""

    def __init__(self):
        self.tests = {}

    def pytest_collection_modifyitems(self, items):
        for item in items:
            marker = item.get_closest_marker("points")
            name = item.nodeid.split("::", 1)[-1]   # the name results.json gives the test (plugin.py)
            if name in self.tests:
                raise pytest.UsageError(f"two hidden test files hold a test named {name}: their scores "
                                        f"could not be told apart")
            self.tests[name] = (group_of(item.path), float(marker.args[0]) if marker else 1.0)


_collected = {}


def hidden_tests(assignment):
    """{test name as in results.json: (group, points)} of the assignment's hidden tests, by pytest collection."""
    folder = assignment.hidden_tests
    if folder not in _collected:
        if not folder.is_dir():
            raise assignments.AssignmentError(f"{folder} does not exist: no hidden tests for {assignment.name}")
        collector, output = _PointsCollector(), io.StringIO()
        try:
            with contextlib.redirect_stdout(output):
                code = pytest.main(pytest_args(folder) + ["--collect-only"], plugins=[collector])
        finally:
            forget_modules_under(folder)
        if code != pytest.ExitCode.OK:
            raise RuntimeError(f"pytest could not collect the hidden tests of {assignment.name} (exit {int(code)}):"
                               f"\n{output.getvalue()[-3000:]}")
        _collected[folder] = collector.tests
    return dict(_collected[folder])


def hidden_groups(assignment):
    """{group: points}: the points of each hidden test file (a parametrized test counts once per parameter)."""
    groups = {}
    for group, points in hidden_tests(assignment).values():
        groups[group] = groups.get(group, 0) + points
    return {group: int(p) if float(p).is_integer() else p for group, p in groups.items()}
