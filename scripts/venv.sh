#!/usr/bin/env bash
# Create or reuse .venv and install exactly the lock into it (sourced by demo.sh and test.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
python=${PYTHON:-python3}
lock=${AUTOGRADER_LOCK:-requirements-dev.lock}   # requirements.lock: grading only, without the CI tools
[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=".venv/.installed-$(cat pyproject.toml "$lock" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  # torch is not in the lock: the same pin is a CPU build on the course machines and the CUDA build on a
  # Linux GPU machine (their hashes differ); an unpinned torch could pull several GB.
  .venv/bin/python -c "import torch" 2>/dev/null || .venv/bin/python -m pip install -q "torch==2.13.0"
  .venv/bin/python -m pip install -q --require-hashes --no-deps -r "$lock"
  .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
  .venv/bin/python -m pip check >/dev/null || { .venv/bin/python -m pip check; exit 1; }
  touch "$stamp"
fi
