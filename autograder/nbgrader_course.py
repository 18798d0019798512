"""The bridge to nbgrader: the course folder, the student notebook, and the engine's scores in nbgrader's gradebook.

Each hidden-test file of an assignment (a *group*: `test_filters.py` is `filters`) is one read-only code cell
`autograder_<group>` of the assignment's notebook, worth the group's points. nbgrader never runs student code
for those points: `autograder batch aN COURSE_DIR --nbgrader` grades each student's modules with the engine and
writes the scores as the cells' auto scores. The written answers stay nbgrader's manually graded cells.
"""

import contextlib
import glob
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import assignments

CELL_PREFIX = "autograder_"
COURSE_ID = "deep-learning"
CONFIG = '''"""nbgrader's settings for this course (written by the autograder; edit freely, it is not rewritten)."""
c = get_config()
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db_url!r}
'''


class NbgraderError(Exception):
    """The nbgrader course cannot be used as asked (one sentence, for the TA)."""


# ---------------------------------------------------------------- the hidden tests as notebook cells

def group_of(test_path):
    """The group of a hidden test file: tests/hidden/a5_forgery/test_filters.py -> 'filters'."""
    return Path(test_path).stem.removeprefix("test_")


class _PointsCollector:
    """Reads each collected test's `points` marker as the plugin does (no marker: 1 point)."""

    def __init__(self):
        self.tests = {}

    def pytest_collection_modifyitems(self, items):
        for item in items:
            marker = item.get_closest_marker("points")
            name = item.nodeid.split("::", 1)[-1]   # the name results.json gives the test (plugin.py)
            if name in self.tests:
                raise pytest.UsageError(f"two hidden test files hold a test named {name}: their scores "
                                        f"could not be told apart")
            self.tests[name] = (group_of(item.path), float(marker.args[0]) if marker else 1.0)


_collected = {}


def hidden_tests(assignment):
    """{test name as in results.json: (group, points)} of the assignment's hidden tests, by pytest collection."""
    from autograder.grading import _forget_modules_under
    folder = assignment.hidden_tests
    if folder not in _collected:
        if not folder.is_dir():
            raise assignments.AssignmentError(f"{folder} does not exist: no hidden tests for {assignment.name}")
        collector, output = _PointsCollector(), io.StringIO()
        try:
            with contextlib.redirect_stdout(output):
                code = pytest.main([str(folder), "--collect-only", "-q", "-p", "no:cacheprovider",
                                    "--import-mode=importlib", "-o", "addopts=", "--rootdir", str(folder)],
                                   plugins=[collector])
        finally:
            _forget_modules_under(folder)
        if code != pytest.ExitCode.OK:
            raise RuntimeError(f"pytest could not collect the hidden tests of {assignment.name} (exit {int(code)}):"
                               f"\n{output.getvalue()[-3000:]}")
        _collected[folder] = collector.tests
    return dict(_collected[folder])


def hidden_groups(assignment):
    """{group: points}: the points of each hidden test file (a parametrized test counts once per parameter)."""
    groups = {}
    for group, points in hidden_tests(assignment).values():
        groups[group] = groups.get(group, 0) + points
    return {group: int(p) if float(p).is_integer() else p for group, p in groups.items()}


def source_notebook(assignment):
    """The nbgrader source notebook of an assignment: solutions/<name>/<id>.ipynb."""
    return assignment.solution / f"{assignment.id}.ipynb"


# ---------------------------------------------------------------- the course folder

def _nbgrader(course_dir, *args):
    """Run nbgrader's own command in the course folder; its output, or NbgraderError with its last line."""
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}  # a new gradebook runs `alembic`
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_dir, env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
        raise NbgraderError(f"`nbgrader {' '.join(args)}` failed in {course_dir}: "
                            f"{lines[-1].strip() if lines else f'exit {done.returncode}'}")
    return done.stdout + done.stderr


def write_course(course_dir, assignment_ids, course_id=COURSE_ID):
    """Make `course_dir` an nbgrader course holding `source/<name>/`: the assignment's source notebook beside the
    files of assignments/<name>/ (so nbgrader's own release_assignment hands out the stubs and public tests too).
    An existing nbgrader_config.py is kept."""
    course_dir = Path(course_dir).resolve()
    course_dir.mkdir(parents=True, exist_ok=True)
    config = course_dir / "nbgrader_config.py"
    if not config.exists():
        config.write_text(CONFIG.format(course_id=course_id, root=str(course_dir),
                                        db_url=f"sqlite:///{course_dir / 'gradebook.db'}"))
    for key in assignment_ids:
        assignment = key if isinstance(key, assignments.Assignment) else assignments.find(key)
        notebook = source_notebook(assignment)
        if not notebook.is_file():
            raise NbgraderError(f"{assignment.name} has no source notebook {notebook.name} in {notebook.parent}: "
                                f"write it with scripts/notebooks.py")
        target = course_dir / "source" / assignment.name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(assignment.folder, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        shutil.copyfile(notebook, target / notebook.name)


def generate(course_dir, assignment):
    """nbgrader's `generate_assignment` (solution regions stripped by nbgrader); the student notebook it wrote."""
    course = Course.open(course_dir, need_gradebook=False)
    _nbgrader(course.root, "generate_assignment", assignment.name, "--force")
    notebook = Path(course.coursedir.format_path(course.coursedir.release_directory, ".", assignment.name)) \
        / f"{assignment.id}.ipynb"
    if not notebook.is_file():
        raise NbgraderError(f"nbgrader generate_assignment wrote no {notebook}")
    return notebook


def student_notebook(assignment, workdir):
    """The student notebook of `assignment`, generated by nbgrader in a throwaway course under `workdir`."""
    course_dir = Path(workdir) / "nbgrader-course"
    write_course(course_dir, [assignment])
    return generate(course_dir, assignment)


class Course:
    """An existing nbgrader course: its settings (nbgrader_config.py) and where its gradebook is."""

    def __init__(self, root, coursedir):
        self.root, self.coursedir = root, coursedir

    @classmethod
    def open(cls, course_dir, need_gradebook=True):
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import PyFileConfigLoader
        root = Path(course_dir).resolve()
        if not (root / "nbgrader_config.py").is_file():
            raise NbgraderError(f"{course_dir} is not an nbgrader course: it has no nbgrader_config.py")
        try:
            config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
        except Exception as exc:
            raise NbgraderError(f"{root / 'nbgrader_config.py'} cannot be read: {type(exc).__name__}: {exc}") \
                from None
        coursedir = CourseDirectory(config=config)
        if "root" not in config.get("CourseDirectory", {}):
            coursedir.root = str(root)   # nbgrader's default is the working directory
        url = coursedir.db_url
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):   # relative: to where nbgrader runs
            coursedir.db_url = f"sqlite:///{Path(coursedir.root) / url.removeprefix('sqlite:///')}"
        course = cls(Path(coursedir.root), coursedir)
        if need_gradebook and course.gradebook_file and not course.gradebook_file.is_file():
            raise NbgraderError(f"{course_dir} has no gradebook ({course.gradebook_file}): run "
                                f"`nbgrader generate_assignment` for the assignment there first")
        return course

    @property
    def gradebook_file(self):
        """The sqlite file of the gradebook, or None for another database."""
        url = self.coursedir.db_url
        return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None

    def submissions(self, assignment):
        """{student: folder} of nbgrader's submitted/<student>/<name>/ (its directory_structure), by student id."""
        cd = self.coursedir
        pattern = re.compile(cd.format_path(cd.submitted_directory, "(?P<student>[^/]+)", re.escape(assignment.name),
                                            escape=True) + "$")
        found = {}
        for path in glob.glob(cd.format_path(cd.submitted_directory, "*", assignment.name)):
            match = pattern.match(path)
            if match and os.path.isdir(path) and not match["student"].startswith("."):
                found[match["student"]] = Path(path)
        return dict(sorted(found.items()))

    @contextlib.contextmanager
    def gradebook(self):
        """nbgrader's Gradebook; a locked or unreadable database becomes one sentence."""
        from nbgrader.api import Gradebook, InvalidEntry
        from sqlalchemy.exc import OperationalError
        where = self.gradebook_file or self.coursedir.db_url
        try:
            with Gradebook(self.coursedir.db_url, course_id=self.coursedir.course_id) as gb:
                yield gb
        except (OperationalError, InvalidEntry) as exc:
            if "locked" in str(exc):
                raise NbgraderError(f"nbgrader's gradebook {where} is locked by another program (formgrader?): "
                                    f"close it and run the same command again (what was graded is kept and is "
                                    f"not graded twice)") from None
            first = (str(exc).strip().splitlines() or [""])[0][:300]
            raise NbgraderError(f"nbgrader's gradebook {where} cannot be written: {first}") from None


# ---------------------------------------------------------------- scores into the gradebook

def _gradescope(results):
    return results.gradescope() if hasattr(results, "gradescope") else results


def group_scores(results, tests):
    """{group: the student's score in it} from one results.json dict (or Results); None when it was not graded
    (an engine failure the batch retries)."""
    data = _gradescope(results)
    if data.get("extra_data", {}).get("batch", {}).get("retry"):
        return None
    scores = {group: 0.0 for group, _ in tests.values()}
    for test in data.get("tests", []):
        if test["name"] not in tests:
            raise NbgraderError(f"a result names the test {test['name']}, which no hidden test file holds now: "
                                f"regrade with --force")
        scores[tests[test["name"]][0]] += float(test["score"])
    return {group: round(score, 4) for group, score in scores.items()}


def autograder_cells(gb, course, assignment):
    """{cell name: notebook name} of the assignment's `autograder_<group>` cells in the gradebook, checked against
    the hidden tests' groups and points."""
    from nbgrader.api import MissingEntry
    try:
        notebooks = gb.find_assignment(assignment.name).notebooks
    except MissingEntry:
        raise NbgraderError(f"nbgrader's gradebook has no assignment {assignment.name}: run "
                            f"`nbgrader generate_assignment {assignment.name}` in {course.root} first") from None
    cells = {c.name: (nb.name, c.max_score) for nb in notebooks for c in nb.grade_cells
             if c.name.startswith(CELL_PREFIX)}
    expected = {CELL_PREFIX + group: float(points) for group, points in hidden_groups(assignment).items()}
    if {name: points for name, (_, points) in cells.items()} != expected:
        raise NbgraderError(f"the autograder cells of {assignment.name} in nbgrader's gradebook do not match its "
                            f"hidden tests: regenerate the notebook (scripts/notebooks.py), then run "
                            f"`nbgrader generate_assignment {assignment.name} --force`")
    return {name: notebook for name, (notebook, _) in cells.items()}


def record_scores(course_dir, assignment, results_by_student):
    """Write each student's scores into nbgrader's gradebook as the auto scores of the `autograder_<group>` cells,
    creating the student and the submission when missing (a rerun updates them). Returns the students recorded."""
    from nbgrader import utils
    from nbgrader.api import MissingEntry
    course = Course.open(course_dir)
    tests = hidden_tests(assignment)
    with course.gradebook() as gb:
        cells = autograder_cells(gb, course, assignment)
        for student, results in sorted(results_by_student.items()):
            scores = group_scores(results, tests)
            gb.update_or_create_student(student)
            try:
                submission = gb.find_submission(assignment.name, student)
            except MissingEntry:
                with gb.db.no_autoflush:   # nbgrader's rows flushed half-made warn (SAWarning) otherwise
                    submission = gb.add_submission(assignment.name, student)
            stamp = Path(course.coursedir.format_path(course.coursedir.submitted_directory, student,
                                                      assignment.name)) / "timestamp.txt"
            if stamp.is_file() and stamp.read_text().strip():
                submission.timestamp = utils.parse_utc(stamp.read_text().strip())
            for name, notebook in cells.items():
                grade = gb.find_grade(name, notebook, assignment.name, student)
                grade.auto_score = None if scores is None else scores[name.removeprefix(CELL_PREFIX)]
                grade.needs_manual_grade = scores is None   # not graded: formgrader shows it to the TA
        gb.db.commit()
    return sorted(results_by_student)


# ---------------------------------------------------------------- `autograder batch aN COURSE_DIR --nbgrader`

def batch_input(course_dir, assignment, out=None):
    """(submissions folder, output folder) for batch.run_batch: one link per student, named by student id, to
    nbgrader's submitted/<student>/<name>/; the outputs go to COURSE_DIR/autograder/<name>/ unless `out`."""
    course = Course.open(course_dir)
    with course.gradebook() as gb:   # before grading: a course that cannot take the scores fails now
        autograder_cells(gb, course, assignment)
    found = course.submissions(assignment)
    if not found:
        raise NbgraderError(f"{course.root} has no submissions of {assignment.name} "
                            f"(submitted/<student>/{assignment.name}/): run `nbgrader collect {assignment.name}` "
                            f"there first")
    out = Path(out) if out else course.root / "autograder" / assignment.name
    view = out / "submitted"
    if view.exists():
        shutil.rmtree(view)   # links only: their targets are left alone
    view.mkdir(parents=True)
    for student, folder in found.items():
        (view / student).symlink_to(folder, target_is_directory=True)
    return view, out


def record_batch(course_dir, assignment, out):
    """record_scores for every student of the batch's submissions view that has a stored result."""
    results = {}
    for link in sorted((Path(out) / "submitted").iterdir()):
        path = Path(out) / "results" / f"{link.name}.json"
        if path.is_file():
            results[link.name] = json.loads(path.read_text())
    return record_scores(course_dir, assignment, results)
