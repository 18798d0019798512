"""Release bundles: the student zip holds nothing hidden, the Gradescope zip grades end to end in a root laid out
as Gradescope's /autograder, and every results.json says which release graded it."""
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from autograder import assignments, data, env, stamp

from autograder.course import release
from autograder.data import read_manifest
from autograder.cli import main

ALL = ["a1", "a2", "a3", "a4", "a5"]


def _texts(zip_path):
    with zipfile.ZipFile(zip_path) as z:
        return {name: z.read(name).decode("utf-8", errors="replace") for name in z.namelist()
                if not name.endswith((".png", ".npz", ".data"))}


def _solution_only_lines(assignment):
    """Lines of code inside the solution regions that the stubs do not have (long enough to be telling)."""
    lines = set()
    for path in assignment.solution.rglob("*.py"):
        inside = False
        for line in path.read_text().splitlines():
            if "### BEGIN SOLUTION" in line:
                inside = True
            elif "### END SOLUTION" in line:
                inside = False
            elif inside and len(line.strip()) >= 30:
                lines.add(line.strip())
    stub_text = "\n".join(p.read_text() for p in assignment.folder.rglob("*.py"))
    return {line for line in lines if line not in stub_text}


@pytest.mark.parametrize("name", ALL)
def test_student_zip_holds_nothing_hidden(tmp_path, name):
    a = assignments.find(name)
    texts = _texts(release.student_zip(a, tmp_path))
    everything = "\n".join(texts.values())
    root = a.name
    assert f"{root}/README.md" in texts and f"{root}/tests/test_public.py" in texts
    assert f"autograder check {a.id} ." in texts[f"{root}/CHECK.txt"]
    assert json.loads(texts[f"{root}/release.json"])["content"] == stamp.content_hash(a)
    assert "BEGIN SOLUTION" not in everything
    leaked = [line for line in _solution_only_lines(a) if line in everything]
    assert not leaked, leaked[:3]
    public = set(re.findall(r"def (test_\w+)", "\n".join(p.read_text() for p in a.public_tests.glob("*.py"))))
    hidden = set(re.findall(r"def (test_\w+)", "\n".join(p.read_text() for p in a.hidden_tests.glob("*.py"))))
    assert not [t for t in hidden - public if re.search(rf"\b{t}\b", everything)]
    seeds = re.findall(r"0x[0-9A-Fa-f_]{12,}", "\n".join(p.read_text() for p in a.hidden_tests.glob("*.py")))
    assert not [s for s in seeds if s in everything]
    with zipfile.ZipFile(tmp_path / f"{a.id}-student.zip") as z:
        names = z.namelist()
    assert not [n for n in names if "hidden" in n or n.startswith("solutions/")]
    entries = read_manifest()
    for dataset in a.data:   # every dataset it reads, but the held-out ones
        shipped = f"{root}/data/{entries[dataset]['file']}" in names
        assert shipped != bool(entries[dataset].get("held_out")), dataset


def _images(zip_path):
    """Every 28x28 image in the npz files of a zip, as bytes."""
    found = set()
    with zipfile.ZipFile(zip_path) as z:
        for name in z.namelist():
            if name.endswith(".npz"):
                with np.load(io.BytesIO(z.read(name)), allow_pickle=False) as archive:
                    for key in archive.files:
                        found |= {image.tobytes() for image in archive[key] if image.shape == (28, 28)}
    return found


def test_held_out_digits_ship_with_the_grading_bundle_only(tmp_path):
    a2 = assignments.find("a2")
    held_out = {image.tobytes() for image in data.mnist_5k_split()["X_test"]}   # (1000, 28, 28)
    student, gradescope = release.student_zip(a2, tmp_path), release.gradescope_zip(a2, tmp_path)
    assert len(_images(student)) > 3000 and not _images(student) & held_out
    assert "mnist_5k_heldout" not in _texts(student)[f"{a2.name}/data/manifest.toml"]
    assert held_out <= _images(gradescope)


def _gradescope_root(tmp_path, assignment):
    """tmp_path/autograder laid out as Gradescope's: the zip unpacked into source/, an empty submission/."""
    gs = tmp_path / "autograder"
    with zipfile.ZipFile(release.gradescope_zip(assignment, tmp_path)) as z:
        z.extractall(gs / "source")
    for name in ("setup.sh", "run_autograder"):
        (gs / "source" / name).chmod(0o755)
    return gs


def _run_autograder(gs, submission_files, isolation="auto"):
    shutil.rmtree(gs / "submission", ignore_errors=True)
    shutil.rmtree(gs / "results", ignore_errors=True)
    if submission_files is not None:
        shutil.copytree(submission_files, gs / "submission", ignore=shutil.ignore_patterns("tests", "__pycache__"))
    env = dict(os.environ, AUTOGRADER_GRADESCOPE_ROOT=str(gs), AUTOGRADER_PYTHON=sys.executable,
               AUTOGRADER_ISOLATION=isolation)
    env.pop("AUTOGRADER_ROOT", None)
    done = subprocess.run(["bash", str(gs / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=300)
    return done, json.loads((gs / "results" / "results.json").read_text())


@pytest.mark.slow
def test_gradescope_bundle_grades_end_to_end(tmp_path):
    a1 = assignments.find("a1")
    gs = _gradescope_root(tmp_path, a1)
    names = {p.relative_to(gs / "source").as_posix() for p in (gs / "source").rglob("*") if p.is_file()}
    assert {"setup.sh", "run_autograder", "release.json", "requirements.lock", "pyproject.toml"} <= names
    assert any(n.startswith("tests/hidden/a1_classification/test_") for n in names)
    assert not [n for n in names if n.startswith("solutions/")]
    assert subprocess.run(["bash", "-n", str(gs / "source" / "setup.sh")]).returncode == 0

    # The reference where no namespace can be made: full marks, and the results say what was in force.
    done, results = _run_autograder(gs, a1.solution, isolation="none")
    assert done.returncode == 0, done.stderr[-2000:]
    assert results["score"] == results["max_score"] == 100, results["output"]
    assert results["extra_data"]["environment"]["isolation"] == "none"
    assert results["extra_data"]["protections"]["filesystem"] == "host (not isolated)"
    assert results["extra_data"]["release"] == stamp.stamp(a1)

    done, results = _run_autograder(gs, a1.folder)
    assert results["score"] == 0 and len(results["tests"]) > 10
    assert results["extra_data"]["environment"]["isolation"] != "none"

    # A submission that kills every worker it is imported into: nothing earned, and a results.json all the same.
    hostile = tmp_path / "hostile"
    shutil.copytree(a1.folder, hostile, ignore=shutil.ignore_patterns("tests"))
    knn = hostile / "classifiers" / "k_nearest_neighbor.py"
    knn.write_text("import os\nos._exit(7)\n" + knn.read_text())
    done, results = _run_autograder(gs, hostile)
    assert done.returncode == 0 and results["score"] == 0 and results["tests"]

    # No submission at all: a score-0 results.json whose output is the reason.
    done, results = _run_autograder(gs, None)
    assert done.returncode == 0 and results["score"] == 0 and results["tests"] == []
    assert "submission" in results["output"] and "Traceback" not in results["output"]


def test_grade_json_writes_a_result_for_an_unreadable_submission(tmp_path, capsys):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("../escape.py", "print('out of the folder')\n")
    out = tmp_path / "results.json"
    assert main(["grade", "a1", str(bad), "--json", str(out)]) == 2
    sentence = capsys.readouterr().err.strip()
    results = json.loads(out.read_text())
    assert results["score"] == 0 and results["tests"] == []
    assert results["output"] and results["output"] in sentence
    assert results["extra_data"]["release"]["assignment"] == "a1"


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A copy of A1's course folders (solution, stubs, hidden tests) as the course root."""
    root = tmp_path / "course"
    for rel in ("solutions/a1_classification", "assignments/a1_classification", "tests/hidden/a1_classification"):
        shutil.copytree(env.REPO / rel, root / rel, ignore=shutil.ignore_patterns("__pycache__"))
    for rel in ("pyproject.toml", "requirements.lock"):
        shutil.copy(env.REPO / rel, root / rel)
    monkeypatch.setenv("AUTOGRADER_ROOT", str(root))
    return root


def test_release_regenerates_stale_stubs_or_refuses_with_check(course, tmp_path):
    a1 = assignments.find("a1")
    stub = course / "assignments/a1_classification/classifiers/softmax.py"
    stub.write_text(stub.read_text() + "\n# edited by hand\n")
    with pytest.raises(release.ReleaseError, match="out of date.*classifiers/softmax.py"):
        release.release(a1, tmp_path / "out", check=True)
    assert not (tmp_path / "out" / "a1-student.zip").exists()
    paths = release.release(a1, tmp_path / "out")
    assert [p.name for p in paths] == ["a1-student.zip", "a1-gradescope.zip"]
    assert "edited by hand" not in stub.read_text()
    first = [p.read_bytes() for p in paths]
    assert [p.read_bytes() for p in release.release(a1, tmp_path / "again")] == first   # the same bytes


def test_the_stamp_follows_the_hidden_tests(course):
    a1 = assignments.find("a1")
    before = stamp.stamp(a1)
    assert before["version"] == a1.version and len(before["content"]) == 16
    hidden = course / "tests/hidden/a1_classification/test_softmax.py"
    hidden.write_text(hidden.read_text() + "\n# a stricter tolerance\n")
    assert stamp.stamp(a1)["content"] != before["content"]
    (course / "release.json").write_text(json.dumps({"a1": before}))   # a bundle: the stamp recorded at release
    assert stamp.stamp(a1) == before


@pytest.mark.slow
def test_the_student_zip_carries_the_notebook_nbgrader_made(course, tmp_path):
    from autograder.course.nbgrader import student_notebook
    a1 = assignments.find("a1")
    student, _ = release.release(a1, tmp_path / "out", check=True, notebook_maker=student_notebook)
    texts = _texts(student)
    notebook = json.loads(texts["a1_classification/a1.ipynb"])
    source = json.loads((course / "solutions/a1_classification/a1.ipynb").read_text())
    answers = [line.strip() for cell in source["cells"] for line in
               "".join(cell["source"]).split("### BEGIN SOLUTION")[1:] for line in line.split("### END SOLUTION")[:1]
               if line.strip()]
    assert answers, "the source notebook should hold model answers"
    text = json.dumps(notebook)
    assert "BEGIN SOLUTION" not in text and not [a for a in answers if a[:60] in text]
    assert any("autograder_" in json.dumps(c.get("metadata", {})) for c in notebook["cells"])
