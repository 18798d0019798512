"""Find the datasets folder, read its manifest and verify each file's sha256."""
import hashlib
import os
import tomllib
from pathlib import Path

from autograder import env

ENV_VAR = env.DATASETS
README = "datasets/README.md"

_verified = set()  # (path, sha256, size, mtime_ns) of files already checked in this process


class DatasetError(Exception):
    """A dataset is missing, corrupt or malformed; the message is one sentence a user can act on."""


def shown(path):
    """The path as a user should read it: relative to the repository when inside it."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(env.REPO))
    except ValueError:
        return str(path)


def datasets_dir():
    """The datasets folder: $AUTOGRADER_DATASETS if set, else datasets/ at the course root."""
    from autograder.assignments import course_root
    override = os.environ.get(ENV_VAR)
    return Path(override) if override else course_root() / "datasets"


def read_manifest():
    """Manifest entries keyed by dataset name (dicts with name, file, sha256, source, licence, description)."""
    path = datasets_dir() / "manifest.toml"
    if not path.is_file():
        raise DatasetError(f"The dataset manifest is missing: expected {shown(path)} (see {README}).")
    try:
        with open(path, "rb") as f:
            entries = tomllib.load(f).get("dataset", [])
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise DatasetError(f"The dataset manifest {shown(path)} is not valid TOML ({e}).") from None
    fields = ("name", "file", "sha256")
    if not all(isinstance(entry, dict) and all(k in entry for k in fields) for entry in entries):
        raise DatasetError(f"The dataset manifest {shown(path)} has a [[dataset]] entry without name, file and sha256.")
    return {entry["name"]: entry for entry in entries}


def sha256_of(path):
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dataset_path(name):
    """Path of the manifest's dataset `name`, after checking it exists and matches its sha256."""
    entries = read_manifest()
    if name not in entries:
        manifest = shown(datasets_dir() / "manifest.toml")
        raise DatasetError(f"Dataset '{name}' is not listed in {manifest} (see {README}).")
    entry = entries[name]
    path = datasets_dir() / entry["file"]
    if not path.is_file():
        raise DatasetError(f"Dataset '{name}' is missing: expected {shown(path)} (see {README}).")
    stat = path.stat()
    key = (str(path.resolve()), entry["sha256"], stat.st_size, stat.st_mtime_ns)
    if key not in _verified:
        actual = sha256_of(path)
        if actual != entry["sha256"].lower():
            raise DatasetError(
                f"Dataset '{name}' is corrupt: sha256 of {shown(path)} is {actual}, not {entry['sha256']} as in "
                f"the manifest; replace it with the original file (see {README})."
            )
        _verified.add(key)
    return path
