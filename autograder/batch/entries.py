"""The entries of a class's submissions folder: who handed in what, and the key a grade is kept under.

Each entry (a folder, a zip or a .py file) is one submission, named by student id; its key is made of
its content, the assignment's version and the content hash of its hidden tests and solution (the release stamp),
so a rerun knows what is already graded, and says why the rest is (re)graded.
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from autograder.course.timestamps import EXPORT_METADATA, export_students
from autograder.stamp import SKIPPED_NAMES, content_digest, stamp



class BatchError(Exception):
    """The batch cannot start (one sentence, for the user)."""


@dataclass
class Entry:
    """One submission of the batch: who handed it in, where it is, and its grading key."""

    student: str
    path: Path
    key: str
    reason: str = ""   # why it is (re)graded: new, submission, hidden tests, release, forced, retry
    digest: str = ""   # content_digest of the submission




def student_id(path):
    """The student id an entry stands for: its name without .zip or .py."""
    name = Path(path).name
    for suffix in (".zip", ".py"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name




def entry_key(path, assignment, release=None, digest=None):
    """The grading key: the submission's content, the assignment's name and version, and the content hash of the
    release stamp (`release`, default stamp(assignment)), so a fixed hidden test changes every key."""
    content = (release or stamp(assignment)).get("content")
    text = f"{digest or content_digest(path)}\0{assignment.name}\0{assignment.version}\0{content}"
    return hashlib.sha256(text.encode()).hexdigest()


def _legacy_key(digest, assignment, version):
    """The key results were stored under before it held the stamp's content hash."""
    return hashlib.sha256(f"{digest}\0{assignment.name}\0{version}".encode()).hexdigest()


def discover(submissions, out=None):
    """The entries of a submissions folder, sorted by student id (hidden files and the output folder left out)."""
    folder = Path(submissions)
    if not folder.is_dir():
        raise BatchError(f"{folder} is not a folder of submissions (one folder, zip or .py file per student)")
    out = Path(out).resolve() if out else None
    owners = export_students(folder)   # a Gradescope export: submission_<id> -> its submitters (a group: several)
    found, by_student = [], {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name in SKIPPED_NAMES or (out and path.resolve() == out) \
                or path.name == EXPORT_METADATA:
            continue
        for student in owners.get(path.name) or [student_id(path)]:
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


def regrade_reason(data, key, digest, assignment, release):
    """Why the stored result `data` is not the grade of this submission (content `digest`, grading key `key`) under
    this `release` stamp: "new", "retry", "submission", "release", "hidden tests" (or two of them); None when it is."""
    if not isinstance(data, dict):
        return "new"
    extra = data.get("extra_data", {})
    batch, earlier = extra.get("batch", {}), extra.get("release") or {}
    if batch.get("retry"):
        return "retry"
    if batch.get("key") == key:
        return None
    version = earlier.get("version", extra.get("version"))
    if "digest" in batch:
        same_submission = batch["digest"] == digest
    else:   # stored before results recorded their digest: its key tells
        same_submission = batch.get("key") == _legacy_key(digest, assignment, version)
    reasons = [] if same_submission else ["submission"]
    if str(version) != str(release.get("version")):
        reasons.append("release")
    elif earlier.get("content") != release.get("content"):
        reasons.append("hidden tests")
    if not reasons and "digest" in batch:   # same submission and stamp, another key: the tests were edited while
        reasons.append("hidden tests")     # it was graded (its key and its stamp saw different files)
    return ", ".join(reasons) or None


def plan(found, results_dir, assignment, force=False):
    """(Entries to grade, students whose stored result is current) of the (student, path) pairs `found`; each
    Entry says why it is (re)graded."""
    release = stamp(assignment)
    todo, current = [], []
    for student, path in found:
        digest = content_digest(path)
        key = entry_key(path, assignment, release, digest)
        reason = regrade_reason(stored(results_dir, student), key, digest, assignment, release)
        reason = reason or ("forced" if force else None)
        if reason:
            todo.append(Entry(student, path, key, reason, digest))
        else:
            current.append(student)
    return todo, current
