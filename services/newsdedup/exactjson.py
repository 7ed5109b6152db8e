"""JSON decoding that keeps every number exactly as written, for fields newsdedup passes through.

orjson reads an integer past 64 bits, or a decimal with more digits than a double holds, as a float:
2**70 would reach the clean topic as 1.1805916207174113e+21. Articles carry fields the service does
not know and must pass on unchanged, so a document in which orjson found a float is read again with
the standard library, keeping each number that a float would change as an `orjson.Fragment` of its
literal text, which orjson writes back verbatim. Documents without floats (nearly all articles) pay
one walk over their values.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

_I64_MIN, _U64_MAX = -(2**63), 2**64 - 1


def loads(data: bytes | str) -> Any:
    """Parse JSON like orjson.loads, but keep numbers that a float or a 64-bit int would change verbatim.

    Raises orjson.JSONDecodeError (a ValueError) where orjson would.
    """
    value = orjson.loads(data)
    if not _has_float(value):
        return value
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return json.loads(text, parse_int=_integer, parse_float=_decimal, parse_constant=_refuse_constant)


def _has_float(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _integer(literal: str) -> int | orjson.Fragment:
    number = int(literal)
    return number if _I64_MIN <= number <= _U64_MAX else orjson.Fragment(literal)


def _decimal(literal: str) -> float | orjson.Fragment:
    number = float(literal)
    try:
        # The float stands for the literal when its shortest form is the same decimal number
        # (0.1, 1E2 and 2.50 are; 3.14159265358979323846 is not).
        exact = Decimal(repr(number)) == Decimal(literal)
    except InvalidOperation:  # repr gave inf or nan: orjson refuses such documents, but be safe
        exact = False
    return number if exact else orjson.Fragment(literal)


def _refuse_constant(name: str) -> Any:
    # orjson accepted the document, so it holds no NaN or Infinity; the standard library would.
    raise ValueError(f"{name} is not JSON")
