"""The assignments this engine knows: folders, assignment.toml settings, and lookup by id or name."""

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from autograder import env

# What the workers' fork server imports once unless assignment.toml's `preload` says otherwise (numpy's
# submodules load lazily: a worker that met numpy.random first would pay 11 ms for it).
PRELOAD = ("numpy", "numpy.random", "numpy.linalg", "torch", "matplotlib.pyplot")


class AssignmentError(Exception):
    """An unknown assignment or a malformed assignment.toml."""


@dataclass
class Limits:
    memory_mb: int = 2048
    threads: int = 1
    file_mb: int = 64
    scratch_mb: int = 256      # the worker's writable space (HOME, TMPDIR, working directory), a size-capped tmpfs
    pids_max: int = 64
    gpu_memory_fraction: float = 0.9
    unzipped_mb: int = 200     # the most a zipped submission may unpack to


@dataclass
class Assignment:
    id: str
    name: str
    title: str
    version: str
    files: list
    folder: Path                       # what students receive (stubs, public tests)
    aliases: dict = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    signatures: dict = field(default_factory=dict)
    forbidden: list = field(default_factory=list)
    devices: list = field(default_factory=lambda: ["cpu", "cuda"])   # where grading may run
    mask: list = field(default_factory=list)   # "package/folder" of installed packages, shown empty to workers
    data: list = field(default_factory=list)   # datasets/manifest.toml names the assignment reads (release bundles)
    preload: tuple = PRELOAD   # modules imported once for all workers (each fork costs more, the more is loaded)
    assets: list = field(default_factory=list)   # course files (relative to the course root) probes may read
    timing: dict = field(default_factory=dict)   # [timing]: k per test kind and floor_s of reference-timed limits
    late: dict = field(default_factory=dict)   # the [late] table as written (autograder.course.late checks it)

    @property
    def solution(self):
        return course_root() / "solutions" / self.name

    @property
    def hidden_tests(self):
        return course_root() / "tests" / "hidden" / self.name

    @property
    def public_tests(self):
        return self.folder / "tests"

    def asset_paths(self):
        """{name: file} of the `assets` list, each checked: a file inside the course, not a folder or a link out."""
        root = course_root().resolve()
        found = {}
        for name in self.assets:
            path = (root / name).resolve()
            if Path(name).is_absolute() or not path.is_relative_to(root) or not path.is_file():
                raise AssignmentError(f"{self.name}'s assignment.toml lists the asset {name!r}, which is not a "
                                      f"file inside the course ({root})")
            found[name] = path
        return found

    @classmethod
    def load(cls, folder):
        folder = Path(folder)
        path = folder / "assignment.toml"
        try:
            data = tomllib.loads(path.read_text())
            return cls(id=data["id"], name=folder.name, title=data["title"], version=str(data["version"]),
                       files=list(data["files"]), folder=folder, aliases=dict(data.get("aliases", {})),
                       limits=Limits(**data.get("limits", {})), signatures=dict(data.get("signatures", {})),
                       forbidden=list(data.get("forbidden", [])),
                       devices=list(data.get("devices", ["cpu", "cuda"])), mask=list(data.get("mask", [])),
                       data=list(data.get("data", [])), preload=tuple(data.get("preload", PRELOAD)),
                       assets=list(data.get("assets", [])), late=data.get("late", {}),
                       timing=dict(data.get("timing", {})))
        except FileNotFoundError:
            raise AssignmentError(f"{path} is missing") from None
        except (KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
            raise AssignmentError(f"{path} is malformed: {exc}") from None


def course_root() -> Path:
    """The folder holding assignments/, solutions/ and tests/hidden/ (this repository unless AUTOGRADER_ROOT says)."""
    return env.course_root()


def assignments_root() -> Path:
    return course_root() / "assignments"


def all_assignments() -> list[Assignment]:
    root = assignments_root()
    if not root.is_dir():
        return []
    return [Assignment.load(d) for d in sorted(root.iterdir()) if (d / "assignment.toml").exists()]


def find(key: str, near: str | os.PathLike | None = None) -> Assignment:
    """The assignment whose id ('aN') or folder name ('aN_name') is `key`: the course's, else the student's copy
    that `near` (default: the working directory) is in."""
    known = all_assignments()
    for a in known:
        if key in (a.id, a.name):
            return a
    copy = _student_copy(key, Path(near or "."))
    if copy is not None:
        return copy
    names = ", ".join(f"{a.id} ({a.name})" for a in known) or "none"
    raise AssignmentError(f"unknown assignment {key!r}; known assignments: {names}"
                          + ("" if known else " (run it in your copy of the assignment, beside its assignment.toml)"))


def _student_copy(key, near):
    """The unzipped student folder holding `near` whose assignment.toml is `key`'s, or None (an engine installed
    from the student zip's wheel has no course of its own)."""
    near = near.resolve()
    for folder in (near, *near.parents):
        if (folder / "assignment.toml").is_file():
            copy = Assignment.load(folder)
            return copy if key in (copy.id, copy.name) else None
    return None


def copy_datasets(assignment) -> Path | None:
    """The datasets folder a student's copy carries (its data/ with a manifest), when it is not the course's."""
    data = assignment.folder / "data"
    return data if assignment.folder.parent != assignments_root() and (data / "manifest.toml").is_file() else None


def for_test_path(path: str | os.PathLike) -> Assignment:
    """The assignment a test file belongs to: tests/hidden/<name>/... or assignments/<name>/tests/..."""
    path = Path(path).resolve()
    for parent in path.parents:
        if (parent / "assignment.toml").exists():
            return Assignment.load(parent)
        candidate = assignments_root() / parent.name
        if parent.parent.name == "hidden" and (candidate / "assignment.toml").exists():
            return Assignment.load(candidate)
    raise AssignmentError(f"{path} belongs to no assignment (no assignment.toml above it, "
                          f"and not under tests/hidden/<assignment>/)")
