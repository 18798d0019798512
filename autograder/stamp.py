"""Which release graded a submission, and what a submission held: content digests, used by grading (every
result carries the stamp), the batch (its keys) and packaging (release.json). Imports nothing of the engine but
the assignment's folders.

The stamp is the assignment's version and a hash of its hidden tests and reference solution. A checkout
computes it; a bundle (which holds no solution) carries the one computed at release, in release.json.
"""
import hashlib
import json
import os
from pathlib import Path

from autograder import assignments

RELEASE_FILE = "release.json"
SKIPPED_NAMES = {"__MACOSX", "__pycache__"}


def content_digest(path):
    """sha256 of what was handed in: a file's bytes, or a folder's files sorted by path with their bytes."""
    path = Path(path)
    digest = hashlib.sha256()
    if not path.is_dir():
        digest.update(path.read_bytes())
        return digest.hexdigest()
    for item in sorted(_folder_files(path), key=lambda p: p.relative_to(path).as_posix()):
        rel = item.relative_to(path).as_posix().encode()
        data = os.readlink(item).encode() if item.is_symlink() else item.read_bytes()
        digest.update(b"%d:%s%d:" % (len(rel), rel, len(data)))
        digest.update(data)
    return digest.hexdigest()


def _folder_files(folder):
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in SKIPPED_NAMES and d != ".git"]
        for name in files:
            yield Path(root) / name


def content_hash(assignment):
    """sha256 (16 hex digits) over the hidden tests' and the solution's file names and bytes."""
    text = f"{content_digest(assignment.hidden_tests)}\0{content_digest(assignment.solution)}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def stamp(assignment):
    """{"assignment", "version", "content"}: the release this course root grades `assignment` with."""
    recorded = assignments.course_root() / RELEASE_FILE
    if recorded.is_file():
        entry = json.loads(recorded.read_text()).get(assignment.id)
        if entry:
            return entry
    content = content_hash(assignment) if assignment.solution.is_dir() else None
    return {"assignment": assignment.id, "version": assignment.version, "content": content}
