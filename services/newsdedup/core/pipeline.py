"""From an article to a decision and an output record.

`prepare` is the stateless, CPU-heavy half (repetition cleaning, normalisation, content hash,
signature): it scales with partitions and workers, and its result travels between worker stages as
bytes. `Deduplicator.decide` is the stateful half. `build_record` writes the record that `newsdedup
scan` and the worker's clean topic share.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from newsdedup.core.article import Article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.dedup import Decision, Deduplicator
from newsdedup.core.normalize import detect_language, normalize_text
from newsdedup.core.packing import pack_text, unpack_text
from newsdedup.core.repetition import RepetitionReport, analyse
from newsdedup.core.signatures import Signer, content_hash

Analyser = Callable[[str, Signer, DetectionConfig], RepetitionReport]

# The most of an article's compared text (UTF-8 bytes) that signatures, verification and the index use:
# about 40,000 words, far past any news item. Past it a text is judged on its beginning (its content
# hash still covers all of it, so an exact copy is still exact), and an index entry, which keeps the
# compared text for verification, stays small enough for its state-topic record (app/budget.py).
MAX_COMPARED_BYTES = 256 * 1024

_FORMAT = 3  # version of the to_bytes layout (3: binary text and signature, body once)
_LAYOUT = struct.Struct(">BII")  # format, header length, packed-text length; the signature fills the rest


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """An article made ready for the decision: cleaned, normalised, hashed and signed."""

    article_id: str
    source: str
    published_at: float | None  # seconds since the epoch, UTC
    fields: Mapping[str, Any]  # the input as written, unknown fields included
    title: str | None  # cleaned title (titles are not cleaned today: as written)
    body: str  # cleaned body
    repetition: Mapping[str, Any]  # the record's `repetition` object
    language: str
    normalized: str  # the compared text: normalised title and cleaned body
    packed_text: bytes  # `normalized`, packed as the index keeps it (core/packing.py)
    content_hash: str
    size: int  # distinct shingles of `normalized`
    signature: npt.NDArray[np.uint32]
    # The sorted distinct shingle hashes, when prepare made them in this process (not serialised: the
    # index stage recomputes them only for an article that has candidates to verify).
    shingles: npt.NDArray[np.uint32] | None = field(default=None, compare=False, repr=False)

    def event_time(self, arrived_at: datetime) -> float:
        """The time the window measures (seconds): `published_at`, else the arrival time."""
        return self.published_at if self.published_at is not None else arrived_at.timestamp()

    def to_bytes(self, *, with_fields: bool = True) -> bytes:
        """Serialise for the topic between worker stages: a JSON header, then the packed text and signature.

        The cleaned body is written only when cleaning changed it (otherwise it is `fields["body"]`),
        and the packed text and signature go as bytes, not base64. `with_fields=False` leaves the input
        fields out for a reader that has the input itself (`from_bytes(data, fields=...)`): the worker's
        stage-1 message carries the original bytes anyway (docs/WORKER.md).
        """
        header = orjson.dumps(
            {
                "v": _FORMAT,
                "article_id": self.article_id,
                "source": self.source,
                "published_at": self.published_at,
                "fields": self.fields if with_fields else None,
                "title": self.title,
                "body": None if self.body == self.fields.get("body") else self.body,
                "repetition": self.repetition,
                "language": self.language,
                "content_hash": self.content_hash,
                "size": self.size,
            }
        )
        signature = self.signature.astype("<u4").tobytes()
        return _LAYOUT.pack(_FORMAT, len(header), len(self.packed_text)) + header + self.packed_text + signature

    @classmethod
    def from_bytes(cls, data: bytes, fields: Mapping[str, Any] | None = None) -> PreparedArticle:
        """The article `to_bytes` wrote; `fields` supplies the input fields when it was written without them."""
        if len(data) < _LAYOUT.size or data[0] != _FORMAT:
            found = data[0] if data else None
            raise ValueError(f"prepared-article format {found!r} is not {_FORMAT}: upgrade every stage together")
        _, header_len, packed_len = _LAYOUT.unpack_from(data)
        start = _LAYOUT.size
        obj = orjson.loads(data[start : start + header_len])
        packed = data[start + header_len : start + header_len + packed_len]
        signature = np.frombuffer(data, dtype="<u4", offset=start + header_len + packed_len).astype(np.uint32)
        if fields is None:
            fields = obj["fields"]
            if fields is None:
                raise ValueError("the prepared article was written without its input fields: pass them in")
        return cls(
            article_id=obj["article_id"],
            source=obj["source"],
            published_at=obj["published_at"],
            fields=fields,
            title=obj["title"],
            body=fields["body"] if obj["body"] is None else obj["body"],
            repetition=obj["repetition"],
            language=obj["language"],
            normalized=unpack_text(packed),
            packed_text=packed,
            content_hash=obj["content_hash"],
            size=int(obj["size"]),
            signature=signature,
        )


def compared_text(title: str | None, body: str) -> str:
    """The text articles are compared on, before normalisation: title and body, a line apart."""
    return f"{title}\n{body}" if title else body


def normalized_compared_text(title: str | None, body: str, normalized_body: str | None = None) -> str:
    """normalize_text(compared_text(title, body)), reusing the body's normal form when one is at hand.

    The fold turns the line feed between title and body into one space and trims both ends, so the
    two parts can be normalised apart, unless markup in the title could reach across the line feed.
    tests/unit/test_pipeline.py checks the equality on the corpora.
    """
    if normalized_body is None or (title and ("<" in title or "&" in title)):
        return normalize_text(compared_text(title, body))
    head = normalize_text(title) if title else ""
    return f"{head} {normalized_body}" if head and normalized_body else head or normalized_body


def prepare(
    article: Article, signer: Signer, config: DetectionConfig, repetition: Analyser | None = None
) -> PreparedArticle:
    """Clean, normalise, hash and sign one article (pure: same input, same output).

    `repetition` replaces the repetition analysis (core.repetition.analyse by default); it runs only
    when config.repetition is on, and cross-article detection then compares the cleaned body.
    """
    normalized_body = None
    if config.repetition:
        report = (repetition or analyse)(article.body, signer, config)
        body, repetition_json = report.cleaned_body, report.to_json()
        normalized_body = report.normalized_body
    else:
        body, repetition_json = article.body, {"detected": False, "removed_chars": 0, "spans": []}
    language = article.language or detect_language(body)
    whole = normalized_compared_text(article.title, body, normalized_body)
    normalized = bounded(whole, MAX_COMPARED_BYTES)
    signature, shingles = signer.signature_and_set(normalized)
    return PreparedArticle(
        article_id=article.id,
        source=article.source,
        published_at=article.published_at.timestamp() if article.published_at is not None else None,
        fields=article.fields,
        title=article.title,
        body=body,
        repetition=repetition_json,
        language=language,
        normalized=normalized,
        packed_text=pack_text(normalized),
        content_hash=content_hash(whole),
        size=int(shingles.size),
        signature=signature,
        shingles=shingles,
    )


def bounded(text: str, max_bytes: int) -> str:
    """The longest start of `text` whose UTF-8 form is at most `max_bytes` (whole characters only)."""
    if len(text) * 4 <= max_bytes:  # no character takes more than four bytes
        return text
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", "ignore")


def build_record(prepared: PreparedArticle, decision: Decision) -> dict[str, Any]:
    """The output record: the input fields as written, cleaned title/body, `dedup` and `repetition`."""
    record = dict(prepared.fields)
    record["body"] = prepared.body
    if prepared.title is not None:
        record["title"] = prepared.title
    record["dedup"] = decision.to_json()
    record["repetition"] = dict(prepared.repetition)
    return record


def process(
    article: Article, signer: Signer, deduplicator: Deduplicator, arrived_at: datetime
) -> tuple[PreparedArticle, Decision]:
    """prepare + decide in one call (the scan command, the evaluation and tests)."""
    prepared = prepare(article, signer, deduplicator.config)
    return prepared, deduplicator.decide(prepared, arrived_at)
