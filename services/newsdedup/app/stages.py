"""The worker's two stages as plain functions of bytes: no Kafka here, so they are tested without a broker.

Stage 1 (prepare) is stateless and runs on every raw partition. Stage 2 (index) is the single writer
of the global index. Each stage has one error boundary: whatever goes wrong with one input becomes a
dead letter carrying the original bytes and where they came from, and the stage goes on. Stage 2's
boundary is in the index runner, which can undo a half-made change to the index by restoring it.

Stage 1 is at-least-once: after a crash it may prepare an input again. Stage 2 remembers, per raw
partition, the next raw offset it expects (in the same transaction as its outputs), and drops any
envelope below it, so a replayed input is published once.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from newsdedup import exactjson
from newsdedup.app.budget import MAX_KEY_BYTES, SizeBudget, widest_evidence
from newsdedup.app.codecs import encode, encode_key
from newsdedup.app.deadletter import Provenance, bounded_key, dead_letter, decode_article
from newsdedup.app.envelope import Envelope
from newsdedup.app.topics import Role
from newsdedup.core.dedup import STATUSES, Decision, Deduplicator
from newsdedup.core.events import build_events
from newsdedup.core.index import IndexEntry
from newsdedup.core.minute_stats import MinuteStats, minute_of
from newsdedup.core.pipeline import build_record, prepare
from newsdedup.core.prepared import PreparedArticle
from newsdedup.core.signatures import Signer
from newsdedup.core.stories import MAX_TITLE_CHARS, MAX_URL_CHARS, Policy, StoryBook, cut
from newsdedup.errors import DeadLetterKind, InvalidArticle
from newsdedup.settings import Settings

# (target, key, value): the target is Role.CLEAN, Role.EVENTS or Role.DLQ.
Message = tuple[Role, bytes | None, bytes]
# (target, key, value or None for a tombstone): the target is Role.STORIES or Role.STATS (IndexStage.summaries).
Summary = tuple[Role, bytes | None, bytes | None]
# State-topic keys: article ids for index entries; this one for the raw offsets already decided.
RAW_OFFSETS_KEY = b"\x00raw-offsets"


@dataclass
class IndexOutput:
    """What one envelope turned into: messages to publish, index changes to persist, what to count."""

    messages: list[Message] = field(default_factory=list)
    state_updates: list[tuple[bytes, bytes | None]] = field(default_factory=list)  # None deletes
    findings: list[str] = field(default_factory=list)
    dead_letter_kind: DeadLetterKind | None = None
    decision_status: str | None = None
    replayed: bool = False  # an input stage 2 had already decided: nothing published
    raw_timestamp: float | None = None  # seconds; the raw message's timestamp, for the latency metric
    article_id: str | None = None  # the decided article, to name it when its output cannot be written
    source: str | None = None  # the input's outlet (None: unreadable), for the per-minute statistics
    repetition_chars: int = 0  # characters of repetition cleaned out of the article


class InjectedFailure(RuntimeError):
    """Raised by the index stage for the article named by the test hook NEWSDEDUP_TEST_FAIL_ARTICLE_ID."""


class PrepareStage:
    """Stateless and CPU-heavy: decode, validate, clean, sign; check that every output will fit."""

    def __init__(self, settings: Settings) -> None:
        self.config = settings.detection()
        self.signer = Signer(self.config)
        self.budget = SizeBudget(settings.max_message_bytes)
        # Larger than any decision an article can get: the longest status name, naming an article and a story
        # of the longest id, with a similarity of four decimals and the widest evidence (budget.py).
        longest = max(STATUSES, key=len)
        self.widest = Decision(longest, "x" * 512, "x" * 512, 0.1234, widest_evidence())

    def run(self, value: bytes | None, provenance: Provenance, arrived_at: datetime) -> Envelope:
        """Turn one raw message into an envelope holding the prepared article or its dead letter."""
        raw = value if value is not None else b""
        try:
            if provenance.key is not None and len(provenance.key) > MAX_KEY_BYTES:
                raise InvalidArticle(
                    DeadLetterKind.TOO_LARGE, f"the message key is {len(provenance.key)} bytes, over the limit "
                    f"of {MAX_KEY_BYTES} bytes for keys")
            article = decode_article(value, self.budget.max_input)
            prepared = prepare(article, self.signer, self.config)
            envelope = Envelope(provenance, arrived_at, raw, prepared.to_bytes(with_fields=False))  # fields: from raw
            self._check_fits(prepared, envelope)
        except InvalidArticle as exc:
            return self._dead(value, provenance, arrived_at, exc.kind, exc.message, None)
        except Exception as exc:  # the boundary: one bad input must not stop the stream
            return self._dead(value, provenance, arrived_at, DeadLetterKind.PROCESSING,
                              f"preparing the article failed: {exc}", type(exc).__name__)
        return envelope

    def _check_fits(self, prepared: PreparedArticle, envelope: Envelope) -> None:
        """Raise InvalidArticle(too_large) unless every record this article can produce fits its topic."""
        budget = self.budget
        widest = self.widest
        # The envelope's JSON header is under 1 KiB plus its key, escaped (at most 6 bytes a key byte).
        key_bytes = len(envelope.provenance.key or b"")
        envelope_size = len(envelope.raw) + len(envelope.payload) + 1024 + 6 * key_bytes
        if envelope_size > budget.envelope:
            envelope_size = len(envelope.to_bytes())
        sizes = {
            "the message between the worker's stages": (envelope_size, budget.envelope),
            "its clean record": (len(encode(build_record(prepared, widest))), budget.output),
        }
        for event in build_events(prepared, widest, envelope.arrived_at):
            kind = "self-repetition" if event["type"] == "self_repetition" else "duplicate or same-story"
            sizes[f"its {kind} event"] = (len(encode(event)), budget.output)
        for what, (size, limit) in sizes.items():
            if size > limit:
                raise InvalidArticle(
                    DeadLetterKind.TOO_LARGE, f"{what} would be {size} bytes, over the limit of {limit} bytes "
                    "derived from NEWSDEDUP_MAX_MESSAGE_BYTES (docs/WORKER.md, size limits)")

    def _dead(self, value: bytes | None, provenance: Provenance, when: datetime, kind: DeadLetterKind, message: str,
              exception: str | None) -> Envelope:
        record = dead_letter(value, provenance, kind, message, when, exception, self.budget.max_input)
        # The original bytes travel inside the dead letter (the index stage reads only the payload).
        return Envelope(provenance, when, b"", encode(record), kind="dead")


class IndexStage:
    """The single writer of the global index: decide, and say what to publish and persist."""

    def __init__(self, settings: Settings) -> None:
        self.config = settings.detection()
        # The statuses the clean topic does not carry (NEWSDEDUP_HOLD_BACK); never `unique`.
        self.hold_back: frozenset[str] = frozenset(settings.hold_back)
        self.max_input = settings.max_message_bytes
        self.deduplicator = Deduplicator(self.config)
        self.next_raw_offset: dict[str, dict[int, int]] = {}
        self.fail_article_id = settings.test_fail_article_id
        self.policy = Policy(settings.story_source_priority, settings.story_tie_rule)
        self.record_limit = SizeBudget(settings.max_message_bytes).output
        self.stories = StoryBook(self.policy, self.record_limit)
        self.minutes = MinuteStats()

    @property
    def size(self) -> int:
        """Articles in the window."""
        return len(self.deduplicator.index)

    def restore(self, state: Iterable[tuple[bytes, bytes]], stats_rows: Iterable[dict[str, Any]] = ()) -> None:
        """Rebuild from the state topic's latest (key, value) pairs (index entries with their titles, raw
        offsets) and from the open minutes' published statistics rows."""
        self.deduplicator = Deduplicator(self.config)
        self.next_raw_offset = {}
        entries = []
        details: dict[str, tuple[str | None, str | None]] = {}
        for key, value in state:
            if key == RAW_OFFSETS_KEY:
                loaded = orjson.loads(value)
                self.next_raw_offset = {t: {int(p): o for p, o in parts.items()} for t, parts in loaded.items()}
            else:
                obj = orjson.loads(value)
                entries.append(IndexEntry.from_json(obj))
                if obj.get("title") is not None or obj.get("url") is not None:
                    details[obj["article_id"]] = (obj.get("title"), obj.get("url"))
        self.deduplicator.index.restore(entries)
        self.stories = StoryBook(self.policy, self.record_limit)
        self.stories.restore(self.deduplicator.index.entries(), details)
        self.minutes.restore(stats_rows)

    def summaries(self, outputs: Iterable[IndexOutput], detected_at: datetime, now: float,
                  lag: int | None) -> list[Summary]:
        """The stories and statistics records of one transaction's outputs (decided at `detected_at`, counted
        at `now`, in seconds): the last state of each story they touched and every statistics row they changed.
        """
        minute = minute_of(detected_at)
        for output in outputs:
            if output.replayed or (output.decision_status is None and output.dead_letter_kind is None):
                continue
            latency = None if output.raw_timestamp is None else max(0.0, now - output.raw_timestamp) * 1000.0
            self.minutes.count(minute, output.source, status=output.decision_status, findings=output.findings,
                               repetition_chars=output.repetition_chars,
                               dead_letter=output.dead_letter_kind is not None, latency_ms=latency)
        if lag is not None:
            self.minutes.end_transaction(minute, lag)
        out: list[Summary] = [(Role.STORIES, encode_key(story_id), None if record is None else encode(record))
                              for story_id, record in self.stories.flush(detected_at)]
        out += [(Role.STATS, encode_key(key), encode(row)) for key, row in self.minutes.flush()]
        return out

    def raw_offsets_state(self) -> tuple[bytes, bytes]:
        """The state-topic record of the raw offsets decided so far."""
        return RAW_OFFSETS_KEY, encode(self.next_raw_offset)

    def refuse(self, data: bytes, kind: DeadLetterKind, reason: str, detected_at: datetime,
               exception: str | None = None) -> IndexOutput:
        """The dead letter of an envelope whose output the broker refused as too large, or whose decision raised.

        The index is not touched, and the raw offset counts as decided, so a replay is dropped.
        """
        envelope = Envelope.from_bytes(data)
        p = envelope.provenance
        decided = self.next_raw_offset.setdefault(p.topic, {})
        decided[p.partition] = max(p.offset + 1, decided.get(p.partition, 0))
        record = dead_letter(envelope.raw or None, p, kind, reason, detected_at, exception, self.max_input)
        raw_ts = p.timestamp_ms / 1000.0 if p.timestamp_ms is not None else None
        return IndexOutput(messages=[(Role.DLQ, bounded_key(p.key), encode(record))], dead_letter_kind=kind,
                           raw_timestamp=raw_ts, source=source_of(envelope.raw))

    def run(self, data: bytes, detected_at: datetime) -> IndexOutput:
        """Decide one envelope; return the records, events and index changes it causes."""
        envelope = Envelope.from_bytes(data)
        p = envelope.provenance
        expected = self.next_raw_offset.setdefault(p.topic, {}).get(p.partition, 0)
        if p.offset < expected:
            return IndexOutput(replayed=True)
        self.next_raw_offset[p.topic][p.partition] = p.offset + 1
        raw_ts = p.timestamp_ms / 1000.0 if p.timestamp_ms is not None else None
        if envelope.kind == "dead":
            letter = orjson.loads(envelope.payload)
            return IndexOutput(messages=[(Role.DLQ, bounded_key(p.key), envelope.payload)],
                               dead_letter_kind=DeadLetterKind(letter["error"]["kind"]), raw_timestamp=raw_ts,
                               source=source_of(_original_bytes(letter)))
        try:
            prepared = PreparedArticle.from_bytes(envelope.payload, fields=exactjson.loads(envelope.raw))
        except Exception as exc:  # the boundary of reading: nothing has changed yet
            record = dead_letter(envelope.raw, p, DeadLetterKind.PROCESSING,
                                 f"reading the prepared article failed: {exc}", detected_at, type(exc).__name__,
                                 self.max_input)
            return IndexOutput(messages=[(Role.DLQ, bounded_key(p.key), encode(record))],
                               dead_letter_kind=DeadLetterKind.PROCESSING,
                               raw_timestamp=raw_ts, source=source_of(envelope.raw))
        # A failure from here on may leave the index changed: it propagates, and the index runner restores
        # the index from the state topic and makes this article a dead letter (index_runner.py, _decide).
        outcome = self.deduplicator.process(prepared, envelope.arrived_at)
        if prepared.article_id == self.fail_article_id:
            # The test hook (NEWSDEDUP_TEST_FAIL_ARTICLE_ID): a failure after the index has changed, which
            # only a restore from the state topic undoes (index_runner.py).
            raise InjectedFailure(f"test hook: article {prepared.article_id!r} is set to fail the index stage")
        decision = outcome.decision
        output = IndexOutput(decision_status=decision.status, raw_timestamp=raw_ts, article_id=prepared.article_id,
                             source=prepared.source,
                             repetition_chars=int(prepared.repetition.get("removed_chars", 0)))
        if outcome.redelivered:
            # The same article (id and content) sent again by its producer: decided and published before.
            output.replayed = True
            return output
        key = encode_key(prepared.article_id)
        title = cut(prepared.title, MAX_TITLE_CHARS)
        url = prepared.fields.get("url")
        url = cut(url, MAX_URL_CHARS) if isinstance(url, str) else None
        self.stories.update(outcome.removed, outcome.inserted, title, url)
        for removed in outcome.removed:
            output.state_updates.append((removed.article_id.encode("utf-8"), None))
        if outcome.inserted is not None:
            saved = outcome.inserted.to_json()
            # The story book's titles live beside the entry (the index keeps none): a take-over reads them back.
            if title is not None:
                saved["title"] = title
            if url is not None:
                saved["url"] = url
            output.state_updates.append((outcome.inserted.article_id.encode("utf-8"), encode(saved)))
        if decision.status not in self.hold_back:
            output.messages.append((Role.CLEAN, key, encode(build_record(prepared, decision))))
        for event in build_events(prepared, decision, detected_at):
            output.messages.append((Role.EVENTS, encode_key(event["cluster_id"]), encode(event)))
            output.findings.append(event["type"])
        return output


def source_of(raw: bytes | None) -> str | None:
    """The `source` of an input that may be unreadable (a dead letter's): None unless it is a JSON object
    with a non-blank string `source`."""
    if not raw:
        return None
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    source = obj.get("source") if isinstance(obj, dict) else None
    return source if isinstance(source, str) and source.strip() else None


def _original_bytes(letter: dict[str, Any]) -> bytes | None:
    """The input bytes a dead letter carries (its first bytes when it was too large)."""
    try:
        return base64.b64decode(letter.get("value_b64") or "", validate=True)
    except (binascii.Error, ValueError):
        return None
