"""Regrades that say what changed: keys that follow the hidden tests, the reason of each regrade, earlier results
kept in history/, and the change report (terminal, changes.csv, summary.html) on the toy course."""

import csv
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from autograder import assignments, stamp
from autograder.batch import changes, entries, run_batch
from autograder.cli import main

FAST = '{"kind": "cpu", "factor": 0.5}'
REFERENCE = "def add(a, b):\n    return a + b\n\ndef slow():\n    return 1\n"
WRONG = "def add(a, b):\n    return a + b + 1\n\ndef slow():\n    return 1\n"
STUB = "def add(a, b):\n    raise NotImplementedError()\n"


def folder(root, name, source):
    path = Path(root) / name / "lib" / "ops.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    return path.parent.parent


def stored(out, student):
    return json.loads((Path(out) / "results" / f"{student}.json").read_text())


def csv_rows(out):
    with open(Path(out) / "changes.csv", newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def history(out, student):
    return sorted(p.name for p in (Path(out) / "history" / student).glob("*.json"))


def edit_hidden_tests(course, old, new):
    hidden = course / "tests" / "hidden" / "toy" / "test_toy.py"
    assert old in hidden.read_text()
    hidden.write_text(hidden.read_text().replace(old, new))


def in_process_grader(todo, *, assignment, on_result, **_):
    """Stands in for the local pool: 3 points for a submission that adds right, no sandbox, no judge process."""
    release = stamp.stamp(assignment)
    for entry in todo:
        good = "return a + b\n" in (Path(entry.path) / "lib" / "ops.py").read_text()
        test = {"name": "test_add", "score": 3.0 if good else 0.0, "max_score": 3.0, "output": "",
                "status": "passed" if good else "failed"}
        on_result(entry, {"score": test["score"], "max_score": 3.0, "output": "", "tests": [test],
                          "extra_data": {"release": release, "batch": {
                              "student": entry.student, "key": entry.key, "error": None, "retry": False,
                              "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}}})


def test_key_follows_the_hidden_tests_and_a_bundle_reads_release_json(toy_course, tmp_path):
    toy = assignments.find("t1")
    sub = folder(tmp_path, "alice", REFERENCE)
    key = entries.entry_key(sub, toy)
    edit_hidden_tests(toy_course, "threshold=6", "threshold=3.0")
    assert entries.entry_key(sub, toy) != key
    # A Gradescope bundle has no solutions/: the stamp (and so the key) comes from its release.json.
    (toy_course / stamp.RELEASE_FILE).write_text(json.dumps({"t1": {"assignment": "t1", "version": "1",
                                                                    "content": "feedc0de"}}))
    bundled = entries.entry_key(sub, toy)
    edit_hidden_tests(toy_course, "threshold=3.0", "threshold=4.0")
    assert entries.entry_key(sub, toy) == bundled
    assert bundled == entries.entry_key(sub, toy, {"content": "feedc0de"})


def test_regrade_reason_says_what_moved(toy_course, tmp_path):
    toy = assignments.find("t1")
    release = stamp.stamp(toy)
    digest = stamp.content_digest(folder(tmp_path, "alice", REFERENCE))
    key = entries.entry_key(None, toy, release, digest)

    def result(**batch):
        earlier = batch.pop("release", release)
        return {"extra_data": {"release": earlier, "batch": {"key": key, "digest": digest, **batch}}}

    def reason(data):
        return entries.regrade_reason(data, key, digest, toy, release)

    assert reason(None) == "new" and reason(["not", "a", "result"]) == "new"
    assert reason(result()) is None
    assert reason(result(retry=True)) == "retry"
    assert reason(result(key="old", digest="other")) == "submission"
    assert reason(result(key="old", release={**release, "content": "fixed"})) == "hidden tests"
    assert reason(result(key="old", release={**release, "version": "0", "content": "x"})) == "release"
    assert reason(result(key="old", digest="other", release={**release, "content": "x"})) == "submission, hidden tests"
    # Stored before results had a digest: its old-style key (content, name, version) tells the submission apart.
    legacy = entries._legacy_key(digest, toy, release["version"])
    assert reason({"extra_data": {"release": release, "batch": {"key": legacy}}}) is None
    assert reason({"extra_data": {"release": {**release, "content": "x"}, "batch": {"key": legacy}}}) == "hidden tests"
    assert reason({"extra_data": {"release": release, "batch": {"key": "another"}}}) == "submission"


def test_report_keeps_the_earlier_result_and_writes_csv_lines_and_html(tmp_path):
    out = tmp_path / "out"
    student = "=<b>eve"   # a student id is a file name: the CSV and the page must not run or render it

    def result(scores, graded_at):
        tests = [{"name": name, "score": s, "max_score": m, "status": status} for name, (s, m, status) in scores.items()]
        return {"score": sum(t["score"] for t in tests), "max_score": sum(t["max_score"] for t in tests), "tests": tests,
                "extra_data": {"batch": {"key": "abcdef0123", "graded_at": graded_at}}}

    earlier = result({"test_x": (0, 5, "failed"), "test_y": (2, 2, "passed"), "test_z": (0, 1, "not attempted")},
                     "2026-03-01T10:00:00+00:00")
    (out / "results").mkdir(parents=True)
    (out / "results" / f"{student}.json").write_text(json.dumps(earlier))
    report = changes.Report(out, ["zoe", "bob"])
    now = result({"test_x": (5, 5, "passed"), "test_y": (2, 3, "partial"), "test_z": (0, 1, "failed")},
                 "2026-03-02T10:00:00+00:00")
    report.record(entries.Entry(student, tmp_path / student, "k2", "hidden tests", "d2"), now)
    report.record(entries.Entry("dan", tmp_path / "dan", "k3", "new", "d3"), result({"test_x": (5, 5, "passed")}, ""))
    lines = report.write()

    assert history(out, student) == ["001-20260301T100000Z-abcdef01.json"]
    assert json.loads((out / "history" / student / history(out, student)[0]).read_text()) == earlier
    assert now["extra_data"]["batch"]["reason"] == "hidden tests" and now["extra_data"]["batch"]["digest"] == "d2"
    assert lines[0] == f"changes: 1 regraded (hidden tests 1), 1 new, 2 not regraded; details in {out / 'changes.csv'}"
    assert lines[1:] == ["1 result(s) changed:",
                         f"  {student} 2 -> 7 (test_x: 0->5; test_y: 2/2->2/3; test_z: not attempted->failed)",
                         "new: dan"]
    rows = csv_rows(out)
    assert rows["'" + student] == {"student": "'" + student, "old score": "2", "new score": "7", "delta": "+5",
                                   "tests changed": "test_x: 0->5, failed->passed; test_y: 2/2->2/3, passed->partial; "
                                                    "test_z: 0->0, not attempted->failed",
                                   "reason": "hidden tests"}
    assert rows["dan"]["old score"] == "" and rows["dan"]["reason"] == "new"
    section = changes.html_section(out)
    assert "<h2>Changes in the last regrade</h2>" in section and "<b>eve" not in section
    assert "=&lt;b&gt;eve" in section and f'href="history/{student[:1]}' in section


def test_terminal_lines_stay_short_for_a_big_class():
    rows = [{"student": f"s{i:02d}", "reason": "hidden tests", "earlier": None, "old_score": 50.0,
             "new_score": 50.0 + i, "max_score": 100.0, "old_graded": True, "new_graded": True,
             "tests": [[f"test_{j}", [0, 5, "failed"], [5, 5, "passed"]] for j in range(i % 6)]} for i in range(1, 41)]
    rows += [{**rows[0], "student": f"new{i:02d}", "old_score": None} for i in range(30)]
    lines = changes.lines({"rows": rows, "not_regraded": ["x"] * 7}, "changes.csv")
    assert lines[0] == "changes: 40 regraded (hidden tests 40), 30 new, 7 not regraded; details in changes.csv"
    assert lines[1] == "40 result(s) changed:"
    assert [line.split()[0] for line in lines[2:7]] == ["s40", "s39", "s38", "s37", "s36"]   # the biggest moves
    assert lines[2] == "  s40 50 -> 90 (test_0: 0->5; test_1: 0->5; test_2: 0->5; 1 more test(s))"
    assert lines[7] == "  ... and 35 more"
    assert lines[8] == "new: " + ", ".join(f"new{i:02d}" for i in range(10)) + " and 20 more"
    assert len(lines) == 9


def test_batch_regrades_what_moved_keeps_history_and_reports_it(toy_course, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("autograder.batch.run.grade_local", in_process_grader)
    subs, out = tmp_path / "subs", tmp_path / "out"
    for name, source in (("alice", REFERENCE), ("bob", WRONG), ("carol", STUB)):
        folder(subs, name, source)

    def batch(*flags):
        assert main(["batch", "t1", str(subs), "--out", str(out), "--device-profile", FAST, *flags]) == 0
        return capsys.readouterr().out.splitlines()

    first = batch()
    assert first[3:] == [f"changes: 0 regraded, 3 new, 0 not regraded; details in {out / 'changes.csv'}",
                         "new: alice, bob, carol"]
    report = (out / "changes.csv").read_text()
    assert batch()[-1].startswith("no result changed (nothing regraded); changes.csv still describes the run of 20")
    assert (out / "changes.csv").read_text() == report and not (out / "history").exists()

    forced = batch("--force")
    assert forced[3:] == ["changes: 3 regraded (forced 3), 0 new, 0 not regraded; details in "
                          f"{out / 'changes.csv'}", "no result changed"]
    assert {s: r["reason"] for s, r in csv_rows(out).items()} == {"alice": "forced", "bob": "forced", "carol": "forced"}

    (subs / "bob" / "lib" / "ops.py").write_text(REFERENCE)
    assert batch()[3:5] == [f"changes: 1 regraded (submission 1), 0 new, 2 not regraded; details in "
                            f"{out / 'changes.csv'}", "1 result(s) changed:"]
    assert csv_rows(out) == {"bob": {"student": "bob", "old score": "0", "new score": "3", "delta": "+3",
                                     "tests changed": "test_add: 0->3, failed->passed", "reason": "submission"}}

    edit_hidden_tests(toy_course, "threshold=6", "threshold=3.0")
    assert batch()[3] == f"changes: 3 regraded (hidden tests 3), 0 new, 0 not regraded; details in " \
                         f"{out / 'changes.csv'}"
    assert stored(out, "carol")["extra_data"]["batch"]["reason"] == "hidden tests"
    assert batch()[-1].startswith("no result changed (nothing regraded)")

    reasons = {s: [json.loads((out / "history" / s / name).read_text())["extra_data"]["batch"]["reason"]
                   for name in history(out, s)] for s in ("alice", "bob")}
    assert reasons == {"alice": ["new", "forced"], "bob": ["new", "forced", "submission"]}   # names sort in time
    assert sorted(p.name for p in (out / "results").glob("*.json")) == ["alice.json", "bob.json", "carol.json"]
    page = (out / "summary.html").read_text()
    assert "<h2>Changes in the last regrade</h2>" in page and "3 regraded (hidden tests 3)" in page


@pytest.mark.slow
def test_a_fixed_hidden_test_regrades_the_class_and_names_who_moved(toy_course, tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    for name, source in (("alice", REFERENCE), ("bob", WRONG), ("carol", STUB)):
        folder(subs, name, source)
    first = run_batch("t1", subs, out=out, jobs=1, device_profile=FAST, progress=False)
    assert (first.graded, first.skipped) == (3, 0)
    again = run_batch("t1", subs, out=out, jobs=1, device_profile=FAST, progress=False)
    assert (again.graded, again.skipped) == (0, 3) and again.changes[0].startswith("no result changed")

    edit_hidden_tests(toy_course, "threshold=6", "threshold=3.0")   # test_partial: full credit from a sum of 3
    fixed = run_batch("t1", subs, out=out, jobs=1, device_profile=FAST, progress=False)
    assert (fixed.graded, fixed.skipped) == (3, 0)
    assert fixed.changes[1:] == ["2 result(s) changed:", "  alice 5.5 -> 6 (test_partial: 0.5->1)",
                                 "  bob 2.6667 -> 3 (test_partial: 0.6667->1)"]
    assert {s: (r["old score"], r["new score"], r["reason"]) for s, r in csv_rows(out).items()} == {
        "alice": ("5.5", "6", "hidden tests"), "bob": ("2.6667", "3", "hidden tests"),
        "carol": ("0", "0", "hidden tests")}
    assert [len(history(out, s)) for s in ("alice", "bob", "carol")] == [1, 1, 1]
    assert "alice</td><td><a href=\"history/alice/" in (out / "summary.html").read_text()
