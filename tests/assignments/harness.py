"""Helpers for grading real assignments in the project's own tests."""

import shutil
from dataclasses import dataclass, field

from autograder.judge.grading import grade


@dataclass(frozen=True)
class Mutant:
    """A plausible mistake: `old` replaced by `new` once in `file`, and the hidden tests that must then fail."""

    name: str
    file: str
    old: str
    new: str
    must_fail: list = field(default_factory=list)

    def apply(self, text):
        """The mutated text of `file`; `old` must occur exactly once."""
        count = text.count(self.old)
        assert count == 1, f"mutant {self.name}: the text to replace occurs {count} times in {self.file}, not once"
        return text.replace(self.old, self.new, 1)


def by_name(results):
    return {t.name: t for t in results.tests}


def mutated_copy(assignment, edits, dest):
    """A copy of the reference solution with `edits` applied: {file: function(text) -> text}."""
    shutil.copytree(assignment.solution, dest, ignore=shutil.ignore_patterns("__pycache__"))
    for rel, edit in edits.items():
        path = dest / rel
        path.write_text(edit(path.read_text()))
    return dest


def grade_mutant(assignment, mutant, dest):
    """Grade the solution with one Mutant applied, running only the tests it must fail."""
    sub = mutated_copy(assignment, {mutant.file: mutant.apply}, dest)
    return by_name(grade(assignment, sub, select=" or ".join(mutant.must_fail)))


def assert_full_marks(results):
    failed = {t.name: t.output for t in results.tests if t.score < t.max_score}
    assert failed == {}
    assert results.score == results.max_score > 0


def assert_stubs_score_zero(assignment):
    results = grade(assignment, assignment.folder)
    assert results.score == 0
    assert sum(t.status == "not attempted" for t in results.tests) > len(results.tests) // 2
    assert {t.status for t in results.tests} <= {"not attempted", "failed"}


def assert_mutant_caught(assignment, mutant, dest):
    """Every hidden test the mutant must fail exists and scores below its maximum."""
    results = grade_mutant(assignment, mutant, dest)
    assert results, f"no test matched {mutant.must_fail}"
    for name in mutant.must_fail:
        matching = [t for n, t in results.items() if name in n]
        assert matching, f"no hidden test named like {name}"
        for t in matching:
            assert t.score < t.max_score, f"{mutant.name}: {t.name} still scored {t.score}/{t.max_score}"
