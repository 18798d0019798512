"""Every assignment graded end to end the same way: full marks for the reference with room under each CPU budget,
zero for the stubs, and public tests that pass on the reference and not on the stubs. Mistakes (aN_mutants.py) and
hostile submissions differ per assignment and stay in test_aN.py."""

import pytest

from autograder import assignments
from autograder.judge.grading import grade
from harness import assert_full_marks, assert_stubs_score_zero

ASSIGNMENTS = [a.id for a in assignments.all_assignments()]   # a new assignment is graded here without an edit
HEADROOM = 3   # a reference test uses under a third of its limit, so a loaded grading machine does not fail it
LEADERBOARDS = {
    "a4": {"mAP@0.5": "desc", "mAP@[.5:.95]": "desc", "mIoU": "desc", "parameters": "asc", "MACs": "asc",
           "latency_ms": "asc"},
    "a5": {"image AUC": "desc", "pixel F1": "desc", "pixel AUC": "desc", "AUC at JPEG 50": "desc",
           "generated AUC": "desc", "generated accuracy": "desc"},
}


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_reference_scores_full_marks_within_budgets(name, reference_results):
    results = reference_results(name)
    assert_full_marks(results)
    for t in results.tests:
        assert t.probe_seconds * HEADROOM < t.limit_s, f"{t.name} used {t.probe_seconds} s of {t.limit_s} s"
    assert {e["name"]: e["order"] for e in results.leaderboard} == LEADERBOARDS.get(name, {})


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_stubs_score_zero(name):
    assert_stubs_score_zero(assignments.find(name))


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_public_tests_pass_on_the_reference_and_not_on_the_stubs(name):
    assignment = assignments.find(name)
    reference = grade(assignment, assignment.solution, public=True)
    stubs = grade(assignment, assignment.folder, public=True)
    assert reference.score == reference.max_score > 0
    assert stubs.score < stubs.max_score
