"""Batch grading: the same set of submissions with --jobs 1 and --jobs 2, and the engine's fixed cost per submission.

Prints, in one run: both batch wall times and their ratio (each includes starting the judges), then the fixed
cost of one submission, measured two ways on trivially small submissions (untouched stubs of a toy assignment,
two tests each): the median time between two results of a one-judge batch of stubs (the judge's start-up
excluded, printed apart), and the judge's time per stub outside the probe calls (pytest session, materialising,
results).
The set is N submissions of --assignment: for a1 (the default when assignments/a1_classification exists),
copies of the reference solution and of the stubs, alternating; for `toy`, a CPU-bound toy assignment built
in a temporary folder, three references (about 1.5 s of numpy work each) to one stub.
Usage: python benchmarks/bench_batch.py [--assignment a1|toy] [-n N] [--smoke]
"""

import argparse
import json
import os
import shutil
import statistics
import tempfile
import textwrap
import time
from pathlib import Path

from autograder import assignments, batch

TOY = {
    "assignments/bench/assignment.toml": '''
        id = "bench"
        title = "Batch benchmark"
        version = "1"
        devices = ["cpu"]
        files = ["lib/ops.py"]
        [limits]
        threads = 1
        ''',
    "assignments/bench/lib/__init__.py": "",
    "assignments/bench/lib/ops.py": '''
        def add(a, b):
            raise NotImplementedError()


        def work(n):
            raise NotImplementedError()
        ''',
    "tests/hidden/bench/probes.py": '''
        from autograder.worker.probe import answers, array, number


        @answers(sum=array)
        def add(a, b):
            import lib.ops as ops
            return {"sum": ops.add(a, b)}


        @answers(value=number)
        def work(n):
            import lib.ops as ops
            return {"value": ops.work(n)}
        ''',
    "tests/hidden/bench/test_bench.py": '''
        import numpy as np
        import pytest


        def test_add_values(submission, rng):
            a, b = rng.normal(size=3), rng.normal(size=3)
            np.testing.assert_allclose(submission.probe("add", a=a, b=b)["sum"], a + b)


        @pytest.mark.points(2)
        @pytest.mark.budget(cpu=30)
        def test_work_value(submission):
            value = submission.probe("work", n=2400)["value"]
            assert np.isfinite(value) and value > 0, "work() must return a positive number"
        ''',
}
TOY_REFERENCE = '''
    import numpy as np


    def add(a, b):
        return a + b


    def work(n):
        rng = np.random.default_rng(0)
        m = rng.normal(size=(200, 200)) / 20
        x = np.eye(200)
        for _ in range(n):
            x = np.tanh(m @ x)
        return float(np.abs(x).sum())
    '''


def write(root, rel, text):
    path = Path(root) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def toy_course(root):
    """A course with one CPU-bound toy assignment ('bench'); AUTOGRADER_ROOT points at it for the judges."""
    for rel, text in TOY.items():
        write(root, rel, text)
    os.environ["AUTOGRADER_ROOT"] = str(root)
    return assignments.find("bench")


def make_set(assignment, folder, n, toy):
    """N submissions: references and stubs (toy: three references to one stub; a1: alternating)."""
    folder.mkdir(parents=True)
    for i in range(n):
        stub = (i % 4 == 3) if toy else (i % 2 == 1)
        target = folder / f"student{i:03d}"
        if toy:
            write(target, "lib/ops.py", TOY["assignments/bench/lib/ops.py"] if stub else TOY_REFERENCE)
        else:
            shutil.copytree(assignment.folder if stub else assignment.solution, target,
                            ignore=shutil.ignore_patterns("tests", "__pycache__"))
    return folder


class Clock:
    """A silent progress reporter that notes when each submission is done."""

    def __init__(self):
        self.started, self.done = time.monotonic(), []

    def start(self, where):
        pass

    def advance(self, student, data, failed):
        self.done.append(time.monotonic())

    def stop(self):
        pass


def busy_seconds():
    """CPU seconds the whole machine spent busy so far (user, nice, system, irq, softirq), or None off Linux."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def timed_batch(assignment, subs, out, jobs):
    """(wall time, Summary, Clock, busy cores) of one batch run; busy cores: the machine's mean CPU use."""
    clock, busy = Clock(), busy_seconds()
    summary = batch.run_batch(assignment, subs, out=out, jobs=jobs, progress=clock)
    wall = time.monotonic() - clock.started
    cores = None if busy is None else (busy_seconds() - busy) / wall
    assert summary.graded == summary.entries and summary.failed == 0, f"{summary.failed} submission(s) not graded"
    return wall, summary, clock, cores


def outside_probes(out):
    """Per result: the judge's grading time minus the time spent in probe calls."""
    times = []
    for path in sorted((out / "results").glob("*.json")):
        data = json.loads(path.read_text())
        probes = sum(t.get("extra_data", {}).get("probe_seconds", 0.0) for t in data["tests"])
        times.append(data["execution_time"] - probes)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = "a1" if (assignments.assignments_root() / "a1_classification").is_dir() else "toy"
    parser.add_argument("--assignment", help=f"a1 or toy (default here: {default}; toy with --smoke)")
    parser.add_argument("-n", type=int, help="submissions in the set (default 8, 4 with --smoke)")
    parser.add_argument("--smoke", action="store_true", help="a quick run for CI: the toy, 4 submissions")
    args = parser.parse_args()
    name = args.assignment or ("toy" if args.smoke else default)
    n = args.n or (4 if args.smoke else 8)
    stubs_n = 4 if args.smoke else 10
    root = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    original_root = os.environ.get("AUTOGRADER_ROOT")
    try:
        assignment = toy_course(root / "course") if name == "toy" else assignments.find(name)
        subs = make_set(assignment, root / "subs", n, toy=name == "toy")
        wall1, summary, _, busy1 = timed_batch(assignment, subs, root / "jobs1", 1)
        if summary.mean_score <= 0:
            raise SystemExit("the set's references scored nothing: the benchmark would time failures")
        wall2, _, _, busy2 = timed_batch(assignment, subs, root / "jobs2", 2)
        engine = statistics.mean(outside_probes(root / "jobs1"))

        toy = toy_course(root / "toy-course")   # the fixed cost, on trivially small submissions
        stub = TOY["assignments/bench/lib/ops.py"]
        for i in range(stubs_n):
            write(root / "stubs", f"stub{i:03d}/lib/ops.py", stub)
        _, _, clock, _ = timed_batch(toy, root / "stubs", root / "many-out", 1)
        steps = [b - a for a, b in zip(clock.done, clock.done[1:])]
        per_stub = statistics.median(steps)
        start_up = clock.done[0] - clock.started - per_stub
        stub_engine = statistics.mean(outside_probes(root / "many-out"))
    finally:
        shutil.rmtree(root, ignore_errors=True)
        if original_root is None:
            os.environ.pop("AUTOGRADER_ROOT", None)
        else:
            os.environ["AUTOGRADER_ROOT"] = original_root
    cores = batch.available_cpus()
    print(f"set: {n} submissions of {assignment.name} (mean score {summary.mean_score:g} / {summary.max_score:g}), "
          f"{cores} CPU core(s), device {summary.device.get('kind')} (factor {summary.device.get('factor')})")
    def using(cores):
        return "" if cores is None else f"   ({cores:.2f} of the machine's cores busy on average)"
    print(f"--jobs 1                   : {wall1:7.2f} s{using(busy1)}")
    print(f"--jobs 2                   : {wall2:7.2f} s{using(busy2)}")
    print(f"ratio jobs1 / jobs2        : {wall1 / wall2:7.2f}")
    print(f"judge time outside probes  : {engine:7.2f} s a submission of this set")
    print(f"fixed cost per submission  : {per_stub:7.2f} s per toy stub (median time between results, one judge, "
          f"{stubs_n} stubs); grade() outside probe calls {stub_engine:.2f} s")
    print(f"judge start-up (once)      : {start_up:7.2f} s (spawn, imports, the fork server and its preload)")


if __name__ == "__main__":
    main()
