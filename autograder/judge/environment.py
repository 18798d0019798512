"""The grading environment: the lock's versions, the ones installed here, and the record every result carries.

`requirements.lock` (made by `scripts/lock.sh` with uv) pins every package the grading environment installs,
except torch, which `scripts/venv.sh` installs as `torch==2.13.0` (a CPU build here, the CUDA build on a GPU
machine: same version, different files and hashes). Run as `python -m autograder.judge.environment --inputs-hash`
to print the hash of the lock's inputs.
"""

import hashlib
import json
import platform
import re
import sys
import tomllib
from functools import lru_cache
from importlib import metadata

from autograder import env

LOCK = env.REPO / "requirements.lock"
LOCK_INPUTS = [env.REPO / "scripts" / "lock" / "torch-deps.txt", env.REPO / "scripts" / "lock" / "no-torch.txt"]
TORCH_PIN = "2.13.0"
RECORDED = ("numpy", "torch", "scikit-learn", "scipy")   # the packages whose versions each result records
_PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def _normal(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def inputs_hash(repo=env.REPO):
    """Hash of what the lock is generated from: pyproject's requirements and the lock's own input files."""
    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    inputs = {"requires-python": project.get("requires-python"), "dependencies": project.get("dependencies", []),
              "optional": project.get("optional-dependencies", {}),
              "files": [(p.name, p.read_text()) for p in LOCK_INPUTS if p.exists()]}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]


def stamped_inputs_hash(lock=LOCK):
    """The inputs hash written into `lock` when it was generated (None if absent)."""
    for line in lock.read_text().splitlines()[::-1]:
        if line.startswith("# inputs-sha256:"):
            return line.split(":", 1)[1].strip()
    return None


@lru_cache(maxsize=4)
def locked_versions(lock=LOCK):
    """{normalised package name: version} pinned by the lock, torch included by its rule; {} without a lock."""
    if not lock.exists():
        return {}
    from packaging.markers import Marker
    pins = {_normal(m.group(1)): m.group(2) for m in map(_PIN.match, lock.read_text().splitlines())
            if m and (m.group(3) is None or Marker(m.group(3)).evaluate())}   # a universal lock: this Python's pins
    pins["torch"] = TORCH_PIN
    return pins


def installed_version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _public(version):
    """'2.13.0+cpu' -> '2.13.0': the build suffix of torch is not a different version."""
    return version.split("+", 1)[0] if version else version


def mismatches(packages=RECORDED):
    """[(package, installed, locked)] where this environment differs from the lock."""
    locked = locked_versions()
    out = []
    for name in packages:
        want, have = locked.get(_normal(name)), installed_version(name)
        if want and _public(have) != want:
            out.append((name, have or "not installed", want))
    return out


def warning(packages=RECORDED):
    """One line for a student whose versions differ from the course's, or None."""
    found = mismatches(packages)
    if not found:
        return None
    here = ", ".join(f"{name} {have}" for name, have, _ in found)
    graded = ", ".join(f"{want}" for _, _, want in found)
    return f"{here} here; the course grades with {graded}: results may differ (install the lock: scripts/venv.sh)"


def lock_hash(lock=LOCK):
    return hashlib.sha256(lock.read_bytes()).hexdigest()[:16] if lock.exists() else None


def record():
    """What results.json's extra_data says about the environment that graded it."""
    return {"python": platform.python_version(), **{name: installed_version(name) for name in RECORDED},
            "lock": lock_hash(), "matches_lock": not mismatches()}


if __name__ == "__main__":
    if sys.argv[1:] == ["--inputs-hash"]:
        print(inputs_hash())
    else:
        print(json.dumps(record(), indent=1))
