"""Prometheus metrics of one worker, in a registry of its own (no process-wide globals)."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, get_args

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from newsdedup.settings import HoldableStatus

if TYPE_CHECKING:
    from newsdedup.app.prepared_sender import SendHealth

# Latency from the raw message's timestamp to the decision, in seconds.
# The most latency samples a merged report keeps.
_MAX_LATENCIES = 100_000
_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
# Every decision status, and every kind of finding (an event's type): each series is exported from the
# start, at 0, so a dashboard's rate of same_story rewrites exists before the first one.
DECISION_STATUSES: tuple[str, ...] = ("unique", *get_args(HoldableStatus))
FINDING_KINDS: tuple[str, ...] = (*get_args(HoldableStatus), "self_repetition")


@dataclass(slots=True)
class IndexReport:
    """What the index stage did since its last report and where it stands; small and picklable, because the
    index stage may run in a process of its own (index_process.py)."""

    owner: bool
    index_size: int
    restore_seconds: float | None = None
    restoring: bool = False  # rebuilding the index from the state topic (which may take minutes)
    published: Tally[str] = field(default_factory=Tally)  # output topic -> records
    findings: Tally[str] = field(default_factory=Tally)
    dead_letters: Tally[str] = field(default_factory=Tally)
    decisions: Tally[str] = field(default_factory=Tally)
    latencies: list[float] = field(default_factory=list)  # seconds, one per decided article
    failed_transactions: int = 0  # transactions aborted since the last report (their output was not written)
    stuck: str | None = None  # why the index stage cannot make progress now, or None
    joined: bool = False  # its consumer has joined the group: it owns the index partition or stands by
    stories: int = 0  # stories in the window (core/stories.py)

    def merged(self, later: IndexReport) -> IndexReport:
        """One report saying what this one and `later` say (state as of `later`)."""
        latencies = self.latencies + later.latencies
        return IndexReport(
            owner=later.owner, index_size=later.index_size, restoring=later.restoring,
            restore_seconds=later.restore_seconds if later.restore_seconds is not None else self.restore_seconds,
            published=self.published + later.published, findings=self.findings + later.findings,
            dead_letters=self.dead_letters + later.dead_letters, decisions=self.decisions + later.decisions,
            # Bounded for a parent that stops reading for long: the newest latencies are kept.
            latencies=latencies[-_MAX_LATENCIES:],
            failed_transactions=self.failed_transactions + later.failed_transactions, stuck=later.stuck,
            joined=later.joined, stories=later.stories,
        )


@dataclass
class WorkerMetrics:
    """The counters, histogram and gauges the worker exposes on /metrics."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self._before_exposition: list[Callable[[], None]] = []
        r = self.registry
        self.articles_in = Counter("newsdedup_articles_in", "Raw messages consumed", registry=r)
        self.articles_out = Counter(
            "newsdedup_articles_out", "Records published, by output topic", ["topic"], registry=r
        )
        self.findings = Counter(
            "newsdedup_findings", f"Dedup findings (events), by kind ({', '.join(FINDING_KINDS)})",
            ["kind"], registry=r,
        )
        self.decisions = Counter(
            "newsdedup_decisions", f"Index decisions, by status ({', '.join(DECISION_STATUSES)})", ["status"],
            registry=r,
        )
        for kind in FINDING_KINDS:
            self.findings.labels(kind=kind)
        for status in DECISION_STATUSES:
            self.decisions.labels(status=status)
        self.dead_letters = Counter("newsdedup_dead_letters", "Inputs sent to the DLQ, by error kind", ["kind"],
                                    registry=r)
        self.latency = Histogram(
            "newsdedup_processing_latency_seconds", "Raw message timestamp to index decision",
            buckets=_LATENCY_BUCKETS, registry=r,
        )
        self.index_size = Gauge("newsdedup_index_articles", "Articles in the windowed index", registry=r)
        self.stories = Gauge("newsdedup_stories", "Stories in the window (records live on the stories topic)",
                             registry=r)
        self.index_restarts = Counter(
            "newsdedup_index_process_restarts", "Index processes started again after one died", registry=r
        )
        self.send_failures = Counter(
            "newsdedup_send_failures", "Failed writes to Kafka, by stage (prepare: envelopes to the index stage; "
            "index: transactions aborted); nothing is committed past one", ["stage"], registry=r,
        )
        self.stuck = Gauge(
            "newsdedup_stage_stuck", "1 while a stage cannot write its output and retries (see /health)", ["stage"],
            registry=r,
        )
        self.consumer_lag = Gauge(
            "newsdedup_consumer_lag", "High-water mark minus next offset to process", ["topic", "partition"],
            registry=r,
        )

    def count(self, report: IndexReport) -> None:
        """Count what an index report says was done, and set the index gauge."""
        for topic, count in report.published.items():
            self.articles_out.labels(topic=topic).inc(count)
        for kind, count in report.findings.items():
            self.findings.labels(kind=kind).inc(count)
        for kind, count in report.dead_letters.items():
            self.dead_letters.labels(kind=kind).inc(count)
        for status, count in report.decisions.items():
            self.decisions.labels(status=status).inc(count)
        for seconds in report.latencies:
            self.latency.observe(seconds)
        self.index_size.set(report.index_size)
        self.stories.set(report.stories)
        if report.failed_transactions:
            self.send_failures.labels(stage="index").inc(report.failed_transactions)
        self.stuck.labels(stage="index").set(1 if report.stuck else 0)

    def watch_prepare_sends(self, health: SendHealth) -> None:
        """Read stage 1's send health (prepared_sender.py) whenever the metrics are scraped."""
        failures = self.send_failures.labels(stage="prepare")
        stuck = self.stuck.labels(stage="prepare")
        seen = [0]

        def collect() -> None:
            failures.inc(health.failures_total - seen[0])
            seen[0] = health.failures_total
            stuck.set(1 if health.failures_in_a_row else 0)

        self._before_exposition.append(collect)

    def exposition(self) -> bytes:
        """The Prometheus text format of every metric."""
        for collect in self._before_exposition:
            collect()
        return generate_latest(self.registry)
