"""Turn raw input bytes into an Article, or into a dead-letter record that keeps the original bytes."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newsdedup import __version__
from newsdedup.app.budget import MAX_KEY_BYTES, MAX_REASON_CHARS
from newsdedup.core.article import Article, decode_json, parse_article
from newsdedup.errors import DeadLetterKind, InvalidArticle


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
        raise InvalidArticle(
            DeadLetterKind.NOT_JSON, "the message has no value (a tombstone): send one JSON article per message")
    if len(value) > max_bytes:
        raise InvalidArticle(
            DeadLetterKind.TOO_LARGE, f"the message is {len(value)} bytes, over the limit of {max_bytes} bytes"
            " (NEWSDEDUP_MAX_MESSAGE_BYTES)",
        )
    return parse_article(decode_json(value))


def dead_letter(
    value: bytes | None,
    provenance: Provenance,
    kind: DeadLetterKind,
    message: str,
    failed_at: datetime,
    exception: str | None = None,
    max_value_bytes: int | None = None,
) -> dict[str, Any]:
    """The dead-letter record for one input: original bytes, the reason, and where it came from.

    A value longer than `max_value_bytes` (a `too_large` input) is carried as its first bytes with
    its length and SHA-256, and says so, so that the dead letter itself always fits its topic; a key
    longer than MAX_KEY_BYTES likewise. The whole input stays on the raw topic at `source`.
    """
    if len(message) > MAX_REASON_CHARS:
        message = message[: MAX_REASON_CHARS - 1] + "…"
    record: dict[str, Any] = {
        "value_b64": None,
        "key_b64": None,
        "error": {"kind": kind, "message": message, "exception": exception},
        "source": provenance.to_json(),
        "failed_at": failed_at.isoformat().replace("+00:00", "Z"),
        "service_version": __version__,
    }
    if value is not None:
        carried = value if max_value_bytes is None or len(value) <= max_value_bytes else value[:max_value_bytes]
        record["value_b64"] = base64.b64encode(carried).decode("ascii")
        if len(carried) < len(value):
            record["value_size"] = len(value)
            record["value_truncated"] = True
            record["value_sha256"] = hashlib.sha256(value).hexdigest()
    key = provenance.key
    if key is not None:
        record["key_b64"] = base64.b64encode(key[:MAX_KEY_BYTES]).decode("ascii")
        if len(key) > MAX_KEY_BYTES:
            record["key_size"] = len(key)
            record["key_truncated"] = True
    return record


def bounded_key(key: bytes | None) -> bytes | None:
    """The key a dead letter is published under: the original, or its first MAX_KEY_BYTES bytes."""
    return key if key is None or len(key) <= MAX_KEY_BYTES else key[:MAX_KEY_BYTES]
