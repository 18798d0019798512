"""A throwaway course (assignments/, tests/hidden/) built in tmp_path, for testing the engine itself."""

import pytest

from toy import GOOD, HIDDEN_TESTS, PROBES, TOML, write


@pytest.fixture
def toy_course(tmp_path, monkeypatch):
    """A course root with one assignment 't1' (a toy), its hidden tests, and AUTOGRADER_ROOT pointing at it."""
    root = tmp_path / "course"
    write(root, "assignments/toy/assignment.toml", TOML)
    write(root, "assignments/toy/lib/__init__.py", '"""Toy package."""\n')
    write(root, "assignments/toy/lib/ops.py", "def add(a, b):\n    raise NotImplementedError()\n")
    write(root, "tests/hidden/toy/probes.py", PROBES)
    write(root, "tests/hidden/toy/test_toy.py", HIDDEN_TESTS)
    write(root, "solutions/toy/secret.txt", "the answer")
    monkeypatch.setenv("AUTOGRADER_ROOT", str(root))
    return root


@pytest.fixture
def make_submission(tmp_path):
    """Write a lib/ops.py submission with the given source; returns its folder."""
    def make(source=GOOD, name="sub"):
        return write(tmp_path / name, "lib/ops.py", source).parent.parent
    return make
