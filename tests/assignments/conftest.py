"""Fixtures for grading real assignments: each reference is graded once per session."""

import pytest

from autograder import assignments
from autograder.grading import grade


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
