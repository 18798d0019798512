"""Grading end to end on the toy course: scores, statuses, messages, device-aware limits, isolation of tests."""

import json
import shutil

import pytest

from autograder import assignments
from autograder.judge.grading import grade
from autograder.judge.materialize import SubmissionError

CPU = '{"kind": "cpu", "factor": 1.0}'
CUDA = '{"kind": "cuda", "factor": 1.0, "execute_on": "cpu"}'


def by_name(results):
    return {t.name: t for t in results.tests}


def test_correct_submission_scores_everything_it_earned(toy_course, make_submission):
    results = by_name(grade("t1", make_submission(), device_profile=CUDA))
    assert results["test_add_values"].score == 3
    assert results["test_slow_within_budget"].score == 2
    assert results["test_partial"].score == pytest.approx(0.5)
    assert results["test_partial"].status == "partial"
    assert "full credit at 6" in results["test_partial"].output


def test_stubs_score_zero_and_read_not_attempted(toy_course):
    results = grade("t1", toy_course / "assignments" / "toy", device_profile=CPU)
    assert results.score == 0
    assert by_name(results)["test_add_values"].status == "not attempted"
    assert "lib/ops.py:2" in by_name(results)["test_add_values"].output


def test_same_budget_scales_by_device_kind(toy_course, make_submission):
    """slow() takes 2 s: over the CPU limit (0.5 s budget + 1 s allowance), within the CUDA one (3 s + 1 s)."""
    on_cpu = by_name(grade("t1", make_submission(), device_profile=CPU, select="slow"))
    on_cuda = by_name(grade("t1", make_submission(), device_profile=CUDA, select="slow"))
    assert on_cpu["test_slow_within_budget"].score == 0
    assert "time limit of 1.5 s exceeded" in on_cpu["test_slow_within_budget"].output
    assert on_cuda["test_slow_within_budget"].score == 2
    assert on_cuda["test_slow_within_budget"].limit_s == 4.0


def test_speed_factor_scales_the_limit(toy_course, make_submission):
    slow_machine = '{"kind": "cpu", "factor": 3.0}'
    results = by_name(grade("t1", make_submission(), device_profile=slow_machine, select="slow"))
    assert results["test_slow_within_budget"].limit_s == 2.5
    assert results["test_slow_within_budget"].score == 2


def test_bare_assert_does_not_leak_expected_value(toy_course, make_submission):
    out = by_name(grade("t1", make_submission(), device_profile=CPU))["test_bare_assert_hides_expected"]
    assert out.score == 0 and "123456" not in out.output
    assert out.visibility == "after_published"


def test_missing_file_scores_zero_with_one_sentence(toy_course, tmp_path):
    (tmp_path / "empty").mkdir()
    results = grade("t1", tmp_path / "empty", device_profile=CPU)
    assert results.score == 0
    assert results.problems == ["lib/ops.py is missing from the submission; the tests that use it score 0."]
    assert by_name(results)["test_add_values"].output == "lib/ops.py is missing from the submission"


def test_syntax_error_and_wrong_signature_are_reported(toy_course, make_submission):
    broken = grade("t1", make_submission("def add(a, b)\n    return a\n"), device_profile=CPU)
    assert "lib/ops.py has a syntax error at line 1" in broken.problems[0]
    assert broken.score == 0
    wrong = grade("t1", make_submission("def add(x):\n    return x\n", name="sig"), device_profile=CPU)
    assert wrong.problems == ["`add` in lib/ops.py takes (x) but the assignment expects (a, b); "
                              "the tests that use it may score 0."]
    assert "TypeError" in by_name(wrong)["test_add_values"].output


def test_missing_third_party_module_fails_only_its_tests(toy_course, make_submission):
    source = "def add(a, b):\n    return a + b\n\ndef slow():\n    import no_such_module\n"
    results = by_name(grade("t1", make_submission(source), device_profile=CUDA))
    assert results["test_add_values"].score == 3
    assert "imports `no_such_module`, which is not installed" in results["test_slow_within_budget"].output


def test_unreadable_submission_is_one_sentence(toy_course, tmp_path):
    bad = tmp_path / "not.zip"
    bad.write_text("garbage")
    with pytest.raises(SubmissionError, match="not.zip is not a readable zip file"):
        grade("t1", bad)
    with pytest.raises(SubmissionError, match="does not exist"):
        grade("t1", tmp_path / "nothing")


def test_results_files_follow_gradescope_and_junit(toy_course, make_submission, tmp_path):
    import xml.etree.ElementTree as ET
    results = grade("t1", make_submission(), device_profile=CUDA)
    results.write_json(tmp_path / "results.json")
    results.write_junit(tmp_path / "junit.xml")
    data = json.loads((tmp_path / "results.json").read_text())
    assert {"score", "max_score", "execution_time", "tests"} <= set(data)
    assert data["score"] == pytest.approx(5.5) and data["max_score"] == 7
    for test in data["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["status"] in ("passed", "failed")
    assert data["extra_data"]["device"]["kind"] == "cuda"
    assert data["extra_data"]["device"]["source"] == "injected"
    limits = {t["name"]: t["extra_data"]["limit_s"] for t in data["tests"]}
    assert limits["test_add_values"] == 3.0
    suite = ET.parse(tmp_path / "junit.xml").getroot()
    assert suite.get("tests") == "4" and suite.get("failures") == "2"


def test_same_named_test_files_of_two_courses_do_not_mix(toy_course, make_submission, tmp_path, monkeypatch):
    first = {t.name for t in grade("t1", make_submission(), device_profile=CPU, select="add_values").tests}
    other = tmp_path / "other"
    shutil.copytree(toy_course, other)
    (other / "tests/hidden/toy/test_toy.py").write_text(
        "def test_only_in_the_other_course(submission):\n    assert submission.probe('add', a=1, b=2)['sum'] == 3\n")
    monkeypatch.setenv("AUTOGRADER_ROOT", str(other))
    second = {t.name for t in grade("t1", make_submission(name="again"), device_profile=CPU).tests}
    assert first == {"test_add_values"} and second == {"test_only_in_the_other_course"}


SHARING_TESTS = '''
import numpy as np
from autograder.judge.testing import assert_close

def test_sum_of_a_shared_split(submission):
    x = np.arange(12.0).reshape(3, 4)
    submission.share("split", x=x, y=np.ones(4))
    submission.share("split", x=x * 0)   # a second test sharing the same name changes nothing
    assert_close(submission.probe("add_shared", name="split")["sum"], x + 1, what="sum")

def test_asset_is_readable(submission):
    assert submission.probe("read_asset", name="datasets/table.txt")["text"] == "1 2 3"
'''

SHARING_PROBES = '''
import numpy as np
from autograder.worker.probe import answers, array, asset, shared, text

@answers(sum=array)
def add_shared(name):
    import course.lib.ops as ops
    data = shared(name)
    return {"sum": ops.add(np.array(data["x"]), data["y"])}

@answers(text=text)
def read_asset(name):
    return {"text": open(asset(name)).read()}
'''


def test_shared_inputs_and_assets_reach_the_probes(toy_course, make_submission):
    (toy_course / "tests/hidden/toy/test_toy.py").write_text(SHARING_TESTS)
    (toy_course / "tests/hidden/toy/probes.py").write_text(SHARING_PROBES)
    (toy_course / "datasets").mkdir()
    (toy_course / "datasets/table.txt").write_text("1 2 3")
    toml = toy_course / "assignments" / "toy" / "assignment.toml"
    toml.write_text(toml.read_text().replace('files = ["lib/ops.py"]', 'files = ["lib/ops.py"]\n'
                                             'assets = ["datasets/table.txt"]'))
    results = grade("t1", make_submission(), device_profile=CPU)
    assert {t.name: t.score for t in results.tests} == {"test_sum_of_a_shared_split": 1,
                                                          "test_asset_is_readable": 1}, results.tests
    if results.protections.get("filesystem") == "allowlist":
        assert results.protections["assets"] == ["datasets/table.txt"]
    (toy_course / "datasets" / "table.txt").unlink()
    with pytest.raises(assignments.AssignmentError, match="lists the asset 'datasets/table.txt', which is not a "
                                                          "file inside the course"):
        grade("t1", make_submission(), device_profile=CPU)
    toml.write_text(toml.read_text().replace("datasets/table.txt", "../../etc/passwd"))
    with pytest.raises(assignments.AssignmentError, match="'../../etc/passwd', which is not a file inside"):
        grade("t1", make_submission(), device_profile=CPU)
