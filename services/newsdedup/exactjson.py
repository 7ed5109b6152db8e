"""JSON decoding that keeps every number exactly as written, for fields newsdedup passes through.

orjson reads an integer past 64 bits, or a decimal with more digits than a double holds, as a float:
2**70 would reach the clean topic as 1.1805916207174113e+21. Articles carry fields the service does
not know and must pass on unchanged, so a document in which orjson found a float is read again with
the standard library, keeping each number that a float would change as an `orjson.Fragment` of its
literal text, which orjson writes back verbatim. Documents without floats (nearly all articles) pay
one walk over their values.

Two inputs orjson refuses are still JSON and are read the same way: a number past a double's range
(1e400, or an integer of hundreds of digits) and a leading UTF-8 byte-order mark, which RFC 8259
lets a parser ignore.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

_I64_MIN, _U64_MAX = -(2**63), 2**64 - 1
_BOM = "\ufeff"
_BOM_BYTES = _BOM.encode("utf-8")
# orjson's message for a number it cannot hold in a double: the document is JSON all the same.
_OUT_OF_RANGE = "number is infinity when parsed as double"
# The standard library's parser recurses once per level of nesting; orjson allows 1024 levels.
MAX_DEPTH = 1024


def loads(data: bytes | str) -> Any:
    """Parse JSON like orjson.loads, but keep numbers that a float or a 64-bit int would change verbatim.

    A leading UTF-8 byte-order mark is skipped. Raises orjson.JSONDecodeError (a ValueError) where
    orjson would, except for numbers past a double's range, which are kept verbatim too.
    """
    return loads_with_depth(data)[0]


def loads_with_depth(data: bytes | str) -> tuple[Any, int]:
    """`loads`, and how many levels of arrays and objects the document nests (0 for a scalar)."""
    data = _without_bom(data)
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if exc.msg != _OUT_OF_RANGE:
            raise
        value = _exact(data, MAX_DEPTH)
        _, depth = _floats_and_depth(value)
        if _has_lone_surrogate(value):  # orjson stopped at the number; the standard library takes these
            raise orjson.JSONDecodeError("lone surrogate in string", "", 0) from exc
        return value, depth
    floats, depth = _floats_and_depth(value)
    if not floats:
        return value, depth
    return _exact(data, depth), depth


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _without_bom(data: bytes | str) -> bytes | str:
    if isinstance(data, bytes):
        return data[len(_BOM_BYTES):] if data.startswith(_BOM_BYTES) else data
    return data[1:] if data.startswith(_BOM) else data


def _exact(data: bytes | str, depth: int) -> Any:
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    with _recursion_room(depth):
        try:
            return json.loads(text, parse_int=_integer, parse_float=_decimal, parse_constant=_refuse_constant)
        except RecursionError as exc:  # deeper than orjson allows: say so as orjson would
            raise orjson.JSONDecodeError("depth limit exceeded", text, 0) from exc
        except json.JSONDecodeError as exc:
            raise orjson.JSONDecodeError(exc.msg, text, exc.pos) from exc
        except ValueError as exc:  # a constant (NaN) or a number literal Python refuses
            raise orjson.JSONDecodeError(str(exc), text, 0) from exc


@contextlib.contextmanager
def _recursion_room(depth: int) -> Iterator[None]:
    """Let the standard library's recursive parser go as deep as orjson (1,024 levels) does."""
    limit = sys.getrecursionlimit()
    needed = depth + 200  # the frames already on the stack
    if needed > limit:
        sys.setrecursionlimit(needed)
    try:
        yield
    finally:
        if needed > limit:
            sys.setrecursionlimit(limit)


def _floats_and_depth(value: Any) -> tuple[bool, int]:
    """Whether a decoded document holds a float, and how deeply its arrays and objects nest."""
    found, deepest = False, 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, float):
            found = True
        elif isinstance(item, dict):
            deepest = max(deepest, depth + 1)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, depth + 1)
            stack.extend((v, depth + 1) for v in item)
    return found, deepest


def _integer(literal: str) -> int | orjson.Fragment:
    if len(literal) > 20:  # past any 64-bit integer; int() would also refuse thousands of digits
        return orjson.Fragment(literal)
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
