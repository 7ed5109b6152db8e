"""Decoding raw bytes into articles, and the dead-letter records of what cannot be decoded."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import orjson
import pytest

from newsdedup import schemas
from newsdedup.app.deadletter import Provenance, dead_letter, decode_article
from newsdedup.app.envelope import Envelope
from newsdedup.errors import DeadLetterKind, InvalidArticle

PROVENANCE = Provenance(topic="news.articles.raw", partition=1, offset=42, timestamp_ms=1_700_000_000_000, key=b"k")


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (None, "not_json"),
        (b"x" * 2048, "too_large"),
        (b'{"id": "a", "source": "s", "body": "\xff"}', "not_utf8"),
        (b'{"id": "a", "source": ', "not_json"),
        (b"[1, 2]", "schema"),
        (orjson.dumps({"id": "a", "source": "s"}), "schema"),
        (orjson.dumps({"id": "a", "source": "s", "body": "b", "published_at": "yesterday"}), "schema"),
    ],
)
def test_each_kind_of_bad_input_is_named(value: bytes | None, kind: str) -> None:
    with pytest.raises(InvalidArticle) as info:
        decode_article(value, max_bytes=1024)
    assert info.value.kind == kind
    assert info.value.message


def test_a_valid_article_decodes_with_unknown_fields_kept() -> None:
    value = orjson.dumps({"id": "a", "source": "s", "body": "نص", "desk": "gulf"})
    article = decode_article(value, max_bytes=1024)
    assert (article.id, article.body, article.fields["desk"]) == ("a", "نص", "gulf")


def test_dead_letter_keeps_the_original_bytes_and_matches_its_schema() -> None:
    value = b"\x00\xffnot json"
    record = dead_letter(value, PROVENANCE, DeadLetterKind.NOT_UTF8, "the message is not UTF-8",
                         datetime(2026, 1, 2, tzinfo=UTC), exception="UnicodeDecodeError")
    assert base64.b64decode(record["value_b64"]) == value
    assert base64.b64decode(record["key_b64"]) == b"k"
    assert record["source"] == {"topic": "news.articles.raw", "partition": 1, "offset": 42,
                                "timestamp": 1_700_000_000_000}
    assert record["failed_at"] == "2026-01-02T00:00:00Z"
    assert not schemas.problems("dead-letter", record)


def test_envelope_round_trips_bytes_exactly() -> None:
    raw = b'{"id": "a", "body": "\xd9\x86\xd8\xb5"}'
    envelope = Envelope(PROVENANCE, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), raw, b"\x00\x01prepared\xff", "dead")
    again = Envelope.from_bytes(envelope.to_bytes())
    assert again == envelope
    no_key = Envelope(Provenance("t", 0, 0, None, None), envelope.arrived_at, b"", b"")
    assert Envelope.from_bytes(no_key.to_bytes()) == no_key
