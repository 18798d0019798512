"""What the results need from one test, kept on its pytest item while it runs (`plugin.record_key`)."""

from dataclasses import dataclass, field


@dataclass
class TestRecord:
    """What the results need from one test, kept on the item while it runs."""

    points: float
    visibility: str
    budget: dict
    limit: float | None = None
    limit_source: str = ""
    fraction: float = 1.0
    credit_note: str = ""
    not_attempted: bool = False
    probe_seconds: float = 0.0    # from the worker being ready: what the limit is charged
    start_seconds: float = 0.0    # starting its worker: the engine's cost
    worker_failure: str | None = None
    leaderboard: list = field(default_factory=list)   # {"name", "value", "order"} dicts, in the order added
    extra: dict = field(default_factory=dict)
    test_id: str = ""             # file::name, the key of its reference timing (autograder.judge.timing)
    timed_calls: bool = False     # it timed probes (submission.timed): a throughput test
    once_seconds: dict = field(default_factory=dict)   # shared trainings it ran (submission.once): key -> seconds

    @property
    def kind(self):
        return "throughput" if self.timed_calls else "numeric"
