"""Prometheus metrics of one worker, in a registry of its own (no process-wide globals)."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Latency from the raw message's timestamp to the decision, in seconds.
_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)


@dataclass
class WorkerMetrics:
    """The counters, histogram and gauges the worker exposes on /metrics."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.articles_in = Counter("newsdedup_articles_in", "Raw messages consumed", registry=r)
        self.articles_out = Counter(
            "newsdedup_articles_out", "Records published, by output topic", ["topic"], registry=r
        )
        self.findings = Counter(
            "newsdedup_findings", "Dedup findings, by kind (exact_duplicate, near_duplicate, self_repetition)",
            ["kind"], registry=r,
        )
        self.decisions = Counter("newsdedup_decisions", "Index decisions, by status", ["status"], registry=r)
        self.dead_letters = Counter("newsdedup_dead_letters", "Inputs sent to the DLQ, by error kind", ["kind"],
                                    registry=r)
        self.latency = Histogram(
            "newsdedup_processing_latency_seconds", "Raw message timestamp to index decision",
            buckets=_LATENCY_BUCKETS, registry=r,
        )
        self.index_size = Gauge("newsdedup_index_articles", "Articles in the windowed index", registry=r)
        self.consumer_lag = Gauge(
            "newsdedup_consumer_lag", "High-water mark minus next offset to process", ["topic", "partition"],
            registry=r,
        )

    def exposition(self) -> bytes:
        """The Prometheus text format of every metric."""
        return generate_latest(self.registry)
