"""A class of assignment-1 submissions graded in one command: a correct gradebook, and a batch
killed halfway that finishes on rerun without regrading what was done."""

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile

import pytest

from autograder import assignments
from harness import mutated_copy

from a1_mutants import MUTANTS

A1 = assignments.find("a1")
HANG = ("\ndef _hang(self, X):\n    import time\n    time.sleep(1000)\n\n"
        "KNearestNeighbor.compute_distances_two_loops = _hang\n")


def build_class(root):
    """20 entries: references, stubs, plausible mistakes, and the broken ones a real class hands in."""
    root.mkdir()
    for i in range(4):
        shutil.copytree(A1.solution, root / f"ref{i:02d}", ignore=shutil.ignore_patterns("tests", "__pycache__"))
    for i in range(2):
        shutil.copytree(A1.folder, root / f"stub{i}", ignore=shutil.ignore_patterns("tests", "__pycache__"))
    for m in MUTANTS[:8]:
        mutated_copy(A1, {m.file: m.apply}, root / f"mut-{m.name}")
    mutated_copy(A1, {"classifiers/k_nearest_neighbor.py": lambda t: t + HANG}, root / "hanging")
    mutated_copy(A1, {"classifiers/neural_net.py": lambda t: "import os\nos._exit(3)\n" + t}, root / "crashing")
    mutated_copy(A1, {"classifiers/softmax.py": lambda t: t.replace("def softmax_loss_naive(", "def (", 1)},
                 root / "syntax")
    with zipfile.ZipFile(root / "missing.zip", "w") as z:
        for path in A1.solution.glob("classifiers/*.py"):
            if path.name != "softmax.py":
                z.write(path, f"missing/classifiers/{path.name}")
    (root / "garbage.zip").write_bytes(b"this is not a zip")
    shutil.copyfile(A1.solution / "classifiers" / "linear_svm.py", root / "linear_svm.py")
    return sorted(p.name.removesuffix(".zip").removesuffix(".py") for p in root.iterdir())


def batch_command(subs, out):
    return [sys.executable, "-m", "autograder.cli", "batch", "a1", str(subs), "--jobs", "2", "--out", str(out)]


def read_grades(out):
    with open(out / "grades.csv") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """The class, graded once after a run that was killed halfway."""
    root = tmp_path_factory.mktemp("class")
    students = build_class(root / "subs")
    out = root / "out"
    first = subprocess.Popen(batch_command(root / "subs", out), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 600
    while len(list((out / "results").glob("*.json"))) < 6 and time.monotonic() < deadline:
        time.sleep(0.5)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    done_before = {p.name: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}
    rerun = subprocess.run(batch_command(root / "subs", out), capture_output=True, text=True, timeout=900)
    return students, out, done_before, rerun


@pytest.mark.slow
def test_killed_batch_resumes_without_regrading(graded_class):
    students, out, done_before, rerun = graded_class
    assert rerun.returncode == 0, rerun.stderr
    assert 6 <= len(done_before) < len(students)
    assert f"skipped {len(done_before)} (already graded)" in rerun.stdout
    for name, mtime in done_before.items():
        assert (out / "results" / name).stat().st_mtime_ns == mtime, f"{name} was regraded"
    assert sorted(read_grades(out)) == students


@pytest.mark.slow
def test_gradebook_scores_each_kind_of_submission(graded_class):
    students, out, _, _ = graded_class
    grades = read_grades(out)
    total = {s: float(row["total"]) for s, row in grades.items()}
    assert len(students) >= 20
    for s in students:
        if s.startswith("ref"):
            assert total[s] == 100, s
        elif s.startswith("stub") or s == "garbage":
            assert total[s] == 0, s
        else:
            assert 0 < total[s] < 100, f"{s} scored {total[s]}"
    assert "not a readable zip" in grades["garbage"]["note"]
    assert "classifiers/softmax.py is missing" in (out / "feedback" / "missing.txt").read_text()
    assert "time limit" in (out / "feedback" / "hanging.txt").read_text()
    assert (out / "summary.html").read_text().count("<img") >= 2
