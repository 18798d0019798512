"""Code similarity across a class (autograder/course/similarity*.py): real, MIT-licensed CS231n solutions by six
authors (tests/engine/similarity_class, see its PROVENANCE.md and LICENSES.md) plus planted copies, compared as
text, nothing graded."""

import ast
import csv
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from autograder import assignments, cli
from autograder.course import gradebook, similarity
from autograder.course.similarity import REFERENCE, THRESHOLD
from autograder.course.similarity_read import read_submission

FIXTURES = Path(__file__).parent / "similarity_class"
AUTHORS = sorted(p.name for p in (FIXTURES / "students").iterdir())
STARTER = FIXTURES / "cs231n_starter"
RENAMES = {"num_train": "n_samples", "num_test": "n_queries", "dists": "distance_matrix", "scores": "class_scores",
           "loss": "objective", "dW": "weight_grad", "margin": "hinge", "closest_y": "neighbour_labels",
           "num_classes": "n_labels", "X": "inputs", "y": "labels"}
PLANTED = {frozenset(("doronser", "copy_renamed")), frozenset(("djape24394", "copy_reordered")),
           frozenset(("nothatcreative5", "copy_comments")), frozenset(("leaked", REFERENCE))}
STUBS_ONLY = ("stubs_a", "stubs_b")


def renamed(text):
    """Every name in RENAMES replaced, as a student hiding a copy would."""
    for old, new in RENAMES.items():
        text = re.sub(rf"\b{old}\b", new, text)
    return text


def reordered(text):
    """The functions in reverse order (a class's methods, for a module holding one class)."""
    lines = text.splitlines(keepends=True)
    tree = ast.parse(text)
    body = tree.body[-1].body if isinstance(tree.body[-1], ast.ClassDef) else tree.body
    defs = [node for node in body if isinstance(node, ast.FunctionDef)]
    head = "".join(lines[:defs[0].lineno - 1])
    return head + "\n".join("".join(lines[d.lineno - 1:d.end_lineno]) for d in reversed(defs)) + "\n"


def recommented(text):
    """Comments removed, and a few new ones added."""
    code = [re.sub(r"\s+#.*$", "", line) for line in text.splitlines() if not line.strip().startswith("#")]
    return "# Homework 1, my own work.\n" + "\n".join(code).replace("return loss, dW", "return loss, dW  # done") + "\n"


def copy_files(source, target, edit=lambda text: text):
    for path in sorted(Path(source).glob("classifiers/*.py")):
        dest = Path(target) / "classifiers" / path.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(edit(path.read_text()))


@pytest.fixture(scope="module")
def a1():
    return assignments.find("a1")


@pytest.fixture(scope="module")
def planted(tmp_path_factory, a1):
    """(class folder, output folder, Comparison): the six authors, four planted copies, two stubs-only students."""
    root = tmp_path_factory.mktemp("similarity")
    subs = root / "class"
    for author in AUTHORS:
        copy_files(FIXTURES / "students" / author, subs / author)
    copy_files(FIXTURES / "students" / "doronser", subs / "copy_renamed", renamed)
    copy_files(FIXTURES / "students" / "djape24394", subs / "copy_reordered", reordered)
    copy_files(FIXTURES / "students" / "nothatcreative5", root / "zipped" / "hw1", recommented)   # zipped, a top folder
    shutil.make_archive(str(subs / "copy_comments"), "zip", root / "zipped")
    copy_files(a1.solution, subs / "leaked", lambda text: renamed(recommented(text)).replace(
        "\n    return ", "\n    assert True\n    return "))   # light edits: names, comments, a line before each return
    for name in STUBS_ONLY:
        copy_files(a1.folder, subs / name)
    out = root / "out"
    return subs, out, similarity.run(a1, subs, out, boilerplate=[STARTER])


def by_pair(comparison):
    return {frozenset((p.a, p.b)): p for p in comparison.pairs}


def test_planted_copies_rank_first(planted):
    _, _, comparison = planted
    top = comparison.pairs[:len(PLANTED)]
    assert {frozenset((p.a, p.b)) for p in top} == PLANTED, [(p.a, p.b, p.score) for p in comparison.pairs[:6]]
    assert all(p.flagged and p.score >= 0.8 for p in top), [(p.a, p.b, p.score) for p in top]
    assert comparison.pairs[len(PLANTED)].score < THRESHOLD, "a pair past the planted ones was flagged"


def test_csv_has_every_pair_ranked(planted, a1):
    subs, out, comparison = planted
    rows = list(csv.DictReader((out / "similarity.csv").open()))
    students = len(list(subs.iterdir()))
    assert len(rows) == students * (students - 1) // 2 + students, "one row per pair, and each with the reference"
    scores = [float(r["similarity"]) for r in rows]
    assert scores == sorted(scores, reverse=True), "rows are not ranked by similarity"
    assert set(a1.files) <= set(rows[0]), "a per-file column is missing"
    knn = "classifiers/k_nearest_neighbor.py"
    renamed_row = next(r for r in rows if {r["student_a"], r["student_b"]} == {"doronser", "copy_renamed"})
    assert float(renamed_row[knn]) > 0.9 and int(renamed_row["matched_lines_a"]) > 20, renamed_row


def test_reference_copy_is_close_to_the_reference(planted):
    _, out, comparison = planted
    leaked = by_pair(comparison)[frozenset(("leaked", REFERENCE))]
    assert leaked.flagged and leaked.note == "close to the reference solution", leaked
    assert similarity.similar_to(out)["leaked"][0][0] == REFERENCE
    others = [p for p in comparison.pairs if REFERENCE in (p.a, p.b) and "leaked" not in (p.a, p.b)]
    assert not any(p.flagged for p in others), [(p.a, p.b, p.score) for p in others if p.flagged]


def test_stubs_count_for_nothing(planted):
    _, out, comparison = planted
    pairs = [p for p in comparison.pairs if set(STUBS_ONLY) & {p.a, p.b}]
    assert pairs and all(p.score == 0 and not p.flagged for p in pairs), [(p.a, p.b, p.score) for p in pairs if p.score]
    assert not set(STUBS_ONLY) & set(similarity.similar_to(out, threshold=0.01))


def test_independent_authors_are_not_flagged(planted):
    _, _, comparison = planted
    among = [p for p in comparison.pairs if p.a in AUTHORS and p.b in AUTHORS]
    assert len(among) == len(AUTHORS) * (len(AUTHORS) - 1) // 2
    worst = max(among, key=lambda p: p.score)
    assert not any(p.flagged for p in among) and worst.score < THRESHOLD, (worst.a, worst.b, worst.score)
    assert worst.score > 0.1, "real solutions of one assignment share some code: the measure sees none"


def test_html_report_shows_matched_code(planted):
    _, out, _ = planted
    page = (out / "similarity.html").read_text()
    assert "highlight-red" in page and "close to the reference solution" in page
    assert "&lt;reference solution&gt;" in page and "<reference solution>" not in page


def test_names_are_escaped_in_the_html(tmp_path, a1):
    for name in ("x<script>alert(1)</script>".replace("/", ""), "plain"):
        copy_files(FIXTURES / "students" / "djape24394", tmp_path / "class" / name)
    similarity.run(a1, tmp_path / "class", tmp_path / "out")
    page = (tmp_path / "out" / "similarity.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_archive_is_compared_with_the_class_only(tmp_path, a1):
    copy_files(FIXTURES / "students" / "djape24394", tmp_path / "class" / "now")
    copy_files(FIXTURES / "students" / "liberium", tmp_path / "class" / "other")
    for name in ("old1", "old2"):
        copy_files(FIXTURES / "students" / "djape24394", tmp_path / "fall2024" / name)
    comparison = similarity.run(a1, tmp_path / "class", tmp_path / "out", archive=tmp_path / "fall2024")
    pairs = by_pair(comparison)
    assert pairs[frozenset(("now", "fall2024/old1"))].flagged and pairs[frozenset(("now", "fall2024/old2"))].flagged
    assert frozenset(("fall2024/old1", "fall2024/old2")) not in pairs, "archived entries compared among themselves"


NOTEBOOK_TOML = '''
id = "n1"
title = "Notebook assignment"
version = "1"
files = ["work.ipynb"]
'''
STUB_CODE = "def fit(X, y):\n    raise NotImplementedError()\n"
CODE = '''def fit(X, y):
    weights = np.zeros(X.shape[1])
    for step in range(100):
        residual = X @ weights - y
        gradient = X.T @ residual / len(y)
        weights -= 0.1 * gradient
        if np.linalg.norm(gradient) < 1e-6:
            break
    return weights
'''
OTHER_CODE = '''def fit(X, y):
    solution, *_ = np.linalg.lstsq(X, y, rcond=None)
    return solution
'''


def notebook(markdown, code):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": markdown.splitlines(keepends=True)},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": code.splitlines(keepends=True)}]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.fixture
def notebook_course(tmp_path, monkeypatch):
    """A course root without solutions/ (as a Gradescope bundle) whose assignment is one notebook."""
    root = tmp_path / "course"
    (root / "assignments" / "nb").mkdir(parents=True)
    (root / "assignments" / "nb" / "assignment.toml").write_text(NOTEBOOK_TOML)
    (root / "assignments" / "nb" / "work.ipynb").write_text(notebook("# Fit a line", STUB_CODE))
    monkeypatch.setenv("AUTOGRADER_ROOT", str(root))
    return assignments.find("n1")


def test_notebooks_compare_by_code_cells(tmp_path, notebook_course):
    students = {"ana": notebook("# My answer\nI used gradient descent.", CODE),
                "ben": notebook("Completely different words, a long story of my own.", CODE),
                "cy": notebook("# My answer\nI used gradient descent.", OTHER_CODE)}
    for name, text in students.items():
        (tmp_path / "class" / name).mkdir(parents=True)
        (tmp_path / "class" / name / "work.ipynb").write_text(text)
    comparison = similarity.run(notebook_course, tmp_path / "class", tmp_path / "out")
    pairs = by_pair(comparison)
    assert pairs[frozenset(("ana", "ben"))].flagged, "same code cells, other markdown: not found similar"
    assert not pairs[frozenset(("ana", "cy"))].flagged, "same markdown, other code: flagged"
    assert any("no reference solution" in note for note in comparison.notes), comparison.notes


def test_zips_are_read_as_text_and_unsafe_ones_refused(tmp_path, a1):
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    with zipfile.ZipFile(good, "w") as archive:
        archive.writestr("top/classifiers/softmax.py", "def softmax_loss_naive(W, X, y, reg):\n    pass\n")
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("../classifiers/softmax.py", "x = 1\n")
    assert list(read_submission("good", good, a1).files) == ["classifiers/softmax.py"]
    refused = read_submission("bad", bad, a1)
    assert refused.files == {} and "unsafe path" in refused.notes[0]


@pytest.mark.parametrize("argv, says", [
    (["similarity", "a1", "{tmp}/missing"], "is not a folder of submissions"),
    (["similarity", "a9", "{tmp}"], "unknown assignment 'a9'"),
    (["similarity", "a1", "{tmp}", "--threshold", "3"], "the threshold must be a fraction"),
    (["similarity", "a1", "{tmp}", "--archive", "{tmp}/missing"], "is not a folder of submissions"),
])
def test_cli_bad_input_is_one_sentence_and_exit_2(tmp_path, capsys, argv, says):
    code = cli.main([arg.format(tmp=tmp_path) for arg in argv] + ["--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("autograder: ") and says in err and err.count("\n") == 1, err


def test_cli_prints_the_top_pairs_and_where_it_wrote(tmp_path, capsys):
    for name, author in (("one", "djape24394"), ("two", "djape24394"), ("three", "liberium")):
        copy_files(FIXTURES / "students" / author, tmp_path / "class" / name)
    assert cli.main(["similarity", "a1", str(tmp_path / "class"), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "1.00  one ~ two   (similar)" in out and f"wrote {tmp_path / 'out'}" in out, out
    assert (tmp_path / "out" / "similarity.csv").is_file() and (tmp_path / "out" / "similarity.html").is_file()


def stored_result(score):
    return {"score": score, "max_score": 10, "tests": [], "output": "", "extra_data": {}}


def test_batch_summary_lists_similar_code(tmp_path, planted, a1):
    _, out, _ = planted
    batch_out = tmp_path / "batch"
    for student in ("leaked", "copy_renamed", "djape24394"):
        (batch_out / "results").mkdir(parents=True, exist_ok=True)
        (batch_out / "results" / f"{student}.json").write_text(json.dumps(stored_result(7)))
    gradebook.build(batch_out, a1)
    assert "Similar code" not in (batch_out / "summary.html").read_text(), "a section without a similarity run"
    assert "similar to" not in (batch_out / "summary.html").read_text(), "a column without a similarity run"
    shutil.copytree(out, batch_out / "similarity")
    gradebook.build(batch_out, a1)
    page = (batch_out / "summary.html").read_text()
    section = page[page.index("<h2>Similar code</h2>"):]
    assert "leaked</td><td>&lt;reference solution&gt; (" in section and "copy_renamed</td><td>doronser (" in section
    assert "stubs_a" not in section and "similarity/similarity.html" in section
    students = page[page.index("<h2>Students</h2>"):page.index("<h2>Tests</h2>")]   # and a column beside each
    assert "<th>similar to</th>" in students and "copy_renamed</a></td>" in students
    assert students.split("copy_renamed</a></td>")[1].split("</tr>")[0].endswith("<td>doronser (1.00)</td>")


def test_batch_similarity_flag_runs_after_grading(toy_course, make_submission, tmp_path, monkeypatch):
    from autograder.batch import run as batch_run

    def fake_grading(todo, *, on_result, **_):   # no judge: a stored result per entry, as grading would write
        for entry in todo:
            on_result(entry, stored_result(3))

    class Profile:
        execute_on = "cpu"

        def as_dict(self):
            return {"kind": "cpu"}

    monkeypatch.setattr(batch_run, "grade_local", fake_grading)
    monkeypatch.setattr(batch_run.devices, "profile_for", lambda *a, **k: Profile())
    subs = tmp_path / "subs"
    for name in ("ann", "bob"):
        make_submission(CODE.replace("fit", "add").replace("(X, y)", "(a, b)"), name=f"subs/{name}")
    summary = batch_run.run_batch("t1", subs, out=tmp_path / "out", progress=False, similarity=True)
    assert [(p.a, p.b) for p in summary.similarity.pairs if p.flagged] == [("ann", "bob")]
    page = (tmp_path / "out" / "summary.html").read_text()
    assert "<h2>Similar code</h2>" in page and "ann</td><td>bob (1.00)" in page
