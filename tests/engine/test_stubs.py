"""Stubs are generated from the solutions, and the shipped assignments are in sync with them."""

import pytest

from autograder import assignments
from autograder.course.stubs import out_of_sync, stub_source, write_stubs

SOLUTION = '''def f(x):
    """Doubles x."""
    y = None
    ### BEGIN SOLUTION
    y = 2 * x  # (N,)
    ### END SOLUTION
    return y
'''


def test_solution_region_becomes_a_not_implemented_stub():
    stub = stub_source(SOLUTION)
    assert "2 * x" not in stub and "BEGIN SOLUTION" not in stub
    assert "    # YOUR CODE HERE\n    raise NotImplementedError()\n    return y\n" in stub
    namespace = {}
    exec(compile(stub, "stub", "exec"), namespace)
    with pytest.raises(NotImplementedError):
        namespace["f"](1)


def test_unterminated_region_is_an_error():
    with pytest.raises(ValueError, match="x.py"):
        stub_source("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "x.py")


def test_write_then_check(tmp_path):
    (tmp_path / "sol").mkdir()
    (tmp_path / "sol" / "m.py").write_text(SOLUTION)
    (tmp_path / "sol" / "README.md").write_text("read me")
    write_stubs(tmp_path / "sol", tmp_path / "out")
    assert out_of_sync(tmp_path / "sol", tmp_path / "out") == []
    (tmp_path / "out" / "m.py").write_text(SOLUTION)
    (tmp_path / "out" / "extra.py").write_text("")
    assert out_of_sync(tmp_path / "sol", tmp_path / "out") == ["extra.py", "m.py"]


def test_notebooks_are_left_to_nbgrader(tmp_path):
    (tmp_path / "sol").mkdir()
    (tmp_path / "sol" / "m.py").write_text(SOLUTION)
    (tmp_path / "sol" / "a1.ipynb").write_text("{}")   # the source notebook: nbgrader makes the student's
    write_stubs(tmp_path / "sol", tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["m.py"]
    assert out_of_sync(tmp_path / "sol", tmp_path / "out") == []
    (tmp_path / "out" / "a1.ipynb").write_text("{}")
    assert out_of_sync(tmp_path / "sol", tmp_path / "out") == ["a1.ipynb"]


@pytest.mark.parametrize("assignment", assignments.all_assignments(), ids=lambda a: a.name)
def test_shipped_assignments_match_their_solutions(assignment):
    assert assignment.solution.is_dir()
    assert out_of_sync(assignment.solution, assignment.folder) == [], "run `autograder stubs` and commit"
    assert any("BEGIN SOLUTION" in p.read_text() for p in assignment.solution.rglob("*.py"))
