"""The records of the stories, stats and events topics, parsed into what the dashboard keeps of them.

Each parser checks the members the page relies on and raises BadRecord naming the first one that is
missing or of the wrong type; members it does not know are ignored (the topics may grow). What is
kept is bounded: a story's outlets and a finding's evidence lists are cut to what the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

COUNTERS: Final = ("articles", "unique", "exact_duplicate", "near_duplicate", "same_story", "self_repetition",
                   "repetition_chars_removed", "dead_letters")
FINDING_KINDS: Final = ("exact_duplicate", "near_duplicate", "same_story", "self_repetition")
STATUSES: Final = ("unique", "exact_duplicate", "near_duplicate", "same_story")
# Evidence members the page shows: scores, the reason, and the term lists (at most 8 each by the schema).
_EVIDENCE_NUMBERS: Final = ("overlap", "containment", "cover", "figures_changed", "rare_shared_count")
_EVIDENCE_LISTS: Final = ("rare_shared", "rare_only_earlier", "rare_only_later", "figures_only_earlier",
                          "figures_only_later", "lead_new_figures")
_MAX_OUTLETS: Final = 50
_MAX_TERMS: Final = 8
_MAX_SPANS: Final = 20


class BadRecord(ValueError):
    """A record the dashboard cannot use; the message says which member is wrong."""


def _get(obj: Any, name: str, kind: type | tuple[type, ...], nullable: bool = False) -> Any:
    """obj[name] when it has the type the contract gives, else BadRecord."""
    if not isinstance(obj, dict):
        raise BadRecord(f"expected a JSON object, got {type(obj).__name__}")
    value = obj.get(name)
    if value is None and nullable:
        return None
    # bool is an int to Python, never a count to the contract.
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        raise BadRecord(f"member {name!r} is missing or not {_names(kind)}")
    return value


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _names(kind: type | tuple[type, ...]) -> str:
    return " or ".join(k.__name__ for k in _as_tuple(kind))


def parse_time(text: str) -> datetime:
    """An RFC 3339 time with its UTC offset (a time without one is refused)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise BadRecord(f"time {text!r} has no UTC offset")
    return moment


def epoch_minute(moment: datetime) -> int:
    """Minutes since the epoch: the stats topic's time unit."""
    return int(moment.timestamp() // 60)


def rfc3339(moment: datetime) -> str:
    """A time as RFC 3339 UTC with a Z, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(slots=True)
class Story:
    """One live story of the stories topic."""

    story_id: str
    representative: dict[str, Any]
    latest: dict[str, Any] | None
    first_seen: str
    last_seen: str
    members: int
    by_status: dict[str, int]
    sources: dict[str, int]
    outlets: int  # distinct outlets: more than `sources` lists when a large story's record names only some

    @property
    def rank(self) -> tuple[int, int, str, str]:
        """Widest coverage first: distinct outlets, then articles, then the most recent, then the id (a total order)."""
        return (self.outlets, self.members, self.last_seen, self.story_id)

    def member(self, article_id: str, name: str) -> str | None:
        """A member (title, source) this record knows for one of its articles: the representative or the latest."""
        for known in (self.representative, self.latest or {}):
            if known.get("article_id") == article_id:
                value = known.get(name)
                return value if isinstance(value, str) else None
        return None

    def view(self) -> dict[str, Any]:
        """The story as the page shows it: outlets by article count, most first."""
        outlets = sorted(self.sources.items(), key=lambda kv: (-kv[1], kv[0]))
        return {
            "story_id": self.story_id, "representative": self.representative, "latest": self.latest,
            "first_seen": self.first_seen, "last_seen": self.last_seen, "members": self.members,
            "by_status": self.by_status, "sources": outlets, "outlets": self.outlets,
        }


def parse_story(obj: Any) -> Story:
    """A news.stories value."""
    rep = _get(obj, "representative", dict)
    _get(rep, "article_id", str)
    _get(rep, "source", str)
    representative = {"article_id": rep["article_id"], "source": rep["source"],
                      "title": _get(rep, "title", str, nullable=True), "url": _get(rep, "url", str, nullable=True)}
    latest_obj = _get(obj, "latest", dict, nullable=True)
    latest = None
    if latest_obj is not None:
        latest = {"article_id": _get(latest_obj, "article_id", str), "source": _get(latest_obj, "source", str),
                  "status": _get(latest_obj, "status", str), "title": _get(latest_obj, "title", str, nullable=True),
                  "event_time": _get(latest_obj, "event_time", str, nullable=True)}
    sources = _counts(_get(obj, "sources", dict), "sources")
    by_status = _counts(_get(obj, "by_status", dict), "by_status")
    # A story picked up everywhere may list only some outlets and give their number apart (`source_count`).
    count = obj.get("source_count")
    outlets = max(count, len(sources)) if isinstance(count, int) and not isinstance(count, bool) else len(sources)
    if len(sources) > _MAX_OUTLETS:  # keep the outlets with most articles
        sources = dict(sorted(sources.items(), key=lambda kv: -kv[1])[:_MAX_OUTLETS])
    return Story(
        story_id=_get(obj, "story_id", str), representative=representative, latest=latest,
        first_seen=_get(obj, "first_seen", str), last_seen=_get(obj, "last_seen", str),
        members=_get(obj, "members", int), by_status=by_status, sources=sources, outlets=outlets,
    )


def _counts(obj: dict[str, Any], name: str) -> dict[str, int]:
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in obj.values()):
        raise BadRecord(f"member {name!r} must map names to counts")
    return dict(obj)


@dataclass(slots=True)
class StatsRow:
    """The cumulative counters of one minute, for one source or (source None) for the whole service."""

    minute: int  # epoch minute
    source: str | None
    counters: dict[str, int]
    lag: int = 0
    latency_ms: dict[str, float] | None = None

    def latency(self, name: str) -> float:
        """One latency figure in milliseconds, 0 when the row has none."""
        return float((self.latency_ms or {}).get(name) or 0.0)


def parse_stats(obj: Any) -> StatsRow:
    """A news.dedup.stats value (a per-source row, or the service row when `source` is null)."""
    minute = epoch_minute(parse_time(_get(obj, "minute", str)))
    source = _get(obj, "source", str, nullable=True)
    counters = {name: _get(obj, name, int) if name == "articles" else _optional_int(obj, name) for name in COUNTERS}
    if source is not None:
        return StatsRow(minute, source, counters)
    latency = _get(obj, "latency_ms", dict, nullable=True)
    if latency is not None and not all(isinstance(v, int | float) for v in latency.values()):
        raise BadRecord("member 'latency_ms' must map names to numbers")
    return StatsRow(minute, None, counters, lag=_optional_int(obj, "lag"), latency_ms=latency)


def _optional_int(obj: dict[str, Any], name: str) -> int:
    return 0 if obj.get(name) is None else int(_get(obj, name, int))


@dataclass(slots=True)
class Finding:
    """One event of the events topic, as much of it as the page shows."""

    event_id: str
    type: str
    article_id: str
    source: str
    cluster_id: str
    duplicate_of: str | None
    similarity: float | None
    detected_at: str
    evidence: dict[str, Any] | None
    repetition: dict[str, Any] | None

    def view(self) -> dict[str, Any]:
        """The finding as plain data."""
        return {
            "event_id": self.event_id, "type": self.type, "article_id": self.article_id, "source": self.source,
            "cluster_id": self.cluster_id, "duplicate_of": self.duplicate_of, "similarity": self.similarity,
            "detected_at": self.detected_at, "evidence": self.evidence, "repetition": self.repetition,
        }


def parse_event(obj: Any) -> Finding:
    """A news.dedup.events value (schemas/dedup-event.schema.json)."""
    kind = _get(obj, "type", str)
    if kind not in FINDING_KINDS:
        raise BadRecord(f"unknown event type {kind!r}")
    details = _get(obj, "details", dict)
    similarity = _get(obj, "similarity", (int, float), nullable=True)
    return Finding(
        event_id=_get(obj, "event_id", str), type=kind, article_id=_get(obj, "article_id", str),
        source=_get(obj, "source", str), cluster_id=_get(obj, "cluster_id", str),
        duplicate_of=_get(obj, "duplicate_of", str, nullable=True),
        similarity=float(similarity) if similarity is not None else None,
        detected_at=_get(obj, "detected_at", str),
        evidence=_evidence(details.get("evidence")),
        repetition=_repetition(details) if kind == "self_repetition" else None,
    )


def _evidence(obj: Any) -> dict[str, Any] | None:
    if not isinstance(obj, dict):
        return None
    kept: dict[str, Any] = {"reason": obj.get("reason") if isinstance(obj.get("reason"), str) else None}
    for name in _EVIDENCE_NUMBERS:
        value = obj.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            kept[name] = value
    for name in _EVIDENCE_LISTS:
        value = obj.get(name)
        if isinstance(value, list):
            kept[name] = [str(term) for term in value[:_MAX_TERMS]]
    return kept


def _repetition(details: dict[str, Any]) -> dict[str, Any]:
    """Before and after: the body's length with and without the removed spans, and where they were."""
    removed = _get(details, "removed_chars", int)
    body = _optional_int(details, "body_chars")
    spans = []
    for span in (_get(details, "spans", list, nullable=True) or [])[:_MAX_SPANS]:
        spans.append({"kind": str(_get(span, "kind", str)), "start": _get(span, "start", int),
                      "end": _get(span, "end", int), "twin_start": _optional_int(span, "twin_start")})
    return {"removed_chars": removed, "body_chars": body or None,
            "after_chars": body - removed if body else None, "spans": spans}
