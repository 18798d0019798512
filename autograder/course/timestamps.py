"""When each submission was handed in, from where submissions really come from, kept in OUT/submission_times.csv.

Three sources: nbgrader's `submitted/<student>/<assignment>/timestamp.txt`, a Gradescope submissions export
(`submission_metadata.yml` beside its `submission_<id>/` folders, which also says whose each folder is), and a
`student,submitted_at` CSV given with `autograder batch --timestamps`. Times are stored in UTC; the late policy
(autograder.course.late) reads them when the gradebook is built.
"""

import csv
import io
import re
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from autograder.judge.results import write_atomic

EXPORT_METADATA = "submission_metadata.yml"   # Gradescope's "Export Submissions" index
NBGRADER_STAMP = "timestamp.txt"
STORED = "submission_times.csv"
SAFE_ID = re.compile(r"[^/\\\0]+")


class LateError(Exception):
    """A late policy or a submission time that cannot be read (one sentence naming the file)."""


def _zone_named(name, local, fallback):
    """The zone of nbgrader's `%Z` word: a tz database name ("UTC", "CET", "Europe/Zurich"), a numeric offset, or
    an abbreviation the policy's own zone uses at that time ("CEST" for Europe/Zurich in summer)."""
    if re.fullmatch(r"[+-]\d{2}:?\d{2}", name):
        return datetime.strptime(name.replace(":", ""), "%z").tzinfo
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    if fallback is not None and local.replace(tzinfo=fallback).tzname() == name:
        return fallback
    return None


def parse_time(text, zone=None, where="a submission time"):
    """An aware datetime from ISO 8601 ("2026-12-01T10:00:00+01:00", "... Z"), or nbgrader's
    "2026-12-01 10:00:00.123456 UTC"; a time without a zone is in `zone`, and an error without one.

    nbgrader's own reader (nbgrader.utils.parse_utc) is not reused: importing it loads most of nbgrader (2.5 s),
    it reads a numeric offset "+0100" as 100 seconds, and it takes a zone it does not know for UTC."""
    text = str(text).strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        parts = text.split()
        try:
            value = datetime.fromisoformat(f"{parts[0]}T{parts[1]}") if len(parts) == 3 else None
        except ValueError:
            value = None
        tz = value and value.tzinfo is None and _zone_named(parts[2], value, zone)
        if not tz:
            raise LateError(f"{where} is not a time: {text!r} (write ISO 8601, e.g. 2026-12-01T23:59:00+01:00)") \
                from None
        value = value.replace(tzinfo=tz)
    if value.tzinfo is None:
        if zone is None:
            raise LateError(f"{where} has no offset: {text!r} (write one, e.g. +01:00, or set `timezone` in the "
                            f"[late] table)")
        value = value.replace(tzinfo=zone)
    return value


def iso_utc(value):
    return value.astimezone(timezone.utc).isoformat()


def _student(value, where):
    text = str(value or "").strip()
    if not SAFE_ID.fullmatch(text) or text.startswith("."):
        raise LateError(f"{where} names the student {text!r}, which cannot be a file name")
    return text


# ---------------------------------------------------------------- a Gradescope submissions export

def _export(folder):
    """{folder name: (created_at or None, [student ids])} of a Gradescope export; {} for any other folder."""
    path = Path(folder) / EXPORT_METADATA
    if not path.is_file():
        return {}
    import yaml   # nbgrader's dependency; only an export needs it
    try:
        metadata = yaml.safe_load(path.read_text())
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise LateError(f"{path} cannot be read: {str(exc).splitlines()[0]}") from None
    if not isinstance(metadata, dict):
        raise LateError(f"{path} is not a Gradescope submissions index (no submission_<id> entries)")
    found = {}
    for name, entry in metadata.items():
        where = f"{path} ({name})"
        people = entry.get(":submitters") if isinstance(entry, dict) else None
        if not isinstance(people, list) or not people:
            raise LateError(f"{where} has no :submitters: list")
        ids = [_student((p.get(":sid") or p.get(":email")) if isinstance(p, dict) else None, f"{where} :submitters:")
               for p in people]
        created = entry.get(":created_at")
        if created is not None and not isinstance(created, datetime):
            created = parse_time(created, timezone.utc, f"{where} :created_at:")
        elif created is not None and created.tzinfo is None:
            created = created.replace(tzinfo=timezone.utc)   # YAML's own rule for a time without an offset
        found[str(name)] = (created, ids)
    return found


def export_students(folder):
    """{submission folder name: [its submitters' ids]} of a Gradescope export (sid, or email when the sid is
    empty); {} for a folder without submission_metadata.yml."""
    return {name: ids for name, (_, ids) in _export(folder).items()}


# ---------------------------------------------------------------- a CSV and the stored times

def read_csv(path, zone=None):
    """{student: aware datetime} of a `student,submitted_at` CSV."""
    path = Path(path)
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise LateError(f"{path} cannot be read: {exc}") from None
    if rows and not {"student", "submitted_at"} <= set(rows[0]):
        raise LateError(f"{path} needs the columns student and submitted_at (it has {', '.join(rows[0])})")
    times = {}
    for line, row in enumerate(rows, start=2):
        student = _student(row["student"], f"{path} line {line}")
        times[student] = parse_time(row["submitted_at"] or "", zone, f"{path} line {line} ({student})")
    return times


def stored(out):
    """{student: (aware datetime, source)} from OUT/submission_times.csv ({} when there is none)."""
    path = Path(out) / STORED
    if not path.is_file():
        return {}
    with open(path, newline="") as f:
        return {row["student"]: (datetime.fromisoformat(row["submitted_at"]), row["source"])
                for row in csv.DictReader(f)}


def collect(out, submissions, found, csv_path=None, zone=None):
    """Record the submission time of each entry of the batch (`found`: (student, path) pairs) in
    OUT/submission_times.csv, kept from earlier runs for the others; the CSV, when given, wins. Returns the times
    found in this run ({student: (datetime, source)})."""
    export = _export(submissions)
    times = {}
    for student, path in found:
        stamp = Path(path) / NBGRADER_STAMP
        if Path(path).name in export and export[Path(path).name][0] is not None:
            times[student] = (export[Path(path).name][0], "gradescope")
        elif stamp.is_file() and stamp.read_text().strip():
            times[student] = (parse_time(stamp.read_text(), timezone.utc, str(stamp)), "nbgrader")
    if csv_path:
        students = {student for student, _ in found}
        times.update({s: (t, "csv") for s, t in read_csv(csv_path, zone).items() if s in students})
    if times:
        merged = {**stored(out), **times}
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["student", "submitted_at", "source"])
        writer.writerows([s, iso_utc(t), source] for s, (t, source) in sorted(merged.items()))
        Path(out).mkdir(parents=True, exist_ok=True)
        write_atomic(Path(out) / STORED, buffer.getvalue())
    return times
