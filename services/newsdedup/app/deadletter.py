"""Turn raw input bytes into an Article, or into a dead-letter record that keeps the original bytes."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from newsdedup import __version__
from newsdedup.core.article import Article, parse_article
from newsdedup.errors import InvalidArticle

DLQ_KINDS = ("not_utf8", "not_json", "schema", "too_large", "processing")


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an input message came from, so a dead letter can point back at it."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int | None
    key: bytes | None

    def to_json(self) -> dict[str, Any]:
        """The `source` member of a dead-letter record."""
        return {
            "topic": self.topic, "partition": self.partition, "offset": self.offset,
            "timestamp": self.timestamp_ms,
        }


def decode_article(value: bytes | None, max_bytes: int) -> Article:
    """Decode one raw message value; raise InvalidArticle whose kind is a dead-letter kind."""
    if value is None:
        raise InvalidArticle("not_json", "the message has no value (a tombstone): send one JSON article per message")
    if len(value) > max_bytes:
        raise InvalidArticle(
            "too_large", f"the message is {len(value)} bytes, over the limit of {max_bytes} bytes"
            " (NEWSDEDUP_MAX_MESSAGE_BYTES)",
        )
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidArticle("not_utf8", f"the message is not UTF-8: {exc}") from exc
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InvalidArticle("not_json", f"the message is not JSON: {exc}") from exc
    return parse_article(obj)


def dead_letter(
    value: bytes | None,
    provenance: Provenance,
    kind: str,
    message: str,
    failed_at: datetime,
    exception: str | None = None,
) -> dict[str, Any]:
    """The dead-letter record for one input: original bytes, the reason, and where it came from."""
    return {
        "value_b64": base64.b64encode(value).decode("ascii") if value is not None else None,
        "key_b64": base64.b64encode(provenance.key).decode("ascii") if provenance.key is not None else None,
        "error": {"kind": kind, "message": message, "exception": exception},
        "source": provenance.to_json(),
        "failed_at": failed_at.isoformat().replace("+00:00", "Z"),
        "service_version": __version__,
    }
