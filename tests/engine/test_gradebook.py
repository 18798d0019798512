"""The gradebook from stored results: grades.csv, feedback a student can read, an HTML summary that escapes."""

import base64
import csv
import json
from pathlib import Path

from autograder.course import gradebook


def test_result(name, score, max_score, status, output="", visibility="visible"):
    return {"name": name, "score": score, "max_score": max_score, "output": output, "visibility": visibility,
            "status": "passed" if status == "passed" else "failed", "extra_data": {"status": status}}


test_result.__test__ = False   # a helper, not a test


def graded(score_a, score_b, output=""):
    return {"score": score_a + score_b, "max_score": 5, "output": output,
            "tests": [test_result("test_a", score_a, 3, "passed" if score_a == 3 else "failed", "a message"),
                      test_result("test_b", score_b, 2, "partial" if 0 < score_b < 2 else "failed",
                                  "hidden detail", visibility="after_due_date")],
            "extra_data": {"assignment": "a9_demo", "version": "2", "batch": {"key": "k", "error": None}}}


def failed(message):
    return {"score": 0, "max_score": 0, "output": message, "tests": [],
            "extra_data": {"assignment": "a9_demo", "version": "2", "batch": {"key": "k", "error": message}}}


def store(out, results):
    for student, data in results.items():
        path = Path(out) / "results" / f"{student}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))


def test_grades_csv_has_a_row_per_student_and_a_column_per_test(tmp_path):
    store(tmp_path, {"ann": graded(3, 1.5, "x.py has a syntax error at line 2"), "ben": graded(0, 2),
                     "cid": failed("cid.zip is not a readable zip file"), "=HYPERLINK(1)": graded(3, 2)})
    book = gradebook.build(tmp_path)
    with open(tmp_path / "grades.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["student", "total", "max", "test_a", "test_b", "note"]
    body = {r[0]: r[1:] for r in rows[1:]}
    assert body["ann"] == ["4.5", "5", "3", "1.5", "x.py has a syntax error at line 2"]
    assert body["ben"] == ["2", "5", "0", "2", ""]
    assert body["cid"] == ["0", "5", "", "", "cid.zip is not a readable zip file"]   # the class's total as max
    assert body["'=HYPERLINK(1)"][0] == "5"   # a spreadsheet would run a leading '=' as a formula
    assert book.mean_score == (4.5 + 2 + 0 + 5) / 4 and book.max_score == 5


def test_feedback_shows_visible_tests_only_and_why_a_submission_was_not_graded(tmp_path):
    text = gradebook.feedback_text("ann", graded(3, 1.5, "x.py has a syntax error at line 2"))
    assert text.splitlines()[:2] == ["a9_demo (version 2): feedback for ann", "Score: 4.5 / 5"]
    assert "  x.py has a syntax error at line 2" in text
    assert "[passed] 3/3  test_a\n    a message" in text
    assert "test_b" not in text and "hidden detail" not in text
    assert "1 more test(s) not shown" in text
    gone = gradebook.feedback_text("cid", failed("cid.zip is not a readable zip file"))
    assert "could not be graded" in gone and "cid.zip is not a readable zip file" in gone


def test_summary_html_escapes_student_strings_and_embeds_its_figures(tmp_path):
    store(tmp_path, {"<script>alert(1)": graded(3, 2), "ann": failed("<b>bad</b> & worse")})   # ids have no '/' 
    gradebook.build(tmp_path)
    page = (tmp_path / "summary.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)" in page
    assert "<b>bad</b>" not in page and "&lt;b&gt;bad&lt;/b&gt; &amp; worse" in page
    assert 'href="feedback/%3Cscript%3Ealert%281%29.txt"' in page
    images = page.split('src="data:image/png;base64,')[1:]
    assert len(images) == 2
    for image in images:
        assert base64.b64decode(image.split('"')[0]).startswith(b"\x89PNG")
    assert "http" not in page.replace("http-equiv", "")   # nothing to fetch: it opens from the file system
    assert (tmp_path / "feedback" / "<script>alert(1).txt").exists()


def test_an_empty_results_folder_still_gives_a_gradebook(tmp_path):
    book = gradebook.build(tmp_path)
    assert book.rows == [] and (tmp_path / "grades.csv").read_text() == "student,total,max,note\n"
    assert "0 submission(s)" in (tmp_path / "summary.html").read_text()


def with_board(data, **figures):
    """A stored result carrying Gradescope leaderboard entries (mAP: higher is better, the rest lower)."""
    data["leaderboard"] = [{"name": n, "value": v, "order": "desc" if n == "mAP" else "asc"}
                           for n, v in figures.items()]
    return data


def test_leaderboard_ranks_students_by_the_first_entry_in_summary_html_and_csv(tmp_path):
    store(tmp_path, {"ann": with_board(graded(3, 1), mAP=0.41237, params=1234567),
                     "ben": with_board(graded(3, 2), mAP=0.5, params=2000000, latency_ms=8.25),
                     "<i>cid": with_board(graded(0, 2), mAP=0.0412, params=99),
                     "dan": failed("dan.zip is not a readable zip file")})
    gradebook.build(tmp_path)
    with open(tmp_path / "leaderboard.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [["student", "mAP", "params", "latency_ms"], ["ben", "0.5", "2000000", "8.25"],
                    ["ann", "0.41237", "1234567", ""], ["<i>cid", "0.0412", "99", ""], ["dan", "", "", ""]]
    page = (tmp_path / "summary.html").read_text()
    section = page.split("<h2>Leaderboard</h2>")[1]
    assert "Ranked by mAP, highest first." in section
    assert "<tr><th>student</th><th>mAP</th><th>params</th><th>latency_ms</th></tr>" in section
    order = [section.index(s) for s in ("<td>ben</td>", "<td>ann</td>", "<td>&lt;i&gt;cid</td>", "<td>dan</td>")]
    assert order == sorted(order), "students are not ranked by mAP, highest first"
    assert "<td>ann</td><td>0.4124</td><td>1,234,567</td><td></td></tr>" in section
    assert "<td>ben</td><td>0.5</td><td>2,000,000</td><td>8.25</td></tr>" in section
    assert "<i>cid" not in page


def test_leaderboard_ranks_lowest_first_when_the_first_entry_is_asc(tmp_path):
    store(tmp_path, {"ann": with_board(graded(3, 1), latency_ms=20.0), "ben": with_board(graded(3, 2), latency_ms=5.5)})
    gradebook.build(tmp_path)
    assert (tmp_path / "leaderboard.csv").read_text().splitlines() == ["student,latency_ms", "ben,5.5", "ann,20.0"]
    assert "Ranked by latency_ms, lowest first." in (tmp_path / "summary.html").read_text()


def test_no_leaderboard_means_no_section_and_no_csv(tmp_path):
    store(tmp_path, {"ann": graded(3, 1)})
    (tmp_path / "leaderboard.csv").write_text("student,mAP\nold,1\n")   # left from an earlier build
    gradebook.build(tmp_path)
    assert "Leaderboard" not in (tmp_path / "summary.html").read_text()
    assert not (tmp_path / "leaderboard.csv").exists()
