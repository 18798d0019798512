"""The similarity report: similarity.html (the most similar pairs, their matched code side by side, highlighted
by copydetect) and the "Similar code" section of a batch's summary.html. Every string is escaped; the pages open
from the file system."""

import html
from pathlib import Path

from autograder.course.similarity import NOISE, REFERENCE, similar_to
from autograder.judge.results import write_atomic

SHOWN_PAIRS = 50      # rows of the ranking table
SHOWN_MATCHES = 30    # pairs whose matched code is shown
CONTEXT_LINES = 10    # unmatched lines kept around each matched region

STYLE = """body{font-family:sans-serif;margin:2em} table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left} .sides{display:flex;gap:1em}
.sides>div{flex:1;min-width:0} pre{background:#f8f8f8;padding:.5em;overflow-x:auto;font-size:85%}
.highlight-red{background:#fcc} .highlight-green{background:#cfc} .flag{color:#b00;font-weight:bold}"""


def _highlighted(code, slices, css):
    """`code` escaped, its matched ranges wrapped in a span of class `css` (copydetect's highlighter)."""
    from copydetect.utils import highlight_overlap
    if slices is None or slices.size == 0:
        return html.escape(code)
    text, _ = highlight_overlap(code, slices, f"<span class='{css}'>", "</span>", truncate=CONTEXT_LINES,
                                escape_html=True)
    return text


def _pair_label(pair):
    e = html.escape
    return f"{e(pair.a)} ~ {e(pair.b)}"


def _matches(comparison, shown):
    e = html.escape
    parts = []
    for index, pair in shown:
        parts.append(f'<h3 id="pair-{index}">{_pair_label(pair)}: {pair.score:.2f}'
                     + (f' <span class="flag">{e(pair.note)}</span>' if pair.flagged else "") + "</h3>")
        for rel, (slices_a, slices_b) in pair.regions.items():
            code_a, code_b = comparison.code[(pair.a, rel)], comparison.code[(pair.b, rel)]
            parts.append(f"<h4>{e(rel)}: {pair.files.get(rel, 0):.2f}</h4><div class=\"sides\">"
                         f"<div><strong>{e(pair.a)}</strong><pre>{_highlighted(code_a, slices_a, 'highlight-red')}"
                         f"</pre></div><div><strong>{e(pair.b)}</strong>"
                         f"<pre>{_highlighted(code_b, slices_b, 'highlight-green')}</pre></div></div>")
    return "\n".join(parts)


def write_html(path, comparison):
    """similarity.html: what was compared, the ranking, and the matched code of the most similar pairs."""
    e = html.escape
    c = comparison
    students = sum(entry.kind == "student" for entry in c.entries)
    archived = sum(entry.kind == "archive" for entry in c.entries)
    flagged = [p for p in c.pairs if p.flagged]
    shown = [(i, p) for i, p in enumerate(c.pairs) if p.regions][:SHOWN_MATCHES]
    linked = {i for i, _ in shown}
    header = "".join(f"<th>{e(rel)}</th>" for rel in c.files)
    rows = "\n".join(
        f"<tr><td>{i + 1}</td><td>{e(p.a)}</td><td>{e(p.b)}</td><td>"
        + (f'<a href="#pair-{i}">{p.score:.2f}</a>' if i in linked else f"{p.score:.2f}") + "</td>"
        + "".join(f"<td>{p.files[rel]:.2f}</td>" if rel in p.files else "<td></td>" for rel in c.files)
        + f"<td>{p.lines[0]} / {p.lines[1]}</td><td class=\"flag\">{e(p.note)}</td></tr>"
        for i, p in enumerate(c.pairs[:SHOWN_PAIRS]))
    reference = any(entry.kind == "reference" for entry in c.entries)
    compared = (f"{students} submission(s) compared pair by pair" + (", each also with the reference solution"
                if reference else "") + (f" and with {archived} submission(s) of earlier terms" if archived else ""))
    notes = "".join(f"<li>{e(n)}</li>" for n in c.notes)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(c.assignment.name)}: code similarity</title>
<style>{STYLE}</style></head>
<body><h1>{e(c.assignment.name)} (version {e(c.assignment.version)}): code similarity</h1>
<p>{compared}, file by file with copydetect (winnowed fingerprints of the token stream, names and strings
folded, matches under {NOISE} filtered characters ignored); the assignment's stubs count for nothing.
Similarity: the matched share of both sides' code, over the files both hold. {len(flagged)} pair(s) at or above
{c.threshold:g}; {c.seconds:.1f} s.</p>
{f"<ul>{notes}</ul>" if notes else ""}
<h2>Most similar pairs</h2>
<table><tr><th>#</th><th>a</th><th>b</th><th>similarity</th>{header}<th>matched lines (a / b)</th><th>note</th></tr>
{rows}
</table>
<h2>Matched code</h2>
<p>Matched regions are highlighted (red in a, green in b); unmatched code further than {CONTEXT_LINES} lines from
a match is cut.</p>
{_matches(c, shown) or "<p>No pair shares code beyond the stubs.</p>"}
</body></html>
"""
    write_atomic(path, page)


def similar_column(batch_out):
    """{student: "other (0.95), ..."} for the "similar to" column of summary.html's students, or None when the
    batch ran no similarity."""
    folder = Path(batch_out) / "similarity"
    if not (folder / "similarity.csv").is_file():
        return None
    return {name: ", ".join(f"{other} ({score:.2f})" for other, score in others)
            for name, others in similar_to(folder).items()}


def summary_section(batch_out):
    """The "Similar code" section of a batch's summary.html, or "" when the batch ran no similarity."""
    folder = Path(batch_out) / "similarity"
    if not (folder / "similarity.csv").is_file():
        return ""
    e = html.escape
    found = {name: others for name, others in similar_to(folder).items() if name != REFERENCE and "/" not in name}
    rows = "\n".join(f"<tr><td>{e(name)}</td><td>"
                     + ", ".join(f"{e(other)} ({score:.2f})" for other, score in others) + "</td></tr>"
                     for name, others in sorted(found.items(), key=lambda item: (-item[1][0][1], item[0])))
    body = (f"<table><tr><th>student</th><th>similar to</th></tr>\n{rows}\n</table>" if found
            else "<p>No pair of submissions was flagged.</p>")
    return (f'<h2>Similar code</h2>\n<p>Flagged pairs of the similarity check (matched code side by side in '
            f'<a href="similarity/similarity.html">similarity/similarity.html</a>, every pair in '
            f'similarity/similarity.csv).</p>\n{body}\n')
