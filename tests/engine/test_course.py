"""The table of the environment variables the engine reads: complete, and forwarded whole."""
import re
from pathlib import Path

import autograder
from autograder import course

# Set by the engine for its own workers, or read by the Gradescope bundle's shell scripts only.
NOT_READ_BY_THE_ENGINE = {"AUTOGRADER_ASSETS", "AUTOGRADER_DEVICE", "AUTOGRADER_GRADESCOPE_ROOT",
                          "AUTOGRADER_INPUTS", "AUTOGRADER_PYTHON"}


def test_every_variable_the_engine_names_is_in_the_table():
    source = "\n".join(p.read_text() for p in Path(autograder.__file__).parent.rglob("*.py"))
    named = set(re.findall(r"AUTOGRADER_[A-Z_]+", source)) - NOT_READ_BY_THE_ENGINE
    assert named <= set(course.ENGINE_ENV), sorted(named - set(course.ENGINE_ENV))


def test_forwarded_takes_every_set_variable_and_nothing_else(monkeypatch):
    for name in course.ENGINE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AUTOGRADER_DATASETS", "/data")
    monkeypatch.setenv("AUTOGRADER_ISOLATION", "none")
    monkeypatch.setenv("HOME_SECRET", "x")
    assert course.forwarded() == {"AUTOGRADER_DATASETS": "/data", "AUTOGRADER_ISOLATION": "none"}


def test_datasets_follow_the_course_root(monkeypatch, tmp_path):
    from autograder.data.manifest import datasets_dir
    monkeypatch.delenv("AUTOGRADER_DATASETS", raising=False)
    monkeypatch.setenv("AUTOGRADER_ROOT", str(tmp_path))
    assert datasets_dir() == tmp_path / "datasets"
