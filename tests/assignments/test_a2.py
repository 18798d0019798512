"""Assignment 2 graded end to end: full marks for the reference within its CPU budgets, zero for the
stubs, and lost points for plausible mistakes and for library layers used in place of hand-built ones."""

import pytest

from autograder import assignments
from harness import assert_full_marks, assert_mutant_caught, assert_stubs_score_zero

from a2_mutants import MUTANTS

A2 = assignments.find("a2")


def test_reference_scores_full_marks_within_budgets(reference_results):
    results = reference_results("a2")
    assert_full_marks(results)
    for t in results.tests:
        assert t.probe_seconds < t.limit_s, f"{t.name} used {t.probe_seconds} s of {t.limit_s} s"


def test_stubs_score_zero():
    assert_stubs_score_zero(A2)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_plausible_mistake_loses_points(mutant, tmp_path):
    assert_mutant_caught(A2, mutant, tmp_path / "sub")
