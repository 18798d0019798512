"""`autograder ci`: a Points line, JUnit XML, a job summary in $GITHUB_STEP_SUMMARY, exit 1 below the minimum."""

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograder.course import ci

from autograder import cli

PROFILE = '{"kind": "cpu", "factor": 0.5}'
REFERENCE = "def add(a, b):\n    return a + b\n\ndef slow():\n    return 1\n"
PUBLIC_TEST = '''
def test_add_small(submission):
    assert submission.probe("add", a=1, b=2)["sum"] == 3, "add(1, 2) should be 3"
'''


@pytest.fixture
def work(tmp_path, monkeypatch):
    path = tmp_path / "work" / "lib" / "ops.py"
    path.parent.mkdir(parents=True)
    path.write_text(REFERENCE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ci.SUMMARY_ENV, raising=False)
    return path.parent.parent


def run_ci(*args):
    return cli.main(["ci", "t1", *args, "--device-profile", PROFILE])


def test_points_line_junit_and_job_summary(toy_course, work, tmp_path, monkeypatch, capsys):
    summary = tmp_path / "step_summary.md"
    summary.write_text("earlier steps\n")
    monkeypatch.setenv(ci.SUMMARY_ENV, str(summary))
    assert run_ci(str(work), "--min-score", "70%") == 0
    assert "Points 5.5/7" in capsys.readouterr().out.splitlines()
    text = summary.read_text()
    assert text.startswith("earlier steps\n")                        # appended, not overwritten
    assert "Points 5.5/7 (78.6 %)" in text and "Minimum 70 %: reached." in text
    assert "| test_add_values | 3/3 | passed |" in text
    assert "test_bare_assert_hides_expected" not in text             # not 'visible': folded into one line
    assert "| 1 more test(s) | 0/1 | failed | their details are released later |" in text
    suite = ET.parse(tmp_path / "junit.xml").getroot()
    assert suite.get("tests") == "4" and suite.find("properties/property[@name='score']").get("value") == "5.5"


def test_below_the_minimum_exits_1(toy_course, work, capsys):
    assert run_ci(str(work), "--min-score", "0.9", "--junit", "report.xml") == 1
    captured = capsys.readouterr()
    assert "Points 5.5/7" in captured.out
    assert "78.6 % is below the minimum of 90 %" in captured.err
    assert Path("report.xml").exists()
    assert run_ci(str(work), "--min-score", "0.78") == 0


def test_public_tests_and_a_bad_minimum(toy_course, work, capsys):
    tests = toy_course / "assignments" / "toy" / "tests"
    tests.mkdir()
    (tests / "probes.py").write_text((toy_course / "tests" / "hidden" / "toy" / "probes.py").read_text())
    (tests / "test_public.py").write_text(PUBLIC_TEST)
    assert run_ci(str(work), "--public") == 0
    assert "Points 1/1" in capsys.readouterr().out
    assert run_ci(str(work), "--min-score", "150") == 2
    assert capsys.readouterr().err.strip() == ("autograder: --min-score '150' is neither a fraction from 0 to 1 "
                                               "(0.6) nor a percentage (60%)")


def test_min_score_is_a_fraction_or_a_percentage():
    assert ci.parse_min_score("0.6") == 0.6 and ci.parse_min_score("60%") == 0.6 and ci.parse_min_score("1") == 1
    for bad in ("60", "-0.1", "abc", "101%"):
        with pytest.raises(ci.MinScoreError):
            ci.parse_min_score(bad)


def test_markdown_cells_cannot_break_the_table():
    from autograder.judge.results import Results, TestResult
    results = Results("toy", "1", ".", [TestResult("test_x", 0, 1, "failed", "a | b\n<img src=x onerror=alert(1)>")],
                      1.0)
    row = ci.markdown(results).strip().splitlines()[-1]
    assert row == "| test_x | 0/1 | failed | a &#124; b &lt;img src=x onerror=alert(1)&gt; |"


def test_cli_exit_code_in_a_subprocess(toy_course, work):
    out = subprocess.run([sys.executable, "-m", "autograder.cli", "ci", "t1", str(work), "--min-score", "95%",
                          "--device-profile", PROFILE], capture_output=True, text=True)
    assert out.returncode == 1, out.stderr
    assert "Points 5.5/7" in out.stdout
