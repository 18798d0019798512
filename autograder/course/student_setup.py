"""What a student zip carries to set itself up: setup.sh (and setup.ps1, which runs it in WSL), the course's lock,
the engine as a wheel, and the README section that says how.

The engine travels as a wheel written here, not as its source: a wheel installs with `pip install --no-deps` and
no build step (no setuptools to fetch, nothing built into the student's folder), and the same sources give the
same bytes, like the rest of the zip.
"""
import base64
import hashlib
import io
import tomllib
import zipfile

from autograder.judge.environment import TORCH_PIN   # the pin of scripts/venv.sh and Gradescope's setup.sh

SETUP_DIR = "setup"   # in the student's folder: the lock and the wheel

SETUP_SH = r"""#!/usr/bin/env bash
# Sets up this folder once: a virtual environment in .venv/ with the course's packages, at the versions the
# grader uses, and the autograder. Rerun it whenever you like: it reuses .venv/. uv (https://docs.astral.sh/uv/)
# makes it much faster when it is installed; python3 -m venv and pip do it otherwise.
set -euo pipefail
cd "$(dirname "$0")"
python=${PYTHON:-$(command -v python3.12 || command -v python3.11 || command -v python3 || true)}
if [ -z "$python" ] || ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup.sh: the course needs Python 3.11 or newer (found ${python:-no python3}): install one" \
       "(python.org, your package manager or uv) and run ./setup.sh again." >&2
  exit 1
fi
if command -v uv >/dev/null; then
  [ -x .venv/bin/python ] || uv venv -q --python "$python" .venv
  pip=(uv pip install --python .venv/bin/python)
  reinstall=(--reinstall-package autograder)
else
  [ -x .venv/bin/python ] || "$python" -m venv .venv || {
    echo "setup.sh: $python -m venv failed; on Debian or Ubuntu install python3-venv (sudo apt install" \
         "python3-venv) and run ./setup.sh again." >&2
    exit 1; }
  .venv/bin/python -m pip --version >/dev/null 2>&1 || .venv/bin/python -m ensurepip -q   # a venv uv made
  pip=(.venv/bin/python -m pip install --disable-pip-version-check)
  reinstall=(--force-reinstall)
fi
# torch is not in the lock: the same pin is a CPU build on a machine without a GPU and the CUDA build on a Linux
# GPU machine (their hashes differ). On Linux without one, PyPI's build would bring GBs of CUDA libraries.
if ! .venv/bin/python -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("torch") is None)'; then
  if [ "$(uname -s)" = Linux ] && ! command -v nvidia-smi >/dev/null; then
    "${pip[@]}" "torch==@TORCH@" --index-url https://download.pytorch.org/whl/cpu
  else
    "${pip[@]}" "torch==@TORCH@"
  fi
fi
echo "setup.sh: installing the course's packages (@SETUP@/requirements.lock) and the autograder"
"${pip[@]}" -q --require-hashes --no-deps -r @SETUP@/requirements.lock
"${pip[@]}" -q --no-deps "${reinstall[@]}" @SETUP@/@WHEEL@   # the same version, maybe another release
.venv/bin/python -c 'import autograder.cli, numpy, torch'
echo
echo "Set up. Check your work with the public tests, from this folder:"
echo "    .venv/bin/autograder check @ID@ ."
"""

SETUP_PS1 = r"""# Windows: the autograder's sandbox needs Linux (it forks its workers and confines them with Linux's own
# limits), so the course runs in WSL, the Linux that comes with Windows. This runs setup.sh there, in this folder.
# From PowerShell, in this folder:   powershell -ExecutionPolicy Bypass -File setup.ps1
Set-Location -LiteralPath $PSScriptRoot
wsl.exe --exec bash -c "exit 0" *> $null
if ($LASTEXITCODE -ne 0) {
    Write-Host ("setup.ps1: the autograder runs in WSL, which is not set up here: run 'wsl --install' in an " +
                "administrator PowerShell, restart Windows, and run setup.ps1 again.")
    exit 1
}
wsl.exe --exec bash ./setup.sh
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
Write-Host "From PowerShell in this folder:    wsl .venv/bin/autograder check @ID@ ."
"""

README_SECTION = """## Set up (once)

The autograder and the course's packages, at the versions the grader uses, go into a virtual environment in
`.venv/` inside this folder. You need Python 3.11 or newer; [uv](https://docs.astral.sh/uv/) makes it much faster
when it is installed. From this folder:

```
./setup.sh
```

On Windows the grader runs in WSL (Linux on Windows: `wsl --install` once); from PowerShell in this folder run
`powershell -ExecutionPolicy Bypass -File setup.ps1`, and put `wsl ` before the commands below.

Then check your work with the public tests:

```
.venv/bin/autograder check {id} .
```

(after `source .venv/bin/activate`, plain `autograder check {id}` works too, as in "Checking your work" below).

Rerun `./setup.sh` whenever you like: it reuses `.venv/`. Hand in your files, never `.venv/`.

"""


def _record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def engine_wheel(course_root, package_files, fixed_time):
    """(file name, bytes) of a pure-Python wheel of the engine: `package_files` ({path in the wheel: bytes}), with
    the name, version, requirements and entry points of `course_root`'s pyproject.toml."""
    project = tomllib.loads((course_root / "pyproject.toml").read_text())["project"]
    name, version = project["name"], project["version"]
    dist = f"{name}-{version}.dist-info"
    groups = {"console_scripts": project.get("scripts", {}), **project.get("entry-points", {})}
    files = dict(package_files)
    files[f"{dist}/METADATA"] = "".join(
        [f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {project.get('description', '')}\n",
         f"Requires-Python: {project.get('requires-python', '>=3')}\n"]
        + [f"Requires-Dist: {requirement}\n" for requirement in project.get("dependencies", [])]).encode()
    files[f"{dist}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: autograder release\nRoot-Is-Purelib: true\n" \
                             b"Tag: py3-none-any\n"
    files[f"{dist}/entry_points.txt"] = "".join(
        f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in entries.items()) + "\n"
        for group, entries in groups.items() if entries).encode()
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in files.items())
    files[f"{dist}/RECORD"] = (record + f"{dist}/RECORD,,\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in files.items():
            wheel.writestr(zipfile.ZipInfo(path, fixed_time), data, zipfile.ZIP_DEFLATED)
    return f"{name}-{version}-py3-none-any.whl", buffer.getvalue()


def with_setup_section(readme, assignment_id):
    """The assignment's README with the set-up section before its first `## ` heading (at the end without one)."""
    section = README_SECTION.format(id=assignment_id)
    head, found, rest = readme.partition("\n## ")
    return f"{head}\n{section}## {rest}" if found else f"{readme.rstrip()}\n\n{section}"


def add_setup(bundle, prefix, assignment, course_root, package_files, fixed_time):
    """setup.sh, setup.ps1, setup/requirements.lock, setup/<engine wheel> and the README with its set-up section,
    into `bundle` under `prefix` (the student's folder)."""
    wheel_name, wheel = engine_wheel(course_root, package_files, fixed_time)
    fill = {"@ID@": assignment.id, "@TORCH@": TORCH_PIN, "@SETUP@": SETUP_DIR, "@WHEEL@": wheel_name}
    scripts = {"setup.sh": SETUP_SH, "setup.ps1": SETUP_PS1}
    for name, text in scripts.items():
        for key, value in fill.items():
            text = text.replace(key, value)
        bundle.add(f"{prefix}/{name}", text, executable=True)
    bundle.add(f"{prefix}/{SETUP_DIR}/requirements.lock", (course_root / "requirements.lock").read_bytes())
    bundle.add(f"{prefix}/{SETUP_DIR}/{wheel_name}", wheel)
    readme = assignment.folder / "README.md"
    text = readme.read_text() if readme.is_file() else f"# {assignment.title}\n"
    bundle.add(f"{prefix}/README.md", with_setup_section(text, assignment.id))
