#!/usr/bin/env bash
# The demo: grade the reference solution of assignment 1 through the full sandboxed engine.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/venv.sh"
mkdir -p out/demo
.venv/bin/autograder grade a1 solutions/a1_classification --json out/demo/results.json --junit out/demo/junit.xml "$@"
echo "results: out/demo/results.json, out/demo/junit.xml"
