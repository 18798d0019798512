"""Helpers for grading real assignments in the project's own tests."""

import shutil

from autograder.grading import grade


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
