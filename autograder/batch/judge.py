"""One judge: the process that grades one batch entry after another (a spawned process of the local pool,
or a Ray task), and the score-0 results of entries that could not be graded.

Top-level imports stay light: judges are spawned and pin their threads before numpy or torch is imported.
"""

import os
import shutil
import signal
import uuid
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from autograder import assignments
from autograder.judge.results import Results

THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def init_judge_process(env, preload):
    """Start of a judge process: its environment (threads, GPU), its signals, the fork server of its assignment."""
    os.environ.update(env)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the driver decides what Ctrl-C means
    signal.signal(signal.SIGTERM, _judge_terminate)
    _die_with_parent(signal.SIGTERM)
    try:
        from autograder.judge import grading  # noqa: F401  (pytest and the plugin, once)
        from autograder.sandbox.launch import forkserver
        forkserver(preload)
    except Exception:
        pass  # grade() reports the same failure, per submission


def _die_with_parent(sig):
    """Ask Linux to send `sig` to this process when the driver dies (a kill -9 of the batch leaves no judge)."""
    from autograder.worker import isolation
    try:
        isolation.prctl(isolation.PR_SET_PDEATHSIG, int(sig))
    except OSError:
        pass


def _judge_terminate(signum, frame):
    """Stop this judge and everything its fork server started (zygotes and sandboxed workers), then exit."""
    from autograder.sandbox.launch import shutdown_forkserver
    shutdown_forkserver()
    os._exit(128 + signum)


def _single_file_folder(path, assignment):
    """For a one-file assignment, `alice.py` is that file: stage it under its real path; else None."""
    path = Path(path)
    if not (path.is_file() and path.suffix == ".py" and len(assignment.files) == 1):
        return None
    if path.name == PurePosixPath(assignment.files[0]).name:
        return None
    from autograder.sandbox.launch import engine_tmp
    folder = engine_tmp() / f"batch-{uuid.uuid4().hex[:12]}"
    (folder / assignment.files[0]).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, folder / assignment.files[0])
    return folder


def failure_result(assignment, path, message):
    """A score-0 result for a submission that could not be graded, saying why."""
    return Results.failed(assignment, path, message).gradescope()


def judge(assignment_id, path, student, key, device="auto", device_profile=None):
    """Grade one entry in this process; always a Gradescope dict: a submission that cannot be graded scores 0."""
    from autograder.judge.grading import grade_or_fail
    assignment = assignments.find(assignment_id)
    staged = _single_file_folder(path, assignment)
    try:
        outcome = grade_or_fail(assignment, staged or Path(path), device=device, device_profile=device_profile)
    finally:
        if staged is not None:
            shutil.rmtree(staged, ignore_errors=True)
    data = failure_result(assignment, path, outcome.error) if outcome.error else outcome.results.gradescope()
    return _with_batch_info(data, student, path, key, outcome.error, outcome.retry, outcome.details,
                            judge=f"{os.uname().nodename} pid {os.getpid()}")


def error_result(assignment, entry, message):
    """The score-0 result of a submission whose grading failed outside the judge (retried on a rerun)."""
    return _with_batch_info(failure_result(assignment, entry.path, message), entry.student, entry.path, entry.key,
                            message, retry=True, details=None, judge="lost")


def _with_batch_info(data, student, path, key, error, retry, details, judge):
    """Record in the result what the batch needs: whose it is, its key, why it failed, whether to retry."""
    data.setdefault("extra_data", {})["batch"] = {
        "student": student, "entry": Path(path).name, "key": key, "error": error, "retry": retry,
        "details": details, "judge": judge, "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    return data


def judge_env(assignment):
    """What every judge process runs with: pinned threads (workers see nothing of the batch: their view is an allowlist)."""
    threads = str(assignment.limits.threads)
    env = {name: threads for name in THREAD_VARS}
    env["PYTORCH_NVML_BASED_CUDA_CHECK"] = "1"
    return env
