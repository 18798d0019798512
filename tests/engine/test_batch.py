"""Batch grading on the toy course: a mixed class, reruns that skip, --force, a killed run, a judge that dies."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder import batch
from autograder.batch import entries

FAST = '{"kind": "cpu", "factor": 0.5}'   # limits: add 2 s, slow 1.25 s, the rest 6 s
REFERENCE = "def add(a, b):\n    return a + b\n\ndef slow():\n    return 1\n"
WRONG = "def add(a, b):\n    return a + b + 1\n\ndef slow():\n    return 1\n"
HANGING = "def add(a, b):\n    while True:\n        pass\n\ndef slow():\n    return 1\n"
CRASHING = "import os\n\ndef add(a, b):\n    os._exit(3)\n\ndef slow():\n    return 1\n"
STUB = "def add(a, b):\n    raise NotImplementedError()\n"
# Reads the other submissions and the results: a worker must see neither (both folders are hidden from it).
SPY = '''import os

def add(a, b):
    return a + b

def slow():
    return 1 if not os.path.exists({subs!r}) and not os.path.exists({results!r}) else 0
'''


def folder(root, name, source):
    path = Path(root) / name / "lib" / "ops.py"
    path.parent.mkdir(parents=True)
    path.write_text(source)
    return path.parent.parent


def zipped(root, name, members):
    with zipfile.ZipFile(Path(root) / name, "w") as archive:
        for member, text in members.items():
            archive.writestr(member, text)


def read_rows(out):
    with open(Path(out) / "grades.csv", newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def stored(out, student):
    return json.loads((Path(out) / "results" / f"{student}.json").read_text())


def mtimes(out):
    return {p.name: p.stat().st_mtime_ns for p in (Path(out) / "results").glob("*.json")}


@pytest.fixture
def mixed_class(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    out = tmp_path / "out"
    folder(subs, "alice", REFERENCE)
    folder(subs, "bob", WRONG)
    folder(subs, "carol", STUB)
    folder(subs, "dan", HANGING)
    folder(subs, "erin", CRASHING)
    (subs / "frank.py").write_text(REFERENCE)                         # a single file, named by student id
    zipped(subs, "gina.zip", {"gina/README.txt": "I forgot the code"})  # a zip missing the file
    (subs / "hal.zip").write_text("not a zip at all")                   # an unreadable zip
    folder(subs, "mallory", SPY.format(subs=str(subs), results=str(out / "results")))
    (subs / ".DS_Store").write_text("")                                 # hidden entries are not submissions
    return subs, out


@pytest.mark.slow
def test_mixed_class_gives_the_right_gradebook_and_a_rerun_skips_it(toy_course, mixed_class):
    subs, out = mixed_class
    summary = batch.run_batch("t1", subs, out=out, jobs=2, device_profile=FAST)
    assert (summary.graded, summary.failed, summary.skipped) == (8, 1, 0)
    rows = read_rows(out)
    assert sorted(rows) == ["alice", "bob", "carol", "dan", "erin", "frank", "gina", "hal", "mallory"]
    totals = {s: float(r["total"]) for s, r in rows.items()}
    assert totals == pytest.approx({"alice": 5.5, "bob": 2.6667, "carol": 0, "dan": 2, "erin": 2, "frank": 5.5,
                                    "gina": 0, "hal": 0, "mallory": 5.5})
    assert {r["max"] for r in rows.values()} == {"7"}
    assert rows["bob"]["test_partial"] == "0.6667" and rows["bob"]["test_add_values"] == "0"
    assert rows["hal"]["note"] == "hal.zip is not a readable zip file" and rows["hal"]["test_add_values"] == ""
    assert "lib/ops.py is missing from the submission" in rows["gina"]["note"]

    tests = {s: {t["name"]: t for t in stored(out, s)["tests"]} for s in rows if s != "hal"}
    assert "time limit of 2.0 s exceeded" in tests["dan"]["test_add_values"]["output"]
    assert "exited with status 3" in tests["erin"]["test_add_values"]["output"]
    assert tests["carol"]["test_add_values"]["extra_data"]["status"] == "not attempted"
    protections = stored(out, "mallory")["extra_data"]["protections"]
    if protections.get("filesystem") == "allowlist":  # the other students' code and the results are out of reach
        assert not any(str(subs.resolve()).startswith(r) or str(out.resolve()).startswith(r)
                       for r in protections["roots"])
        assert tests["mallory"]["test_slow_within_budget"]["score"] == 2

    feedback = (out / "feedback" / "alice.txt").read_text()
    assert "Score: 5.5 / 7" in feedback and "[passed] 3/3  test_add_values" in feedback
    assert "test_bare_assert_hides_expected" not in feedback   # visibility after_published: not shown yet
    assert "could not be graded" in (out / "feedback" / "hal.txt").read_text()
    assert (out / "summary.html").read_text().count("data:image/png;base64,") == 2

    before = mtimes(out)
    again = batch.run_batch("t1", subs, out=out, jobs=2, device_profile=FAST)
    assert (again.graded, again.failed, again.skipped) == (0, 0, 9)
    assert mtimes(out) == before
    assert read_rows(out) == rows


@pytest.mark.slow
def test_force_regrades_and_a_changed_submission_is_regraded(toy_course, tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    folder(subs, "carol", STUB)
    zipped(subs, "gina.zip", {"README.txt": "nothing"})
    first = batch.run_batch("t1", subs, out=out, jobs=2, device_profile=FAST)
    assert (first.graded, first.skipped) == (2, 0)
    key = stored(out, "carol")["extra_data"]["batch"]["key"]
    (subs / "carol" / "lib" / "ops.py").write_text(REFERENCE)
    changed = batch.run_batch("t1", subs, out=out, jobs=2, device_profile=FAST)
    assert (changed.graded, changed.skipped) == (1, 1)
    assert stored(out, "carol")["extra_data"]["batch"]["key"] != key
    assert float(read_rows(out)["carol"]["total"]) == 5.5
    before = mtimes(out)
    forced = batch.run_batch("t1", subs, out=out, jobs=2, device_profile=FAST, force=True)
    assert (forced.graded, forced.skipped) == (2, 0)
    assert all(mtimes(out)[name] > before[name] for name in before)


def test_key_follows_content_and_assignment_version(toy_course, tmp_path):
    from autograder import assignments
    toy = assignments.find("t1")
    a, b = folder(tmp_path, "a", REFERENCE), folder(tmp_path, "b", REFERENCE)
    assert entries.entry_key(a, toy) == entries.entry_key(b, toy)
    (b / "notes.txt").write_text("more")
    assert entries.entry_key(a, toy) != entries.entry_key(b, toy)
    toy.version = "2"
    assert entries.entry_key(a, toy) != entries.entry_key(folder(tmp_path, "c", REFERENCE), assignments.find("t1"))


def test_two_entries_for_one_student_are_refused(tmp_path):
    folder(tmp_path, "alice", REFERENCE)
    (tmp_path / "alice.zip").write_bytes(b"")
    with pytest.raises(batch.BatchError, match="alice and alice.zip"):
        entries.discover(tmp_path)


def dying_judge(assignment_id, path, student, key, device, device_profile):
    """Stands in for batch.judge in a spawned judge process: dies on 'boom', grades nothing otherwise."""
    if student == "boom":
        os._exit(9)
    return {"score": 1.0, "max_score": 1.0, "tests": [], "output": "",
            "extra_data": {"batch": {"student": student, "key": key, "error": None, "pid": os.getpid()}}}


def test_a_judge_that_dies_fails_only_its_submission(toy_course, tmp_path):
    from autograder import assignments
    todo = [entries.Entry(s, tmp_path / s, f"key-{s}") for s in ("first", "boom", "last")]
    seen = {}
    batch.grade_local(todo, assignment=assignments.find("t1"), jobs=1, device="cpu", device_profile=None, env={},
                      gpus=[], on_result=lambda entry, data: seen.setdefault(entry.student, data),
                      judge_fn=dying_judge)
    assert list(seen) == ["first", "boom", "last"]
    assert seen["boom"]["score"] == 0
    assert "the grading process died while grading this submission" in seen["boom"]["output"]
    assert seen["boom"]["extra_data"]["batch"]["retry"] is True
    assert seen["last"]["score"] == 1.0
    assert seen["last"]["extra_data"]["batch"]["pid"] != seen["first"]["extra_data"]["batch"]["pid"]


@pytest.mark.slow
def test_a_killed_batch_resumes_without_regrading(toy_course, tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    for name in ("ann", "ben", "cat", "dov", "eve"):
        folder(subs, name, REFERENCE)
    command = [sys.executable, "-m", "autograder.cli", "batch", "t1", str(subs), "--out", str(out), "--jobs", "1",
               "--device-profile", FAST]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list((out / "results").glob("*.json")) and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.05)
    os.killpg(first.pid, signal.SIGKILL)   # the driver and its judge, mid-batch
    first.wait()
    done = mtimes(out)
    assert 1 <= len(done) < 5, "the batch should have been killed halfway"
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"graded {5 - len(done)}, skipped {len(done)} (already graded), failed to grade 0" in rerun.stdout
    after = mtimes(out)
    assert {name: after[name] for name in done} == done
    assert sorted(read_rows(out)) == ["ann", "ben", "cat", "dov", "eve"]
    assert {float(r["total"]) for r in read_rows(out).values()} == {5.5}


def test_cli_batch_reports_a_missing_folder_in_one_sentence(toy_course, tmp_path):
    out = subprocess.run([sys.executable, "-m", "autograder.cli", "batch", "t1", str(tmp_path / "nope")],
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [f"autograder: {tmp_path / 'nope'} is not a folder of submissions "
                                               f"(one folder, zip or .py file per student)"]
