"""Code similarity across a class: every pair of submissions compared file by file with copydetect's fingerprints
(MOSS's winnowing over tokens, names and strings folded), the assignment's stubs as boilerplate that counts for
nothing, and the reference solution as one more entry, so a leaked solution shows up as "close to the reference".

Nothing here runs submission code (similarity_read reads the files as text); similarity_report writes the HTML.
"""

import csv
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder import assignments
from autograder.batch.entries import discover
from autograder.course.gradebook import CSV_FORMULA_STARTS, csv_cell
from autograder.course.similarity_read import CODE_SUFFIXES, boilerplate_code, read_submission
from autograder.judge.results import write_atomic

REFERENCE = "<reference solution>"
NOISE = 25        # copydetect's default: matches shorter than this many filtered characters are ignored
THRESHOLD = 0.5   # six independent CS231n solutions measure 0.18 to 0.37 (tests/engine/similarity_class)
MIN_MATCHED = 60    # filtered characters (names folded to one letter: about five lines) a flagged pair must share
KEEP_REGIONS = 0.2  # the matched regions of pairs at least this similar are kept for the HTML report


class SimilarityError(Exception):
    """The comparison cannot start (one sentence, for the user)."""


@dataclass
class Pair:
    a: str
    b: str
    score: float                  # matched tokens of both sides over their fingerprinted tokens, files both hold
    score_a: float                # the share of a's code found in b
    score_b: float
    files: dict                   # relative path -> that file's score
    tokens: tuple                 # matched tokens (filtered characters) of a and of b
    lines: tuple                  # matched lines of a and of b
    regions: dict = field(default_factory=dict)   # relative path -> (slices in a, slices in b), for the report
    flagged: bool = False

    @property
    def note(self):
        if self.flagged and REFERENCE in (self.a, self.b):
            return "close to the reference solution"
        return "similar" if self.flagged else ""


@dataclass
class Comparison:
    assignment: assignments.Assignment
    entries: list                 # Submitted, the class first, then the reference, then the archive
    pairs: list                   # Pair, most similar first
    files: list                   # the assignment's files, the CSV's per-file columns
    threshold: float
    notes: list = field(default_factory=list)
    seconds: float = 0.0
    code: dict = field(default_factory=dict)   # (name, file) -> the text the regions point into


def gather(assignment, submissions, *, out=None, archive=None):
    """(entries, notes): the class, the reference solution when the course root has one, the archive's entries."""
    found = discover(submissions, out)
    entries = [read_submission(student, path, assignment) for student, path in found]
    notes = []
    if assignment.solution.is_dir():
        entries.append(read_submission(REFERENCE, assignment.solution, assignment, kind="reference"))
    else:
        notes.append(f"no reference solution to compare with ({assignment.solution} does not exist: a course root "
                     f"without solutions/, such as a Gradescope bundle)")
    if archive is not None:
        label = Path(archive).resolve().name
        entries += [read_submission(f"{label}/{student}", path, assignment, kind="archive")
                    for student, path in discover(archive)]
    for entry in entries:
        notes += entry.notes
    return entries, notes


def _fingerprint(rel, text, boilerplate):
    from copydetect import CodeFingerprint   # imports matplotlib.pyplot: only when comparing
    language = "python" if rel.endswith(CODE_SUFFIXES) else None
    return CodeFingerprint(rel, NOISE, 1, boilerplate, language=language, fp=io.StringIO(text))


def _matched_lines(text, slices):
    """How many lines of `text` the matched character ranges touch."""
    breaks = np.flatnonzero(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) == 10)
    lines = set()
    for start, end in zip(*slices):
        lines.update(range(int(np.searchsorted(breaks, start)), int(np.searchsorted(breaks, max(start, end - 1))) + 1))
    return len(lines)


def _ratio(part, whole):
    return round(float(part / whole), 4) if whole else 0.0


def _compare(a, b, prints, files, threshold):
    from copydetect import compare_files
    matched, covered, lines, scores, regions = np.zeros(2), np.zeros(2), [0, 0], {}, {}
    for rel in files:
        fa, fb = prints.get((a.name, rel)), prints.get((b.name, rel))
        if fa is None or fb is None:   # only the files both hold count
            continue
        overlap, shares, slices = compare_files(fa, fb)
        sizes = np.array([fa.token_coverage, fb.token_coverage], dtype=float)   # tokens left after the stubs
        matched += np.array(shares, dtype=float) * sizes
        covered += sizes
        scores[rel] = _ratio(np.dot(shares, sizes), sizes.sum())
        if overlap:
            regions[rel] = slices
            lines[0] += _matched_lines(fa.raw_code, slices[0])
            lines[1] += _matched_lines(fb.raw_code, slices[1])
    pair = Pair(a.name, b.name, _ratio(matched.sum(), covered.sum()), _ratio(matched[0], covered[0]),
                _ratio(matched[1], covered[1]), scores, tuple(int(round(n)) for n in matched), tuple(lines))
    pair.flagged = pair.score >= threshold and min(pair.tokens) >= MIN_MATCHED
    if pair.score >= min(threshold, KEEP_REGIONS):
        pair.regions = regions
    return pair


def compare_class(assignment, submissions, *, out=None, archive=None, boilerplate=(), threshold=THRESHOLD):
    """Compare every pair of the class, each student with the reference solution and with every archived entry
    (archived entries are not compared among themselves); returns a Comparison, pairs most similar first."""
    if not 0 < threshold <= 1:
        raise SimilarityError(f"the threshold must be a fraction between 0 and 1, not {threshold:g}")
    for folder in boilerplate:
        if not Path(folder).is_dir():
            raise SimilarityError(f"{folder} is not a folder of starter code")
    started = time.monotonic()
    entries, notes = gather(assignment, submissions, out=out, archive=archive)
    stub_hashes = np.unique(np.array([h for rel, text in boilerplate_code([assignment.folder, *boilerplate])
                                      for h in _fingerprint(rel, text, None).hashes]))
    prints = {(e.name, rel): _fingerprint(rel, text, stub_hashes)
              for e in entries for rel, text in e.files.items()}
    students = [e for e in entries if e.kind == "student"]
    others = [e for e in entries if e.kind != "student"]
    pairs = [_compare(a, b, prints, assignment.files, threshold)
             for i, a in enumerate(students) for b in students[i + 1:] + others if a.source != b.source]
    pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    code = {key: fp.raw_code for key, fp in prints.items()}
    return Comparison(assignment, entries, pairs, list(assignment.files), threshold, notes,
                      time.monotonic() - started, code)


def _uncell(text):
    return text[1:] if text.startswith("'") and text[1:].startswith(CSV_FORMULA_STARTS) else text


def write_csv(path, comparison):
    """similarity.csv: one row per pair, most similar first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_a", "student_b", "similarity", "similarity_a", "similarity_b", *comparison.files,
                     "matched_lines_a", "matched_lines_b", "matched_tokens_a", "matched_tokens_b", "flagged", "note"])
    for p in comparison.pairs:
        per_file = [f"{p.files[rel]:g}" if rel in p.files else "" for rel in comparison.files]
        writer.writerow([csv_cell(p.a), csv_cell(p.b), f"{p.score:g}", f"{p.score_a:g}", f"{p.score_b:g}", *per_file,
                         *p.lines, *p.tokens, "yes" if p.flagged else "", p.note])
    write_atomic(path, buffer.getvalue())


def run(assignment, submissions, out, *, archive=None, boilerplate=(), threshold=THRESHOLD, exclude=None):
    """Compare the class and write out/similarity.csv and out/similarity.html; returns the Comparison. `exclude`:
    a folder inside `submissions` that is no submission (default: `out`)."""
    from autograder.course import similarity_report
    if not isinstance(assignment, assignments.Assignment):
        assignment = assignments.find(assignment)
    comparison = compare_class(assignment, submissions, out=exclude or out, archive=archive, boilerplate=boilerplate,
                               threshold=threshold)
    out = Path(out)
    write_csv(out / "similarity.csv", comparison)
    similarity_report.write_html(out / "similarity.html", comparison)
    return comparison


def describe(comparison, out, top=10):
    """The lines the CLI prints: what was compared, the most similar pairs, where the report is."""
    c = comparison
    students = sum(e.kind == "student" for e in c.entries)
    others = [e.kind for e in c.entries if e.kind != "student"]
    also = (" and the reference solution" if "reference" in others else "") + \
        (f" and {others.count('archive')} archived submission(s)" if "archive" in others else "")
    flagged = sum(p.flagged for p in c.pairs)
    lines = [f"compared {students} submission(s){also}: {len(c.pairs)} pair(s) in {c.seconds:.1f} s; "
             f"{flagged} pair(s) at or above {c.threshold:g}"]
    lines += [f"  {p.score:.2f}  {p.a} ~ {p.b}" + (f"   ({p.note})" if p.flagged else "") for p in c.pairs[:top]]
    lines += [f"note: {n}" for n in c.notes]
    lines.append(f"wrote {out}: similarity.csv (every pair), similarity.html (matched code side by side)")
    return "\n".join(lines)


def similar_to(out_dir, threshold=None):
    """{name: [(other, similarity), ...]} of the pairs in out_dir/similarity.csv that were flagged (or, given a
    threshold, that reach it with enough matched code), most similar first; {} when there is no such file."""
    try:
        text = Path(out_dir, "similarity.csv").read_text()
    except OSError:
        return {}
    found = {}
    for row in csv.DictReader(io.StringIO(text)):
        score = float(row["similarity"])
        tokens = min(int(row["matched_tokens_a"] or 0), int(row["matched_tokens_b"] or 0))
        if row["flagged"] if threshold is None else (score >= threshold and tokens >= MIN_MATCHED):
            a, b = _uncell(row["student_a"]), _uncell(row["student_b"])
            found.setdefault(a, []).append((b, score))
            found.setdefault(b, []).append((a, score))
    return {name: sorted(others, key=lambda o: -o[1]) for name, others in found.items()}

