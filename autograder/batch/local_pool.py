"""The local pool: one long-lived spawned judge process per lane, fed one submission at a time."""

import concurrent.futures as cf
import multiprocessing
import os
from collections import deque
from concurrent.futures.process import BrokenProcessPool

from autograder.batch.gpu_share import lane_gpus, share_env, share_info
from autograder.batch.judge import error_result, init_judge_process, judge


class Lane:
    """One long-lived judge process: a one-process pool, so a judge that dies takes only its submission down."""

    def __init__(self, env, preload, gpu=None):
        self.env, self.preload, self.gpu, self.pool = env, preload, gpu, None

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


def lane_envs(env, gpus, per_gpu, jobs):
    """(environment, GPU) of each lane: `jobs` CPU lanes, or at most per_gpu lanes pinned to each GPU."""
    if not gpus:
        return [(dict(env), None) for _ in range(jobs)]
    return [({**env, "CUDA_VISIBLE_DEVICES": gpu, **share_env(per_gpu)}, gpu) for gpu in lane_gpus(gpus, per_gpu, jobs)]


def grade_local(todo, *, assignment, jobs, device, device_profile, env, gpus, on_result, judge_fn=judge, per_gpu=1):
    """Grade `todo` (Entries) on `jobs` lanes (on GPUs: at most `per_gpu` a GPU); `on_result(entry, data)` is
    called in this process as each ends."""
    lanes = [Lane(lane_env, assignment.preload, gpu) for lane_env, gpu in lane_envs(env, gpus, per_gpu, jobs)]
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
                if lane.gpu is not None:
                    data.setdefault("extra_data", {}).setdefault("batch", {}).update(share_info(lane.gpu, per_gpu))
                on_result(entry, data)
    except BaseException:
        for lane in lanes:
            lane.close(kill=True)
        raise
    for lane in lanes:
        lane.close()
