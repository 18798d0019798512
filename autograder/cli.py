"""The `autograder` command: thin verbs over the Python API (list, check, grade, batch, similarity, export, ci, stubs, release,
course init, calibrate)."""

import argparse
import json
import os
import sys
from pathlib import Path

from autograder import assignments, batch
from autograder.course import ci, similarity
from autograder.course.calibrate import CalibrationError
from autograder.course.lms import LmsError
from autograder.course.nbgrader import NbgraderError
from autograder.course.release import ReleaseError
from autograder.course.timestamps import LateError
from autograder.judge import devices, environment, timing
from autograder.judge.grading import USER_ERRORS as GRADE_ERRORS, grade, grade_or_fail
from autograder.judge.report import print_results
from autograder.stamp import stamp

USER_ERRORS = GRADE_ERRORS + (CalibrationError, batch.BatchError, ci.MinScoreError, ReleaseError, NbgraderError,
                              LateError, LmsError, similarity.SimilarityError)


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
                              timestamps=args.timestamps, similarity=args.similarity)
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
        print(similarity.describe(summary.similarity, summary.out / "similarity"))
    if args.nbgrader:
        students = nbgrader.record_batch(Path(args.submissions), assignment, summary.out)
        print(f"recorded the code points of {len(students)} submission(s) in nbgrader's gradebook")
    return 0


def cmd_similarity(args):
    assignment = assignments.find(args.assignment)
    out = Path(args.out or Path("out") / f"{assignment.id}-similarity")
    comparison = similarity.run(assignment, args.submissions, out, archive=args.archive, threshold=args.threshold,
                                boilerplate=args.boilerplate)
    print(similarity.describe(comparison, out))
    return 0


def cmd_export(args):
    from autograder.course import lms
    export, how = (lms.export_canvas, {"match": args.match}) if args.lms == "canvas" else \
        (lms.export_moodle, {"identifier": args.identifier})
    print("\n".join(export(args.out, gradebook=args.gradebook, column=args.column, to=args.to, **how)))
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


def cmd_stubs(args):
    from autograder.course import stubs  # nbformat takes seconds to import: only for this verb
    # The solutions are the source of truth, so assignments are found there (assignments/ may not exist yet).
    solutions = [assignments.Assignment.load(d) for d in sorted((assignments.course_root() / "solutions").iterdir())
                 if (d / "assignment.toml").exists()]
    chosen = [a for a in solutions if args.assignment in (None, a.id, a.name)]
    if not chosen:
        raise assignments.AssignmentError(f"no solution folder for assignment {args.assignment!r}")
    stale = []
    for a in chosen:
        target = assignments.assignments_root() / a.name
        if args.check:
            stale += [f"{a.name}/{rel}" for rel in stubs.out_of_sync(a.solution, target)]
        else:
            stubs.write_stubs(a.solution, target)
            print(f"wrote {target}")
    if stale:
        print("out of sync with solutions/ (run `autograder stubs`): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


def cmd_release(args):
    from autograder.course import release
    from autograder.course.nbgrader import student_notebook
    assignment = assignments.find(args.assignment)
    for path in release.release(assignment, Path(args.out), check=args.check, notebook_maker=student_notebook):
        print(f"wrote {path} ({path.stat().st_size / 1024:,.0f} KB)")
    print(f"release {json.dumps(stamp(assignment))}")
    return 0


def cmd_course_init(args):
    from autograder.course import nbgrader
    nbgrader.write_course(args.dir, args.assignments)
    names = ", ".join(assignments.find(a).name for a in args.assignments) or "no assignment yet"
    print(f"nbgrader course in {args.dir}: source/ holds {names}; next: nbgrader generate_assignment, "
          f"then `autograder batch ASSIGNMENT {args.dir} --nbgrader` after the deadline")
    return 0


def cmd_calibrate(args):
    if args.assignment is None:
        profile = devices.resolve_profile(args.device, args.threads, args.device_profile)
        print(json.dumps(profile.as_dict(), indent=2))
        return 0
    from autograder.course.calibrate import calibrate
    assignment = assignments.find(args.assignment)
    path, rows, profile = calibrate(assignment, args.device, args.device_profile, args.runs,
                                    log=lambda line: print(line, file=sys.stderr))
    print(f"{'test':64} {'kind':10} {'reference':>9} {'limit':>7} {'declared':>8} {'headroom':>8}")
    for row in rows:
        print(f"{row.test_id[:64]:64} {row.kind:10} {row.seconds:8.2f}s {row.limit:6.1f}s {row.declared:7.1f}s "
              f"{row.headroom:7.1f}x")
    print(f"wrote {path}: limits timed from the reference on {timing.device_key(profile)}")
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
    p.add_argument("--jobs", type=int, help="judges in parallel (default: one per CPU core, or one per GPU)")
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

    p = sub.add_parser("similarity", help="compare the code of every pair of submissions, and with the reference "
                       "solution (TAs)")
    p.add_argument("assignment")
    p.add_argument("submissions", help="a folder with one entry (folder, zip or .py) per student, named by student id")
    p.add_argument("--out", help="output folder for similarity.csv and similarity.html "
                   "(default: out/<assignment>-similarity)")
    p.add_argument("--archive", metavar="DIR", help="earlier terms' submissions (same layout), compared with this class")
    p.add_argument("--threshold", type=float, default=similarity.THRESHOLD,
                   help=f"flag pairs at least this similar, a fraction (default: {similarity.THRESHOLD:g})")
    p.add_argument("--boilerplate", action="append", default=[], metavar="DIR",
                   help="more starter code that counts for nothing (the assignment's stubs always do); repeatable")
    p.set_defaults(fn=cmd_similarity)

    p = sub.add_parser("export", help="put a batch's final (late-adjusted) grades into an LMS import file (TAs)")
    lms = p.add_subparsers(dest="lms", required=True)
    canvas = lms.add_parser("canvas", help="fill one assignment column of a Canvas gradebook export")
    moodle = lms.add_parser("moodle", help="write the CSV of Moodle's Import grades from CSV")
    for p in (canvas, moodle):
        p.add_argument("out", help="the batch's output folder (with results/)")
        p.add_argument("--to", required=True, help="the file to import into the LMS")
        p.add_argument("--gradebook", required=p is canvas, help="the gradebook CSV exported from the LMS (Moodle: "
                       "optional, to report the students missing on either side)")
        p.add_argument("--column", required=p is canvas, help='the assignment column ("A1 (12345)" in Canvas)')
        p.set_defaults(fn=cmd_export)
    canvas.add_argument("--match", choices=["sis_login", "sis_id", "email"], default="sis_login",
                        help="Canvas's identifier that holds the batch's student ids (default: sis_login)")
    moodle.add_argument("--identifier", choices=["email", "idnumber", "username"], default="email",
                        help="what the batch's student ids are in Moodle (default: email)")

    p = sub.add_parser("ci", help="grade in course CI: a Points line, JUnit XML, an exit code")
    p.add_argument("assignment")
    p.add_argument("path", nargs="?", default=".", help="the work to grade (default: .)")
    p.add_argument("--min-score", help="fail (exit 1) below this: a fraction (0.6) or a percentage (60%%)")
    p.add_argument("--junit", default="junit.xml", help="write JUnit XML here (default: junit.xml)")
    p.add_argument("--json", help="also write Gradescope results.json here")
    p.add_argument("--public", action="store_true", help="run the public tests instead of the hidden ones")
    _add_device(p)
    p.set_defaults(fn=cmd_ci)

    p = sub.add_parser("stubs", help="regenerate assignments/ from solutions/ (course staff)")
    p.add_argument("assignment", nargs="?")
    p.add_argument("--check", action="store_true", help="only report files that are out of sync")
    p.set_defaults(fn=cmd_stubs)

    p = sub.add_parser("release", help="write the student zip and the Gradescope autograder zip (course staff)")
    p.add_argument("assignment")
    p.add_argument("--out", default="out/release", help="folder for the zips (default: out/release)")
    p.add_argument("--check", action="store_true", help="refuse when the stubs are out of date instead of regenerating")
    p.set_defaults(fn=cmd_release)

    p = sub.add_parser("course", help="set up a course's tools (course staff)")
    course = p.add_subparsers(dest="course_command", required=True)
    p = course.add_parser("init", help="make (or update) an nbgrader course folder with these assignments")
    p.add_argument("dir", help="the course folder (created if missing; an existing nbgrader_config.py is kept)")
    p.add_argument("assignments", nargs="*", help="assignment ids or names (a1 a2 ...)")
    p.set_defaults(fn=cmd_course_init)

    p = sub.add_parser("calibrate", help="measure this machine and print its device profile; with an assignment, "
                                         "time its reference solution here and record the limits (course staff)")
    p.add_argument("assignment", nargs="?", help="time this assignment's reference and write limits/<name>.json")
    p.add_argument("--runs", type=int, default=3, help="grades of the reference; each test keeps its best time")
    p.add_argument("--threads", type=int, default=1)
    _add_device(p)
    p.set_defaults(fn=cmd_calibrate)
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
