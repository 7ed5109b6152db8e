"""Stories: the current state of each story in the window, kept beside the index and published on the stories topic.

A story is a cluster of the window index (core/index.py): its canonical and the members that joined it.
The book holds, per story, the members the index holds (live entries and the canonical kept as an anchor),
each with the title and url of its article (the index keeps neither), and says, after each batch of
decisions, the current state of every story the batch touched, or that it left the window (a
tombstone). It is fed only what the index reports (an `Outcome`'s inserted and removed entries), so
it can always be rebuilt from the index's own entries: a worker that takes the index over rebuilds its
book from the restored index and the titles saved beside the entries (app/stages.py).

The representative is the best member under a `Policy`: a source priority list (highest first), then a
tie rule (`earliest` first seen, or `longest`: the most shingles of compared text, i.e. the most
complete copy), then first seen. With no priority and `earliest` it is the canonical, as before stories.
No clock is read: the processing time of a record is passed in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

from newsdedup.core.dedup import STATUSES
from newsdedup.core.events import rfc3339
from newsdedup.core.index import IndexEntry

TieRule = Literal["earliest", "longest"]
# What a story record keeps of an article's title and url (the input bounds neither), and of a source name
# outside the `sources` map; the same caps apply to the titles saved beside index entries (app/stages.py).
MAX_TITLE_CHARS = 1000
MAX_URL_CHARS = 2048
MAX_SOURCE_CHARS = 1024


def cut(text: str | None, most: int) -> str | None:
    """`text` with at most `most` characters (None stays None)."""
    return text if text is None or len(text) <= most else text[:most]


@dataclass(frozen=True, slots=True)
class Member:
    """One article of a story, as the book needs it."""

    article_id: str
    source: str
    status: str
    event_time: float
    seq: int  # the index's insertion number: first seen first
    size: int  # distinct shingles of the compared text: how complete a copy is
    title: str | None = None
    url: str | None = None

    @classmethod
    def of(cls, entry: IndexEntry, title: str | None = None, url: str | None = None) -> Member:
        """The member an index entry stands for."""
        return cls(entry.article_id, entry.source, entry.status, entry.event_time, entry.seq, entry.size,
                   cut(title, MAX_TITLE_CHARS), cut(url, MAX_URL_CHARS))


@dataclass(frozen=True, slots=True)
class Policy:
    """Which member represents a story: source priority (highest first), then the tie rule, then first seen."""

    priority: Sequence[str] = ()
    tie: TieRule = "earliest"
    _ranks: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ranks: dict[str, int] = {}
        for position, name in enumerate(self.priority):
            ranks.setdefault(name.strip().casefold(), position)
        object.__setattr__(self, "_ranks", ranks)

    def rank(self, member: Member) -> tuple[int, int, int]:
        """Smaller is better: (source priority, tie rule, first seen). Sources compare without case."""
        priority = self._ranks.get(member.source.strip().casefold(), len(self._ranks))
        return priority, -member.size if self.tie == "longest" else 0, member.seq


def representative(members: Iterable[Member], policy: Policy) -> Member:
    """The member that represents a story under `policy` (members must not be empty)."""
    return min(members, key=policy.rank)


@dataclass(frozen=True, slots=True)
class Extremes:
    """The members a story record names: its representative, earliest and latest by event time, last decided."""

    best: Member
    first: Member
    last: Member
    latest: Member

    @classmethod
    def of(cls, members: Iterable[Member], policy: Policy) -> Extremes:
        """Found in one pass over the members (which must not be empty)."""
        everyone = list(members)
        return cls(representative(everyone, policy), min(everyone, key=lambda m: (m.event_time, m.seq)),
                   max(everyone, key=lambda m: (m.event_time, m.seq)), max(everyone, key=lambda m: m.seq))

    def with_member(self, member: Member, policy: Policy) -> Extremes:
        """The extremes once `member` has joined (constant time: a viral story's next copy costs no more)."""
        return Extremes(min(self.best, member, key=policy.rank),
                        min(self.first, member, key=lambda m: (m.event_time, m.seq)),
                        max(self.last, member, key=lambda m: (m.event_time, m.seq)),
                        max(self.latest, member, key=lambda m: m.seq))

    def names(self, article_id: str) -> bool:
        """Whether `article_id` is one of the extremes (its leaving means finding them again)."""
        return article_id in (self.best.article_id, self.first.article_id, self.last.article_id,
                              self.latest.article_id)


@dataclass(slots=True)
class _Story:
    members: dict[str, Member] = field(default_factory=dict)
    by_status: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)
    extremes: Extremes | None = None  # None: to be found again from the members

    def add(self, member: Member, policy: Policy) -> None:
        self.members[member.article_id] = member
        self.by_status[member.status] += 1
        self.sources[member.source] += 1
        if self.extremes is not None:
            self.extremes = self.extremes.with_member(member, policy)
        elif len(self.members) == 1:
            self.extremes = Extremes(member, member, member, member)

    def drop(self, article_id: str) -> None:
        member = self.members.pop(article_id, None)
        if member is None:
            return
        for counts, name in ((self.by_status, member.status), (self.sources, member.source)):
            counts[name] -= 1
            if counts[name] <= 0:
                del counts[name]
        if self.extremes is not None and self.extremes.names(article_id):
            self.extremes = None

    def found(self, policy: Policy) -> Extremes:
        if self.extremes is None:
            self.extremes = Extremes.of(self.members.values(), policy)
        return self.extremes


class StoryBook:
    """Every story of the window, fed the index's changes; says what to publish for the stories touched."""

    def __init__(self, policy: Policy | None = None, max_record_bytes: int = 1 << 20) -> None:
        self.policy = policy or Policy()
        self.max_record_bytes = max_record_bytes
        self._stories: dict[str, _Story] = {}
        self._story_of: dict[str, str] = {}  # article id -> its story
        self._published: dict[str, Member] = {}  # story -> its representative in its last record
        self._touched: dict[str, None] = {}  # stories changed since the last flush, in order

    def __len__(self) -> int:
        return len(self._stories)

    def update(self, removed: Iterable[IndexEntry], inserted: IndexEntry | None,
              title: str | None = None, url: str | None = None) -> None:
        """Follow one decision's index changes: entries that left (first), then the entry put in."""
        for entry in removed:
            self._drop(entry.article_id)
        if inserted is not None:
            self._drop(inserted.article_id)  # an anchor that came back is reported removed too
            self._add(inserted.cluster_id, Member.of(inserted, title, url))

    def restore(self, entries: Iterable[IndexEntry], details: Mapping[str, tuple[str | None, str | None]]) -> None:
        """Rebuild from the index's entries (live and anchors) and the (title, url) saved per article id."""
        self._stories, self._story_of, self._published, self._touched = {}, {}, {}, {}
        for entry in entries:
            self._add(entry.cluster_id, Member.of(entry, *details.get(entry.article_id, (None, None))))
        self._touched = {}
        for story_id, story in self._stories.items():
            self._published[story_id] = story.found(self.policy).best

    def members(self, story_id: str) -> list[Member]:
        """The members of a story, first seen first (empty if it is not in the window)."""
        story = self._stories.get(story_id)
        return sorted(story.members.values(), key=lambda m: m.seq) if story else []

    def flush(self, updated_at: datetime) -> list[tuple[str, dict[str, Any] | None]]:
        """(story id, record or None for a tombstone) for each story touched since the last flush."""
        out: list[tuple[str, dict[str, Any] | None]] = []
        for story_id in self._touched:
            story = self._stories.get(story_id)
            if story is None:
                self._published.pop(story_id, None)
                out.append((story_id, None))
                continue
            extremes = story.found(self.policy)
            before = self._published.get(story_id)
            best = extremes.best
            changed = (before is not None and before.article_id != best.article_id
                       and self.policy.rank(best) < self.policy.rank(before))
            self._published[story_id] = best
            out.append((story_id, story_record(story_id, extremes, story.by_status, story.sources, changed,
                                               updated_at, self.max_record_bytes)))
        self._touched = {}
        return out

    def _add(self, story_id: str, member: Member) -> None:
        self._stories.setdefault(story_id, _Story()).add(member, self.policy)
        self._story_of[member.article_id] = story_id
        self._touched[story_id] = None

    def _drop(self, article_id: str) -> None:
        story_id = self._story_of.pop(article_id, None)
        if story_id is None:
            return
        story = self._stories[story_id]
        story.drop(article_id)
        if not story.members:
            del self._stories[story_id]
        self._touched[story_id] = None


def story_record(story_id: str, extremes: Extremes, by_status: Mapping[str, int], sources: Mapping[str, int],
                 changed: bool, updated_at: datetime, max_bytes: int) -> dict[str, Any]:
    """The stories-topic value of one story (schemas/story.schema.json).

    `sources` is cut to the outlets with the most members (then by name) when the whole record would be
    over `max_bytes`, and then says `sources_truncated: true`; `source_count` always counts them all.
    """
    best, latest = extremes.best, extremes.latest
    record: dict[str, Any] = {
        "story_id": story_id,
        "representative": {"article_id": best.article_id, "source": cut(best.source, MAX_SOURCE_CHARS),
                           "title": best.title, "url": best.url},
        "representative_changed": changed,
        "first_seen": _time(extremes.first.event_time),
        "last_seen": _time(extremes.last.event_time),
        "members": sum(by_status.values()),
        "by_status": {status: by_status.get(status, 0) for status in STATUSES},
        "sources": dict(sources),
        "source_count": len(sources),
        "latest": {"article_id": latest.article_id, "source": cut(latest.source, MAX_SOURCE_CHARS),
                   "status": latest.status, "title": latest.title, "event_time": _time(latest.event_time)},
        "updated_at": rfc3339(updated_at),
    }
    if _bound(record) > max_bytes and len(orjson.dumps(record)) > max_bytes:
        record["sources_truncated"] = True
        ranked = sorted(sources.items(), key=lambda item: (-item[1], item[0]))
        keep = len(ranked)
        while keep:
            keep //= 2
            record["sources"] = dict(ranked[:keep])
            if len(orjson.dumps(record)) <= max_bytes:
                break
    return record


def _bound(record: dict[str, Any]) -> int:
    """An upper bound of the record's JSON size without encoding it: a character takes at most 6 bytes
    (an escape), a count at most 20, and the fixed members and punctuation well under 1 KiB."""
    strings = [record["story_id"], *record["representative"].values(), record["latest"]["article_id"],
               record["latest"]["source"], record["latest"]["title"], *record["sources"]]
    return 1024 + 6 * sum(len(text) for text in strings if text) + 32 * len(record["sources"])


def _time(seconds: float) -> str:
    return rfc3339(datetime.fromtimestamp(seconds, UTC))
