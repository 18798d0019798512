"""The nbgrader half of the course: the source notebooks, a real nbgrader course graded by `autograder batch
--nbgrader`, nbgrader's own export, and the courses that cannot be used (one sentence each)."""

import contextlib
import csv
import importlib.util
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import assignments, cli
from autograder.course import nbgrader as nc

ROOT = Path(__file__).resolve().parents[2]
A1 = assignments.find("a1")
TOTALS = {"a1": 100, "a2": 50, "a3": 116, "a4": 56, "a5": 54}   # the hidden tests' totals, as the READMEs state
QUESTION = {"a3": "resnet_vs_vit", "a4": "efficiency", "a5": "failure"}   # the write-up each must ask for


def nbgrader_cells(notebook):
    return [(cell, cell.metadata["nbgrader"]) for cell in notebook.cells if "nbgrader" in cell.metadata]


def nbgrader(course, *args):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def export(course):
    nbgrader(course, "export", "--to", "export.csv")
    with open(course / "export.csv", newline="") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


def table_counts(course):
    with contextlib.closing(sqlite3.connect(course / "gradebook.db")) as db:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("student", "submitted_assignment", "submitted_notebook", "grade")}


# ---------------------------------------------------------------- the source notebooks

@pytest.mark.parametrize("assignment", assignments.all_assignments(), ids=lambda a: a.id)
def test_autograder_cells_carry_the_hidden_tests_points(assignment):
    notebook = nbformat.read(nc.source_notebook(assignment), as_version=4)
    cells = {meta["grade_id"]: (cell, meta) for cell, meta in nbgrader_cells(notebook)
             if meta["grade_id"].startswith(nc.CELL_PREFIX)}
    groups = nc.hidden_groups(assignment)
    assert {name.removeprefix(nc.CELL_PREFIX): meta["points"] for name, (_, meta) in cells.items()} == groups
    assert sum(groups.values()) == TOTALS[assignment.id]
    readme = (assignment.solution / "README.md").read_text()
    assert f"The hidden tests ({TOTALS[assignment.id]} points)" in readme
    for name, (cell, meta) in cells.items():
        assert cell.cell_type == "code" and meta["grade"] and meta["locked"] and not meta["solution"], name
        assert (f'raise NotImplementedError("these points are awarded by the course autograder: '
                f'autograder batch {assignment.id} COURSE_DIR --nbgrader")') in cell.source, name


@pytest.mark.parametrize("assignment", assignments.all_assignments(), ids=lambda a: a.id)
def test_written_questions_are_manually_graded_answer_cells(assignment):
    notebook = nbformat.read(nc.source_notebook(assignment), as_version=4)
    answers = [(i, cell, notebook.cells[i].metadata["nbgrader"]) for i, cell in enumerate(notebook.cells)
               if cell.metadata.get("nbgrader", {}).get("solution")]
    assert answers, "no written question"
    for i, cell, meta in answers:
        assert cell.cell_type == "markdown" and meta["grade"] and meta["points"] > 0, meta["grade_id"]
        assert re.fullmatch(r"### BEGIN SOLUTION\n.{200,}\n### END SOLUTION", cell.source, re.S), meta["grade_id"]
        prompt = notebook.cells[i - 1].metadata.get("nbgrader", {})
        assert prompt.get("locked") and not prompt.get("grade"), f"no locked question before {meta['grade_id']}"
    if assignment.id in QUESTION:
        assert any(QUESTION[assignment.id] in meta["grade_id"] for _, _, meta in answers)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code" and "nbgrader" not in
                     cell.metadata)
    assert any(f"import {Path(f).stem}" in code or f"from {Path(f).stem} import" in code
               or f".{Path(f).stem} import" in code for f in assignment.files), "no experiment imports the modules"


@pytest.mark.parametrize("assignment", assignments.all_assignments(), ids=lambda a: a.id)
def test_notebooks_are_what_the_script_writes(assignment):
    spec = importlib.util.spec_from_file_location("notebooks_script", ROOT / "scripts" / "notebooks.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert nbformat.writes(script.build(assignment)).rstrip() == nc.source_notebook(assignment).read_text().rstrip(), \
        "run .venv/bin/python scripts/notebooks.py"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", assignments.all_assignments(), ids=lambda a: a.id)
def test_source_notebook_runs_on_the_reference(assignment, tmp_path, monkeypatch):
    """Every experiment cell runs on the reference solution, offline and briefly; only the autograder cells raise."""
    from nbclient import NotebookClient
    monkeypatch.setenv("OMP_NUM_THREADS", "1")   # the kernel's torch, one thread as graders pin it: beside another
    monkeypatch.setenv("MKL_NUM_THREADS", "1")   # test's work, two threads on small tensors took 85 s instead of 11
    folder = tmp_path / assignment.name
    shutil.copytree(assignment.solution, folder, ignore=shutil.ignore_patterns("__pycache__"))
    notebook = nbformat.read(folder / f"{assignment.id}.ipynb", as_version=4)
    NotebookClient(notebook, timeout=600, allow_errors=True, resources={"metadata": {"path": str(folder)}}).execute()
    for cell in notebook.cells:
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith(nc.CELL_PREFIX):
            assert [e.ename for e in errors] == ["NotImplementedError"], grade_id
        else:
            assert not errors, f"{cell.source[:80]!r} raised {errors[0].ename}: {errors[0].evalue}" if errors else ""


def test_hidden_groups_count_each_parameter_and_unmarked_tests(toy_course):
    (toy_course / "tests/hidden/toy/test_more.py").write_text(
        "import pytest\n\n@pytest.mark.points(2)\n@pytest.mark.parametrize('n', [1, 2, 3])\n"
        "def test_each(submission, n):\n    pass\n\ndef test_unmarked(submission):\n    pass\n")
    toy = assignments.find("t1")
    assert nc.hidden_groups(toy) == {"more": 7, "toy": 7}   # 3 x 2 + 1; test_toy.py: 3 + 2 + 1 + 1
    assert nc.hidden_tests(toy)["test_each[2]"] == ("more", 2.0)


def test_group_scores_sum_each_file_and_refuse_unknown_tests():
    tests = nc.hidden_tests(A1)
    names = [n for n, (group, _) in tests.items() if group == "softmax"][:2]
    data = {"tests": [{"name": names[0], "score": 1.5}, {"name": names[1], "score": 2.0}]}
    scores = nc.group_scores(data, tests)
    assert scores["softmax"] == 3.5 and scores["neural_net"] == 0.0 and set(scores) == set(nc.hidden_groups(A1))
    assert nc.group_scores({"tests": [], "extra_data": {"batch": {"retry": True}}}, tests) is None
    with pytest.raises(nc.NbgraderError, match="test_renamed"):
        nc.group_scores({"tests": [{"name": "test_renamed", "score": 1}]}, tests)


# ---------------------------------------------------------------- a real nbgrader course

@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """An nbgrader course with a1 made by nbgrader's generate_assignment, and its student notebook."""
    course = tmp_path_factory.mktemp("generated") / "course"
    assert cli.main(["course", "init", str(course), "a1"]) == 0   # the verb the README gives
    assert (course / "source" / A1.name / "a1.ipynb").is_file() and (course / "nbgrader_config.py").is_file()
    return course, nc.generate(course, A1)


@pytest.fixture
def course(generated, tmp_path):
    """A private copy of the generated course (its nbgrader_config.py rewritten for the copy's folder)."""
    copy = tmp_path / "course"
    shutil.copytree(generated[0], copy)
    (copy / "nbgrader_config.py").unlink()
    nc.write_course(copy, [])
    return copy


def hand_in(course, student, notebook, modules_from=None, broken=False):
    """What nbgrader's collect leaves: submitted/<student>/<name>/ with the notebook and the module files."""
    folder = course / "submitted" / student / A1.name
    folder.mkdir(parents=True)
    shutil.copyfile(notebook, folder / notebook.name)
    (folder / "timestamp.txt").write_text("2026-03-02 09:30:00.000000 UTC")
    for rel in A1.files if modules_from else []:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(modules_from / rel, folder / rel)
    if broken:   # one module that does not parse, the others never handed in
        (folder / "classifiers").mkdir()
        (folder / "classifiers" / "k_nearest_neighbor.py").write_text("class KNearestNeighbor(:\n")


@pytest.mark.slow
def test_student_notebook_is_nbgraders_release(generated):
    course, notebook = generated
    assert notebook == course / "release" / A1.name / "a1.ipynb"
    text = notebook.read_text()
    assert "BEGIN SOLUTION" not in text and "validation split exists to be used up" not in text
    cells = dict((meta["grade_id"], cell) for cell, meta in nbgrader_cells(nbformat.reads(text, as_version=4)))
    assert cells["q1_choosing_k"].source == "YOUR ANSWER HERE"
    assert "autograder batch a1 COURSE_DIR --nbgrader" in cells["autograder_softmax"].source
    assert (course / "release" / A1.name / "classifiers" / "k_nearest_neighbor.py").read_text() == \
        (A1.folder / "classifiers" / "k_nearest_neighbor.py").read_text()   # nbgrader's release has the stubs too


@pytest.mark.slow
def test_batch_nbgrader_records_code_points_that_export_adds_to_manual_grades(course, generated, capsys):
    from nbgrader.api import Gradebook
    notebook = generated[1]
    hand_in(course, "alice", notebook, modules_from=A1.solution)
    hand_in(course, "bob", notebook, modules_from=A1.folder)
    hand_in(course, "carol", notebook, broken=True)
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(db_url, course_id=nc.COURSE_ID) as gb:
        for student in ("alice", "bob", "carol"):
            gb.update_or_create_student(student, last_name=student.title())
    command = ["batch", "a1", str(course), "--nbgrader", "--jobs", "2"]
    assert cli.main(command) == 0, capsys.readouterr().err[-3000:]
    assert "recorded the code points of 3 submission(s)" in capsys.readouterr().out
    results = course / "autograder" / A1.name / "results"
    assert json.loads((results / "alice.json").read_text())["score"] == 100
    assert "syntax error" in json.loads((results / "carol.json").read_text())["output"]
    with Gradebook(db_url, course_id=nc.COURSE_ID) as gb:
        assert gb.find_grade("autograder_softmax", "a1", A1.name, "alice").auto_score == 20
        gb.find_grade("q1_choosing_k", "a1", A1.name, "alice").manual_score = 2.5
        gb.db.commit()
    rows = export(course)
    assert {s: (r["score"], r["max_score"]) for s, r in rows.items()} == {
        "alice": ("102.5", "105.0"), "bob": ("0.0", "105.0"), "carol": ("0.0", "105.0")}
    assert rows["carol"]["last_name"] == "Carol" and rows["alice"]["timestamp"].startswith("2026-03-02 09:30")
    counts = table_counts(course)
    assert counts == {"student": 3, "submitted_assignment": 3, "submitted_notebook": 3,
                      "grade": 3 * (2 + len(nc.hidden_groups(A1)))}

    assert cli.main(command) == 0   # nothing new: no regrade, the same rows, the manual grade kept
    assert "graded 0, skipped 3" in capsys.readouterr().out
    assert table_counts(course) == counts
    with Gradebook(db_url, course_id=nc.COURSE_ID) as gb:
        assert gb.find_submission(A1.name, "alice").score == 102.5


def test_locked_gradebook_is_one_sentence_and_keeps_what_was_graded(course):
    tests = nc.hidden_tests(A1)
    full = {"tests": [{"name": name, "score": points} for name, (_, points) in tests.items()]}
    lock = sqlite3.connect(course / "gradebook.db", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")   # as formgrader's writes hold it
    try:
        with pytest.raises(nc.NbgraderError) as caught:
            nc.record_scores(course, A1, {"alice": full})
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    message = str(caught.value)
    assert "is locked" in message and "run the same command again" in message and "\n" not in message
    not_graded = {"tests": [], "extra_data": {"batch": {"retry": True}}}   # an engine failure, retried later
    from autograder.judge.results import Results, TestResult   # here: pytest would try to collect TestResult
    as_object = Results(A1.name, A1.version, "carol", [TestResult(name, points, points, "passed")
                                                       for name, (_, points) in tests.items()], 1.0)
    assert nc.record_scores(course, A1, {"alice": full, "bob": not_graded, "carol": as_object}) == \
        ["alice", "bob", "carol"]
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=nc.COURSE_ID) as gb:
        assert gb.find_submission(A1.name, "alice").score == gb.find_submission(A1.name, "carol").score == 100
        grade = gb.find_grade("autograder_softmax", "a1", A1.name, "bob")
        assert grade.auto_score is None and grade.needs_manual_grade


def test_bad_courses_are_one_sentence_with_exit_2(course, tmp_path, capsys):
    def batch(folder, assignment="a1"):
        code = cli.main(["batch", assignment, str(folder), "--nbgrader"])
        err = capsys.readouterr().err.strip()
        assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err, err
        return err

    (tmp_path / "plain").mkdir()
    assert "is not an nbgrader course: it has no nbgrader_config.py" in batch(tmp_path / "plain")
    assert "has no submissions of a1_classification" in batch(course)   # nothing collected yet
    assert "has no assignment a2_lenet_gru: run `nbgrader generate_assignment a2_lenet_gru`" in batch(course, "a2")
    nc.write_course(tmp_path / "fresh", [A1])   # generate_assignment never ran: no gradebook
    assert "has no gradebook" in batch(tmp_path / "fresh")


def test_a_gradebook_generated_from_other_points_is_refused(course):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=nc.COURSE_ID) as gb:
        gb.find_grade_cell("autograder_softmax", "a1", A1.name).max_score = 19   # the hidden tests now say 20
        gb.db.commit()
    with pytest.raises(nc.NbgraderError, match="do not match its hidden tests: regenerate the notebook"):
        nc.record_scores(course, A1, {"alice": {"tests": []}})


def test_a_late_penalty_is_recorded_on_the_notebook_in_points_of_the_code_score(course):
    tests = nc.hidden_tests(A1)
    full = {"tests": [{"name": name, "score": points} for name, (_, points) in tests.items()],
            "extra_data": {"late": {"penalty": 0.2, "final": 80.0}}}   # course/late.py's record: 20 % off
    nc.record_scores(course, A1, {"alice": full, "bob": {**full, "extra_data": {}}})
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=nc.COURSE_ID) as gb:
        alice, bob = gb.find_submission(A1.name, "alice"), gb.find_submission(A1.name, "bob")
        assert (alice.score, alice.late_submission_penalty) == (100, 20.0)   # nbgrader's export: 100 - 20
        assert bob.late_submission_penalty == 0.0
