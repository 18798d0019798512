"""Leaderboard figures: the fixture's checks, Gradescope's top-level "leaderboard" key, the terminal line, end to end."""

import io
import json

import numpy as np
import pytest
from rich.console import Console

from autograder.judge.grading import grade
from autograder.judge.plugin import Leaderboard
from autograder.judge.report import print_results
from autograder.judge.results import Results
from autograder.judge.results import TestResult as Result
from autograder.judge.records import TestRecord as Record

CPU = '{"kind": "cpu", "factor": 1.0}'

BOARD_TESTS = '''
import pytest

def test_board_figures(submission, leaderboard):
    leaderboard.add("mAP", float(submission.probe("add", a=0.25, b=0.5)["sum"]))
    leaderboard.add("params", 1234567, order="asc")

@pytest.mark.points(0)
def test_board_latency(leaderboard):
    leaderboard.add("latency_ms", 12.5, order="asc")
    leaderboard.add("params", 7654321, order="asc")   # the later entry of a name wins

def test_board_rejects_nan(leaderboard):
    leaderboard.add("mIoU", float("nan"))
'''


def board():
    return Leaderboard(Record(points=1.0, visibility="visible", budget={}))


def results_with(*boards):
    tests = [Result(f"test_{i}", 1, 1, "passed", leaderboard=list(b)) for i, b in enumerate(boards)]
    return Results("a4_detect", "1", "alice.zip", tests, 1.0)


def test_add_records_a_plain_entry_and_converts_numpy_numbers():
    lb = board()
    lb.add("mAP", np.float32(0.5))
    lb.add("MACs", np.int64(3_000_000), order="asc")
    assert lb.record.leaderboard == [{"name": "mAP", "value": 0.5, "order": "desc"},
                                     {"name": "MACs", "value": 3_000_000, "order": "asc"}]
    assert type(lb.record.leaderboard[0]["value"]) is float and type(lb.record.leaderboard[1]["value"]) is int


@pytest.mark.parametrize("name, value, order, error, match", [
    ("mAP", 0.5, "ascending", ValueError, "order of 'mAP' must be 'asc' or 'desc', got 'ascending'"),
    ("mAP", 0.5, None, ValueError, "must be 'asc' or 'desc'"),
    ("mAP", float("nan"), "desc", ValueError, "value of 'mAP' must be finite, got nan"),
    ("latency", float("inf"), "asc", ValueError, "value of 'latency' must be finite, got inf"),
    ("mAP", "0.5", "desc", TypeError, "value of 'mAP' must be a number, got str"),
    ("mAP", True, "desc", TypeError, "value of 'mAP' must be a number, got bool"),
    ("mAP", None, "desc", TypeError, "must be a number, got NoneType"),
    ("", 0.5, "desc", TypeError, "name must be a non-empty string"),
    (3, 0.5, "desc", TypeError, "name must be a non-empty string, got 3"),
])
def test_add_rejects_bad_entries_and_records_nothing(name, value, order, error, match):
    lb = board()
    with pytest.raises(error, match=match):
        lb.add(name, value, order=order)
    assert lb.record.leaderboard == []


def test_results_json_has_gradescopes_leaderboard_only_when_there_is_one(tmp_path):
    results = results_with([{"name": "mAP", "value": 0.41, "order": "desc"},
                            {"name": "params", "value": 2_000_000, "order": "asc"}],
                           [], [{"name": "mAP", "value": 0.43, "order": "desc"},
                                {"name": "latency_ms", "value": 8.0, "order": "asc"}])
    results.write_json(tmp_path / "results.json")
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["leaderboard"] == [{"name": "mAP", "value": 0.43, "order": "desc"},
                                   {"name": "params", "value": 2_000_000, "order": "asc"},
                                   {"name": "latency_ms", "value": 8.0, "order": "asc"}]
    for entry in data["leaderboard"]:
        assert set(entry) == {"name", "value", "order"} and entry["order"] in ("asc", "desc")
    assert "leaderboard" not in data["tests"][0] and "leaderboard" not in data["tests"][0]["extra_data"]
    assert "leaderboard" not in results_with([], []).gradescope()
    assert "leaderboard" not in Results("a4_detect", "1", "x", [], 0.0).gradescope()


def test_terminal_report_prints_a_leaderboard_line_only_when_there_is_one():
    def printed(results):
        console = Console(file=io.StringIO(), width=200)
        print_results(results, console)
        return console.file.getvalue()
    shown = printed(results_with([{"name": "mAP[50]", "value": 0.41237, "order": "desc"},
                                  {"name": "params", "value": 1234567, "order": "asc"}]))
    assert "leaderboard: mAP[50]=0.4124, params=1,234,567" in shown
    assert "leaderboard" not in printed(results_with([]))


def test_hidden_tests_leaderboard_reaches_results_json(toy_course, make_submission, tmp_path):
    (toy_course / "tests/hidden/toy/test_board.py").write_text(BOARD_TESTS)
    results = grade("t1", make_submission(), device_profile=CPU, select="board")
    by_name = {t.name: t for t in results.tests}
    assert by_name["test_board_figures"].status == "passed"
    assert by_name["test_board_rejects_nan"].status == "failed"
    assert "value of 'mIoU' must be finite, got nan" in by_name["test_board_rejects_nan"].output
    results.write_json(tmp_path / "results.json")
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["leaderboard"] == [{"name": "mAP", "value": 0.75, "order": "desc"},
                                   {"name": "params", "value": 7654321, "order": "asc"},
                                   {"name": "latency_ms", "value": 12.5, "order": "asc"}]
