"""A feed for the dashboard's browser test: the stories, stats and events topics, filled from real decisions.

`decide_feed` runs the real detection (the core `scan` uses) over a JSON Lines feed: its events are
the worker's events, and `expected_view` is what the page must then show. Until the worker publishes
the stories and stats topics itself, `produce_contract_feed` writes them from the same decisions in
the contract's format (one record per story, cumulative counters per minute and source). With a
worker that does, the test's `dashboard_feed` fixture runs the worker and replays the feed instead:
the expectations stay the same.
"""

from __future__ import annotations

import io
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from newsdedup.core.config import DetectionConfig
from newsdedup.core.events import build_events
from newsdedup.core.pipeline import build_record
from newsdedup.dashboard.records import rfc3339
from newsdedup.scan import LineDetector
from tests.integration.harness import produce

SAMPLE_FEED = Path(__file__).resolve().parents[2] / "services" / "newsdedup" / "data" / "sample-feed.jsonl"
COUNTED = ("unique", "exact_duplicate", "near_duplicate", "same_story")


@dataclass
class DecidedFeed:
    """The clean records and events the worker gives for a feed, in order."""

    lines: list[bytes]
    records: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def expected_view(self) -> dict[str, Any]:
        """What the page must show: the article count, the widest story and its outlets, a copy finding."""
        outlets: dict[str, set[str]] = defaultdict(set)
        for record in self.records:
            outlets[record["dedup"]["cluster_id"]].add(record["source"])
        widest = max(outlets, key=lambda story: (len(outlets[story]), story))
        finding = next(e for e in self.events if e["cluster_id"] == widest and e["type"] != "self_repetition")
        return {"articles": len(self.records), "widest": widest, "outlets": sorted(outlets[widest]),
                "finding": finding}


def decide_feed(path: Path = SAMPLE_FEED, when: datetime | None = None) -> DecidedFeed:
    """Decide every article of `path` with the real detection, as the worker would."""
    lines = [line for line in path.read_bytes().splitlines() if line.strip()]
    feed = DecidedFeed(lines)
    moment = when or datetime.now(UTC)
    detector = LineDetector(DetectionConfig(), sys.stderr)
    for _, _, prepared, decision in detector.decide_lines(io.BytesIO(b"\n".join(lines))):
        feed.records.append(build_record(prepared, decision))
        feed.events.extend(build_events(prepared, decision, moment))
    return feed


def story_records(feed: DecidedFeed, now: datetime) -> list[tuple[bytes, bytes]]:
    """One news.stories record per story, as the stories topic's contract gives it."""
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in feed.records:
        members[record["dedup"]["cluster_id"]].append(record)
    out = []
    for story_id, articles in members.items():
        first, latest = articles[0], articles[-1]
        value = {
            "story_id": story_id,
            "representative": {"article_id": first["id"], "source": first["source"], "title": first.get("title"),
                               "url": first.get("url")},
            "representative_changed": False,
            "first_seen": rfc3339(now), "last_seen": rfc3339(now), "members": len(articles),
            "by_status": dict(Counter(a["dedup"]["status"] for a in articles)),
            "sources": dict(Counter(a["source"] for a in articles)),
            "latest": {"article_id": latest["id"], "source": latest["source"], "status": latest["dedup"]["status"],
                       "title": latest.get("title"), "event_time": latest.get("published_at") or rfc3339(now)},
            "updated_at": rfc3339(now),
        }
        out.append((story_id.encode(), orjson.dumps(value)))
    return out


def stats_records(feed: DecidedFeed, now: datetime) -> list[tuple[bytes, bytes]]:
    """The minute's cumulative counters per source and for the service; each key twice, the later value whole."""
    minute = rfc3339(now.replace(second=0, microsecond=0))
    per_source: dict[str | None, Counter[str]] = defaultdict(Counter)
    for record in feed.records:
        for source in (record["source"], None):
            per_source[source]["articles"] += 1
            per_source[source][record["dedup"]["status"]] += 1
    for event in feed.events:
        if event["type"] == "self_repetition":
            for source in (event["source"], None):
                per_source[source]["self_repetition"] += 1
                per_source[source]["repetition_chars_removed"] += event["details"]["removed_chars"]
    out = []
    for source, counts in per_source.items():
        value: dict[str, Any] = {"minute": minute, "source": source, "dead_letters": 0, "self_repetition": 0,
                                 "repetition_chars_removed": 0, **{name: 0 for name in COUNTED}, **counts}
        if source is None:
            value.update(lag=0, latency_ms={"p50": 12.0, "p90": 30.0, "p99": 55.0, "max": 80.0,
                                            "count": counts["articles"]})
        key = f"{minute}|{source or ''}".encode()
        # An earlier, smaller value of the same minute first: the page must keep the last, not add them.
        out.append((key, orjson.dumps({**value, "articles": 1})))
        out.append((key, orjson.dumps(value)))
    return out


async def produce_contract_feed(bootstrap: str, topics: dict[str, str], feed: DecidedFeed) -> None:
    """Write the feed's events, stories and stats onto the test broker, as the worker will."""
    now = datetime.now(UTC)
    await produce(bootstrap, topics["events"],
                  [(e["cluster_id"].encode(), orjson.dumps(e)) for e in feed.events])
    await produce(bootstrap, topics["stories"], story_records(feed, now))
    await produce(bootstrap, topics["stats"], stats_records(feed, now))
