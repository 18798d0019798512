"""The package layout keeps the trust boundary: worker-side code never imports the judge's, grading never
imports packaging, and courses use only the declared authoring API."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

import autograder
from autograder import authoring, env
from autograder.assignments import Limits
from autograder.sandbox.client import Worker
from autograder.sandbox.launch import WorkerSpec

PACKAGE = Path(autograder.__file__).parent
# What code inside the sandbox may import of the engine: its own package, the variable table, the declared API.
WORKER_MAY_IMPORT = ("autograder.worker", "autograder.env", "autograder.authoring")


def _engine_imports(path):
    """Every `autograder...` module a file imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("autograder"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("autograder"):
            found.update(f"{node.module}.{a.name}" if node.module == "autograder" else node.module for a in node.names)
    return found


def _allowed(module, prefixes):
    return module == "autograder" or any(module == p or module.startswith(p + ".") for p in prefixes)


def test_worker_side_modules_import_no_judge_module():
    for path in sorted((PACKAGE / "worker").glob("*.py")):
        bad = sorted(m for m in _engine_imports(path) if not _allowed(m, WORKER_MAY_IMPORT))
        assert not bad, f"autograder/worker/{path.name} runs inside the sandbox but imports {bad}"


def test_a_running_worker_has_loaded_nothing_of_the_judge(tmp_path):
    probes = tmp_path / "probes.py"
    probes.write_text("import sys\n"
                      "from autograder.authoring import answers, measure_cost, plain, record_ops, seed_all\n\n"
                      "@answers(modules=plain)\ndef loaded():\n"
                      "    return {'modules': sorted(m for m in sys.modules if m.startswith('autograder'))}\n")
    with Worker(WorkerSpec(submission_dir=None, probes_file=probes, limits=Limits(memory_mb=1024))) as worker:
        answer = worker.call("loaded", {}, 60)
    assert answer["ok"], answer
    loaded = answer["value"]["modules"]
    assert "autograder.worker.cost" in loaded   # the probe's own imports came through the declared API
    assert [m for m in loaded if not _allowed(m, WORKER_MAY_IMPORT)] == []


def test_grading_does_not_import_packaging():
    code = ("import sys, autograder.judge.grading\n"
            "print(sorted(m for m in sys.modules if m.startswith(('autograder.course', 'autograder.batch'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_package_says_which_side_it_runs_on():
    for package in ("judge", "worker", "sandbox", "course", "batch", "data"):
        doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text())) or ""
        assert any(w in doc.lower() for w in ("judge", "worker", "sandbox")), f"autograder/{package}: {doc!r}"


def test_authoring_api_resolves_every_declared_name_and_only_those():
    for name in authoring.__all__:
        assert getattr(authoring, name) is not None
    with pytest.raises(AttributeError, match="the names a course may use"):
        authoring.Worker   # noqa: B018


def test_courses_import_only_the_declared_api():
    """Hidden tests, probes, public tests and solutions reach the engine through autograder.authoring and
    autograder.data only (the fixtures come with the plugin): everything else may move."""
    course = [p for root in ("tests/hidden", "solutions", "assignments") for p in (env.REPO / root).rglob("*.py")]
    assert course
    for path in course:
        for module in _engine_imports(path):
            assert _allowed(module, ("autograder.authoring", "autograder.data")), (
                f"{path.relative_to(env.REPO)} imports {module}, which is not the declared authoring API")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "autograder.authoring":
                unknown = {a.name for a in node.names} - set(authoring.__all__)
                assert not unknown, f"{path.relative_to(env.REPO)} imports {unknown} from autograder.authoring"
