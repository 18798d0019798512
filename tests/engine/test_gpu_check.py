"""scripts/gpu_check.sh on a machine without a GPU: its dry mode lists every step, and each command it would run
is one the `autograder` command accepts (so the script cannot drift from the CLI before a GPU ever runs it)."""

import shlex
import subprocess
import sys

from autograder import env
from autograder.cli import build_parser


def test_the_dry_run_lists_every_step_as_valid_commands():
    done = subprocess.run([sys.executable, str(env.REPO / "scripts/gpu_check.py"), "--dry"], capture_output=True,
                          text=True, timeout=60, check=True)
    commands = [shlex.split(line[2:]) for line in done.stdout.splitlines() if line.startswith("$ ")]
    verbs = [c[1:3] for c in commands if c[0].endswith("autograder")]
    for a in ("a2", "a3", "a4", "a5"):
        assert ["calibrate", a] in verbs and verbs.count(["grade", a]) == 4   # reference, stubs, determinism x2
    per_gpu = [c[c.index("--per-gpu") + 1] for c in commands if "--per-gpu" in c]
    assert per_gpu == ["1", "4"]
    for command in commands:
        if command[0].endswith("autograder"):
            args = build_parser().parse_args(command[1:])   # exits (SystemExit) on anything the CLI refuses
            assert args.device == "cuda"
    assert "nothing ran" in done.stdout
