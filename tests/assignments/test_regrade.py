"""Regrades are stable: the same files graded in two fresh processes (A1, A2 with training), and by one or two
parallel judges (A1), get identical scores, statuses and messages (timings aside)."""

import json
import shutil
import subprocess
import sys

import pytest

from autograder import assignments
from autograder.batch import run_batch
from harness import mutated_copy

from a1_mutants import MUTANTS as A1_MUTANTS
from a2_mutants import MUTANTS as A2_MUTANTS


def _wrong_copy(assignment, mutants, names, dest):
    """The reference with a few mutants applied, so that failures and their messages are compared too."""
    chosen = [m for m in mutants if m.name in names]
    edits = {}
    for m in chosen:
        edits[m.file] = (lambda text, m=m, before=edits.get(m.file): m.apply(before(text) if before else text))
    return mutated_copy(assignment, edits, dest)


def _verdicts(data):
    return {t["name"]: (t["score"], t["extra_data"]["status"], t["output"]) for t in data["tests"]}


def _fresh_process_grade(assignment, submission, out):
    done = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", assignment.id, str(submission),
                           "--json", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return _verdicts(json.loads(out.read_text()))


def _batch(assignment, submission, students, out, jobs):
    folder = out / "submissions"
    for student in students:
        shutil.copytree(submission, folder / student)
    run_batch(assignment, folder, out=out / "graded", jobs=jobs, progress=False)
    return {s: _verdicts(json.loads((out / "graded" / "results" / f"{s}.json").read_text())) for s in students}


@pytest.mark.slow
def test_a1_regrades_identically_in_fresh_processes_and_with_one_or_two_judges(tmp_path):
    a1 = assignments.find("a1")
    sub = _wrong_copy(a1, A1_MUTANTS, {"softmax_wrong_axis", "knn_farthest_neighbours"}, tmp_path / "sub")
    first = _fresh_process_grade(a1, sub, tmp_path / "first.json")
    assert first == _fresh_process_grade(a1, sub, tmp_path / "second.json")
    assert any(score == 0 for score, _, _ in first.values()), "the copy must fail some tests"
    one = _batch(a1, sub, ["s1"], tmp_path / "j1", jobs=1)
    two = _batch(a1, sub, ["s1", "s2"], tmp_path / "j2", jobs=2)
    assert one["s1"] == two["s1"] == two["s2"] == first


@pytest.mark.slow
def test_a2_regrades_identically_in_fresh_processes(tmp_path):
    # Training included (LeNet, the GRU); A1's test above covers one and two judges of a batch.
    a2 = assignments.find("a2")
    sub = _wrong_copy(a2, A2_MUTANTS, {A2_MUTANTS[0].name}, tmp_path / "sub")
    first = _fresh_process_grade(a2, sub, tmp_path / "first.json")
    assert first == _fresh_process_grade(a2, sub, tmp_path / "second.json")
    assert any(score == 0 for score, _, _ in first.values()), "the copy must fail some tests"
