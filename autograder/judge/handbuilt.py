"""Judge side of the hand-built check: a component's file names no forbidden library call, and its probe ran none.

Driven by the assignment's `[[forbidden]]` groups; tests reach it through the `hand_built` fixture.
"""

import pytest

from autograder import assignments
from autograder.judge.forbidden import as_rules, forbidden_ops, match, scan

EVERY_TOPIC = None


class HandBuilt:
    """Fails the current test when a component's file names, or its probe ran, a forbidden library call."""

    def __init__(self, submission, rules):
        self.submission, self.rules = submission, rules

    def source(self, relpath, what, topics=EVERY_TOPIC):
        """Static scan of `relpath`; only rules of the given topics (assignment.toml [[forbidden]] groups) count."""
        __tracebackhide__ = True
        try:
            findings = scan(self.submission.source(relpath), relpath, self.rules)
        except SyntaxError as exc:
            pytest.fail(f"{relpath} could not be read for the check that {what} is written by hand: "
                        f"syntax error at line {exc.lineno}", pytrace=False)
        findings = [f for f in findings if topics is None or f.rule.topic in topics]
        if findings:
            shown = "; ".join(str(f) for f in findings[:4]) + ("; ..." if len(findings) > 4 else "")
            pytest.fail(f"{what} must be written by hand: {shown}", pytrace=False)

    def ops(self, out, what):
        """The names the probe recorded under record_ops() must include no forbidden function or operator."""
        __tracebackhide__ = True
        ops = out.get("ops") if isinstance(out, dict) else None
        if not isinstance(ops, list) or not all(isinstance(name, str) for name in ops):
            pytest.fail(f"the record of the operators {what} ran did not come back", pytrace=False)
        found = forbidden_ops(ops, self.rules)
        if found:
            runtime_rules = [r for r in self.rules if r.runtime]
            reasons = list(dict.fromkeys(match(name, runtime_rules).why for name in found))
            pytest.fail(f"{what} called {', '.join(found[:6])}{', ...' if len(found) > 6 else ''} "
                        f"(forbidden: {'; '.join(reasons)})", pytrace=False)

    def check(self, out, what, relpath, topics=EVERY_TOPIC):
        """Both checks: the file's source, then what the probe ran."""
        __tracebackhide__ = True
        self.source(relpath, what, topics)
        self.ops(out, what)


def assignment_rules(test_path):
    """The `[[forbidden]]` rules of the assignment whose tests live at `test_path` (a public or hidden test file)."""
    return as_rules(assignments.for_test_path(test_path).forbidden)


def for_assignment(submission, assignment):
    """HandBuilt for the `[[forbidden]]` rules of `assignment`."""
    return HandBuilt(submission, as_rules(assignment.forbidden))
