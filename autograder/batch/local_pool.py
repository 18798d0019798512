"""The local pool: one long-lived spawned judge process per lane, fed one submission at a time."""

import concurrent.futures as cf
import multiprocessing
import os
from collections import deque
from concurrent.futures.process import BrokenProcessPool

from autograder.batch.judge import error_result, init_judge_process, judge


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
