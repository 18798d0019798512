"""Assignment 2 graded end to end: full marks for the reference within its CPU budgets, zero for the
stubs, and lost points for plausible mistakes and for library layers used in place of hand-built ones."""

import pytest

from autograder import assignments
from autograder.grading import grade
from harness import grade_mutant

from a2_mutants import MUTANTS

A2 = assignments.find("a2")


def test_reference_scores_full_marks_within_budgets(reference_results):
    results = reference_results("a2")
    failed = {t.name: t.output for t in results.tests if t.score < t.max_score}
    assert failed == {}
    assert results.score == results.max_score > 0
    for t in results.tests:
        assert t.probe_seconds < t.limit_s, f"{t.name} used {t.probe_seconds} s of {t.limit_s} s"


def test_stubs_score_zero():
    results = grade(A2, A2.folder)
    assert results.score == 0
    assert sum(t.status == "not attempted" for t in results.tests) > len(results.tests) // 2


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
def test_plausible_mistake_loses_points(mutant, tmp_path):
    results = grade_mutant(A2, mutant, tmp_path / "sub")
    for name in mutant.must_fail:
        matching = [t for n, t in results.items() if name in n]
        assert matching, f"no hidden test named like {name}"
        for t in matching:
            assert t.score < t.max_score, f"{mutant.name}: {t.name} still scored {t.score}/{t.max_score}"
