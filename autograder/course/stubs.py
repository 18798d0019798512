"""Generate the student folder from the reference solution: the solution is the single source of truth.

Solution regions use nbgrader's markers (`### BEGIN SOLUTION` / `### END SOLUTION`)
and are cleared by nbgrader's own ClearSolutions preprocessor, applied to each .py file.
"""

import filecmp
import shutil
from pathlib import Path

from nbformat.v4 import new_code_cell
from nbgrader.preprocessors import ClearSolutions

CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
SKIP = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}
SKIP_SUFFIXES = {".pyc", ".ipynb"}   # the student notebook is made by nbgrader at release time, from the source


def stub_source(source, filename="<solution>"):
    """The student version of one solution file."""
    clearer = ClearSolutions(code_stub={"python": CODE_STUB})
    cell = new_code_cell(source)
    try:
        clearer._replace_solution_region(cell, "python")
    except RuntimeError as exc:  # nbgrader raises this for an unterminated region
        raise ValueError(f"{filename}: {exc}") from None
    text = cell.source
    return text if text.endswith("\n") or not source.endswith("\n") else text + "\n"


def expected_files(solution_dir):
    """{relative path: expected text or source Path} of the student folder for `solution_dir`."""
    solution_dir = Path(solution_dir)
    files = {}
    for path in sorted(solution_dir.rglob("*")):
        rel = path.relative_to(solution_dir)
        if path.is_dir() or SKIP & set(rel.parts) or path.suffix in SKIP_SUFFIXES:
            continue
        files[rel.as_posix()] = stub_source(path.read_text(), rel.as_posix()) if path.suffix == ".py" else path
    return files


def write_stubs(solution_dir, out_dir):
    """Regenerate `out_dir` from `solution_dir` (replacing what was there)."""
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    for rel, content in expected_files(solution_dir).items():
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        else:
            target.write_text(content)


def out_of_sync(solution_dir, out_dir):
    """Relative paths where `out_dir` differs from what `solution_dir` generates (empty when in sync); a notebook
    in `out_dir` is one of them (the student's comes from nbgrader's generate_assignment, never from here)."""
    out_dir = Path(out_dir)
    expected = expected_files(solution_dir)
    actual = {p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*")
              if p.is_file() and not SKIP & set(p.relative_to(out_dir).parts) and p.suffix != ".pyc"}
    differ = sorted(actual ^ set(expected))
    for rel in sorted(actual & set(expected)):
        content = expected[rel]
        same = filecmp.cmp(content, out_dir / rel, shallow=False) if isinstance(content, Path) \
            else (out_dir / rel).read_text() == content
        if not same:
            differ.append(rel)
    return sorted(differ)
