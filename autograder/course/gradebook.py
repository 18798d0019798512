"""The class gradebook, rebuilt from the stored results: grades.csv, a feedback file per student, summary.html,
and leaderboard.csv when the results carry Gradescope leaderboard entries."""

import base64
import csv
import html
import io
import json
import math
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import late as lateness
from autograder.judge.results import Status, figure, write_atomic

CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")   # a spreadsheet would run these as formulas


@dataclass
class Row:
    """One student's line: total, per-test results (Gradescope test dicts by name), and why it was not graded."""

    student: str
    score: float
    max_score: float
    tests: dict = field(default_factory=dict)
    note: str = ""
    graded: bool = True
    environment: dict = field(default_factory=dict)
    leaderboard: dict = field(default_factory=dict)   # name -> {"name", "value", "order"}
    late: dict = field(default_factory=dict)   # extra_data.late: submitted_at, due, late_by_s, penalty, final


@dataclass
class Book:
    rows: list
    test_names: list
    max_score: float             # the assignment's total (the most common among graded results)

    @property
    def mean_score(self):
        return round(sum(r.score for r in self.rows) / len(self.rows), 4) if self.rows else 0.0


def status_of(test):
    """Our Status of a Gradescope test dict (Gradescope's own passed/failed when ours is absent; an unknown word
    from a hand-edited file is kept as it is)."""
    value = test.get("extra_data", {}).get("status") or test.get("status", "failed")
    return Status(value) if value in Status.__members__.values() else value


def row_from(student, data):
    batch = data.get("extra_data", {}).get("batch", {})
    error = batch.get("error")
    note = error or "; ".join(line for line in data.get("output", "").splitlines() if line.strip())
    return Row(student=student, score=float(data.get("score", 0.0)), max_score=float(data.get("max_score", 0.0)),
               tests={t["name"]: t for t in data.get("tests", [])}, note=note, graded=not error,
               environment=data.get("extra_data", {}).get("environment", {}),
               leaderboard={e["name"]: e for e in data.get("leaderboard") or [] if isinstance(e, dict) and "name" in e},
               late=data.get("extra_data", {}).get("late") or {})


def environments(book):
    """{description: number of graded submissions} of the environments that graded the book."""
    keys = ("python", "numpy", "torch", "scikit-learn", "lock")
    return Counter(", ".join(f"{k} {r.environment.get(k)}" for k in keys) for r in book.rows
                   if r.graded and r.environment)


def load(out):
    """Every stored result under out/results, as a Book."""
    rows = []
    for path in sorted(Path(out, "results").glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        rows.append(row_from(path.stem, data))
    names = []
    for row in rows:
        names += [name for name in row.tests if name not in names]
    maxima = Counter(r.max_score for r in rows if r.graded)
    total = maxima.most_common(1)[0][0] if maxima else 0.0
    for row in rows:
        if not row.graded:
            row.max_score = total
    return Book(rows, names, total)


def leaderboard(book):
    """(names, order, rows): the names in first-seen order, the first name's order, every row ranked by that name."""
    names = []
    for row in book.rows:
        names += [name for name in row.leaderboard if name not in names]
    if not names:
        return [], "desc", []
    first = names[0]
    order = next(r.leaderboard[first].get("order", "desc") for r in book.rows if first in r.leaderboard)

    def rank(row):
        value = row.leaderboard.get(first, {}).get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return (1, 0.0)   # no figure: last
        return (0, -value if order == "desc" else value)

    return names, order, sorted(book.rows, key=rank)


def write_leaderboard_csv(path, book):
    """leaderboard.csv: the ranked table, a column per name, values unformatted (removed when there is none)."""
    names, _, rows = leaderboard(book)
    if not names:
        Path(path).unlink(missing_ok=True)
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *map(csv_cell, names)])
    for row in rows:
        values = [csv_cell(str(row.leaderboard[n]["value"])) if n in row.leaderboard else "" for n in names]
        writer.writerow([csv_cell(row.student), *values])
    write_atomic(path, buffer.getvalue())


def _leaderboard_html(book):
    """The summary's Leaderboard section, or "" when no result carries one."""
    e = html.escape
    names, order, rows = leaderboard(book)
    if not names:
        return ""
    header = "".join(f"<th>{e(n)}</th>" for n in names)
    body = "\n".join(
        f"<tr><td>{e(r.student)}</td>"
        + "".join(f"<td>{e(figure(r.leaderboard[n]['value'])) if n in r.leaderboard else ''}</td>" for n in names)
        + "</tr>" for r in rows)
    return (f"<h2>Leaderboard</h2>\n<p>Ranked by {e(names[0])}, {'highest' if order == 'desc' else 'lowest'} "
            f"first.</p>\n<table><tr><th>student</th>{header}</tr>\n{body}\n</table>\n")


def number_text(x):
    """A score for people: at most 4 decimals, no trailing zeros."""
    return format(round(x, 4), "g")


def csv_cell(text):
    """A student-controlled string made safe for a spreadsheet."""
    return "'" + text if text.startswith(CSV_FORMULA_STARTS) else text


def write_csv(path, book):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    late = lateness.csv_columns(book)   # late_hours, penalty, final: only when a late policy applied
    writer.writerow(["student", "total", "max", *late, *book.test_names, "note"])
    for row in book.rows:
        scores = [number_text(row.tests[n]["score"]) if n in row.tests else "" for n in book.test_names]
        writer.writerow([csv_cell(row.student), number_text(row.score), number_text(row.max_score), *lateness.csv_cells(row, late),
                         *scores, csv_cell(row.note)])
    write_atomic(path, buffer.getvalue())


def feedback_text(student, data):
    """What a student may read: total, notes, and each visible test with its score, status and message."""
    extra = data.get("extra_data", {})
    title = f"{extra.get('assignment', 'assignment')} (version {extra.get('version', '?')}): feedback for {student}"
    error = extra.get("batch", {}).get("error")
    if error:
        return f"{title}\nScore: 0 (your submission could not be graded)\n\n{error}\n"
    lines = [title, f"Score: {number_text(data.get('score', 0))} / {number_text(data.get('max_score', 0))}", ""]
    notes = [line for line in data.get("output", "").splitlines() if line.strip()]
    if notes:
        lines += ["Notes:", *[f"  {line}" for line in notes], ""]
    tests = data.get("tests", [])
    shown = [t for t in tests if t.get("visibility", "visible") == "visible"]
    for t in shown:
        lines.append(f"[{status_of(t)}] {number_text(t['score'])}/{number_text(t['max_score'])}  {t['name']}")
        lines += [f"    {line}" for line in t.get("output", "").splitlines()]
    withheld = len(tests) - len(shown)
    if withheld:
        lines += ["", f"{withheld} more test(s) not shown: their results are released later."]
    lines += lateness.feedback_lines(data)
    return "\n".join(lines).rstrip() + "\n"


def write_feedback(out, student, data):
    path = Path(out, "feedback", f"{student}.txt")
    text = feedback_text(student, data)
    try:
        if path.read_text() == text:
            return
    except OSError:
        pass
    write_atomic(path, text)


def _png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def figures(book):
    """The score histogram and the per-test pass rates, as base64 PNGs (matplotlib's Agg canvas, no pyplot)."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(6, 3))
    ax = fig.subplots()
    percents = [100 * r.score / book.max_score if book.max_score else 0.0 for r in book.rows]
    ax.hist(percents, bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.0001], color="#4c72b0", edgecolor="white")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set(xlabel="score (% of the total)", ylabel="students", title=f"Scores of {len(book.rows)} submission(s)",
           xlim=(0, 100))
    histogram = _png(fig)
    rates = pass_rates(book)
    fig = Figure(figsize=(6, max(2.0, 0.28 * len(rates) + 1)))
    ax = fig.subplots()
    names = list(rates)[::-1]
    ax.barh(range(len(names)), [100 * rates[n] for n in names], color="#55a868")
    ax.set_yticks(range(len(names)), [n.replace("$", r"\$") for n in names], fontsize=8)
    ax.set(xlabel="passed (% of graded submissions)", xlim=(0, 100), title="Pass rate per test")
    return histogram, _png(fig)


def pass_rates(book):
    """Test name -> fraction of graded submissions that passed it."""
    graded = [r for r in book.rows if r.graded]
    return {n: (sum(status_of(r.tests[n]) == Status.PASSED for r in graded if n in r.tests)
                / max(1, sum(n in r.tests for r in graded))) for n in book.test_names}


def write_html(path, book, title):
    """A summary page that opens from the file system: figures embedded, every string escaped."""
    from autograder.batch.changes import html_section as changes_section   # the last regrade's report
    from autograder.course.similarity_report import similar_column, summary_section as similarity_section
    similar = similar_column(Path(path).parent)   # None: no similarity ran, no column
    e = html.escape
    histogram, rates_png = figures(book)
    rates = pass_rates(book)
    graded = [r for r in book.rows if r.graded]
    mean_pct = 100 * book.mean_score / book.max_score if book.max_score else 0.0
    students = "\n".join(
        f"<tr><td><a href=\"feedback/{e(urllib.parse.quote(r.student))}.txt\">{e(r.student)}</a></td>"
        f"<td>{number_text(r.score)}</td><td>{number_text(r.max_score)}</td>"
        f"<td>{(100 * r.score / r.max_score if r.max_score else 0):.1f}</td><td>{e(r.note)}</td>"
        + (f"<td>{e(similar.get(r.student, ''))}</td>" if similar is not None else "") + "</tr>" for r in book.rows)
    envs = environments(book)
    mixed = "" if len(envs) <= 1 else (
        "<p><strong>Warning: this batch was graded in " + str(len(envs)) + " different environments</strong>"
        " (scores may not be comparable):</p><ul>"
        + "".join(f"<li>{count} submission(s): {e(desc)}</li>" for desc, count in envs.most_common()) + "</ul>")
    tests = "\n".join(
        f"<tr><td>{e(n)}</td><td>{number_text(max((r.tests[n]['max_score'] for r in graded if n in r.tests), default=0))}"
        f"</td><td>{100 * rates[n]:.0f} %</td></tr>" for n in book.test_names)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:60em}} table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:.2em .6em;text-align:left}} img{{max-width:100%}}</style></head>
<body><h1>{e(title)}</h1>
<p>{len(book.rows)} submission(s), {len(graded)} graded, {len(book.rows) - len(graded)} could not be graded;
mean score {number_text(book.mean_score)} / {number_text(book.max_score)} ({mean_pct:.1f} %).</p>
{mixed}
<img alt="score histogram" src="data:image/png;base64,{histogram}">
<img alt="pass rate per test" src="data:image/png;base64,{rates_png}">
<h2>Students</h2>
<table><tr><th>student</th><th>total</th><th>max</th><th>%</th><th>note</th>{"<th>similar to</th>" * (similar is not None)}</tr>
{students}
</table>
<h2>Tests</h2>
<table><tr><th>test</th><th>points</th><th>passed</th></tr>
{tests}
</table>
{lateness.html_section(book)}{_leaderboard_html(book)}{changes_section(Path(path).parent)}
{similarity_section(Path(path).parent)}</body></html>
"""
    write_atomic(path, page)


def build(out, assignment=None):
    """Rebuild grades.csv, leaderboard.csv, summary.html and every feedback file from out/results; returns the Book."""
    out = Path(out)
    lateness.apply(out, assignment)   # extra_data.late from the stored submission times and today's policy
    book = load(out)
    for path in sorted(Path(out, "results").glob("*.json")):
        try:
            write_feedback(out, path.stem, json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    title = f"{assignment.name} (version {assignment.version}): batch summary" if assignment else "batch summary"
    write_csv(out / "grades.csv", book)
    write_leaderboard_csv(out / "leaderboard.csv", book)
    write_html(out / "summary.html", book, title)
    return book
