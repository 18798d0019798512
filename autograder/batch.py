"""Grade a whole class: find the submissions, key them by content, grade them in parallel, keep every result.

Each entry of the submissions folder (a folder, a zip or a .py file) is one
submission, named by student id. A pool of long-lived judge processes (one
spawned process per lane, so a judge that dies takes only its own submission
down) grades them one after another with `grading.grade`, each judge keeping
its fork server warm. The driver writes every result atomically as soon as it
is done, under a key made of the submission's content and the assignment's
version, so a rerun skips what is already graded and a killed run loses
nothing finished. Top-level imports stay light: judges are spawned and pin
their threads before numpy or torch is imported.
"""

import concurrent.futures as cf
import json
import multiprocessing
import os
import time
from collections import deque
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from autograder import assignments, limits
from autograder.entries import BatchError, Entry, discover, entry_key, is_done, stored
from autograder.judge import error_result, init_judge_process, judge
from autograder.results import write_atomic

THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@dataclass
class Summary:
    """What one batch run did, for the closing lines."""

    out: Path
    entries: int = 0
    graded: int = 0
    skipped: int = 0
    failed: int = 0
    mean_score: float = 0.0
    max_score: float = 0.0
    students: int = 0
    wall_s: float = 0.0
    device: dict = field(default_factory=dict)
    jobs: int = 0
    backend: str = "local"


# ---------------------------------------------------------------- the local pool

class Lane:
    """One long-lived judge process: a one-process pool, so a judge that dies takes only its submission down."""

    def __init__(self, env, preload):
        self.env, self.preload, self.pool = env, preload, None

    def submit(self, fn, *args):
        if self.pool is None:
            self.pool = cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                               initializer=init_judge_process, initargs=(self.env, self.preload))
        return self.pool.submit(fn, *args)

    def close(self, kill=False):
        """Let the judge finish and exit, or (kill) stop it now with everything it started."""
        if self.pool is None:
            return
        if kill:
            for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                if process.is_alive():
                    process.terminate()
        self.pool.shutdown(wait=not kill, cancel_futures=True)
        self.pool = None


def available_cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def judge_env(assignment):
    """What every judge process runs with: pinned threads (workers see nothing of the batch: their view is an allowlist)."""
    threads = str(assignment.limits.threads)
    env = {name: threads for name in THREAD_VARS}
    env["PYTORCH_NVML_BASED_CUDA_CHECK"] = "1"
    return env


def grade_local(todo, *, assignment, jobs, device, device_profile, env, gpus, on_result, judge_fn=judge):
    """Grade `todo` (Entries) on `jobs` lanes; `on_result(entry, data)` is called in this process as each ends."""
    lanes = []
    for i in range(jobs):
        lane_env = dict(env)
        if gpus:
            lane_env["CUDA_VISIBLE_DEVICES"] = gpus[i % len(gpus)]
        lanes.append(Lane(lane_env, assignment.preload))
    pending, running, idle = deque(todo), {}, list(lanes)
    try:
        while pending or running:
            while pending and idle:
                lane, entry = idle.pop(), pending.popleft()
                future = lane.submit(judge_fn, assignment.id, str(entry.path), entry.student, entry.key, device,
                                     device_profile)
                running[future] = (lane, entry)
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for future in done:
                lane, entry = running.pop(future)
                try:
                    data = future.result()
                except BrokenProcessPool as exc:
                    lane.close(kill=True)
                    data = error_result(assignment, entry, "the grading process died while grading this submission"
                                                           f" ({exc or 'it was killed'})")
                except Exception as exc:  # e.g. a result that could not be sent back
                    data = error_result(assignment, entry, f"internal grading error: {type(exc).__name__}: "
                                                           f"{str(exc)[:300]}")
                idle.append(lane)
                on_result(entry, data)
    except BaseException:
        for lane in lanes:
            lane.close(kill=True)
        raise
    for lane in lanes:
        lane.close()


# ---------------------------------------------------------------- the batch

def run_batch(assignment, submissions, *, out=None, jobs=None, device="auto", device_profile=None, force=False,
              ray=None, progress=None):
    """Grade every entry of `submissions` into `out`; returns a Summary.

    `ray`: None for the local pool, "" for a local Ray instance, or a cluster address. `progress`: None for a
    progress bar on stderr, False for none. The gradebook (grades.csv, summary.html, feedback/) is rebuilt from
    every stored result at the end, also when the run is interrupted. Judges are spawned processes: a script that
    calls this must do so under `if __name__ == "__main__":`.
    """
    from autograder import gradebook
    started = time.monotonic()
    if not isinstance(assignment, assignments.Assignment):
        assignment = assignments.find(assignment)
    if not assignment.hidden_tests.is_dir():
        raise assignments.AssignmentError(f"{assignment.hidden_tests} does not exist: no tests to run for "
                                          f"{assignment.name}")
    out = Path(out or Path("out") / f"{assignment.id}-batch")
    if jobs is not None and jobs < 1:
        raise BatchError(f"--jobs must be at least 1, not {jobs}")
    found = discover(submissions, out)
    results_dir = out / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    summary = Summary(out=out, entries=len(found), backend="ray" if ray is not None else "local")
    todo = []
    for student, path in found:
        key = entry_key(path, assignment)
        if not force and is_done(stored(results_dir, student), key):
            summary.skipped += 1
        else:
            todo.append(Entry(student, path, key))
    env = judge_env(assignment)
    reporter = progress or Reporter(len(todo), title=f"grading {assignment.id}", quiet=progress is False)

    def on_result(entry, data):
        write_atomic(results_dir / f"{entry.student}.json", json.dumps(data, indent=2))
        gradebook.write_feedback(out, entry.student, data)
        failed = bool(data.get("extra_data", {}).get("batch", {}).get("error"))
        summary.failed += failed
        summary.graded += not failed
        reporter.advance(entry.student, data, failed)

    try:
        if todo and ray is not None:
            from autograder import ray_backend
            reporter.start("Ray")
            summary.device = ray_backend.grade_all(todo, assignment=assignment, address=ray, device=device,
                                                   device_profile=device_profile, env=env, on_result=on_result)
            summary.jobs = summary.device.pop("parallel", 0)
        elif todo:
            profile = limits.profile_for(assignment, device, device_profile)   # measured once: judges read the cache
            summary.device = profile.as_dict()
            gpus = limits.visible_gpus() if profile.execute_on == "cuda" else []
            summary.jobs = min(len(todo), jobs or (len(gpus) if gpus else
                                                   max(1, available_cpus() // assignment.limits.threads)))
            reporter.start(f"{summary.jobs} judge(s)")
            grade_local(todo, assignment=assignment, jobs=summary.jobs, device=device, device_profile=device_profile,
                        env=env, gpus=gpus, on_result=on_result)
    finally:
        reporter.stop()
        book = gradebook.build(out, assignment)
        summary.students, summary.mean_score, summary.max_score = len(book.rows), book.mean_score, book.max_score
        summary.wall_s = time.monotonic() - started
    return summary


class Reporter:
    """A rich progress bar with counts and ETA on stderr; one plain line per submission when stderr is no terminal."""

    def __init__(self, total, title="grading", quiet=False):
        from rich.console import Console
        self.total, self.title, self.count, self.failed, self.quiet = total, title, 0, 0, quiet
        self.console = Console(stderr=True)
        self.progress = self.task = None

    def start(self, where):
        if not self.total or self.quiet:
            return
        if not self.console.is_terminal:
            self.console.print(f"{self.title}: {self.total} submission(s) on {where}", highlight=False)
            return
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                                 TextColumn("{task.fields[last]}"), console=self.console, transient=False)
        self.progress.start()
        self.task = self.progress.add_task(f"{self.title} on {where}", total=self.total, last="")

    def advance(self, student, data, failed):
        self.count += 1
        self.failed += failed
        score = "not graded" if failed else f"{data.get('score', 0):g}/{data.get('max_score', 0):g}"
        if self.quiet:
            return
        if self.progress is not None:
            self.progress.update(self.task, advance=1, last=f"{student}: {score}")
        else:
            self.console.print(f"[{self.count}/{self.total}] {student}: {score}", markup=False, highlight=False)

    def stop(self):
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
