"""Engine overhead: grading through sandboxed workers vs the same probe calls in one plain process.

Prints, in one run: the time to grade the reference through the engine, the time of the same
tests with every probe run in-process (no worker, no sandbox, no channel), their difference,
and the cost of starting and stopping one worker (sandboxed and not).
Usage: python benchmarks/bench_engine.py [--assignment a1] [--smoke]
"""

import argparse
import importlib.util
import statistics
import sys
import time

from autograder import assignments, plugin
from autograder.grading import grade
from autograder.sandbox.client import Worker, WorkerSpec, forkserver
from autograder.sandbox.worker import AliasFinder


def in_process_probe(self, name, /, **kwargs):
    """Stand-in for Submission.probe: import the probes and call them right here."""
    folder = str(self.materialized.folder)
    if sys.path[0] != folder:
        for key in [k for k in sys.modules if k.split(".")[0] in ("classifiers", "cs231n", "probes")]:
            del sys.modules[key]
        sys.path.insert(0, folder)
        sys.meta_path.insert(0, AliasFinder(self.assignment.aliases))
    spec = importlib.util.spec_from_file_location("probes", self.probes_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    started = time.monotonic()
    try:
        return getattr(module, name)(**kwargs)
    finally:
        self.record.probe_seconds += time.monotonic() - started


def worker_start_cost(repeats, sandbox):
    spec = WorkerSpec(submission_dir=None, probes_module="autograder.probe", sandbox=sandbox)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        Worker(spec).start().stop()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="a1")
    parser.add_argument("--smoke", action="store_true", help="a quick run for CI: fewer tests and repeats")
    args = parser.parse_args()
    assignment = assignments.find(args.assignment)
    select = "distances or svm_loss" if args.smoke else None
    forkserver()  # started once per judge process; not part of either timing
    grade(assignment, assignment.solution, select="shape")  # warm-up: imports, data, calibration cache
    started = time.monotonic()
    engine = grade(assignment, assignment.solution, select=select)
    engine_s = time.monotonic() - started
    original = plugin.Submission.probe
    plugin.Submission.probe = in_process_probe
    try:
        grade(assignment, assignment.solution, select="shape")
        started = time.monotonic()
        plain = grade(assignment, assignment.solution, select=select)
        plain_s = time.monotonic() - started
    finally:
        plugin.Submission.probe = original
    repeats = 5 if args.smoke else 30
    sandboxed, bare = worker_start_cost(repeats, True), worker_start_cost(repeats, False)
    n = len(engine.tests)
    print(f"assignment {assignment.name}: {n} tests, engine score {engine.score:g}/{engine.max_score:g}, "
          f"in-process score {plain.score:g}/{plain.max_score:g}")
    print(f"grade through the engine : {engine_s:7.2f} s")
    print(f"same probes in-process   : {plain_s:7.2f} s")
    print(f"engine overhead          : {engine_s - plain_s:7.2f} s ({(engine_s - plain_s) / n * 1000:.0f} ms a test)")
    print(f"worker start+stop        : {sandboxed * 1000:7.1f} ms sandboxed, {bare * 1000:.1f} ms unsandboxed "
          f"(median of {repeats})")


if __name__ == "__main__":
    main()
