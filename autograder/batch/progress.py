"""Progress of a batch on stderr."""


class Reporter:
    """A rich progress bar with counts and ETA on stderr; one plain line per submission when stderr is no terminal."""

    def __init__(self, total, title="grading", quiet=False):
        from rich.console import Console
        self.total, self.title, self.count, self.failed, self.quiet = total, title, 0, 0, quiet
        self.console = Console(stderr=True)
        self.progress = self.task = None

    def start(self, where):
        if not self.total or self.quiet:
            return
        if not self.console.is_terminal:
            self.console.print(f"{self.title}: {self.total} submission(s) on {where}", highlight=False)
            return
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                                 TextColumn("{task.fields[last]}"), console=self.console, transient=False)
        self.progress.start()
        self.task = self.progress.add_task(f"{self.title} on {where}", total=self.total, last="")

    def advance(self, student, data, failed):
        self.count += 1
        self.failed += failed
        score = "not graded" if failed else f"{data.get('score', 0):g}/{data.get('max_score', 0):g}"
        if self.quiet:
            return
        if self.progress is not None:
            self.progress.update(self.task, advance=1, last=f"{student}: {score}")
        else:
            self.console.print(f"[{self.count}/{self.total}] {student}: {score}", markup=False, highlight=False)

    def stop(self):
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
