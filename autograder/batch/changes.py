"""What a regrade changed: every student's earlier results kept in history/, and a report of who moved and why.

Before a result in results/ is overwritten, the earlier one is copied to
history/<student>/<number>-<graded at, UTC>-<key>.json (names that sort in time), and results/ keeps only the
current grades. A run that regraded something writes its report: for each regraded student the old and the new
score, the tests whose points or status moved, and the reason (new, submission, hidden tests, release, forced,
retry), to changes.csv and changes.json (summary.html's section is rendered from it), and a few terminal lines.
A run that regrades nothing leaves the report of the last one that did."""

import csv
import html
import io
import json
import shutil
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from autograder.course.gradebook import csv_cell, number_text, status_of
from autograder.judge.results import write_atomic

REPORT_JSON, REPORT_CSV = "changes.json", "changes.csv"
SHOWN_STUDENTS, SHOWN_TESTS, SHOWN_NAMES = 5, 3, 10   # terminal lines: the biggest moves first, the rest in the CSV


def _names(names, limit):
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def history_name(data, path, number):
    """<number, 3 digits>-<graded at, UTC>-<key's first 8 digits>.json of a student's `number`th earlier result
    (the number keeps the names in order when two were graded in the same second; the file's time when the result
    says no time)."""
    batch = data.get("extra_data", {}).get("batch", {}) if isinstance(data, dict) else {}
    try:
        when = datetime.fromisoformat(batch["graded_at"]).astimezone(timezone.utc)
    except (KeyError, TypeError, ValueError):
        when = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    return f"{number:03d}-{when:%Y%m%dT%H%M%SZ}-{str(batch.get('key') or 'nokey')[:8]}.json"


def keep_earlier(out, student):
    """Copy results/<student>.json, byte for byte, into history/<student>/ (once: the copy a killed run left is
    reused); (its dict or None, its path relative to out or None)."""
    current, folder = Path(out, "results", f"{student}.json"), Path(out, "history", student)
    try:
        raw = current.read_bytes()
    except OSError:
        return None, None
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    kept = sorted(folder.glob("[0-9]*.json"))
    target = kept[-1] if kept and kept[-1].read_bytes() == raw else folder / history_name(data, current, len(kept) + 1)
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(current, partial)
        partial.replace(target)
    return (data if isinstance(data, dict) else None), target.relative_to(out).as_posix()


def _verdicts(data):
    """{test name: (score, max score, status)} of a graded result; None for one that could not be graded."""
    if data is None or data.get("extra_data", {}).get("batch", {}).get("error"):
        return None
    return {t["name"]: (float(t.get("score", 0)), float(t.get("max_score", 0)), str(status_of(t)))
            for t in data.get("tests", []) if isinstance(t, dict) and "name" in t}


def moved_tests(earlier, now):
    """[[name, (score, max, status) before or None, after or None]] of the tests whose points, maximum or status
    differ, in test order."""
    before, after = _verdicts(earlier), _verdicts(now)
    if before is None or after is None:
        return []
    names = list(after) + [name for name in before if name not in after]
    return [[name, before.get(name), after.get(name)] for name in names if before.get(name) != after.get(name)]


def row(student, reason, earlier, now, kept=None):
    """One line of the report: a regraded student's old and new score, the tests that moved, why."""
    return {"student": student, "reason": reason, "earlier": kept,
            "old_score": None if earlier is None else float(earlier.get("score", 0)),
            "new_score": float(now.get("score", 0)), "max_score": float(now.get("max_score", 0)),
            "old_graded": earlier is not None and _verdicts(earlier) is not None,
            "new_graded": _verdicts(now) is not None, "tests": moved_tests(earlier, now)}


def changed(r):
    """Whether a regraded student's result moved (new students are not counted)."""
    return r["old_score"] is not None and (r["old_score"] != r["new_score"] or bool(r["tests"])
                                           or r["old_graded"] != r["new_graded"])


def _points(before, after):
    """A test's points before->after (with the maxima when those moved); "-" where it did not exist."""
    show_max = before is not None and after is not None and before[1] != after[1]
    side = [("-" if v is None else number_text(v[0]) + (f"/{number_text(v[1])}" if show_max else "")) for v in (before, after)]
    return f"{side[0]}->{side[1]}"


def tests_text(r, limit=None, status=True):
    """The tests that moved, as "name: 0->5, failed->passed; ..." (or why there are none to compare); without
    `status`, "name: 0->5", and the status only where the points stayed."""
    if r["old_score"] is not None and not r["new_graded"]:
        return "could not be graded"
    if r["old_score"] is not None and not r["old_graded"]:
        return "graded (earlier: could not be graded)"
    parts = []
    for name, before, after in r["tests"][:limit]:
        statuses = [v[2] for v in (before, after) if v is not None]
        state = statuses[-1] if len(set(statuses)) == 1 else "->".join(statuses)
        points = _points(before, after)
        same = before is not None and after is not None and before[:2] == after[:2]
        parts.append(f"{name}: " + (f"{points}, {state}" if status else state if same else points))
    hidden = len(r["tests"]) - len(parts)
    return "; ".join(parts) + (f"; {hidden} more test(s)" if hidden else "")


def _delta(r):
    return "" if r["old_score"] is None else format(round(r["new_score"] - r["old_score"], 4), "+g")


class Report:
    """The change report of one batch run, filled as results come in, written at its end."""

    def __init__(self, out, not_regraded):
        self.out, self.not_regraded, self.rows = Path(out), sorted(not_regraded), []

    def record(self, entry, data):
        """Before `data` replaces entry.student's stored result: keep the earlier one, note why it was graded."""
        earlier, kept = keep_earlier(self.out, entry.student)
        data.setdefault("extra_data", {}).setdefault("batch", {}).update(reason=entry.reason, digest=entry.digest)
        self.rows.append(row(entry.student, entry.reason, earlier, data, kept))

    def write(self):
        """changes.json and changes.csv when this run graded something (else the last report stays); the lines
        for the terminal."""
        if not self.rows:
            last = load(self.out)
            return ["no result changed (nothing regraded)" + (f"; {REPORT_CSV} still describes the run of "
                                                              f"{last['run_at']}" if last else "")]
        report = {"run_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "rows": sorted(self.rows, key=lambda r: r["student"]), "not_regraded": self.not_regraded}
        write_atomic(self.out / REPORT_JSON, json.dumps(report, indent=2))
        write_atomic(self.out / REPORT_CSV, csv_text(report))
        return lines(report, self.out / REPORT_CSV)


def load(out):
    """The last written report (a dict), or None."""
    try:
        report = json.loads(Path(out, REPORT_JSON).read_text())
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) and isinstance(report.get("rows"), list) else None


def csv_text(report):
    """changes.csv: student, old score, new score, delta, tests changed, reason; a row per graded student."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "old score", "new score", "delta", "tests changed", "reason"])
    for r in report["rows"]:
        old = "" if r["old_score"] is None else number_text(r["old_score"])
        writer.writerow([csv_cell(r["student"]), old, number_text(r["new_score"]), _delta(r), csv_cell(tests_text(r)),
                         r["reason"]])
    return buffer.getvalue()


def _counts(report):
    regraded = [r for r in report["rows"] if r["old_score"] is not None]
    reasons = Counter(r["reason"] for r in regraded)
    why = ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items()))
    new = [r["student"] for r in report["rows"] if r["old_score"] is None]
    return regraded, why, new


def lines(report, where):
    """A few terminal lines: the counts, the biggest moves (the rest in `where`), the new students."""
    regraded, why, new = _counts(report)
    moved = sorted((r for r in regraded if changed(r)), key=lambda r: (-abs(r["new_score"] - r["old_score"]),
                                                                       r["student"]))
    out = [f"changes: {len(regraded)} regraded" + (f" ({why})" if why else "") + f", {len(new)} new, "
           f"{len(report['not_regraded'])} not regraded; details in {where}"]
    if moved:
        out.append(f"{len(moved)} result(s) changed:")
        out += [f"  {r['student']} {number_text(r['old_score'])} -> {number_text(r['new_score'])} "
                f"({tests_text(r, SHOWN_TESTS, status=False) or 'no test moved'})" for r in moved[:SHOWN_STUDENTS]]
        if len(moved) > SHOWN_STUDENTS:
            out.append(f"  ... and {len(moved) - SHOWN_STUDENTS} more")
    elif regraded:
        out.append("no result changed")
    if new:
        out.append(f"new: {_names(new, SHOWN_NAMES)}")
    return out


def html_section(out):
    """summary.html's "Changes in the last regrade" section from changes.json, or "" when there is none."""
    report, e = load(out), html.escape
    if report is None:
        return ""
    regraded, why, new = _counts(report)
    moved = [r for r in regraded if changed(r)]
    body = "\n".join(
        f"<tr><td>{e(r['student'])}</td><td>"
        + (f"<a href=\"{e(r['earlier'])}\">{number_text(r['old_score'])}</a>" if r.get("earlier")
           else number_text(r["old_score"]))
        + f"</td><td>{number_text(r['new_score'])}</td><td>{_delta(r)}</td><td>{e(tests_text(r))}</td>"
          f"<td>{e(r['reason'])}</td></tr>" for r in moved)
    table = ("<table><tr><th>student</th><th>old</th><th>new</th><th>delta</th><th>tests changed</th>"
             f"<th>reason</th></tr>\n{body}\n</table>\n") if moved else "<p>No result changed.</p>\n"
    same = [r["student"] for r in regraded if not changed(r)]
    return (f"<h2>Changes in the last regrade</h2>\n<p>The last run that graded something ({e(report['run_at'])}): "
            f"{len(regraded)} regraded{e(f' ({why})' if why else '')}, {len(new)} new, "
            f"{len(report['not_regraded'])} not regraded; earlier results are kept in history/.</p>\n{table}"
            + (f"<p>Regraded, unchanged: {e(', '.join(same))}</p>\n" if same else "")
            + (f"<p>New: {e(', '.join(new))}</p>\n" if new else ""))
