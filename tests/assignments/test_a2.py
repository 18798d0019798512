"""Assignment 2 graded end to end (reference, stubs and public tests: test_every_assignment.py): lost points for
plausible mistakes and for library layers used in place of hand-built ones."""

import pytest

from autograder import assignments
from harness import assert_mutant_caught

from a2_mutants import MUTANTS

A2 = assignments.find("a2")


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_plausible_mistake_loses_points(mutant, tmp_path):
    assert_mutant_caught(A2, mutant, tmp_path / "sub")
