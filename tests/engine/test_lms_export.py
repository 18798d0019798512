"""`autograder export canvas|moodle`: the final (late-adjusted) scores of stored results into an LMS's import file,
every other row kept as read, and who is missing on either side."""

import csv
import io
import json
from pathlib import Path

import pytest

from autograder import cli

HEADER = "Student,ID,SIS User ID,SIS Login ID,Section,A1 (12345),A2 (12346),Current Score\r\n"
HIDDEN = ",,,,,Manual Posting,,\r\n"
POINTS = "    Points Possible,,,,,5.5,10.00,(read only)\r\n"
ANN = '"Lee, Ann",101,1001,ann@uni.edu,LEC 01,,8.00,80\r\n'
BEN = '"Roe, Ben",102,1002,ben@uni.edu,LEC 01,3.00,9.50,95\r\n'
CID = '"Poe, Cid",103,1003,cid@uni.edu,"LEC 01 and LAB 2",,7.00,70\r\n'
TEST_STUDENT = '"Student, Test",104,,,LEC 01,,,\r\n'
CANVAS = "\ufeff" + HEADER + HIDDEN + POINTS + ANN + BEN + CID + TEST_STUDENT   # as Canvas writes it, BOM included
POLICY = '[late]\ndue = "2026-12-01T23:59:00+01:00"\npenalty_per_day = 0.1\n'


@pytest.fixture
def out(tmp_path, monkeypatch):
    """A batch's output folder: three graded students (ben two days late) and one the engine failed to grade."""
    monkeypatch.setenv("AUTOGRADER_ROOT", str(tmp_path))
    (tmp_path / "course.toml").write_text(POLICY)
    out = tmp_path / "out"
    (out / "results").mkdir(parents=True)
    for student, score in {"ann@uni.edu": 5.5, "ben@uni.edu": 5.5, "zed@uni.edu": 2.0}.items():
        (out / "results" / f"{student}.json").write_text(json.dumps(
            {"score": score, "max_score": 5.5, "tests": [], "extra_data": {"batch": {"error": None}}}))
    (out / "results" / "eve@uni.edu.json").write_text(json.dumps(
        {"score": 0, "max_score": 0, "tests": [], "output": "the judge died",
         "extra_data": {"batch": {"error": "the judge died", "retry": True}}}))
    (out / "submission_times.csv").write_text("student,submitted_at,source\nann@uni.edu,2026-12-01T20:00:00+00:00,csv\n"
                                              "ben@uni.edu,2026-12-03T10:00:00+00:00,csv\n")
    return out


def export(capsys, *args):
    code = cli.main(["export", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out.strip().splitlines(), captured.err.strip()


def test_canvas_column_is_filled_with_final_scores_and_every_other_byte_kept(out, tmp_path, capsys):
    source, filled = tmp_path / "canvas.csv", tmp_path / "filled.csv"
    source.write_bytes(CANVAS.encode())
    code, lines, err = export(capsys, "canvas", out, "--gradebook", source, "--column", "A1 (12345)", "--to", filled)
    assert code == 0, err
    text = filled.read_bytes().decode()
    assert text.startswith("\ufeff" + HEADER + HIDDEN + POINTS)   # the header, posting and points rows as read
    assert text.endswith(CID + TEST_STUDENT)                        # untouched rows byte for byte
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[3][5] == "5.5" and rows[3][6] == "8.00"
    assert rows[4][5] == "4.4" and rows[4][6] == "9.50"   # ben: 5.5, two started days late at 10 % a day
    assert "\r\n" in text and "\n\n" not in text.replace("\r\n", "")
    assert lines == [f"wrote {filled}: 2 grade(s) in 'A1 (12345)'",
                     "1 student in the LMS has no grade: cid@uni.edu; 1 graded student is not in the LMS: zed@uni.edu; "
                     "1 student not graded (an engine failure: rerun the batch): eve@uni.edu"]
    assert json.loads((out / "results" / "ben@uni.edu.json").read_text())["score"] == 5.5   # the raw score stays

    (tmp_path / "course.toml").write_text(POLICY.replace("0.1", "0.25"))   # a changed policy, no regrading
    code, lines, err = export(capsys, "canvas", out, "--gradebook", source, "--column", "A1", "--to", filled)
    assert code == 0, err
    assert list(csv.reader(io.StringIO(filled.read_text(encoding="utf-8-sig"))))[4][5] == "2.75"
    assert "2.75" in (out / "grades.csv").read_text()   # the gradebook was rebuilt with it


def test_canvas_match_by_email_user_part_in_a_semicolon_export(out, tmp_path, capsys):
    for path in (out / "results").glob("*.json"):   # nbgrader's ids: user names
        path.rename(path.with_name(path.name.replace("@uni.edu", "")))
    (out / "submission_times.csv").unlink()
    source = tmp_path / "canvas.csv"
    source.write_text(HEADER.replace(",", ";") + POINTS.replace("5.5", "5,50").replace(",", ";")
                      .replace("5;50", '"5,50"') + ANN.replace(",", ";").replace("Lee; Ann", "Lee, Ann"))
    code, lines, err = export(capsys, "canvas", out, "--gradebook", source, "--column", "A1 (12345)",
                              "--match", "email", "--to", tmp_path / "filled.csv")
    assert code == 0, err
    assert (tmp_path / "filled.csv").read_text().splitlines()[-1].split(";")[5] == "5,5"   # Canvas's decimal comma
    assert lines[1].startswith("2 graded students are not in the LMS: ben, zed")


def test_canvas_match_by_sis_user_id(out, tmp_path, capsys):
    (out / "results" / "ben@uni.edu.json").rename(out / "results" / "1002.json")   # Gradescope's sid
    (tmp_path / "canvas.csv").write_bytes(CANVAS.encode())
    code, lines, err = export(capsys, "canvas", out, "--gradebook", tmp_path / "canvas.csv", "--column", "A1 (12345)",
                              "--match", "sis_id", "--to", tmp_path / "filled.csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO((tmp_path / "filled.csv").read_text(encoding="utf-8-sig"))))
    assert [row[5] for row in rows[3:]] == ["", "5.5", "", ""]   # 1002 has no submission time: no penalty
    assert lines[1].startswith("2 students in the LMS have no grade: 1001, 1003; 2 graded students are not in the "
                               "LMS: ann@uni.edu, zed@uni.edu")


def test_canvas_bad_input_is_one_sentence_with_exit_2(out, tmp_path, capsys):
    source = tmp_path / "canvas.csv"
    source.write_bytes(CANVAS.encode())
    code, _, err = export(capsys, "canvas", out, "--gradebook", source, "--column", "A9", "--to", tmp_path / "x.csv")
    assert code == 2 and err == "autograder: the Canvas gradebook has no assignment column 'A9' (its columns: " \
                                "Student, ID, SIS User ID, SIS Login ID, Section, A1 (12345), A2 (12346), Current Score)"
    code, _, err = export(capsys, "canvas", tmp_path / "empty", "--gradebook", source, "--column", "A1",
                          "--to", tmp_path / "x.csv")
    assert code == 2 and err == f"autograder: {tmp_path / 'empty'} has no grades (no results/*.json in it): run " \
                                f"`autograder batch` there first"
    code, _, err = export(capsys, "canvas", out, "--gradebook", source, "--column", "A1", "--to", source)
    assert code == 2 and "is the Canvas export itself" in err and source.read_bytes() == CANVAS.encode()
    assert not (tmp_path / "x.csv").exists()


def test_moodle_csv_has_an_identifier_and_a_grade_column_and_reports_the_missing(out, tmp_path, capsys):
    roster = tmp_path / "moodle.csv"
    roster.write_text("First name,Last name,ID number,Email address,A1 (Real)\n"
                      "Ann,Lee,1001,ann@uni.edu,-\nCid,Poe,1003,cid@uni.edu,-\nBen,Roe,1002,BEN@uni.edu,-\n")
    code, lines, err = export(capsys, "moodle", out, "--to", tmp_path / "grades.csv", "--column", "A1",
                              "--gradebook", roster)
    assert code == 0, err
    assert (tmp_path / "grades.csv").read_text() == \
        "Email address,A1\nann@uni.edu,5.5\nben@uni.edu,4.4\nzed@uni.edu,2\n"
    assert lines == [f"wrote {tmp_path / 'grades.csv'}: 3 grade(s) in 'A1', students identified by email address",
                     "1 student in the LMS has no grade: cid@uni.edu; 1 graded student is not in the LMS: zed@uni.edu; "
                     "1 student not graded (an engine failure: rerun the batch): eve@uni.edu"]


def test_moodle_email_identifier_refuses_ids_that_are_not_emails(out, tmp_path, capsys):
    (out / "results" / "zed@uni.edu.json").rename(out / "results" / "zed.json")
    code, _, err = export(capsys, "moodle", out, "--to", tmp_path / "grades.csv")
    assert code == 2 and err == "autograder: 1 student id(s) of the batch are not email addresses (zed): export with " \
                                "--identifier username or idnumber"
    code, lines, err = export(capsys, "moodle", out, "--to", tmp_path / "grades.csv", "--identifier", "username")
    assert code == 0 and (tmp_path / "grades.csv").read_text().splitlines()[0] == "Username,grade"
    assert "eve@uni.edu" in lines[-1] and lines[-1].endswith("students missing in Moodle were not checked")
    assert Path(tmp_path / "grades.csv").read_text().splitlines()[-1] == "zed,2"
