"""The course's late policy, applied when the gradebook is built: each result keeps its raw score and gains
`extra_data.late` (submitted_at, due, late_by_s, penalty, final) from the stored submission times.

Declared in a `[late]` table of course.toml (at the course root) and overridden key by key by the `[late]` table of
the assignment's assignment.toml. Rounding rule: lateness is counted from the due time (or the student's
extension); a submission at most `grace_minutes` late is on time; beyond it, each started day (or hour, with
`penalty_per_hour`) counts in full: 1 minute past the grace is one day late. The penalty is the number of days (or
hours) times the rate, at most `cap`; final = raw × (1 − penalty).
"""

import csv
import html
import io
import json
import math
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from autograder import assignments, env
from autograder.course.timestamps import STORED, LateError, collect, iso_utc, parse_time, stored
from autograder.judge.results import write_atomic

COURSE_FILE = "course.toml"
KEYS = {"due", "timezone", "grace_minutes", "penalty_per_day", "penalty_per_hour", "cap", "extensions"}
CSV_COLUMNS = ["late_hours", "penalty", "final"]
NO_TIMES = ("no submission times found (no nbgrader timestamp.txt, no Gradescope submission_metadata.yml, no "
            "--timestamps CSV): no late penalty applied")


@dataclass
class Policy:
    """A resolved [late] table: the due time (aware), grace, rate per unit, cap and per-student extensions."""

    due: datetime | None = None
    zone: ZoneInfo | None = None
    grace_s: float = 0.0
    rate: float = 0.0
    unit_s: int = 86400
    cap: float = 1.0
    extensions: dict = field(default_factory=dict)   # student -> an aware due time, or a timedelta added to `due`

    def due_for(self, student):
        extension = self.extensions.get(student)
        if isinstance(extension, timedelta):
            return self.due + extension
        return extension or self.due

    def lateness(self, student, submitted_at, raw):
        """The `extra_data.late` record of one result: `late_by_s` past the due time, `late` beyond the grace, and no
        penalty when its submission time is unknown."""
        due = self.due_for(student)
        record = {"submitted_at": None, "due": due.isoformat(), "late_by_s": 0, "late": False, "penalty": 0.0,
                  "final": raw}
        if submitted_at is None:
            return record
        late_by_s = max(0, math.ceil((submitted_at - due).total_seconds()))
        units = 0 if late_by_s <= self.grace_s else math.ceil(late_by_s / self.unit_s)
        penalty = round(min(self.cap, units * self.rate), 6)
        return {**record, "submitted_at": iso_utc(submitted_at), "late_by_s": late_by_s, "late": units > 0,
                "penalty": penalty, "final": round(raw * (1 - penalty), 4)}


# ---------------------------------------------------------------- reading and checking the policy

def _table(path):
    """The [late] table of a TOML file ({} when the file or the table is absent)."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LateError(f"{path} cannot be read: {exc}") from None
    return data.get("late", {})


def _fraction(value, where, key):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise LateError(f"{where}: [late] {key} must be a fraction between 0 and 1 (0.1 = 10 %), not {value!r}")
    return float(value)


def _time(value, zone, where, key):
    if isinstance(value, datetime):
        if value.tzinfo is None and zone is None:
            raise LateError(f"{where}: [late] {key} has no offset: write one (2026-12-01T23:59:00+01:00) or set "
                            f"`timezone`")
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if not isinstance(value, str):
        raise LateError(f"{where}: [late] {key} must be a date and time, not {value!r}")
    return parse_time(value, zone, f"{where}: [late] {key}")


def _extensions(path, policy, where):
    """{student: due time or timedelta} of an extensions CSV: student, and one of due, hours, days per row."""
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise LateError(f"{where}: [late] extensions: {path} cannot be read: {exc}") from None
    if rows and ("student" not in rows[0] or not {"due", "hours", "days"} & set(rows[0])):
        raise LateError(f"{path} needs a student column and one of due, hours, days (it has {', '.join(rows[0])})")
    found = {}
    for line, row in enumerate(rows, start=2):
        student = (row.get("student") or "").strip()
        given = {k: row[k].strip() for k in ("due", "hours", "days") if (row.get(k) or "").strip()}
        if not student or len(given) != 1 or student in found:
            raise LateError(f"{path} line {line}: give a student once, with exactly one of due, hours or days")
        (key, value), = given.items()
        if key == "due":
            found[student] = parse_time(value, policy.zone, f"{path} line {line} (due)")
            continue
        try:
            amount = float(value)
        except ValueError:
            amount = -1
        if not 0 <= amount < 10000:
            raise LateError(f"{path} line {line}: {key} must be a number of {key} ≥ 0, not {value!r}")
        found[student] = timedelta(**{key: amount})
    return found


def policy_for(assignment=None):
    """The late policy of `assignment` (course.toml's [late], then its assignment.toml's), or None when no due
    time is declared. A bad value raises LateError naming the file and the key."""
    root = env.course_root()
    layers = [(root / COURSE_FILE, _table(root / COURSE_FILE))]
    if assignment is not None:
        layers.append((assignment.folder / "assignment.toml", getattr(assignment, "late", {}) or {}))
    table, origin = {}, {}
    for path, values in layers:
        if not isinstance(values, dict):
            raise LateError(f"{path}: `late` must be a table ([late]), not {values!r}")
        for key in values:
            if key not in KEYS:
                raise LateError(f"{path}: [late] has an unknown key {key!r} (known: {', '.join(sorted(KEYS))})")
        table.update(values)
        origin.update(dict.fromkeys(values, path))
    if "due" not in table:
        return None
    policy = Policy()
    if "timezone" in table:
        try:
            policy.zone = ZoneInfo(str(table["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise LateError(f"{origin['timezone']}: [late] timezone {table['timezone']!r} is not a tz database "
                            f"name (e.g. Europe/Zurich)") from None
    policy.due = _time(table["due"], policy.zone, origin["due"], "due")
    grace = table.get("grace_minutes", 0)
    if isinstance(grace, bool) or not isinstance(grace, (int, float)) or grace < 0:
        raise LateError(f"{origin['grace_minutes']}: [late] grace_minutes must be a number of minutes ≥ 0, "
                        f"not {grace!r}")
    policy.grace_s = 60.0 * grace
    rates = [k for k in ("penalty_per_day", "penalty_per_hour") if k in table]
    if len(rates) == 2:
        raise LateError(f"{origin[rates[1]]}: [late] sets both penalty_per_day and penalty_per_hour: keep one")
    if rates:
        policy.rate = _fraction(table[rates[0]], origin[rates[0]], rates[0])
        policy.unit_s = 3600 if rates[0] == "penalty_per_hour" else 86400
    if "cap" in table:
        policy.cap = _fraction(table["cap"], origin["cap"], "cap")
    if "extensions" in table:
        path = root / str(table["extensions"])
        if not path.is_file():
            raise LateError(f"{origin['extensions']}: [late] extensions names {table['extensions']!r}, which is not "
                            f"a file in the course ({root})")
        policy.extensions = _extensions(path, policy, origin["extensions"])
    return policy


def zone_for(assignment):
    """The zone a time without an offset is read in (the policy's `timezone`), or None."""
    policy = policy_for(assignment)
    return policy.zone if policy else None


# ---------------------------------------------------------------- applying it to the stored results

def assignment_of(results):
    """The assignment named by the stored results (None when there is none or it is not in this course)."""
    for path in results:
        try:
            name = json.loads(path.read_text()).get("extra_data", {}).get("assignment")
            return assignments.find(name) if name else None
        except (OSError, ValueError, assignments.AssignmentError):
            return None
    return None


def apply(out, assignment=None):
    """Write (or remove, without a policy) `extra_data.late` in every OUT/results/<student>.json from the stored
    submission times and today's policy; "score" is never changed. A file is rewritten only when its record
    changes."""
    results = sorted(Path(out, "results").glob("*.json"))
    policy = policy_for(assignment or assignment_of(results))
    times = stored(out)
    for path in results:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        extra = data.setdefault("extra_data", {})
        raw = float(data.get("score", 0.0))
        record = policy.lateness(path.stem, times.get(path.stem, (None,))[0], raw) if policy else None
        if extra.get("late") == record:
            continue
        if record is None:
            extra.pop("late")
        else:
            extra["late"] = record
        write_atomic(path, json.dumps(data, indent=2))


def final_score(data):
    """The score to hand to the LMS: the late-adjusted one when a policy applied, else the raw score."""
    return float((data.get("extra_data", {}).get("late") or {}).get("final", data.get("score", 0.0)))


def _hours(record):
    return format(round(record["late_by_s"] / 3600, 2), "g") if record.get("submitted_at") else ""


def csv_columns(book):
    """The grades.csv columns the policy adds (none when no result has a late record)."""
    return CSV_COLUMNS if any(row.late for row in book.rows) else []


def csv_cells(row, columns):
    if not columns:
        return []
    late = row.late or {}
    return [_hours(late), format(late.get("penalty", 0.0), "g"), format(round(late.get("final", row.score), 4), "g")]


def feedback_lines(data):
    """The lines a student's feedback gains from a late record (none when on time or without a policy)."""
    late = data.get("extra_data", {}).get("late") or {}
    if not late.get("penalty"):
        return []
    return ["", f"Submitted {_hours(late)} h after the due time ({late['due']}): late penalty "
                f"{100 * late['penalty']:g} %, final score {format(late['final'], 'g')}."]


def html_section(book):
    """summary.html's "Late submissions" section: every late row, raw and final ("" without a policy)."""
    rows = [r for r in book.rows if r.late.get("late")]
    if not any(r.late for r in book.rows):
        return ""
    e = html.escape
    body = "\n".join(
        f"<tr><td>{e(r.student)}</td><td>{e(str(r.late['submitted_at']))}</td><td>{e(str(r.late['due']))}</td>"
        f"<td>{_hours(r.late)}</td><td>{100 * r.late['penalty']:g} %</td><td>{r.score:g}</td>"
        f"<td>{r.late['final']:g}</td></tr>" for r in rows)
    return ("<h2>Late submissions</h2>\n"
            f"<p>{len(rows)} of {len(book.rows)} submission(s) late; grades.csv's <code>final</code> column is the "
            "score after the late penalty.</p>\n<table><tr><th>student</th><th>submitted (UTC)</th><th>due</th>"
            f"<th>late by (h)</th><th>penalty</th><th>raw</th><th>final</th></tr>\n{body}\n</table>\n")


def report(out, book):
    """One line for the batch: how many were late, or why no penalty was applied ("" when nothing to say)."""
    if not any(r.late for r in book.rows):
        return ("submission times recorded, but no late policy declared (a [late] table with `due` in "
                "course.toml or assignment.toml)") if (Path(out) / STORED).is_file() else ""
    unknown = [r.student for r in book.rows if not r.late.get("submitted_at")]
    if len(unknown) == len(book.rows):
        return NO_TIMES
    late = [r for r in book.rows if r.late.get("late")]
    penalties = sorted({r.late["penalty"] for r in late if r.late["penalty"]})
    line = f"late policy: {len(late)} of {len(book.rows)} submission(s) late"
    if penalties:
        line += f", penalties {100 * penalties[0]:g}–{100 * penalties[-1]:g} %"
    if unknown:
        line += (f"; no submission time for {len(unknown)}: {', '.join(unknown[:10])}"
                 f"{', ...' if len(unknown) > 10 else ''} (no penalty applied to them)")
    return line


def record_times(out, submissions, found, csv_path=None, assignment=None):
    """Store the batch's submission times (timestamps.collect), times without an offset read in the policy's zone;
    a bad policy or time stops the batch here, before any grading."""
    return collect(out, submissions, found, csv_path, zone_for(assignment))
