"""The late policy: its arithmetic, its checks, the three sources of submission times through `autograder batch`, and
where lateness shows (results.json's extra_data.late, grades.csv, summary.html, feedback)."""

import csv
import json
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from autograder import assignments, cli
from autograder.course import gradebook, late, timestamps

FAST = '{"kind": "cpu", "factor": 0.5}'
REFERENCE = "def add(a, b):\n    return a + b\n\ndef slow():\n    return 1\n"
DUE = datetime(2026, 12, 1, 23, 59, tzinfo=timezone(timedelta(hours=1)))


def course_toml(root, text):
    (Path(root) / "course.toml").write_text(textwrap.dedent(text))


def policy(root, text, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_ROOT", str(root))
    course_toml(root, text)
    return late.policy_for(None)


def after(**delta):
    return DUE + timedelta(**delta)


# ---------------------------------------------------------------- the arithmetic

def test_per_day_penalty_counts_each_started_day_after_the_grace(tmp_path, monkeypatch):
    p = policy(tmp_path, '[late]\ndue = "2026-12-01T23:59:00+01:00"\ngrace_minutes = 15\npenalty_per_day = 0.1\n',
               monkeypatch)
    def penalty(**delta):
        return p.lateness("ann", after(**delta), 10.0)["penalty"]
    assert penalty(hours=-3) == 0.0                      # early
    assert penalty(seconds=0) == 0.0                     # on time
    assert penalty(minutes=15) == 0.0                    # within the grace
    assert penalty(minutes=15, seconds=1) == 0.1         # a started day counts in full
    assert penalty(hours=24) == 0.1
    assert penalty(hours=24, seconds=1) == 0.2           # lateness is counted from the due time, not due + grace
    record = p.lateness("ann", after(days=2, hours=5), 10.0)
    assert record == {"submitted_at": "2026-12-04T03:59:00+00:00", "due": "2026-12-01T23:59:00+01:00",
                      "late_by_s": 2 * 86400 + 5 * 3600, "late": True, "penalty": 0.3, "final": 7.0}
    assert p.lateness("ann", after(minutes=10), 10.0)["late_by_s"] == 600    # recorded, yet within the grace:
    assert p.lateness("ann", after(minutes=10), 10.0)["late"] is False      # on time


def test_per_hour_penalty_and_the_cap(tmp_path, monkeypatch):
    p = policy(tmp_path, '[late]\ndue = 2026-12-01T23:59:00+01:00\npenalty_per_hour = 0.05\ncap = 0.5\n', monkeypatch)
    assert p.lateness("ann", after(minutes=61), 20.0)["penalty"] == 0.1   # 2 started hours
    assert p.lateness("ann", after(hours=9, minutes=59), 20.0)["final"] == 10.0   # 0.5, the cap
    assert p.lateness("ann", after(days=30), 20.0)["penalty"] == 0.5
    whole = policy(tmp_path, '[late]\ndue = 2026-12-01T23:59:00+01:00\npenalty_per_day = 0.4\n', monkeypatch)
    assert whole.lateness("ann", after(days=3), 20.0)["final"] == 0.0   # no cap given: 1.0, down to zero


def test_naive_due_is_read_in_the_policy_timezone_and_extensions_move_it(tmp_path, monkeypatch):
    (tmp_path / "late").mkdir()
    (tmp_path / "late" / "a1.csv").write_text("student,due,hours,days\nben,2026-12-05 12:00,,\ncid,,36,\ndan,,,2\n")
    p = policy(tmp_path, '[late]\ndue = "2026-06-01 23:59"\ntimezone = "Europe/Zurich"\npenalty_per_day = 0.25\n'
                         'extensions = "late/a1.csv"\n', monkeypatch)
    assert p.due.isoformat() == "2026-06-01T23:59:00+02:00"   # summer time in Zurich
    summer_due = p.due
    assert p.lateness("ann", summer_due + timedelta(hours=1), 8.0)["penalty"] == 0.25
    assert p.lateness("ben", datetime(2026, 12, 5, 10, 0, tzinfo=timezone.utc), 8.0)["penalty"] == 0.0   # 11:00 CET
    assert p.lateness("ben", datetime(2026, 12, 5, 11, 30, tzinfo=timezone.utc), 8.0)["penalty"] == 0.25
    assert p.lateness("cid", summer_due + timedelta(hours=35), 8.0)["penalty"] == 0.0
    assert p.lateness("dan", summer_due + timedelta(days=2, hours=1), 8.0)["penalty"] == 0.25


def test_the_assignment_table_overrides_the_course_table_key_by_key(toy_course, monkeypatch):
    course_toml(toy_course, '[late]\ndue = "2026-12-01T23:59:00+00:00"\npenalty_per_day = 0.1\ncap = 0.3\n')
    toml = toy_course / "assignments" / "toy" / "assignment.toml"
    toml.write_text(toml.read_text() + '\n[late]\ndue = "2026-12-08T23:59:00+00:00"\n')
    p = late.policy_for(assignments.find("t1"))
    assert (p.due.day, p.rate, p.cap) == (8, 0.1, 0.3)


@pytest.mark.parametrize("table, words", [
    ('due = "tomorrow"', "[late] due is not a time: 'tomorrow'"),
    ('due = "2026-12-01 23:59"', "[late] due has no offset"),
    ('due = "2026-12-01T23:59:00Z"\ntimezone = "Mars/Olympus"', "[late] timezone 'Mars/Olympus' is not"),
    ('due = "2026-12-01T23:59:00Z"\ngrace_minutes = "ten"', "[late] grace_minutes must be a number"),
    ('due = "2026-12-01T23:59:00Z"\npenalty_per_day = 10', "[late] penalty_per_day must be a fraction"),
    ('due = "2026-12-01T23:59:00Z"\npenalty_per_day = 0.1\npenalty_per_hour = 0.01', "sets both penalty_per_day"),
    ('due = "2026-12-01T23:59:00Z"\ncap = -1', "[late] cap must be a fraction"),
    ('due = "2026-12-01T23:59:00Z"\ngrace = 5', "[late] has an unknown key 'grace'"),
    ('due = "2026-12-01T23:59:00Z"\nextensions = "nope.csv"', "[late] extensions names 'nope.csv'"),
])
def test_a_bad_value_is_one_sentence_naming_the_file_and_the_key(tmp_path, monkeypatch, table, words):
    with pytest.raises(late.LateError) as caught:
        policy(tmp_path, "[late]\n" + table + "\n", monkeypatch)
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "course.toml")) and words in message and "\n" not in message, message


def test_a_bad_extension_row_names_its_line(tmp_path, monkeypatch):
    (tmp_path / "ext.csv").write_text("student,hours,days\nann,5,\nben,1,2\n")
    with pytest.raises(late.LateError, match=r"ext.csv line 3: give a student once, with exactly one of"):
        policy(tmp_path, '[late]\ndue = "2026-12-01T23:59:00Z"\nextensions = "ext.csv"\n', monkeypatch)


# ---------------------------------------------------------------- reading submission times

@pytest.mark.parametrize("text, expected", [
    ("2026-12-01 10:00:00.123456 UTC", "2026-12-01T10:00:00.123456+00:00"),   # nbgrader's own format
    ("2026-12-01 10:00:00.123456 CET", "2026-12-01T09:00:00.123456+00:00"),
    ("2026-06-01 10:00:00 CEST", "2026-06-01T08:00:00+00:00"),   # an abbreviation of the policy's zone
    ("2026-12-01 10:00:00 +0100", "2026-12-01T09:00:00+00:00"),   # nbgrader's parse_utc reads +0100 as 100 s
    ("2026-12-01T10:00:00Z", "2026-12-01T10:00:00+00:00"),
    ("2022-09-10 23:47:27.018556000 -07:00", "2022-09-11T06:47:27.018556+00:00"),   # Gradescope's, nanoseconds
    ("2026-12-01 11:00", "2026-12-01T10:00:00+00:00"),   # no zone: the policy's
])
def test_submission_times_are_read_as_nbgrader_gradescope_and_iso_write_them(text, expected):
    zurich = late.ZoneInfo("Europe/Zurich")
    assert timestamps.iso_utc(timestamps.parse_time(text, zurich)) == expected


def test_a_time_that_cannot_be_read_is_one_sentence():
    with pytest.raises(late.LateError, match=r"^times.csv line 2 is not a time: '2026-13-45 10:00 XYZ'"):
        timestamps.parse_time("2026-13-45 10:00 XYZ", None, "times.csv line 2")
    with pytest.raises(late.LateError, match="has no offset"):
        timestamps.parse_time("2026-12-01 10:00", None, "times.csv line 2")


# ---------------------------------------------------------------- end to end through `autograder batch`

def toy_class(root, names):
    for name in names:
        path = Path(root) / name / "lib" / "ops.py"
        path.parent.mkdir(parents=True)
        path.write_text(REFERENCE)
    return Path(root)


def batch(capsys, *args):
    code = cli.main(["batch", "t1", *map(str, args), "--jobs", "1", "--device-profile", FAST])
    captured = capsys.readouterr()
    assert code == 0, captured.err[-2000:]
    return captured.out


def grades(out):
    with open(Path(out) / "grades.csv", newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def stored(out, student):
    return json.loads((Path(out) / "results" / f"{student}.json").read_text())


POLICY = '[late]\ndue = "2026-12-01T23:59:00+01:00"\npenalty_per_day = 0.1\ncap = 0.5\n'


@pytest.mark.slow
def test_csv_times_give_a_penalty_that_a_policy_change_updates_without_regrading(toy_course, tmp_path, capsys):
    course_toml(toy_course, POLICY)
    subs, out = toy_class(tmp_path / "subs", ["ann", "ben", "cid"]), tmp_path / "out"
    times = tmp_path / "times.csv"
    times.write_text("student,submitted_at\nann,2026-12-01T20:00:00+01:00\nben,2026-12-03T10:00:00+01:00\n")
    printed = batch(capsys, subs, "--out", out, "--timestamps", times)
    assert "late policy: 1 of 3 submission(s) late, penalties 20–20 %; no submission time for 1: cid" in printed
    assert stored(out, "ben")["score"] == 5.5   # the raw score stays
    assert stored(out, "ben")["extra_data"]["late"] == {
        "submitted_at": "2026-12-03T09:00:00+00:00", "due": "2026-12-01T23:59:00+01:00",
        "late_by_s": 122460, "late": True, "penalty": 0.2, "final": 4.4}
    rows = grades(out)
    assert list(rows["ben"])[:6] == ["student", "total", "max", "late_hours", "penalty", "final"]
    assert [rows["ben"][k] for k in ("total", "late_hours", "penalty", "final")] == ["5.5", "34.02", "0.2", "4.4"]
    assert [rows["cid"][k] for k in ("late_hours", "penalty", "final")] == ["", "0", "5.5"]
    page = (out / "summary.html").read_text().split("<h2>Late submissions</h2>")[1]
    assert "<td>ben</td>" in page and "<td>20 %</td>" in page and "<td>ann</td>" not in page
    assert "late penalty 20 %, final score 4.4." in (out / "feedback" / "ben.txt").read_text()

    course_toml(toy_course, POLICY.replace("0.1", "0.25"))   # the policy changes after grading
    mtime = (out / "results" / "ann.json").stat().st_mtime_ns
    printed = batch(capsys, subs, "--out", out)
    assert "graded 0, skipped 3" in printed and "penalties 50–50 %" in printed
    assert grades(out)["ben"]["final"] == "2.75"
    assert (out / "results" / "ann.json").stat().st_mtime_ns == mtime, "an unchanged record rewrote the file"

    (toy_course / "course.toml").unlink()   # no policy: the records go, the columns too
    printed = batch(capsys, subs, "--out", out)
    assert "late" not in stored(out, "ben")["extra_data"] and "final" not in grades(out)["ben"]
    assert "submission times recorded, but no late policy declared" in printed


@pytest.mark.slow
def test_a_gradescope_export_is_graded_under_its_submitters_ids_with_their_times(toy_course, tmp_path, capsys):
    course_toml(toy_course, POLICY)
    export = toy_class(tmp_path / "export", ["submission_101", "submission_102", "submission_103"])
    (export / "submission_metadata.yml").write_text(textwrap.dedent("""\
        ---
        submission_101:
          :submitters:
          - :name: Ann Lee
            :sid: '1001'
            :email: ann@uni.edu
          :created_at: 2026-12-01 21:00:00.123456000 Z
          :score: 5.5
          :status: processed
        submission_102:
          :submitters:
          - :name: Ben Roe
            :sid: ''
            :email: ben@uni.edu
          - :name: Cid Poe
            :sid: '1003'
            :email: cid@uni.edu
          :created_at: 2026-12-04 10:00:00.000000000 -08:00
        submission_103:
          :submitters:
          - :name: Dan Doe
            :sid: '1004'
            :email: dan@uni.edu
          :created_at: 2026-12-02 00:00:00.000000000 +01:00
        """))
    out = tmp_path / "out"
    printed = batch(capsys, export, "--out", out)
    assert sorted(p.stem for p in (out / "results").glob("*.json")) == ["1001", "1003", "1004", "ben@uni.edu"]
    rows = grades(out)
    assert {s: rows[s]["penalty"] for s in rows} == {"1001": "0", "1003": "0.3", "1004": "0.1", "ben@uni.edu": "0.3"}
    assert "late policy: 3 of 4 submission(s) late" in printed
    assert stored(out, "ben@uni.edu")["extra_data"]["late"]["submitted_at"] == "2026-12-04T18:00:00+00:00"


@pytest.mark.slow
def test_nbgrader_timestamp_files_give_the_times(toy_course, tmp_path, capsys):
    course_toml(toy_course, POLICY)
    subs = toy_class(tmp_path / "subs", ["ann", "ben"])
    (subs / "ann" / "timestamp.txt").write_text("2026-12-01 22:00:00.000000 UTC")   # 23:00 in UTC+1: on time
    (subs / "ben" / "timestamp.txt").write_text("2026-12-02 23:30:00.000000 UTC")
    batch(capsys, subs, "--out", tmp_path / "out")
    assert {s: r["penalty"] for s, r in grades(tmp_path / "out").items()} == {"ann": "0", "ben": "0.2"}
    assert timestamps.stored(tmp_path / "out")["ben"][1] == "nbgrader"


def test_a_plain_folder_says_it_has_no_times_and_applies_no_penalty(toy_course, tmp_path):
    course_toml(toy_course, POLICY)
    plain, out = toy_class(tmp_path / "plain", ["cid"]), tmp_path / "out"
    late.record_times(out, plain, [("cid", plain / "cid")], None, assignments.find("t1"))   # what the batch does
    (out / "results").mkdir(parents=True)
    (out / "results" / "cid.json").write_text(json.dumps({"score": 5.5, "max_score": 5.5, "tests": []}))
    assert late.report(out, gradebook.build(out, assignments.find("t1"))) == late.NO_TIMES
    assert grades(out)["cid"]["final"] == "5.5" and stored(out, "cid")["extra_data"]["late"]["penalty"] == 0


def test_bad_times_stop_the_batch_before_grading_in_one_sentence(toy_course, tmp_path, capsys):
    course_toml(toy_course, POLICY)
    subs = toy_class(tmp_path / "subs", ["ann"])
    times = tmp_path / "times.csv"
    times.write_text("student,submitted_at\nann,yesterday\n")
    code = cli.main(["batch", "t1", str(subs), "--out", str(tmp_path / "out"), "--timestamps", str(times)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err == f"autograder: {times} line 2 (ann) is not a time: 'yesterday' (write ISO 8601, " \
                                "e.g. 2026-12-01T23:59:00+01:00)"
    assert not list((tmp_path / "out").glob("results/*.json"))
    course_toml(toy_course, "[late]\ndue = 5\n")
    code = cli.main(["batch", "t1", str(subs), "--out", str(tmp_path / "out")])
    assert code == 2 and capsys.readouterr().err.strip() == \
        f"autograder: {toy_course / 'course.toml'}: [late] due must be a date and time, not 5"


def test_gradebook_without_a_policy_is_unchanged(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_ROOT", str(tmp_path))   # no course.toml there
    result = {"score": 3, "max_score": 5, "tests": [], "extra_data": {"batch": {"error": None}}}
    (tmp_path / "out" / "results").mkdir(parents=True)
    (tmp_path / "out" / "results" / "ann.json").write_text(json.dumps(result))
    gradebook.build(tmp_path / "out")
    assert (tmp_path / "out" / "grades.csv").read_text() == "student,total,max,note\nann,3,5,\n"
    assert json.loads((tmp_path / "out" / "results" / "ann.json").read_text()) == result
