"""Dedup events: one JSON object per finding, shared by `newsdedup scan --events` and the worker.

An event id is a UUID5 of (article id, type, content hash): a redelivered article produces the same
ids, so a consumer can drop repeats, while an updated article (new content) produces new ones.
`detected_at` is passed in; the core reads no clock.

A decided article that is not unique gives one event whose type is its status (`exact_duplicate`,
`near_duplicate` or `same_story`), carrying the decision's evidence in `details.evidence`; an article
that repeated itself gives a `self_repetition` event too.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from newsdedup.core.dedup import Decision
from newsdedup.core.prepared import PreparedArticle

# A fixed namespace for newsdedup event ids (uuid5 of the DNS namespace and the project name).
EVENT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "events.newsdedup")


def event_id(article_id: str, event_type: str, content_hash: str) -> str:
    """The deterministic id of one finding."""
    return str(uuid.uuid5(EVENT_NAMESPACE, f"{article_id}\x1f{event_type}\x1f{content_hash}"))


def rfc3339(moment: datetime) -> str:
    """A UTC timestamp as RFC 3339 with a Z suffix (milliseconds)."""
    if moment.tzinfo is None:
        raise ValueError("detected_at must carry a UTC offset")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_events(prepared: PreparedArticle, decision: Decision, detected_at: datetime) -> list[dict[str, Any]]:
    """The events of one decided article: its copy or same-story finding (if any), then its self-repetition (if any)."""
    events: list[dict[str, Any]] = []
    when = rfc3339(detected_at)
    if decision.status != "unique":
        details: dict[str, Any] = {"content_hash": prepared.content_hash, "language": prepared.language}
        if decision.evidence is not None:  # a decision always has it; one stored before it existed has not
            details["evidence"] = decision.evidence
        events.append(_event(prepared, decision, decision.status, when, details))
    removed = int(prepared.repetition.get("removed_chars", 0))
    if removed > 0:
        details = {
            "removed_chars": removed,
            "spans": list(prepared.repetition.get("spans", [])),
            "body_chars": len(prepared.fields.get("body", "")),
        }
        events.append(_event(prepared, decision, "self_repetition", when, details))
    return events


def _event(
    prepared: PreparedArticle, decision: Decision, event_type: str, when: str, details: dict[str, Any]
) -> dict[str, Any]:
    copy = event_type != "self_repetition"
    return {
        "event_id": event_id(prepared.article_id, event_type, prepared.content_hash),
        "type": event_type,
        "article_id": prepared.article_id,
        "source": prepared.source,
        "cluster_id": decision.cluster_id,
        "duplicate_of": decision.duplicate_of if copy else None,
        "similarity": decision.similarity if copy else None,
        "detected_at": when,
        "details": details,
    }
