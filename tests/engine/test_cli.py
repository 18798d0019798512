"""The command line: one sentence and a non-zero exit for bad input, never a traceback."""

import json
import subprocess
import sys


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], capture_output=True, text=True, env=env)


def test_list_names_every_assignment(toy_course, monkeypatch):
    import os
    out = run("list", env=dict(os.environ))
    assert out.returncode == 0 and "t1" in out.stdout and "toy" in out.stdout


def test_bad_input_is_one_sentence(toy_course, tmp_path):
    import os
    env = dict(os.environ)
    for args, words in [(("grade", "a9", "x"), "unknown assignment 'a9'"),
                        (("grade", "t1", str(tmp_path / "nope")), "does not exist"),
                        (("grade", "t1", "--device", "cuda", str(tmp_path)), None)]:
        out = run(*args, env=env)
        assert out.returncode != 0
        assert "Traceback" not in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1
        if words:
            assert words in out.stderr


def test_grade_writes_results(toy_course, make_submission, tmp_path):
    import os
    env = dict(os.environ, AUTOGRADER_DEVICE_PROFILE='{"kind": "cpu", "factor": 1}')
    out = run("grade", "t1", str(make_submission()), "--json", str(tmp_path / "r.json"),
              "--junit", str(tmp_path / "j.xml"), "-k", "add_values", env=env)
    assert out.returncode == 0, out.stderr
    assert "Total: 3 / 3" in out.stdout
    assert json.loads((tmp_path / "r.json").read_text())["score"] == 3
    assert (tmp_path / "j.xml").read_text().startswith("<testsuite")
