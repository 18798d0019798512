"""What students handed in, read as text and never run: the assignment's files from a folder, a zip or a single
.py file (unsafe zip paths and oversized archives refused, each file read up to a cap, links not followed), and a
notebook as its code cells only."""

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 1 << 20   # the most read of one submitted file (the assignments' largest solution file is 12 KiB)
CODE_SUFFIXES = (".py", ".ipynb")


@dataclass
class Submitted:
    """One entry compared: a student, the reference solution or an earlier term's student; its files as text."""

    name: str
    files: dict                      # relative path -> text (a notebook: its code cells)
    kind: str = "student"            # student, reference or archive
    source: Path | None = None
    notes: list = field(default_factory=list)   # what could not be read, one sentence each


def notebook_code(text):
    """A notebook's code cells, joined: markdown, outputs and metadata count for nothing."""
    cells = json.loads(text).get("cells", [])
    sources = ["".join(c["source"]) if isinstance(c.get("source"), list) else str(c.get("source", ""))
               for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]
    return "\n\n".join(sources)


def as_code(rel, data):
    """The text compared for file `rel` from its bytes; a notebook that is not JSON compares as empty."""
    text = data[:MAX_FILE_BYTES].decode("utf-8", errors="replace")
    if rel.endswith(".ipynb"):
        try:
            return notebook_code(text)
        except (ValueError, AttributeError, TypeError):
            return ""
    return text


def _read_folder(folder, files):
    found, notes = {}, []
    for rel in files:
        path = folder / rel
        if path.is_symlink():   # a link could point at the solutions
            notes.append(f"{rel} is a symbolic link and was not read")
        elif path.is_file():
            with open(path, "rb") as handle:
                found[rel] = as_code(rel, handle.read(MAX_FILE_BYTES))
    return found, notes


def _read_zip(path, files, max_mb):
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return {}, [f"{path.name} is not a readable zip file"]
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir() and "__MACOSX" not in i.filename]
        names = [PurePosixPath(i.filename) for i in infos]
        if any(n.is_absolute() or ".." in n.parts for n in names):
            return {}, [f"{path.name} contains an unsafe path and was not read"]
        if sum(i.file_size for i in infos) > max_mb * 2**20:
            return {}, [f"{path.name} unpacks to more than {max_mb} MiB and was not read"]
        by_name = {n.as_posix(): i for n, i in zip(names, infos)}
        prefixes = {""} | {p.as_posix() + "/" for n in names for p in n.parents if p.as_posix() != "."}
        root = max(sorted(prefixes), key=lambda p: sum(p + rel in by_name for rel in files))   # zips add a top folder
        found = {}
        try:
            for rel in files:
                if root + rel in by_name:
                    with archive.open(by_name[root + rel]) as handle:   # read up to the cap, whatever it claims
                        found[rel] = as_code(rel, handle.read(MAX_FILE_BYTES))
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError):   # corrupt, encrypted, odd method
            return {}, [f"{path.name} could not be unpacked"]
        return found, []


def read_submission(name, path, assignment, kind="student"):
    """The assignment's files in a folder, zip or single .py file, as text; never raises for a bad entry."""
    path = Path(path)
    if path.is_dir():
        files, notes = _read_folder(path, assignment.files)
    elif path.suffix == ".zip":
        files, notes = _read_zip(path, assignment.files, assignment.limits.unzipped_mb)
    else:
        matches = [rel for rel in assignment.files if PurePosixPath(rel).name == path.name]
        if len(assignment.files) == 1:   # alice.py for a one-file assignment
            matches = list(assignment.files)
        if len(matches) == 1 and not path.is_symlink():
            with open(path, "rb") as handle:
                files, notes = {matches[0]: as_code(matches[0], handle.read(MAX_FILE_BYTES))}, []
        else:
            files, notes = {}, [f"{path.name} is not one of the files this assignment takes"]
    return Submitted(name, files, kind, path, [f"{name}: {n}" for n in notes])


def boilerplate_code(folders):
    """The code of every .py and .ipynb file under `folders` (the stubs, and any earlier starter code)."""
    texts = []
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix in CODE_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
                texts.append((path.name, as_code(path.name, path.read_bytes())))
    return texts
