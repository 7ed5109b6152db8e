"""The input article: validation at the edge, once, into an immutable value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from newsdedup import exactjson
from newsdedup.errors import DeadLetterKind, InvalidArticle

_REQUIRED = ("id", "source", "body")
_OPTIONAL_STRINGS = ("title", "url", "language")
MAX_ID_LENGTH = 512
# The deepest nesting of arrays and objects an article may have: its fields are written back out inside
# the clean record by orjson, which refuses to write more than 254 levels.
MAX_DEPTH = 254
# orjson's words for a \u escape that is half of a surrogate pair: JSON, but not a Unicode character.
_SURROGATE_ERRORS = ("no low surrogate in string", "invalid high surrogate in string",
                     "invalid low surrogate in string", "lone surrogate in string")
# RFC 3339 date-time, the same shape as schemas/article.schema.json: fromisoformat alone would
# also take ISO 8601 forms (basic format, a space for T, +0300) that consumers of the schema refuse.
_RFC3339 = re.compile(
    r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
)


@dataclass(frozen=True, slots=True)
class Article:
    """A validated article; `fields` keeps every input field, unknown ones included, for pass-through."""

    id: str
    source: str
    body: str
    title: str | None = None
    url: str | None = None
    language: str | None = None
    published_at: datetime | None = None
    fields: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


def json_type(value: object) -> str:
    """The JSON Schema name of a decoded value's type (null, boolean, integer, number, string, array, object)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float | orjson.Fragment):  # a Fragment is a number kept as written (exactjson)
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def decode_json(value: bytes) -> object:
    """Decode a message or line as UTF-8 JSON, or raise InvalidArticle (not_utf8, not_json, too_large) saying why.

    A leading UTF-8 byte-order mark is accepted and skipped; numbers are kept exactly (exactjson).
    """
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidArticle(
            DeadLetterKind.NOT_UTF8, f"the message is not UTF-8: {exc.reason} at byte {exc.start}") from exc
    try:
        obj, depth = exactjson.loads_with_depth(text)
    except orjson.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        if exc.msg == "depth limit exceeded":
            raise InvalidArticle(
                DeadLetterKind.TOO_LARGE, "the message's JSON is too deeply nested: more than "
                f"{exactjson.MAX_DEPTH} levels of arrays and objects ({where}); at most {MAX_DEPTH} are accepted"
            ) from exc
        if exc.msg in _SURROGATE_ERRORS:
            raise InvalidArticle(
                DeadLetterKind.NOT_JSON, f"the message's JSON has a \\u escape of a lone surrogate ({where}), "
                "which is not a Unicode character") from exc
        raise InvalidArticle(DeadLetterKind.NOT_JSON, f"the message is not JSON: {exc.msg} ({where})") from exc
    if depth > MAX_DEPTH:
        raise InvalidArticle(
            DeadLetterKind.TOO_LARGE, f"the message's JSON is too deeply nested: {depth} levels of arrays and "
            f"objects, at most {MAX_DEPTH} are accepted")
    return obj


def parse_timestamp(value: str) -> datetime:
    """Parse an RFC 3339 timestamp; a timestamp without an offset is refused, not guessed."""
    text = value.strip()
    if not _RFC3339.fullmatch(text):
        raise InvalidArticle(
            DeadLetterKind.SCHEMA, f"published_at {value!r} is not an RFC 3339 timestamp (e.g. 2015-07-21T08:30:00Z)"
        )
    text = text[:10] + "T" + text[11:]
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidArticle(
            DeadLetterKind.SCHEMA, f"published_at {value!r} is not an RFC 3339 timestamp (e.g. 2015-07-21T08:30:00Z)"
        ) from exc
    return parsed.astimezone(UTC)


def parse_article(obj: object) -> Article:
    """Validate a decoded JSON value as an article, or raise InvalidArticle saying what is wrong."""
    if not isinstance(obj, Mapping):
        raise InvalidArticle(DeadLetterKind.SCHEMA, f"an article must be a JSON object, got {json_type(obj)}")
    for name in _REQUIRED:
        if name not in obj:
            raise InvalidArticle(DeadLetterKind.SCHEMA, f"required field {name!r} is missing")
        value = obj[name]
        if not isinstance(value, str):
            raise InvalidArticle(DeadLetterKind.SCHEMA, f"field {name!r} must be a string, got {json_type(value)}")
    if not obj["id"].strip():
        raise InvalidArticle(DeadLetterKind.SCHEMA, "field 'id' must not be empty")
    if len(obj["id"]) > MAX_ID_LENGTH:
        raise InvalidArticle(DeadLetterKind.SCHEMA, f"field 'id' is longer than {MAX_ID_LENGTH} characters")
    if not obj["source"].strip():
        raise InvalidArticle(DeadLetterKind.SCHEMA, "field 'source' must not be empty")
    for name in _OPTIONAL_STRINGS:
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidArticle(
                DeadLetterKind.SCHEMA, f"field {name!r} must be a string or null, got {json_type(value)}")
    published = obj.get("published_at")
    if published is not None and not isinstance(published, str):
        kind = json_type(published)
        raise InvalidArticle(
            DeadLetterKind.SCHEMA, f"field 'published_at' must be an RFC 3339 string or null, got {kind}")
    return Article(
        id=obj["id"],
        source=obj["source"],
        body=obj["body"],
        title=obj.get("title"),
        url=obj.get("url"),
        language=obj.get("language"),
        published_at=parse_timestamp(published) if published is not None else None,
        fields=dict(obj),
    )
