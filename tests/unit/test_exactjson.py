"""Unknown fields pass through with their numbers exactly as written."""

from __future__ import annotations

import orjson
import pytest

from newsdedup import exactjson


@pytest.mark.parametrize(
    "literal",
    [b"1180591620717411303424", b"-9223372036854775809", b"3.14159265358979323846264", b"1e-400",
     b"123456789012345678901234567890.5"],
)
def test_numbers_a_double_or_int64_would_change_are_kept_verbatim(literal: bytes) -> None:
    document = b'{"id":"a","source":"s","body":"b","n":' + literal + b',"list":[' + literal + b"]}"
    out = orjson.dumps(exactjson.loads(document))
    assert b'"n":' + literal in out
    assert b"[" + literal + b"]" in out


@pytest.mark.parametrize(
    ("literal", "value"), [(b"0.1", 0.1), (b"2.50", 2.5), (b"1E2", 100.0), (b"-0.0", -0.0), (b"12", 12)]
)
def test_numbers_a_double_holds_stay_numbers(literal: bytes, value: float) -> None:
    decoded = exactjson.loads(b'{"x":' + literal + b',"y":0.5}')
    assert decoded["x"] == value
    assert type(decoded["x"]) is type(value)


def test_documents_without_floats_are_orjsons_own_result() -> None:
    document = b'{"a":[1,2,{"b":"c"}],"d":null,"e":true,"u":18446744073709551615}'
    assert exactjson.loads(document) == orjson.loads(document)


def test_bad_json_raises_orjsons_error_but_a_huge_number_is_json() -> None:
    with pytest.raises(orjson.JSONDecodeError):
        exactjson.loads(b'{"a": NaN}')
    assert orjson.dumps(exactjson.loads(b'{"a": 1e400}')) == b'{"a":1e400}'  # RFC 8259: a number, kept as written


def test_the_clean_record_carries_the_exact_number() -> None:
    from datetime import UTC, datetime

    from newsdedup.app.deadletter import Provenance
    from newsdedup.app.stages import IndexStage, PrepareStage
    from newsdedup.settings import load_settings

    settings = load_settings()
    raw = b'{"id":"n1","source":"wire","body":"Harbour volumes rose again in the third quarter.","n":2e308,"k":' \
          b'1180591620717411303424}'
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(raw)  # 2e308 overflows a double: orjson refuses the document
    raw = raw.replace(b"2e308", b"0.30000000000000000001")
    now = datetime(2026, 12, 2, tzinfo=UTC)
    envelope = PrepareStage(settings).run(raw, Provenance("raw", 0, 0, None, None), now)
    (_, _, record), = IndexStage(settings).run(envelope.to_bytes(), now).messages
    assert b'"n":0.30000000000000000001' in record
    assert b'"k":1180591620717411303424' in record
