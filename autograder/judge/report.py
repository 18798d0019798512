"""The score table printed in the terminal."""

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from autograder.judge.results import Status, figure

STYLES = {Status.PASSED: "green", Status.PARTIAL: "yellow", Status.FAILED: "red", Status.NOT_ATTEMPTED: "dim",
          Status.SKIPPED: "dim"}


def print_results(results, console=None):
    console = console or Console(width=None if Console().is_terminal else 120)
    view = results.protections.get("filesystem")
    if view and view != "allowlist":
        console.print("[yellow]warning: the file system is not isolated here (no namespaces could be made): the "
                      "submission could read any file this user can[/]")
    table = Table(title=escape(f"{results.assignment} (v{results.version}): {results.submission}"), title_justify="left")
    table.add_column("test", overflow="fold")
    table.add_column("score", justify="right")
    table.add_column("status")
    table.add_column("limit", justify="right")
    table.add_column("feedback", overflow="fold", max_width=70)
    for t in results.tests:
        style = STYLES.get(t.status, "")
        limit = f"{t.limit_s:.1f}s" if t.limit_s else ""
        table.add_row(escape(t.name), f"{t.score:g}/{t.max_score:g}", f"[{style}]{t.status}[/]", limit, escape(t.output))
    console.print(table)
    if results.leaderboard:
        console.print("leaderboard: " + ", ".join(f"{escape(e['name'])}={figure(e['value'])}"
                                                  for e in results.leaderboard))
    for problem in results.problems:
        console.print(f"[yellow]![/] {escape(problem)}")
    pct = 100 * results.score / results.max_score if results.max_score else 0.0
    device = results.device
    console.print(f"[bold]Total: {results.score:g} / {results.max_score:g} ({pct:.1f} %)[/]  "
                  f"device {device.get('kind', '?')} ({device.get('name', '?')}, speed factor "
                  f"{device.get('factor', '?')}, {device.get('source', '?')}), {results.execution_time:.1f} s")
