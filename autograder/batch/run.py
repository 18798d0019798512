"""One batch run: find the entries, skip what is graded, grade the rest on a pool, store each result at once."""

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder import assignments

from autograder.judge import devices
from autograder.batch.changes import Report
from autograder.batch.entries import BatchError, discover, plan
from autograder.batch.judge import judge_env
from autograder.batch import gpu_share
from autograder.batch.local_pool import available_cpus, grade_local
from autograder.batch.progress import Reporter
from autograder.judge.results import write_atomic


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
    changes: list = field(default_factory=list)   # the change report's lines (batch/changes.py)
    late: str = ""   # the late policy's line: who was late, or why no penalty applied (course/late.py)
    similarity: object = None   # the code comparison of the class, when asked for (course/similarity.py)


def run_batch(assignment: str | assignments.Assignment, submissions: str | os.PathLike, *,
              out: str | os.PathLike | None = None, jobs: int | None = None, device: str = "auto",
              device_profile: str | None = None, force: bool = False, ray: str | None = None,
              progress: bool | None = None, timestamps: str | os.PathLike | None = None,
              similarity: bool = False, per_gpu: int = 1) -> Summary:
    """Grade every entry of `submissions` into `out`; returns a Summary.

    `ray`: None for the local pool, "" for a local Ray instance, or a cluster address. `progress`: None for a
    progress bar on stderr, False for none. `timestamps`: a student,submitted_at CSV (else nbgrader's timestamp.txt
    or a Gradescope export's metadata give the submission times the late policy reads). `per_gpu`: how many grades
    share one GPU (batch/gpu_share.py; refused when grading on the CPU). The gradebook
    (grades.csv, summary.html, feedback/) is rebuilt from every stored result at the end, also when the run is
    interrupted. Judges are spawned processes: a script that calls this must do so under
    `if __name__ == "__main__":`.
    """
    from autograder.course import gradebook, late
    started = time.monotonic()
    if not isinstance(assignment, assignments.Assignment):
        assignment = assignments.find(assignment)
    if not assignment.hidden_tests.is_dir():
        raise assignments.AssignmentError(f"{assignment.hidden_tests} does not exist: no tests to run for "
                                          f"{assignment.name}")
    assignment.asset_paths()   # a listed asset that is missing stops the batch before any judge starts
    out = Path(out or Path("out") / f"{assignment.id}-batch")
    if jobs is not None and jobs < 1:
        raise BatchError(f"--jobs must be at least 1, not {jobs}")
    found = discover(submissions, out)
    late.record_times(out, submissions, found, timestamps, assignment)   # OUT/submission_times.csv, before grading
    results_dir = out / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    summary = Summary(out=out, entries=len(found), backend="ray" if ray is not None else "local")
    todo, current = plan(found, results_dir, assignment, force)   # each Entry says why it is (re)graded
    summary.skipped, report = len(current), Report(out, current)
    env = judge_env(assignment)
    reporter = progress or Reporter(len(todo), title=f"grading {assignment.id}", quiet=progress is False)

    def on_result(entry, data):
        report.record(entry, data)   # the earlier result to history/, the reason into data
        write_atomic(results_dir / f"{entry.student}.json", json.dumps(data, indent=2))
        gradebook.write_feedback(out, entry.student, data)
        failed = bool(data.get("extra_data", {}).get("batch", {}).get("error"))
        summary.failed += failed
        summary.graded += not failed
        reporter.advance(entry.student, data, failed)

    try:
        if todo and ray is not None:
            from autograder.batch import ray_pool
            reporter.start("Ray")
            summary.device = ray_pool.grade_all(todo, assignment=assignment, address=ray, device=device,
                                                   device_profile=device_profile, env=env, on_result=on_result,
                                                   per_gpu=per_gpu)
            summary.jobs = summary.device.pop("parallel", 0)
        elif todo:
            profile = devices.profile_for(assignment, device, device_profile)   # measured once: judges read the cache
            summary.device = profile.as_dict()
            gpus = devices.visible_gpus() if profile.execute_on == "cuda" else []
            gpu_share.check_per_gpu(per_gpu, bool(gpus))
            summary.jobs = min(len(todo), len(gpu_share.lane_gpus(gpus, per_gpu, jobs)) if gpus else
                               jobs or max(1, available_cpus() // assignment.limits.threads))
            reporter.start(f"{summary.jobs} judge(s)")
            grade_local(todo, assignment=assignment, jobs=summary.jobs, device=device, device_profile=device_profile,
                        env=env, gpus=gpus, on_result=on_result, per_gpu=per_gpu)
        if similarity:   # OUT/similarity/ before the summary is built, which lists the flagged pairs
            from autograder.course import similarity as code_similarity
            summary.similarity = code_similarity.run(assignment, submissions, out / "similarity", exclude=out)
    finally:
        reporter.stop()
        summary.changes = report.write()
        book = gradebook.build(out, assignment)
        summary.late = late.report(out, book)
        summary.students, summary.mean_score, summary.max_score = len(book.rows), book.mean_score, book.max_score
        summary.wall_s = time.monotonic() - started
    return summary
