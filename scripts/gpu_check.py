"""The first run on a GPU, in one go (scripts/gpu_check.sh): what the CUDA path does for real, as one table.

Steps: the environment and the GPU; `autograder calibrate` of A2-A5 on CUDA (limits timed from the reference);
each reference and its stubs graded with --device cuda under those limits; each determinism contract graded
twice; peak GPU memory per worker; a batch of 16 references with --per-gpu 4 against --per-gpu 1. `--dry` prints
the commands without running them (a CPU-only machine checks the script that way).
"""

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ASSIGNMENTS = ("a2", "a3", "a4", "a5")
# The tests that train twice with one seed and compare: each assignment's determinism contract.
DETERMINISM = {"a2": "fit_trains_the_model_reproducibly", "a3": "train_learns_deterministically",
               "a4": "train_multitask_contract", "a5": "training_contracts"}
BATCH_SIZE = 16


class Run:
    def __init__(self, dry, work):
        self.dry, self.work, self.rows = dry, work, []

    def command(self, *args, timeout=900):
        """Run `autograder ARGS`; returns (seconds, completed process or None in dry mode)."""
        line = [str(Path(sys.executable).with_name("autograder")), *map(str, args)]
        print("$ " + shlex.join(line), flush=True)
        if self.dry:
            return 0.0, None
        started = time.monotonic()
        done = subprocess.run(line, capture_output=True, text=True, timeout=timeout)
        seconds = time.monotonic() - started
        if done.returncode not in (0, 1):
            print(done.stderr[-2000:], file=sys.stderr)
        return seconds, done

    def row(self, step, result):
        if self.dry:
            return
        self.rows.append((step, result))
        print(f"  -> {result}", flush=True)


def environment(run):
    print("$ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader")
    if run.dry:
        return
    smi = shutil.which("nvidia-smi")
    gpu = subprocess.run([smi, "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
                         capture_output=True, text=True).stdout.strip() if smi else "no nvidia-smi"
    import torch
    run.row("GPU", f"{gpu}; torch {torch.__version__}, CUDA {torch.version.cuda}, "
                   f"available {torch.cuda.is_available()}")


def grade_json(run, assignment, submission, name, *options):
    out = run.work / f"{assignment}-{name}.json"
    seconds, done = run.command("grade", assignment, submission, "--device", "cuda", "--json", out, *options)
    if run.dry or not out.exists():
        return seconds, None
    return seconds, json.loads(out.read_text())


def peak_mib(data):
    peaks = [t["extra_data"].get("gpu_peak_bytes") or 0 for t in data.get("tests", [])]
    return max(peaks, default=0) / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dry", action="store_true", help="print what would run, run nothing")
    parser.add_argument("--runs", type=int, default=1, help="reference grades per calibration (default 1)")
    parser.add_argument("--only", nargs="*", default=ASSIGNMENTS, help="assignments to check (default a2-a5)")
    args = parser.parse_args()
    run = Run(args.dry, Path(tempfile.mkdtemp(prefix="gpu-check-")))
    environment(run)
    root = Path(__file__).resolve().parents[1]
    for a in args.only:
        name = next(p.name for p in (root / "solutions").iterdir() if p.name.startswith(a + "_"))
        seconds, _ = run.command("calibrate", a, "--device", "cuda", "--runs", args.runs)
        run.row(f"{a} calibrate", f"{seconds:.0f} s")
        seconds, data = grade_json(run, a, root / "solutions" / name, "reference")
        if data:
            heads = [t["extra_data"]["limit_s"] / max(t["extra_data"]["probe_seconds"], 1e-3) for t in data["tests"]]
            run.row(f"{a} reference", f"{data['score']:g}/{data['max_score']:g} in {seconds:.0f} s, "
                                      f"{data['extra_data']['limits_source']}, least headroom {min(heads):.1f}x, "
                                      f"peak GPU {peak_mib(data):.0f} MiB")
        seconds, data = grade_json(run, a, root / "assignments" / name, "stubs")
        if data:
            run.row(f"{a} stubs", f"{data['score']:g}/{data['max_score']:g} in {seconds:.0f} s")
        verdicts = []
        for attempt in (1, 2):
            _, data = grade_json(run, a, root / "solutions" / name, f"determinism{attempt}", "-k", DETERMINISM[a])
            if data:
                verdicts.append([(t["name"], t["score"], t["output"]) for t in data["tests"]])
        if verdicts:
            same = len(verdicts) == 2 and verdicts[0] == verdicts[1]
            points = " and ".join(f"{sum(t[1] for t in v):g}" for v in verdicts)
            run.row(f"{a} determinism twice", f"{'identical' if same else 'DIFFERENT'} verdicts ({points} points)")
    first = args.only[0]
    name = next(p.name for p in (root / "solutions").iterdir() if p.name.startswith(first + "_"))
    klass = run.work / "class"
    if not run.dry:
        klass.mkdir()
        for i in range(BATCH_SIZE):
            shutil.copytree(root / "solutions" / name, klass / f"student{i:02d}",
                            ignore=shutil.ignore_patterns("__pycache__"))
    for per_gpu in (1, 4):
        seconds, _ = run.command("batch", first, klass, "--device", "cuda", "--per-gpu", per_gpu,
                                 "--out", run.work / f"batch-{per_gpu}", "--force", timeout=1800)
        run.row(f"{first} batch of {BATCH_SIZE}, --per-gpu {per_gpu}", f"{seconds:.0f} s")
    if run.dry:
        print(f"(dry run: {len(args.only)} assignment(s), nothing ran)")
        return
    print("\n| step | result |\n|---|---|")
    for step, result in run.rows:
        print(f"| {step} | {result} |")


if __name__ == "__main__":
    main()
