"""A throwaway course (assignments/, tests/hidden/) built in tmp_path, for testing the engine itself."""

import textwrap
from pathlib import Path

import pytest

TOML = '''
id = "t1"
title = "Toy assignment"
version = "1"
files = ["lib/ops.py"]
[aliases]
"course.lib" = "lib"
[limits]
memory_mb = 1024
[signatures]
"lib/ops.py" = ["add(a, b)"]
'''

PROBES = '''
import os, time
from autograder.worker.probe import answers, array, plain

@answers(sum=array)
def add(a, b):
    import course.lib.ops as ops
    return {"sum": ops.add(a, b)}

@answers(value=plain)
def run(name):
    import course.lib.ops as ops
    return {"value": getattr(ops, name)()}
'''

HIDDEN_TESTS = '''
import numpy as np, pytest
from autograder.judge.testing import assert_close

@pytest.mark.points(3)
@pytest.mark.budget(cpu=2, cuda=2)
def test_add_values(submission, rng):
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    assert_close(submission.probe("add", a=a, b=b)["sum"], a + b, what="sum")

@pytest.mark.points(2)
@pytest.mark.budget(cpu=0.5, cuda=3)
def test_slow_within_budget(submission):
    assert submission.probe("run", name="slow")["value"] == 1, "slow() must return 1"

@pytest.mark.visibility("after_published")
def test_bare_assert_hides_expected(submission):
    assert submission.probe("add", a=1, b=1)["sum"] == 123456

def test_partial(submission, credit):
    credit.scale(float(submission.probe("add", a=1.0, b=2.0)["sum"]), floor=0, threshold=6, what="sum")
'''

GOOD = '''
import time

def add(a, b):
    return a + b

def slow():
    time.sleep(2.0)
    return 1
'''


def write(root, rel, text):
    path = Path(root) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


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
