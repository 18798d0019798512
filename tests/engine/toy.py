"""The toy course's files, shared by tests/engine/conftest.py's fixtures and the tests that build on them (a module
of its own: `from conftest import ...` would find tests/assignments/conftest.py in a whole-suite run)."""

import textwrap
from pathlib import Path

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
