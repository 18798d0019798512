"""The entries of a class's submissions folder: who handed in what, and the key a grade is kept under.

Each entry (a folder, a zip or a .py file) is one submission, named by student id; its key is made of
its content and the assignment's version, so a rerun knows what is already graded.
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from autograder.stamp import SKIPPED_NAMES, content_digest



class BatchError(Exception):
    """The batch cannot start (one sentence, for the user)."""


@dataclass
class Entry:
    """One submission of the batch: who handed it in, where it is, and its grading key."""

    student: str
    path: Path
    key: str




def student_id(path):
    """The student id an entry stands for: its name without .zip or .py."""
    name = Path(path).name
    for suffix in (".zip", ".py"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name




def entry_key(path, assignment):
    """The grading key: the submission's content, the assignment's name and its version."""
    text = f"{content_digest(path)}\0{assignment.name}\0{assignment.version}"
    return hashlib.sha256(text.encode()).hexdigest()


def discover(submissions, out=None):
    """The entries of a submissions folder, sorted by student id (hidden files and the output folder left out)."""
    folder = Path(submissions)
    if not folder.is_dir():
        raise BatchError(f"{folder} is not a folder of submissions (one folder, zip or .py file per student)")
    out = Path(out).resolve() if out else None
    found, by_student = [], {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name in SKIPPED_NAMES or (out and path.resolve() == out):
            continue
        student = student_id(path)
        by_student.setdefault(student, []).append(path.name)
        found.append((student, path))
    clashes = [names for names in by_student.values() if len(names) > 1]
    if clashes:
        raise BatchError("several entries stand for the same student: "
                         + "; ".join(" and ".join(names) for names in clashes) + "; keep one of each")
    return sorted(found)


def stored(results_dir, student):
    """The stored Gradescope dict of a student, or None when there is none or it cannot be read."""
    try:
        return json.loads((Path(results_dir) / f"{student}.json").read_text())
    except (OSError, ValueError):
        return None


def is_done(data, key):
    """Whether a stored result is the final grade of this key (engine failures are retried on a rerun)."""
    batch = (data or {}).get("extra_data", {}).get("batch", {})
    return batch.get("key") == key and not batch.get("retry", False)
