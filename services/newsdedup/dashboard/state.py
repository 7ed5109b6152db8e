"""The dashboard's view of the stories, stats and events topics: pure, bounded, rendered as JSON snapshots.

Records arrive as raw bytes (key, value) with the topic's role ("stories", "stats", "events"); nothing
here reads Kafka or a clock: the adapter passes `now`. A record that cannot be parsed is counted per
topic with its reason and changes nothing else, so bad data shows as a number on the page, never as
a blank one.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import orjson

from newsdedup.dashboard.records import (
    COUNTERS,
    FINDING_KINDS,
    BadRecord,
    Finding,
    StatsRow,
    Story,
    epoch_minute,
    parse_event,
    parse_stats,
    parse_story,
    parse_time,
    rfc3339,
)
from newsdedup.dashboard.top import TopStories

TOPICS: Final = ("stories", "stats", "events")
HOUR_MINUTES: Final = 60


@dataclass(slots=True)
class TopicErrors:
    """Records of one topic the dashboard could not use."""

    count: int = 0
    last: str | None = None


@dataclass
class DashboardState:
    """Live stories, last-value-per-key stats of the last hour, recent findings and parse errors."""

    top_n: int = 10
    max_findings: int = 200
    max_repetitions: int = 50
    stories: dict[str, Story] = field(default_factory=dict)
    stats: dict[tuple[int, str | None], StatsRow] = field(default_factory=dict)  # (epoch minute, source)
    errors: dict[str, TopicErrors] = field(default_factory=lambda: {t: TopicErrors() for t in TOPICS})
    received: Counter[str] = field(default_factory=Counter)  # events by type, since start
    version: int = 0  # bumped by every applied record: the server pushes only when it moved

    def __post_init__(self) -> None:
        self.top = TopStories(self.top_n)
        self.findings: deque[Finding] = deque(maxlen=self.max_findings)
        self.repetitions: deque[Finding] = deque(maxlen=self.max_repetitions)
        # Event ids in the rings: a redelivered event (same id) is shown once.
        self._seen: Counter[str] = Counter()

    def read(self, topic: str, key: bytes | None, value: bytes | None, now: datetime) -> bool:
        """Apply one record of `topic`; count it as an error and return False when it cannot be used."""
        try:
            if topic == "stories":
                self._apply_story(key, value)
            elif topic == "stats":
                self._apply_stats(key, value, now)
            elif topic == "events":
                self._apply_event(value)
            else:
                raise BadRecord(f"unknown topic role {topic!r}")
        except (BadRecord, ValueError, TypeError, KeyError, AttributeError) as exc:
            errors = self.errors.setdefault(topic, TopicErrors())
            errors.count += 1
            errors.last = str(exc)[:200] or type(exc).__name__
            self.version += 1
            return False
        self.version += 1
        return True

    def _apply_story(self, key: bytes | None, value: bytes | None) -> None:
        if key is None:
            raise BadRecord("a story record without a key")
        story_id = key.decode("utf-8")
        old = self.stories.get(story_id)
        if value is None:  # tombstone: the story left the window
            if old is not None:
                del self.stories[story_id]
                self.top.remove(story_id)
            return
        story = parse_story(orjson.loads(value))
        self.stories[story_id] = story
        self.top.upsert(story_id, story.rank, old.rank if old is not None else None)

    def _apply_stats(self, key: bytes | None, value: bytes | None, now: datetime) -> None:
        if value is None:  # a compaction tombstone for a minute that is gone
            minute_text, _, source = (key or b"").decode("utf-8").partition("|")
            self.stats.pop((epoch_minute(parse_time(minute_text)), source or None), None)
            return
        row = parse_stats(orjson.loads(value))
        if row.minute > epoch_minute(now) - HOUR_MINUTES:  # older minutes are off the charts: not kept
            self.stats[(row.minute, row.source)] = row

    def _apply_event(self, value: bytes | None) -> None:
        if value is None:
            raise BadRecord("an event record without a value")
        finding = parse_event(orjson.loads(value))
        if self._seen[finding.event_id]:
            return
        self.received[finding.type] += 1
        ring = self.repetitions if finding.type == "self_repetition" else self.findings
        if len(ring) == ring.maxlen:
            self._forget(ring[0].event_id)
        ring.append(finding)
        self._seen[finding.event_id] += 1

    def _forget(self, event_id: str) -> None:
        self._seen[event_id] -= 1
        if self._seen[event_id] <= 0:
            del self._seen[event_id]

    def prune(self, now: datetime) -> None:
        """Drop stats rows that have left the last hour (memory stays flat on an endless feed)."""
        oldest = epoch_minute(now) - HOUR_MINUTES
        for stale in [k for k in self.stats if k[0] <= oldest]:
            del self.stats[stale]

    def snapshot(self, now: datetime, findings: int = 50, repetitions: int = 20) -> dict[str, Any]:
        """Everything the page shows, as plain JSON-ready data."""
        self.prune(now)
        minutes, series, service = self._series(now)
        return {
            "generated_at": rfc3339(now),
            "version": self.version,
            "live_stories": len(self.stories),
            "totals": {name: int(sum(series[name])) for name in COUNTERS},
            "service": service,
            "series": {"minutes": minutes, **series},
            "sources": self._sources(),
            "top_stories": [self.stories[sid].view() for sid in self.top.ranked(self.stories)],
            "findings": [self._finding_view(f) for f in reversed(self.findings)][:findings],
            "repetitions": [self._finding_view(f) for f in reversed(self.repetitions)][:repetitions],
            "received": {kind: self.received[kind] for kind in FINDING_KINDS},
            "errors": {topic: {"count": e.count, "last": e.last} for topic, e in self.errors.items()},
        }

    def _series(self, now: datetime) -> tuple[list[str], dict[str, list[float]], dict[str, Any]]:
        """Per minute of the last hour: the service row's counters, else the sum of that minute's source rows."""
        last = epoch_minute(now)
        first = last - HOUR_MINUTES + 1
        names = (*COUNTERS, "p50", "p99", "lag")
        series: dict[str, list[float]] = {name: [0.0] * HOUR_MINUTES for name in names}
        have_service: set[int] = set()
        latest_service: StatsRow | None = None
        for (minute, source), row in self.stats.items():
            if minute < first or minute > last:
                continue
            i = minute - first
            if source is None:
                have_service.add(minute)
                for name in COUNTERS:
                    series[name][i] = float(row.counters[name])
                series["p50"][i], series["p99"][i] = row.latency("p50"), row.latency("p99")
                series["lag"][i] = float(row.lag)
                if latest_service is None or minute > latest_service.minute:
                    latest_service = row
        for (minute, source), row in self.stats.items():
            if source is not None and first <= minute <= last and minute not in have_service:
                for name in COUNTERS:
                    series[name][minute - first] += row.counters[name]
        service = {"lag": latest_service.lag, "latency_ms": latest_service.latency_ms} if latest_service else None
        minutes = [rfc3339(datetime.fromtimestamp((first + i) * 60, UTC)) for i in range(HOUR_MINUTES)]
        return minutes, series, service or {"lag": None, "latency_ms": None}

    def _sources(self, limit: int = 50) -> list[dict[str, Any]]:
        """One row per source over the last hour, the busiest first."""
        totals: dict[str, Counter[str]] = {}
        for (_, source), row in self.stats.items():
            if source is not None:
                totals.setdefault(source, Counter()).update(row.counters)
        ordered = sorted(totals.items(), key=lambda item: (-item[1]["articles"], item[0]))[:limit]
        return [{"source": source, **{name: counts[name] for name in COUNTERS}} for source, counts in ordered]

    def _finding_view(self, finding: Finding) -> dict[str, Any]:
        """A finding with the titles the stories topic knows for it and for its original."""
        view = finding.view()
        story = self.stories.get(finding.cluster_id)
        if story is not None:
            view["title"] = story.member(finding.article_id, "title")
            if finding.duplicate_of is not None:
                view["original_title"] = story.member(finding.duplicate_of, "title")
                view["original_source"] = story.member(finding.duplicate_of, "source")
        return view
