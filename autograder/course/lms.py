"""Grades into the LMS: one assignment column of a Canvas gradebook export filled in, or Moodle's "Import grades
from CSV" file, from a batch's stored results (the final score: after the late penalty when a policy applied).

The gradebook is rebuilt first (course/gradebook.build), so a changed late policy or a new extension reaches the
LMS without regrading.
"""

import csv
import io
import json
import re
from pathlib import Path

from autograder.judge.results import write_atomic

MATCH_COLUMNS = {"sis_login": "SIS Login ID", "sis_id": "SIS User ID", "email": "SIS Login ID"}
MOODLE_IDENTIFIERS = {"email": "Email address", "idnumber": "ID number", "username": "Username"}
NOT_GRADED_NOTE = "not graded (an engine failure: rerun the batch)"


class LmsError(Exception):
    """The grades cannot be exported as asked (one sentence, for the TA)."""


def final_grades(out):
    """(Book, {student: final score}, [students whose grading failed in the engine]) of a batch's output folder,
    its gradebook rebuilt with today's late policy."""
    from autograder.course import gradebook, late
    results = sorted(Path(out, "results").glob("*.json"))
    if not results:
        raise LmsError(f"{out} has no grades (no results/*.json in it): run `autograder batch` there first")
    book = gradebook.build(out, late.assignment_of(results))
    finals, retry = {}, []
    for path in results:
        data = _read(path)
        if data is None or data.get("extra_data", {}).get("batch", {}).get("retry"):
            retry.append(path.stem)
        else:
            finals[path.stem] = late.final_score(data)
    return book, finals, retry


def _read(path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def _names(items, limit=10, ordered=False):
    items = list(items) if ordered else sorted(items)
    return ", ".join(items[:limit]) + (", ..." if len(items) > limit else "")


def missing_line(lms_only, graded_only, retry=()):
    """The one-line report of students missing on either side."""
    def count(n, one, many):
        return f"{n} {one if n == 1 else many}"
    parts = []
    if lms_only:
        parts.append(f"{count(len(lms_only), 'student in the LMS has', 'students in the LMS have')} no grade: "
                     f"{_names(lms_only)}")
    if graded_only:
        parts.append(f"{count(len(graded_only), 'graded student is', 'graded students are')} not in the LMS: "
                     f"{_names(graded_only)}")
    if retry:
        parts.append(f"{count(len(retry), 'student', 'students')} {NOT_GRADED_NOTE}: {_names(retry)}")
    return "; ".join(parts) or "every student in the LMS has a grade, and every graded student is in it"


def _number(x, decimal_comma=False):
    text = format(round(x, 4), "g")
    return text.replace(".", ",") if decimal_comma else text


# ---------------------------------------------------------------- Canvas

def _records(text, delimiter):
    """[(fields, raw text)] of a CSV text, each record's raw text kept so an untouched row is written back as read."""
    consumed = []

    def lines():
        for line in text.splitlines(keepends=True):
            consumed.append(line)
            yield line

    records = []
    for fields in csv.reader(lines(), delimiter=delimiter):
        records.append((fields, "".join(consumed)))
        consumed.clear()
    return records


def _column(header, wanted, what):
    if wanted in header:
        return header.index(wanted)
    bare = [i for i, name in enumerate(header) if re.sub(r"\s*\(\d+\)$", "", name) == wanted]
    if len(bare) == 1:
        return bare[0]
    raise LmsError(f"the Canvas gradebook has no {what} column {wanted!r} (its columns: {_names(header, 12, ordered=True)})")


def _student_index(finals):
    """{lowercase id: student} and {lowercase user part: student} for ids that are not email addresses."""
    exact = {s.lower(): s for s in finals}
    return exact, {s.lower(): s for s in finals if "@" not in s}


def export_canvas(out, *, gradebook, column, to, match="sis_login"):
    """Fill `column` of the Canvas gradebook export `gradebook` for every student of the batch (matched by SIS
    Login ID, SIS User ID, or email: a login's user part may match an id without "@"), written to `to`; every other
    row and column as read. Returns the lines to print."""
    source, to = Path(gradebook), Path(to)
    if to.resolve() == source.resolve():
        raise LmsError(f"--to {to} is the Canvas export itself: write the filled copy to another file")
    try:
        raw = source.read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LmsError(f"the Canvas gradebook {source} cannot be read: {exc}") from None
    first = text.splitlines()[0] if text else ""
    delimiter = max(",;\t", key=first.count)
    records = _records(text, delimiter)
    header = records[0][0] if records else []
    if "Student" not in header and "LastName" not in header:
        raise LmsError(f"{source} is not a Canvas gradebook export (its first row has no Student column)")
    target = _column(header, column, "assignment")
    ident = _column(header, MATCH_COLUMNS[match], "identifier")
    starts = [i for i, (fields, _) in enumerate(records) if fields and fields[0].strip() == "Points Possible"]
    first_student = starts[0] + 1 if starts else 1   # the header, a "Manual Posting" row, "Points Possible"
    possible = records[starts[0]][0][target] if starts and target < len(records[starts[0]][0]) else ""
    book, finals, retry = final_grades(out)
    exact, by_user = _student_index(finals)
    written, lms_only, seen = [], [], set()
    pieces = [record for _, record in records[:first_student]]
    for fields, record in records[first_student:]:
        key = fields[ident].strip().lower() if ident < len(fields) else ""
        student = exact.get(key) or (match == "email" and by_user.get(key.split("@")[0])) or None
        if student is None or target >= len(fields):
            pieces.append(record)
            if key and key not in {r.lower() for r in retry}:
                lms_only.append(fields[ident].strip())
            continue
        fields[target] = _number(finals[student], decimal_comma="," in possible)
        buffer = io.StringIO()
        ending = record[len(record.rstrip("\r\n")):] or "\n"
        csv.writer(buffer, delimiter=delimiter, lineterminator=ending).writerow(fields)
        pieces.append(buffer.getvalue())
        written.append(student)
        seen.add(student)
    write_atomic(to, ("\ufeff" if raw.startswith(b"\xef\xbb\xbf") else "") + "".join(pieces))
    lines = [f"wrote {to}: {len(written)} grade(s) in {header[target]!r}",
             missing_line(lms_only, set(finals) - seen, retry)]
    try:
        points = float(possible.replace(",", "."))
    except ValueError:
        points = None
    if points is not None and book.max_score and abs(points - book.max_score) > 1e-9:
        lines.append(f"note: Canvas's {header[target]!r} is out of {points:g} points, the autograder's total is "
                     f"{book.max_score:g}: the scores were written as graded")
    return lines


# ---------------------------------------------------------------- Moodle

def export_moodle(out, *, to, identifier="email", column=None, gradebook=None):
    """Moodle's "Import grades from CSV": an identifier column (map it to the same field in Moodle's "Identify
    user by") and a grade column; `gradebook`, Moodle's own grade export, names who is missing on either side.
    Returns the lines to print."""
    from autograder.course import late
    book, finals, retry = final_grades(out)
    label = MOODLE_IDENTIFIERS[identifier]
    if identifier == "email":
        odd = [s for s in finals if "@" not in s]
        if odd:
            raise LmsError(f"{len(odd)} student id(s) of the batch are not email addresses ({_names(odd, 5)}): "
                           f"export with --identifier username or idnumber")
    assignment = late.assignment_of(sorted(Path(out, "results").glob("*.json")))
    column = column or (assignment.name if assignment else "grade")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([label, column])
    writer.writerows([student, _number(score)] for student, score in sorted(finals.items()))
    write_atomic(to, buffer.getvalue())
    lines = [f"wrote {to}: {len(finals)} grade(s) in {column!r}, students identified by {label.lower()}"]
    if gradebook is None:
        note = "no --gradebook (Moodle's grade export) given: students missing in Moodle were not checked"
        lines.append(f"{missing_line([], [], retry)}; {note}" if retry else note)
        return lines
    try:
        rows = list(csv.DictReader(io.StringIO(Path(gradebook).read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise LmsError(f"the Moodle gradebook {gradebook} cannot be read: {exc}") from None
    if not rows or label not in rows[0]:
        raise LmsError(f"the Moodle gradebook {gradebook} has no {label!r} column to match --identifier "
                       f"{identifier} against")
    in_lms = {row[label].strip() for row in rows if (row[label] or "").strip()}
    lower = {s.lower() for s in finals} | {s.lower() for s in retry}
    lms_only = [s for s in in_lms if s.lower() not in lower]
    graded_only = [s for s in finals if s.lower() not in {x.lower() for x in in_lms}]
    lines.append(missing_line(lms_only, graded_only, retry))
    return lines
