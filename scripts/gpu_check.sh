#!/usr/bin/env bash
# The first run on a GPU machine (under 8 minutes on one GPU): calibrate A2-A5 on CUDA, grade references and
# stubs there, run the determinism contracts twice, compare --per-gpu 4 with --per-gpu 1; prints one table.
# ./scripts/gpu_check.sh --dry prints what it would run (any machine).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/venv.sh"
exec .venv/bin/python scripts/gpu_check.py "$@"
