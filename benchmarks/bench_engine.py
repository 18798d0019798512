"""Engine overhead: grading through sandboxed workers vs the same probe calls in one plain process.

Prints, in one run: the time to grade the reference through the engine, the time of the same
tests with every probe run in-process (no worker, no sandbox, no channel), their difference,
the cost of a submission's sandbox (its zygote, made once) and of one test's worker forked from it.
Usage: python benchmarks/bench_engine.py [--assignment a1] [--smoke]
"""

import argparse
import importlib.util
import statistics
import sys
import time

import torch
from threadpoolctl import threadpool_limits

from autograder import assignments

from autograder.judge import handle
from autograder.judge.grading import grade
from autograder.sandbox.client import Worker
from autograder.sandbox.launch import Sandbox, WorkerSpec, forkserver
from autograder.worker.loop import AliasFinder


def in_process_call(self, name, kwargs):
    """Stand-in for ProbeHandle._call (under probe and timed): import the probes and call them right here.

    Like a worker, each test gets its own fresh probes module (state a probe keeps for the test's later
    calls, such as large inputs, lives as long as the test); the submission's modules are imported once."""
    folder = str(self.materialized.folder)
    if sys.path[0] != folder:
        for key in [k for k in sys.modules if k.split(".")[0] in ("classifiers", "cs231n", "probes")]:
            del sys.modules[key]
        sys.path.insert(0, folder)
        sys.meta_path.insert(0, AliasFinder(self.assignment.aliases))
    module = self.__dict__.get("in_process_probes")
    if module is None:
        spec = importlib.util.spec_from_file_location("probes", self.probes_file)
        module = self.in_process_probes = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    started = time.monotonic()
    try:
        value = getattr(module, name)(**kwargs)
        return value, time.monotonic() - started
    finally:
        self.record.probe_seconds += time.monotonic() - started


def worker_costs(repeats, sandbox, preload):
    """Median seconds to start a submission's zygote, and to start and stop one test's worker from it."""
    spec = WorkerSpec(submission_dir=None, probes_module="autograder.worker.probe", sandbox=sandbox, preload=preload)
    zygote_times, worker_times = [], []
    for _ in range(max(3, repeats // 5)):
        started = time.perf_counter()
        zygote = Sandbox(spec).start()
        zygote_times.append(time.perf_counter() - started)
        for _ in range(repeats):
            started = time.perf_counter()
            Worker(spec, sandbox=zygote).start().stop()
            worker_times.append(time.perf_counter() - started)
        zygote.stop()
    return statistics.median(zygote_times), statistics.median(worker_times)


def timed_grade(assignment, select, runs):
    """Median seconds of `runs` grades, and the last result."""
    times = []
    for _ in range(runs):
        started = time.monotonic()
        results = grade(assignment, assignment.solution, select=select)
        times.append(time.monotonic() - started)
    return statistics.median(times), results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="a1")
    parser.add_argument("--smoke", action="store_true", help="a quick run for CI: fewer tests and repeats")
    args = parser.parse_args()
    assignment = assignments.find(args.assignment)
    select = "distances or svm_loss" if args.smoke else None
    runs = 1 if args.smoke else 5
    forkserver(assignment.preload)  # started once per judge process; not part of either timing
    threadpool_limits(assignment.limits.threads)  # the plain run gets the worker's thread count
    torch.set_num_threads(assignment.limits.threads)
    grade(assignment, assignment.solution, select="shape")  # warm-up: imports, data, calibration cache
    engine_s, engine = timed_grade(assignment, select, runs)
    original = handle.ProbeHandle._call
    handle.ProbeHandle._call = in_process_call
    try:
        grade(assignment, assignment.solution, select="shape")
        plain_s, plain = timed_grade(assignment, select, runs)
    finally:
        handle.ProbeHandle._call = original
    repeats = 5 if args.smoke else 30
    (zygote_s, worker_s), (_, bare_s) = (worker_costs(repeats, sandbox, assignment.preload)
                                         for sandbox in (True, False))
    n = len(engine.tests)
    print(f"assignment {assignment.name}: {n} tests, engine score {engine.score:g}/{engine.max_score:g}, "
          f"in-process score {plain.score:g}/{plain.max_score:g} (median of {runs} grades each)")
    print(f"grade through the engine : {engine_s:7.2f} s")
    print(f"same probes in-process   : {plain_s:7.2f} s   ratio {engine_s / plain_s:.2f}x (target 1.3x)")
    per_test = statistics.median(e.start_seconds + e.probe_seconds - p.probe_seconds
                                 for e, p in zip(engine.tests, plain.tests))
    print(f"engine overhead          : {engine_s - plain_s:7.2f} s ({(engine_s - plain_s) / n * 1000:.0f} ms a test on "
          f"average; median {per_test * 1000:.1f} ms a test, target 15 ms)")
    print(f"sandbox per submission   : {zygote_s * 1000:7.1f} ms (zygote: namespaces, allowlist view, cgroup)")
    print(f"worker per test          : {worker_s * 1000:7.1f} ms sandboxed (target 15 ms), {bare_s * 1000:.1f} ms "
          f"unsandboxed (start and stop, median of {repeats})")


if __name__ == "__main__":
    main()
