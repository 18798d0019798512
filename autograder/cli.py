"""The `autograder` command: thin verbs over the Python API (list, check, grade, batch, ci; the course staff's
verbs around them come from autograder.course.verbs: similarity, export, stubs, release, course init, calibrate)."""

import argparse
import os
import sys
from pathlib import Path

from autograder import assignments, batch, env
from autograder.course import ci, verbs
from autograder.judge import devices, environment
from autograder.judge.grading import USER_ERRORS as GRADE_ERRORS, grade, grade_or_fail
from autograder.judge.report import print_results

USER_ERRORS = GRADE_ERRORS + verbs.USER_ERRORS + (batch.BatchError, ci.MinScoreError)


def cmd_list(args):
    for a in assignments.all_assignments():
        print(f"{a.id:4} {a.name:24} {a.title}")
    return 0


def _add_device(p):
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="device to grade on")
    p.add_argument("--device-profile", help="JSON file or text standing in for the device (testing)")
    p.add_argument("--allow-slow-device", action="store_true",
                   help=f"grade on a machine more than {devices.FACTOR_BOUNDS[1]:g}x slower than the reference, "
                        f"limits scaled by its measured factor")


def _report(results, args):
    print_results(results)
    if getattr(args, "json", None):
        results.write_json(args.json)
    if getattr(args, "junit", None):
        results.write_junit(args.junit)


def cmd_check(args):
    assignment = assignments.find(args.assignment, near=args.path)
    data = assignments.copy_datasets(assignment)
    if data is not None:   # an unzipped student copy: its data/, for this grade and the workers it starts
        os.environ.setdefault(env.DATASETS, str(data))
    mismatch = environment.warning()
    if mismatch:
        print(f"warning: {mismatch}", file=sys.stderr)
    results = grade(assignment, Path(args.path), device=args.device, device_profile=args.device_profile,
                    public=True, select=args.k)
    _report(results, args)
    return 0


def cmd_grade(args):
    assignment = assignments.find(args.assignment)
    outcome = grade_or_fail(assignment, Path(args.submission), device=args.device,
                            device_profile=args.device_profile, select=args.k)
    if args.json:   # a result file even when grading failed (Gradescope shows an error page without one)
        outcome.results.write_json(args.json)
    if outcome.exception is not None:
        raise outcome.exception
    _report(outcome.results, args)
    return 0


def cmd_batch(args):
    submissions, out = Path(args.submissions), args.out
    if args.nbgrader:   # SUBMISSIONS is an nbgrader course: grade submitted/<student>/<name>/, then its gradebook
        from autograder.course import nbgrader
        assignment = assignments.find(args.assignment)
        submissions, out = nbgrader.batch_input(submissions, assignment, out)
    summary = batch.run_batch(args.assignment, submissions, out=out, jobs=args.jobs,
                              device=args.device, device_profile=args.device_profile, force=args.force, ray=args.ray,
                              timestamps=args.timestamps, similarity=args.similarity, per_gpu=args.per_gpu)
    pct = 100 * summary.mean_score / summary.max_score if summary.max_score else 0.0
    where = f"on Ray ({summary.device.get('name', '')})" if summary.backend == "ray" else \
        f"on {summary.jobs} judge(s), {summary.device.get('kind', '')}"
    print(f"graded {summary.graded}, skipped {summary.skipped} (already graded), failed to grade {summary.failed}; "
          f"{summary.wall_s:.1f} s" + (f" {where}" if summary.graded + summary.failed else ""))
    print(f"mean score {summary.mean_score:g} / {summary.max_score:g} ({pct:.1f} %) over {summary.students} "
          f"submission(s)")
    print(f"wrote {summary.out}: grades.csv, summary.html, results/, feedback/")
    for line in summary.changes:   # who moved since the earlier results (batch/changes.py)
        print(line)
    if summary.late:   # who was late, or why no late penalty applied (course/late.py)
        print(summary.late)
    if summary.similarity:   # the class's code compared pair by pair (course/similarity.py)
        print(verbs.similarity.describe(summary.similarity, summary.out / "similarity"))
    if args.nbgrader:
        students = nbgrader.record_batch(Path(args.submissions), assignment, summary.out)
        print(f"recorded the code points of {len(students)} submission(s) in nbgrader's gradebook")
    return 0


def cmd_ci(args):
    outcome = ci.run_ci(args.assignment, args.path, min_score=args.min_score, junit=args.junit, public=args.public,
                        device=args.device, device_profile=args.device_profile, json_path=args.json)
    print_results(outcome.results)
    results = outcome.results
    print(f"Points {results.score:g}/{results.max_score:g}")
    if not outcome.passed:
        print(f"autograder: {100 * outcome.fraction:.1f} % is below the minimum of "
              f"{100 * ci.parse_min_score(args.min_score):g} %", file=sys.stderr)
        return 1
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks of engine errors")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the assignments").set_defaults(fn=cmd_list)

    p = sub.add_parser("check", help="run the public tests on your work (students)")
    p.add_argument("assignment")
    p.add_argument("path", nargs="?", default=".", help="your copy of the assignment (default: .)")
    p.add_argument("-k", help="only tests matching this pytest -k expression")
    _add_device(p)
    p.set_defaults(fn=cmd_check)

    p = sub.add_parser("grade", help="grade one submission with the hidden tests (TAs)")
    p.add_argument("assignment")
    p.add_argument("submission", help="a folder, a zip or a single .py file")
    p.add_argument("--json", help="write Gradescope results.json here")
    p.add_argument("--junit", help="write JUnit XML here")
    p.add_argument("-k", help="only tests matching this pytest -k expression")
    _add_device(p)
    p.set_defaults(fn=cmd_grade)

    p = sub.add_parser("batch", help="grade a folder of submissions in parallel into a gradebook (TAs)")
    p.add_argument("assignment")
    p.add_argument("submissions", help="a folder with one entry (folder, zip or .py) per student, named by student id")
    p.add_argument("--jobs", type=int, help="judges in parallel (default: one per CPU core, or --per-gpu per GPU)")
    p.add_argument("--per-gpu", type=int, default=1, metavar="N",
                   help="grades sharing one GPU, each held under 1/N of its memory (default: 1; GPU grading only)")
    p.add_argument("--out", help="output folder (default: out/<assignment>-batch)")
    p.add_argument("--force", action="store_true", help="regrade submissions that are already graded")
    p.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                   help="grade on a Ray cluster (no address: start a local one); needs the `ray` extra")
    p.add_argument("--nbgrader", action="store_true",
                   help="SUBMISSIONS is an nbgrader course: grade its submitted/ folder and write the scores into "
                        "its gradebook")
    _add_device(p)
    p.add_argument("--timestamps", metavar="CSV", help="a student,submitted_at CSV of submission times for the late "
                   "policy (nbgrader's timestamp.txt and a Gradescope export's metadata are read without it)")
    p.add_argument("--similarity", action="store_true",
                   help="also compare the submissions' code pair by pair into OUT/similarity/ (see `similarity`)")
    p.set_defaults(fn=cmd_batch)

    p = sub.add_parser("ci", help="grade in course CI: a Points line, JUnit XML, an exit code")
    p.add_argument("assignment")
    p.add_argument("path", nargs="?", default=".", help="the work to grade (default: .)")
    p.add_argument("--min-score", help="fail (exit 1) below this: a fraction (0.6) or a percentage (60%%)")
    p.add_argument("--junit", default="junit.xml", help="write JUnit XML here (default: junit.xml)")
    p.add_argument("--json", help="also write Gradescope results.json here")
    p.add_argument("--public", action="store_true", help="run the public tests instead of the hidden ones")
    _add_device(p)
    p.set_defaults(fn=cmd_ci)
    verbs.add_verbs(sub, _add_device)

    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if getattr(args, "allow_slow_device", False):
        os.environ[devices.SLOW_ENV] = "1"  # judge processes of a batch inherit it
    try:
        return args.fn(args)
    except USER_ERRORS as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("autograder: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(f"autograder: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
              file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
