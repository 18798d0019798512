"""Fixtures for grading real assignments: each reference is graded once per session."""

import pytest

from autograder import assignments
from autograder.grading import grade

TRAINING = {"test_a2.py", "test_a3.py", "test_a4.py", "test_a5.py"}   # their grades train networks


def pytest_collection_modifyitems(items):
    """A2-A5's graded files are outside the quick loop (-m 'not slow'), which keeps A1 on the same engine paths."""
    for item in items:
        if item.path.name in TRAINING:
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
