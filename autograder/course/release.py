"""Hand an assignment out and grade it elsewhere: the student zip, the Gradescope autograder zip, and the stamp
that tells a TA which release graded a submission.

The stamp (autograder.stamp) is the assignment's version and a hash of its hidden tests and reference solution;
a bundle, which holds no solution, carries the one computed at release, in release.json.
"""
import json
import tempfile
import zipfile
from pathlib import Path

from autograder import assignments
from autograder.course import student_setup
from autograder.stamp import RELEASE_FILE, stamp
from autograder.data.manifest import datasets_dir, read_manifest
from autograder.judge import timing

SKIPPED = {"__pycache__", ".pytest_cache"}
ENGINE = Path(assignments.__file__).parent   # the engine package, as both bundles carry it
FIXED_TIME = (2020, 1, 1, 0, 0, 0)   # zip entries carry no build time: the same release gives the same bytes

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, in /autograder/source, when it builds the autograder image (choose its
# Ubuntu 24.04 base: Python 3.12). It installs the course's pinned environment; the project runs from here.
set -euo pipefail
cd "$(dirname "$0")"
python=$(command -v python3.12 || command -v python3.11 || command -v python3)
"$python" -c 'import sys; assert sys.version_info >= (3, 11), "the autograder needs Python 3.11 or newer"'
"$python" -m venv /autograder/venv
pip=(/autograder/venv/bin/python -m pip install -q)
"${pip[@]}" "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu   # no GPU on Gradescope
"${pip[@]}" --require-hashes --no-deps -r requirements.lock
/autograder/venv/bin/python -m pip check
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission. AUTOGRADER_GRADESCOPE_ROOT (default /autograder) and
# AUTOGRADER_PYTHON stand in for Gradescope's paths in the project's own tests.
set -u
root="${{AUTOGRADER_GRADESCOPE_ROOT:-/autograder}}"
source_dir="$root/source"
python="${{AUTOGRADER_PYTHON:-$root/venv/bin/python}}"
mkdir -p "$root/results"
cd "$source_dir"
PYTHONPATH="$source_dir" AUTOGRADER_ROOT="$source_dir" "$python" -P -m autograder.cli grade {id} \\
    "$root/submission" --json "$root/results/results.json"
status=$?
# results.json says what happened (a score of 0 and the reason when the submission could not be graded);
# Gradescope shows an error page instead of it only when the file is missing.
[ -f "$root/results/results.json" ] && exit 0
exit "$status"
"""


class ReleaseError(Exception):
    """An assignment that cannot be released as it stands; the message is one sentence."""


def _files(folder):
    folder = Path(folder)
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".pyc"
                  and not SKIPPED & set(p.relative_to(folder).parts))


class _Bundle:
    """A zip written with fixed timestamps and explicit file modes."""

    def __init__(self, path):
        self.zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)

    def add(self, name, data, executable=False):
        info = zipfile.ZipInfo(name, FIXED_TIME)
        info.external_attr = (0o755 if executable else 0o644) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data)

    def add_tree(self, folder, prefix, skip=()):
        for path in _files(folder):
            if path.relative_to(folder).as_posix() in skip:
                continue
            self.add(f"{prefix}/{path.relative_to(folder).as_posix()}", path.read_bytes())

    def add_data(self, assignment, prefix, held_out):
        """The datasets the assignment names (`data` in assignment.toml) and a manifest of just those; those the
        manifest marks `held_out` (test labels) only when `held_out` is true (the grading bundle)."""
        if not assignment.data:
            return
        entries = read_manifest()
        missing = [name for name in assignment.data if name not in entries]
        if missing:
            raise ReleaseError(f"{assignment.name} needs datasets {', '.join(missing)}, which datasets/manifest.toml "
                               f"does not list")
        manifest = []
        for name in assignment.data:
            entry = entries[name]
            if entry.get("held_out") and not held_out:
                continue
            self.add(f"{prefix}/{entry['file']}", (datasets_dir() / entry["file"]).read_bytes())
            manifest.append("[[dataset]]\n" + "".join(f"{k} = {json.dumps(v if isinstance(v, bool) else str(v))}\n"
                                                      for k, v in entry.items()))
        self.add(f"{prefix}/manifest.toml", "\n".join(manifest))

    def close(self):
        self.zip.close()


def student_zip(assignment, out_dir, notebook=None):
    """aN-student.zip: the stubs, public tests, README and pictures, the notebook, the data but the held-out
    files, one instruction, and what sets the folder up (setup.sh, the lock, the engine's wheel)."""
    path = Path(out_dir) / f"{assignment.id}-student.zip"
    bundle, root = _Bundle(path), assignment.name
    bundle.add_tree(assignment.folder, root, skip={"README.md"})   # the README comes with its set-up section
    engine = {f"autograder/{p.relative_to(ENGINE).as_posix()}": p.read_bytes() for p in _files(ENGINE)}
    student_setup.add_setup(bundle, root, assignment, assignments.course_root(), engine, FIXED_TIME)
    if notebook is not None:
        bundle.add(f"{root}/{assignment.id}.ipynb", Path(notebook).read_bytes())
    bundle.add_data(assignment, f"{root}/data", held_out=False)
    bundle.add(f"{root}/CHECK.txt", f"Set up once with ./setup.sh (Windows: setup.ps1; see README.md), then check "
                                    f"your work with the public tests, from this folder:\n"
                                    f"    .venv/bin/autograder check {assignment.id} .\n")
    bundle.add(f"{root}/{RELEASE_FILE}", json.dumps(stamp(assignment), indent=2) + "\n")
    bundle.close()
    return path


def gradescope_zip(assignment, out_dir):
    """aN-gradescope.zip: setup.sh and run_autograder at the top, with the engine, the assignment's stubs (for its
    assignment.toml), hidden tests and data (the held-out files too), laid out as a course root; never the
    solution."""
    path = Path(out_dir) / f"{assignment.id}-gradescope.zip"
    root = assignments.course_root()
    bundle = _Bundle(path)
    bundle.add("setup.sh", SETUP_SH, executable=True)
    bundle.add("run_autograder", RUN_AUTOGRADER.format(id=assignment.id), executable=True)
    bundle.add_tree(ENGINE, "autograder")
    for name in ("pyproject.toml", "requirements.lock"):
        bundle.add(name, (root / name).read_bytes())
    bundle.add_tree(assignment.folder, f"assignments/{assignment.name}")
    bundle.add_tree(assignment.hidden_tests, f"tests/hidden/{assignment.name}")
    bundle.add_data(assignment, "datasets", held_out=True)
    bundle.add(RELEASE_FILE, json.dumps({assignment.id: stamp(assignment)}, indent=2) + "\n")
    limits = timing.limits_file(assignment)
    if limits.is_file():   # the limits timed from the reference (autograder calibrate): the solution stays home
        bundle.add(limits.relative_to(root).as_posix(), limits.read_bytes())
    bundle.close()
    return path


def release(assignment, out_dir, check=False, notebook_maker=None):
    """Both zips in out_dir. The stubs are regenerated from the solution first; with `check`, stubs out of date
    are refused instead. `notebook_maker(assignment, workdir) -> Path` makes the student notebook (nbgrader)."""
    from autograder.course import stubs  # nbformat takes seconds to import: only here
    if not assignment.solution.is_dir():
        raise ReleaseError(f"there is no solution folder for {assignment.name} ({assignment.solution}): a release "
                           f"is made from a course checkout")
    stale = stubs.out_of_sync(assignment.solution, assignment.folder)
    if stale and check:
        raise ReleaseError(f"the stubs of {assignment.name} are out of date ({', '.join(stale[:5])}): run "
                           f"`autograder stubs {assignment.id}`")
    if stale:
        stubs.write_stubs(assignment.solution, assignment.folder)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        notebook = notebook_maker(assignment, Path(work)) if notebook_maker else None
        return [student_zip(assignment, out_dir, notebook), gradescope_zip(assignment, out_dir)]
