#!/usr/bin/env bash
# Regenerate requirements.lock (grading) and requirements-dev.lock (grading + CI tools) from pyproject.toml with uv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
uv=${UV:-.venv/bin/uv}
common=(--universal --python-version 3.11 --generate-hashes --override scripts/lock/no-torch.txt --quiet)
"$uv" pip compile pyproject.toml scripts/lock/torch-deps.txt "${common[@]}" -o requirements.lock
"$uv" pip compile pyproject.toml scripts/lock/torch-deps.txt --extra dev -c requirements.lock "${common[@]}" \
  -o requirements-dev.lock
stamp="# inputs-sha256: $(.venv/bin/python -m autograder.judge.environment --inputs-hash)"
for lock in requirements.lock requirements-dev.lock; do
  printf '%s\n' "$stamp" >> "$lock"
done
echo "wrote requirements.lock ($(grep -c '==' requirements.lock) packages), requirements-dev.lock ($(grep -c '==' requirements-dev.lock))"
