"""Course CI (GitHub Classroom and the like): a `Points X/Y` line, JUnit XML, a job summary, an exit code."""

import dataclasses
import html
import os
from pathlib import Path

from autograder import assignments
from autograder.judge.results import Status, TestResult

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


class MinScoreError(ValueError):
    """A --min-score that is neither a fraction nor a percentage."""


def parse_min_score(text):
    """The minimum as a fraction of the total: '0.6' (a fraction, 0..1) or '60%' (a percentage, 0..100)."""
    text = str(text).strip()
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise MinScoreError(f"--min-score {text!r} is neither a fraction from 0 to 1 (0.6) nor a percentage (60%)")
    return value


def student_view(results):
    """The results with every test that is not 'visible' folded into one line, so totals stay and names do not show."""
    shown = [t for t in results.tests if t.visibility == "visible"]
    withheld = [t for t in results.tests if t.visibility != "visible"]
    if not withheld:
        return results
    score, top = round(sum(t.score for t in withheld), 4), sum(t.max_score for t in withheld if Status(t.status).counted)
    status = Status.PASSED if score >= top else Status.FAILED if score == 0 else Status.PARTIAL
    folded = TestResult(name=f"{len(withheld)} more test(s)", score=score, max_score=top, status=status,
                        output="their details are released later")
    return dataclasses.replace(results, tests=shown + [folded])


def _cell(text, limit=300):
    text = " ".join(str(text).split("\n")[:6])
    text = text if len(text) <= limit else text[:limit] + "..."
    return html.escape(text).replace("|", "&#124;")


def markdown(results, min_fraction=None):
    """A job summary: the score line, whether it reaches the minimum, and a table of the tests."""
    fraction = results.score / results.max_score if results.max_score else 0.0
    lines = [f"### {_cell(results.assignment)} (version {_cell(results.version)}): "
             f"Points {results.score:g}/{results.max_score:g} ({100 * fraction:.1f} %)", ""]
    if min_fraction is not None:
        verdict = "reached" if fraction >= min_fraction else "**not reached**"
        lines += [f"Minimum {100 * min_fraction:g} %: {verdict}.", ""]
    lines += [f"> {_cell(p)}" for p in results.problems] + ([""] if results.problems else [])
    lines += ["| test | points | status | feedback |", "|---|---:|---|---|"]
    lines += [f"| {_cell(t.name)} | {t.score:g}/{t.max_score:g} | {t.status} | {_cell(t.output)} |"
              for t in results.tests]
    return "\n".join(lines) + "\n\n"


@dataclasses.dataclass
class Outcome:
    results: object          # what was graded, as a student may see it (see student_view)
    fraction: float
    passed: bool


def run_ci(assignment: str | assignments.Assignment, path: str | os.PathLike, *, min_score: str | None = None,
           junit: str | os.PathLike = "junit.xml", public: bool = False, device: str = "auto",
           device_profile: str | None = None, json_path: str | os.PathLike | None = None) -> Outcome:
    """Grade `path`, write JUnit XML (and results.json), append the job summary when $GITHUB_STEP_SUMMARY is set."""
    from autograder.judge.grading import grade
    if not isinstance(assignment, assignments.Assignment):
        assignment = assignments.find(assignment)
    min_fraction = None if min_score is None else parse_min_score(min_score)
    full = grade(assignment, Path(path), device=device, device_profile=device_profile, public=public)
    results = student_view(full)
    if junit:
        results.write_junit(junit)
    if json_path:
        full.write_json(json_path)
    fraction = full.score / full.max_score if full.max_score else 0.0
    if os.environ.get(SUMMARY_ENV):
        with open(os.environ[SUMMARY_ENV], "a") as summary:
            summary.write(markdown(results, min_fraction))
    return Outcome(results, fraction, min_fraction is None or fraction >= min_fraction - 1e-9)
