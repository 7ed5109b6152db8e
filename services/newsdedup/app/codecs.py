"""JSON encoding of every message newsdedup reads or writes (orjson)."""

from __future__ import annotations

from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS


def encode(value: Any) -> bytes:
    """Serialise a message value to compact UTF-8 JSON."""
    return orjson.dumps(value, option=_OPTIONS)


def decode(data: bytes) -> Any:
    """Parse a JSON message value; raises orjson.JSONDecodeError (a ValueError) on bad input."""
    return orjson.loads(data)


def encode_key(key: str | None) -> bytes | None:
    """Message keys are plain UTF-8 strings (article ids), not JSON."""
    return None if key is None else key.encode("utf-8")
