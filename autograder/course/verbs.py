"""The course staff's and TAs' verbs around grading (similarity, export, stubs, release, course init, calibrate),
registered on the `autograder` command by autograder.cli."""

import json
import sys
from pathlib import Path

from autograder import assignments
from autograder.course import similarity
from autograder.course.calibrate import CalibrationError
from autograder.course.lms import LmsError
from autograder.course.nbgrader import NbgraderError
from autograder.course.release import ReleaseError
from autograder.course.timestamps import LateError
from autograder.judge import devices, timing
from autograder.stamp import stamp

USER_ERRORS = (CalibrationError, ReleaseError, NbgraderError, LateError, LmsError, similarity.SimilarityError)


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


def add_verbs(sub, add_device):
    """Register these verbs on the `autograder` command's subparsers; `add_device` adds --device and friends."""
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
    add_device(p)
    p.set_defaults(fn=cmd_calibrate)
