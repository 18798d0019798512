"""Fixtures for grading real assignments: each reference is graded once per session."""

import pytest

from autograder import assignments
from autograder.judge.grading import grade

TRAINING = {"a2", "a3", "a4", "a5"}   # their grades train networks


def _assignment_of(item):
    """The assignment a test grades: its `name` parameter in test_every_assignment.py, else its file's (test_a3.py)."""
    callspec = getattr(item, "callspec", None)
    if callspec and "name" in callspec.params:
        return callspec.params["name"]
    return item.path.stem.removeprefix("test_")


def pytest_collection_modifyitems(items):
    """A2-A5's grades are outside the quick loop (-m 'not slow'), which keeps A1 on the same engine paths."""
    for item in items:
        if _assignment_of(item) in TRAINING:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def reference_results():
    """Each assignment's reference solution graded once per test session."""
    cache = {}

    def get(name):
        if name not in cache:
            a = assignments.find(name)
            cache[name] = grade(a, a.solution)
        return cache[name]
    return get


@pytest.fixture(params=["auto", "none"])
def hostile_isolation(request, monkeypatch):
    """Grade with the sandbox's isolation `auto` (what a course runs) and `none` (what it stops): the mode's
    name; the fork server is restarted for the mode and shut down after."""
    from autograder.sandbox import launch
    monkeypatch.setenv("AUTOGRADER_ISOLATION", request.param)
    monkeypatch.setattr(launch, "_servers", {})
    yield request.param
    launch.shutdown_forkserver()
