"""The table of the environment variables the engine reads and sets: the only place they are spelled, and forwarded whole."""
import ast
import re
from pathlib import Path

import autograder
from autograder import env

# Read by the Gradescope bundle's shell scripts only.
SHELL_ONLY = {"AUTOGRADER_GRADESCOPE_ROOT", "AUTOGRADER_PYTHON"}


def test_every_variable_is_in_the_tables_and_spelled_in_code_there_only():
    tables = set(env.ENGINE_ENV) | set(env.WORKER_ENV)
    for path in Path(autograder.__file__).parent.rglob("*.py"):
        text = path.read_text()
        named = set(re.findall(r"AUTOGRADER_[A-Z_]+", text)) - SHELL_ONLY
        assert named <= tables, f"{path.name} names {sorted(named - tables)}, which the tables in autograder.env lack"
        if path.name == "env.py":
            continue
        spelled = [n.value for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Constant) and n.value in tables]
        spelled += [n.arg for n in ast.walk(ast.parse(text)) if isinstance(n, ast.keyword) and n.arg in tables]
        assert not spelled, f"{path.name} spells {spelled} in code: use the names in autograder.env"


def test_forwarded_takes_every_set_variable_and_nothing_else(monkeypatch):
    for name in env.ENGINE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AUTOGRADER_DATASETS", "/data")
    monkeypatch.setenv("AUTOGRADER_ISOLATION", "none")
    monkeypatch.setenv("HOME_SECRET", "x")
    assert env.forwarded() == {"AUTOGRADER_DATASETS": "/data", "AUTOGRADER_ISOLATION": "none"}


def test_datasets_follow_the_course_root(monkeypatch, tmp_path):
    from autograder.data.manifest import datasets_dir
    monkeypatch.delenv("AUTOGRADER_DATASETS", raising=False)
    monkeypatch.setenv("AUTOGRADER_ROOT", str(tmp_path))
    assert datasets_dir() == tmp_path / "datasets"
