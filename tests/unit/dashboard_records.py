"""Records in the format of the stories, stats and events topics, for the dashboard's tests and benchmark."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from newsdedup.dashboard.records import rfc3339


def story(story_id: str, sources: dict[str, int], at: datetime, title: str | None = None) -> bytes:
    """A news.stories value: `sources` maps outlets to their articles in the story."""
    members = sum(sources.values())
    first_source = next(iter(sources))
    record: dict[str, Any] = {
        "story_id": story_id,
        "representative": {"article_id": story_id, "source": first_source, "title": title,
                           "url": f"https://example.org/{story_id}"},
        "representative_changed": False,
        "first_seen": rfc3339(at), "last_seen": rfc3339(at), "members": members,
        "by_status": {"unique": 1, "exact_duplicate": 0, "near_duplicate": members - 1, "same_story": 0},
        "sources": sources,
        "latest": {"article_id": f"{story_id}-copy", "source": list(sources)[-1], "status": "near_duplicate",
                   "title": title, "event_time": rfc3339(at)},
        "updated_at": rfc3339(at),
    }
    return orjson.dumps(record)


def stats_row(minute: datetime, source: str | None, articles: int, **counters: int) -> tuple[bytes, bytes]:
    """A news.dedup.stats (key, value): per source, or the service row when `source` is None."""
    stamp = rfc3339(minute.replace(second=0, microsecond=0))
    record: dict[str, Any] = {"minute": stamp, "source": source, "articles": articles, "unique": 0,
                              "exact_duplicate": 0, "near_duplicate": 0, "same_story": 0, "self_repetition": 0,
                              "repetition_chars_removed": 0, "dead_letters": 0, **counters}
    if source is None:
        record.update(lag=0, latency_ms={"p50": 12.0, "p90": 30.0, "p99": 55.0, "max": 80.0, "count": articles})
    return f"{stamp}|{source or ''}".encode(), orjson.dumps(record)


def event(article_id: str, kind: str, cluster_id: str, at: datetime, source: str = "afp",
          duplicate_of: str | None = None, **details: Any) -> bytes:
    """A news.dedup.events value."""
    copy = kind != "self_repetition"
    return orjson.dumps({
        "event_id": f"{article_id}/{kind}", "type": kind, "article_id": article_id, "source": source,
        "cluster_id": cluster_id, "duplicate_of": (duplicate_of or cluster_id) if copy else None,
        "similarity": 0.8 if copy else None, "detected_at": rfc3339(at), "details": details,
    })
