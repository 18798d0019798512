"""Turn what a student handed in (folder, zip or .py file) into a checked folder the worker can import.

Nothing here executes submission code: files are copied, compiled for syntax
only and parsed with `ast` for signatures.
"""

import ast
import os
import re
import shutil
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.assignments import Assignment


class SubmissionError(Exception):
    """The submission cannot be read at all (one sentence, for the user)."""


@dataclass
class Materialized:
    folder: Path
    problems: list = field(default_factory=list)   # one sentence each: missing file, syntax error, signature


def _safe_extract(zip_path, dest, max_mb):
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError):
        raise SubmissionError(f"{zip_path.name} is not a readable zip file") from None
    with archive:
        total = 0
        for info in archive.infolist():
            name = PurePosixPath(info.filename)
            if name.is_absolute() or ".." in name.parts:
                raise SubmissionError(f"{zip_path.name} contains an unsafe path: {info.filename}")
            total += info.file_size
            if total > max_mb * 2**20:
                raise SubmissionError(f"{zip_path.name} unpacks to more than {max_mb} MiB (this assignment's "
                                      f"limits.unzipped_mb)")
        for info in archive.infolist():
            if info.is_dir() or "__MACOSX" in info.filename:
                continue
            target = dest / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)


def _find_root(unpacked, files):
    """The folder inside an unpacked archive that holds the submitted files (zips often add a top folder)."""
    best, best_count = unpacked, -1
    for candidate in [unpacked, *sorted(p for p in unpacked.rglob("*") if p.is_dir())]:
        count = sum((candidate / f).is_file() for f in files)
        if count > best_count:
            best, best_count = candidate, count
    return best


def _gather(source, files, staging, unzipped_mb):
    """Copy the submitted files from `source` into `staging`; returns the files found and those refused as links."""
    source = Path(source)
    if not source.exists():
        raise SubmissionError(f"{source} does not exist")
    if source.is_file() and source.suffix == ".zip":
        unpacked = staging.parent / (staging.name + "-zip")
        unpacked.mkdir()
        _safe_extract(source, unpacked, unzipped_mb)
        source = _find_root(unpacked, files)
    if source.is_file():
        if source.suffix != ".py":
            raise SubmissionError(f"{source.name} is neither a folder, a zip nor a .py file")
        matches = [f for f in files if PurePosixPath(f).name == source.name]
        if len(matches) != 1:
            raise SubmissionError(f"{source.name} is not one of the files this assignment takes "
                                  f"({', '.join(files)})")
        pairs = [(matches[0], source)]
    else:
        pairs = [(f, source / f) for f in files if (source / f).is_file()]
    linked = {rel for rel, path in pairs if path.is_symlink()}  # a link could point at the solutions
    pairs = [(rel, path) for rel, path in pairs if rel not in linked]
    for rel, path in pairs:
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, staging / rel)
    return {rel for rel, _ in pairs}, linked


def _parse_signature(text):
    """'Cls.method(self, X, k=1)' -> ('Cls', 'method', ['self', 'X', 'k'])."""
    match = re.fullmatch(r"\s*([\w.]+)\((.*)\)\s*", text)
    qualname, params = match.group(1), match.group(2)
    args = ast.parse(f"def f({params}): pass").body[0].args   # defaults may hold commas: (2, 2, 2)
    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]   # as _defined_functions lists them
    owner, _, name = qualname.rpartition(".")
    return owner or None, name, names


def _defined_functions(tree):
    """{('Cls' or None, 'name'): [parameter names]} for top-level functions and methods."""
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[(None, node.name)] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found[(node.name, item.name)] = item
    return {k: [a.arg for a in v.args.posonlyargs + v.args.args + v.args.kwonlyargs] for k, v in found.items()}


REVIEW_FILE_KB = 100        # the assignments' largest solution file is about 12 KiB
REVIEW_LITERAL_NUMBERS = 500  # numbers written out in one list, tuple, set or dict display
REVIEW_LITERAL_CHARS = 5000   # one string, bytes or integer literal (an encoded table)


def _literal_size(value):
    """Characters of a string or bytes literal; an integer's in hexadecimal (str() refuses huge ones)."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return (value.bit_length() + 3) // 4
    return 0


def embedded_data(rel, text, tree):
    """Sentences for a TA when a file looks like it carries data rather than code (a table of answers, weights
    written out): an unusually large file, a long literal, or many numbers in one display. Never scored."""
    found = []
    if len(text.encode()) > REVIEW_FILE_KB * 1024:
        found.append(f"{rel} is {len(text.encode()) / 1024:,.0f} KiB, far more than code for this assignment needs")
    for node in ast.walk(tree):
        if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)):
            values = node.values if isinstance(node, ast.Dict) else node.elts
            numbers = sum(isinstance(v, ast.Constant) and isinstance(v.value, (int, float)) for v in values)
            if numbers > REVIEW_LITERAL_NUMBERS:
                found.append(f"{rel} line {node.lineno} writes out {numbers:,} numbers in one literal")
        elif isinstance(node, ast.Constant) and _literal_size(node.value) > REVIEW_LITERAL_CHARS:
            found.append(f"{rel} line {node.lineno} holds a literal of about {_literal_size(node.value):,} characters")
    return [f"flagged for review (not scored): {what}; answers or weights embedded in code would not come "
            f"from the submitted model" for what in found[:3]]


def check_file(rel, text, signatures):
    """Problems with one submitted file: a syntax error, or a function with the wrong name or parameters."""
    try:
        tree = ast.parse(text, filename=rel)
        compile(tree, rel, "exec")
    except SyntaxError as exc:
        return [f"{rel} has a syntax error at line {exc.lineno}: {exc.msg}; the tests that use it score 0."]
    defined = _defined_functions(tree)
    problems = embedded_data(rel, text, tree)
    for sig in signatures:
        owner, name, expected = _parse_signature(sig)
        label = f"{owner}.{name}" if owner else name
        if (owner, name) not in defined:
            problems.append(f"{rel} does not define `{label}`; the tests that use it score 0.")
        elif defined[(owner, name)][:len(expected)] != expected:
            got = ", ".join(defined[(owner, name)])
            problems.append(f"`{label}` in {rel} takes ({got}) but the assignment expects "
                            f"({', '.join(expected)}); the tests that use it may score 0.")
    return problems


def materialize(source: str | os.PathLike, assignment: Assignment, dest_root: str | os.PathLike) -> Materialized:
    """Build the folder a worker imports: the assignment's support files plus the student's files."""
    dest = Path(dest_root) / f"submission-{uuid.uuid4().hex[:12]}"
    staging = Path(dest_root) / f"staging-{uuid.uuid4().hex[:12]}"
    staging.mkdir(parents=True)
    try:
        found, linked = _gather(source, assignment.files, staging, assignment.limits.unzipped_mb)
        skip = set(assignment.files)
        shutil.copytree(assignment.folder, dest, ignore=lambda d, names: [
            n for n in names if n in ("tests", "__pycache__") or n.startswith(".")   # a student's .venv/
            or Path(d, n).relative_to(assignment.folder).as_posix() in skip])
        problems = []
        for rel in assignment.files:
            if rel in linked:
                problems.append(f"{rel} is a symbolic link, not a file; the tests that use it score 0.")
                continue
            if rel not in found:
                problems.append(f"{rel} is missing from the submission; the tests that use it score 0.")
                continue
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(staging / rel, dest / rel)
            text = (dest / rel).read_text(errors="replace")
            problems += check_file(rel, text, assignment.signatures.get(rel, []))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(staging.parent / (staging.name + "-zip"), ignore_errors=True)
    return Materialized(dest, problems)
