"""The student zip sets itself up: setup scripts, the lock and the engine's wheel inside, a README that says how,
and `autograder check` finding the unzipped folder with an engine that is installed, not a checkout."""
import base64
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import pytest

from autograder import assignments, env
from autograder.course import release
from autograder.judge.materialize import materialize
from toy import TOML, write


@pytest.fixture(scope="module")
def a1_zip(tmp_path_factory):
    return release.student_zip(assignments.find("a1"), tmp_path_factory.mktemp("release"))


def test_the_student_zip_carries_its_setup_and_nothing_hidden(a1_zip):
    with zipfile.ZipFile(a1_zip) as z:
        modes = {info.filename: info.external_attr >> 16 for info in z.infolist()}
        readme = z.read("a1_classification/README.md").decode()
        setup_sh = z.read("a1_classification/setup.sh").decode()
        lock = z.read("a1_classification/setup/requirements.lock")
    assert modes["a1_classification/setup.sh"] & 0o111 and modes["a1_classification/setup.ps1"] & 0o111
    assert lock == (env.REPO / "requirements.lock").read_bytes()
    assert [n for n in modes if n.endswith(".whl")] == ["a1_classification/setup/autograder-0.1.0-py3-none-any.whl"]
    assert not [n for n in modes if "hidden" in n or "solutions/" in n or "/.venv" in n]
    next_command = ".venv/bin/autograder check a1 ."
    assert "./setup.sh" in readme and "setup.ps1" in readme and next_command in readme
    assert readme.index("## Set up") < readme.index("## The data")   # before the assignment's own sections
    assert setup_sh.rstrip().endswith(f'"    {next_command}"') and "@" not in setup_sh.replace("[@]", "")
    assert subprocess.run(["bash", "-n", "-c", setup_sh]).returncode == 0


def test_the_engine_wheel_is_the_package_with_its_entry_points(a1_zip):
    with zipfile.ZipFile(a1_zip) as z:
        wheel = zipfile.ZipFile(io.BytesIO(z.read("a1_classification/setup/autograder-0.1.0-py3-none-any.whl")))
    names = set(wheel.namelist())
    engine = {f"autograder/{p.relative_to(release.ENGINE).as_posix()}" for p in release.ENGINE.rglob("*.py")
              if "__pycache__" not in p.parts}
    assert {n for n in names if n.startswith("autograder/")} == engine
    entry_points = wheel.read("autograder-0.1.0.dist-info/entry_points.txt").decode()
    assert "[console_scripts]\nautograder = autograder.cli:main" in entry_points
    assert "[pytest11]\nautograder = autograder.judge.plugin" in entry_points
    metadata = wheel.read("autograder-0.1.0.dist-info/METADATA").decode()
    project = tomllib.loads((env.REPO / "pyproject.toml").read_text())["project"]
    assert re.findall(r"^Requires-Dist: (.+)$", metadata, re.M) == project["dependencies"]
    for line in wheel.read("autograder-0.1.0.dist-info/RECORD").decode().splitlines():
        path, digest, size = line.split(",")
        if digest:   # pip and uv check these
            data = wheel.read(path)
            assert (digest, int(size)) == ("sha256=" + base64.urlsafe_b64encode(
                hashlib.sha256(data).digest()).rstrip(b"=").decode(), len(data)), path


def test_a_student_copy_is_found_where_the_student_stands(tmp_path, monkeypatch):
    monkeypatch.setenv(env.ROOT, str(tmp_path / "installed"))   # an installed engine: no course of its own
    monkeypatch.delenv(env.DATASETS, raising=False)
    copy = tmp_path / "t1_toy"
    write(copy, "assignment.toml", TOML)
    write(copy, "data/manifest.toml", "")
    found = assignments.find("t1", near=copy / "lib")
    assert (found.id, found.folder, found.public_tests) == ("t1", copy, copy / "tests")
    assert assignments.copy_datasets(found) == copy / "data" and env.DATASETS not in os.environ
    monkeypatch.chdir(copy)
    assert assignments.find("t1_toy").folder == copy
    with pytest.raises(assignments.AssignmentError, match="unknown assignment 'a9'.*beside its assignment.toml"):
        assignments.find("a9")


def test_the_students_venv_is_not_copied_into_workers(toy_course, make_submission, tmp_path):
    toy = assignments.find("t1")
    write(toy.folder, ".venv/lib/big.py", "x = 1\n")
    out = materialize(make_submission(), toy, tmp_path / "out")
    assert (out.folder / "lib" / "__init__.py").exists() and not (out.folder / ".venv").exists()


def _clean_env(**extra):
    """This process's environment without the engine's variables, a virtual environment or a PYTHONPATH."""
    kept = {k: v for k, v in os.environ.items()
            if not k.startswith("AUTOGRADER_") and k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    return {**kept, "COLUMNS": "200", **extra}


@pytest.mark.slow
def test_the_unzipped_folder_sets_itself_up_and_checks(a1_zip, tmp_path):
    with zipfile.ZipFile(a1_zip) as z:
        z.extractall(tmp_path)
    folder = tmp_path / "a1_classification"
    (folder / "setup.sh").chmod(0o755)
    tools = tmp_path / "bin"   # uv alone from the project's environment, not its python
    tools.mkdir()
    (tools / "uv").symlink_to(Path(sys.executable).parent / "uv")
    # A torch already importable, as setup.sh allows (a student's own build): this environment's, by PYTHONPATH,
    # so that nothing is downloaded; the lock's packages come from uv's cache.
    site = Path(next(p for p in sys.path if p.endswith("site-packages") and (Path(p) / "torch").is_dir()))
    torch = tmp_path / "torch"
    torch.mkdir()
    for entry in [site / "torch", site / "functorch", site / "torchgen", *site.glob("torch-*.dist-info")]:
        (torch / entry.name).symlink_to(entry)
    environ = _clean_env(PATH=f"{tools}{os.pathsep}{os.environ['PATH']}", PYTHONPATH=str(torch),
                         PYTHON=getattr(sys, "_base_executable", sys.executable))   # torch's own Python version

    start = time.perf_counter()
    done = subprocess.run(["./setup.sh"], cwd=folder, env=environ, capture_output=True, text=True, timeout=600)
    print(f"setup.sh took {time.perf_counter() - start:.1f} s")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert done.stdout.rstrip().endswith(".venv/bin/autograder check a1 .")
    where = subprocess.run([".venv/bin/python", "-c", "import autograder; print(autograder.__file__)"], cwd=folder,
                           env=environ, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(folder / ".venv"), where

    checked = subprocess.run([".venv/bin/autograder", "check", "a1", "."], cwd=folder, env=environ,
                             capture_output=True, text=True, timeout=300)
    total = int(re.search(r"Total: 0 / (\d+)", checked.stdout).group(1))
    assert checked.returncode == 0 and total > 10 and checked.stdout.count("│ not attempted │") == total

    solved = tmp_path / "solved"   # a copy with the solution's files, checked with the same environment
    shutil.copytree(folder, solved, ignore=shutil.ignore_patterns(".venv"))
    a1 = assignments.find("a1")
    for rel in a1.files:
        shutil.copy(a1.solution / rel, solved / rel)
    checked = subprocess.run([str(folder / ".venv/bin/autograder"), "check", "a1", "."], cwd=solved, env=environ,
                             capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0 and f"Total: {total} / {total}" in checked.stdout, checked.stdout[-3000:]


def test_an_installed_engine_brings_its_whole_environment_into_the_view(monkeypatch):
    from autograder.worker import view
    site = os.path.realpath(next(p for p in sys.path if p.endswith("site-packages")))
    monkeypatch.setattr(view, "engine_folder", lambda: Path(site) / "autograder")   # as the wheel installs it
    binds = view.allowlist().binds
    assert [b for b in binds if view._covered(site, [b])], binds   # numpy, sympy: not just the engine package
