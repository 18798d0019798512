#!/usr/bin/env bash
# The whole test suite: the engine's tests and every assignment's reference, stubs and wrong submissions.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/venv.sh"
.venv/bin/python -m pytest "$@"
