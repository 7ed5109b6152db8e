"""Property tests of everything that reads outside input: the worker's stages, `scan` and `eval`.

Every input either gets a decision or becomes a dead letter whose reason speaks the schema's words,
and nothing takes longer than PER_ARTICLE_BOUND_SECONDS. CI runs a fixed, derandomised budget; a
longer run: NEWSDEDUP_FUZZ_EXAMPLES=20000 pytest tests/unit/test_fuzz_inputs.py (docs/WORKER.md).
"""

from __future__ import annotations

import base64
import io
import json
import multiprocessing
import multiprocessing.synchronize
import os
import re
import time
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newsdedup import schemas
from newsdedup.app.deadletter import Provenance
from newsdedup.app.stages import IndexOutput, IndexStage, PrepareStage
from newsdedup.commands.eval import evaluate_stream
from newsdedup.core.article import MAX_DEPTH
from newsdedup.core.config import DetectionConfig
from newsdedup.core.dedup import STATUSES
from newsdedup.errors import DeadLetterKind
from newsdedup.scan import scan_stream
from newsdedup.settings import load_settings

# Fixed and derandomised unless a longer run asks for more (then a random seed per run).
EXAMPLES = int(os.environ.get("NEWSDEDUP_FUZZ_EXAMPLES", "0")) or None
FUZZ = settings(
    max_examples=EXAMPLES or 60, derandomize=EXAMPLES is None, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# The stated bound per article, prepare and index stage together, at the default 1 MiB input limit
# (docs/WORKER.md, "Bad input"): the worst input found took 3.8 s on the development machine; twice
# that and more leaves room for a loaded CI machine.
PER_ARTICLE_BOUND_SECONDS = 10.0
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
PYTHON_TYPE_NAMES = re.compile(r"\bgot (NoneType|int|float|bool|dict|list|str|Fragment)\b")

SETTINGS = load_settings()
PREPARE = PrepareStage(SETTINGS)
INDEX = IndexStage(SETTINGS)
_offset = iter(range(10**9))
timings: list[tuple[float, str]] = []


def decide(value: bytes | None, key: bytes | None = b"k") -> IndexOutput:
    """One input through both stages, timed; check the single-path rule on what came out."""
    provenance = Provenance("raw", 0, next(_offset), 1_764_590_400_000, key)
    started = time.perf_counter()
    envelope = PREPARE.run(value, provenance, NOW)
    output = INDEX.run(envelope.to_bytes(), NOW)
    took = time.perf_counter() - started
    timings.append((took, repr(value[:60]) if value is not None else "None"))
    assert took < PER_ARTICLE_BOUND_SECONDS, f"{took:.2f} s for {value[:80]!r}" if value else value
    if output.dead_letter_kind is None:
        assert output.decision_status in STATUSES, output
        return output
    assert isinstance(output.dead_letter_kind, DeadLetterKind)
    [(target, _, payload)] = output.messages
    assert target == "dlq"
    letter = orjson.loads(payload)
    assert not schemas.problems("dead-letter", letter)
    message = letter["error"]["message"]
    assert message
    assert not PYTHON_TYPE_NAMES.search(message), message
    if value is not None and letter.get("value_truncated") is not True:
        assert base64.b64decode(letter["value_b64"]) == value  # the original bytes, whole
    return output


def reason(output: IndexOutput) -> str:
    """The message of a dead letter."""
    message: str = orjson.loads(output.messages[0][2])["error"]["message"]
    return message


def article(**fields: Any) -> bytes:
    """An article with a fresh id, as JSON (ASCII escapes, so that lone surrogates can be written)."""
    fields.setdefault("id", f"fuzz-{next(_offset)}")
    fields.setdefault("source", "wire")
    return json.dumps(fields, ensure_ascii=True).encode("ascii")


json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)
# Every code point, lone surrogates and controls included.
any_text = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=300)
edge_text = st.sampled_from([
    "\u200f\u202e\u2066\u2069\u061c\u200e",  # bidi marks
    "\x00\x01\x07\x1b\x7f\x85",  # NUL and control characters
    "\ufeff",  # a byte-order mark inside the text
    "a" + "\u0301" * 1000,
    "\U0001f600" * 50,
])


@FUZZ
@given(st.binary(max_size=2000))
@example(b"")
@example(b"\xef\xbb\xbf")
@example(b"\xff\xfe{\x00}\x00")
@example(b'{"id":"a","source":"s","body":"\xed\xa0\x80"}')  # a surrogate encoded in UTF-8: not UTF-8
def test_arbitrary_bytes_decide_or_are_dead_letters(value: bytes) -> None:
    decide(value)


@FUZZ
@given(json_values)
def test_json_of_any_shape_decides_or_is_a_dead_letter(value: Any) -> None:
    decide(json.dumps(value, ensure_ascii=False).encode("utf-8", errors="surrogatepass"))


@FUZZ
@given(st.dictionaries(st.sampled_from(["id", "source", "body", "title", "url", "language", "published_at",
                                        "extra"]), json_values, max_size=8))
def test_articles_with_fields_of_any_type(fields: dict[str, Any]) -> None:
    output = decide(json.dumps(fields, ensure_ascii=True).encode("ascii"))
    if output.dead_letter_kind == "schema":
        # The reason names the JSON type as the schema does (null, integer, array, ...).
        for name in ("id", "source", "body"):
            if name in fields and not isinstance(fields[name], str):
                expected = {type(None): "null", bool: "boolean", int: "integer", float: "number", list: "array",
                            dict: "object"}[type(fields[name])]
                assert f"got {expected}" in reason(output) or "'id'" in reason(output) or "'source'" in reason(output)


@FUZZ
@given(any_text | edge_text, any_text | edge_text, st.booleans())
def test_unicode_edge_cases_decide_or_are_dead_letters(body: str, title: str, ascii_only: bool) -> None:
    value = json.dumps({"id": f"u-{next(_offset)}", "source": "wire", "body": body, "title": title},
                       ensure_ascii=ascii_only).encode("utf-8", errors="surrogatepass")
    output = decide(value)
    if any(0xD800 <= ord(c) <= 0xDFFF for c in body + title):
        assert output.dead_letter_kind in ("not_json", "not_utf8")
        assert "surrogate" in reason(output) or "not UTF-8" in reason(output)
    else:
        assert output.dead_letter_kind is None, reason(output)


@FUZZ
@given(st.integers(min_value=-(10**400), max_value=10**400) | st.sampled_from([10**1000, -(10**1000)]),
       st.sampled_from(["1e400", "-1e400", "1e-400", "3.141592653589793238462643383279", "0.1", "1E2", "-0.0"]))
def test_huge_numbers_are_kept_as_written(integer: int, decimal: str) -> None:
    body = "The harbour authority counted record container volumes in the third quarter of the year."
    value = (b'{"id":"n-' + str(next(_offset)).encode() + b'","source":"wire","body":"' + body.encode()
             + b'","count":' + str(integer).encode() + b',"ratio":' + decimal.encode() + b"}")
    output = decide(value)
    assert output.dead_letter_kind is None, reason(output)
    if output.messages and output.messages[0][0] == "clean":
        record = output.messages[0][2]
        assert b'"count":' + str(integer).encode() in record
        assert b'"ratio":' + decimal.encode() in record


def test_reasons_speak_the_schemas_words() -> None:
    assert reason(decide(article(body=None))) == "field 'body' must be a string, got null"
    assert reason(decide(article(body=3))) == "field 'body' must be a string, got integer"
    assert reason(decide(article(body=[]))) == "field 'body' must be a string, got array"
    assert reason(decide(article(body={}))) == "field 'body' must be a string, got object"
    assert reason(decide(article(body=True))) == "field 'body' must be a string, got boolean"
    assert reason(decide(article())) == "required field 'body' is missing"
    assert reason(decide(article(body="x", title=1.5))) == "field 'title' must be a string or null, got number"
    assert reason(decide(b"[1]")) == "an article must be a JSON object, got array"
    assert reason(decide(b"null")) == "an article must be a JSON object, got null"


def test_nesting_past_the_parser_is_too_deeply_nested() -> None:
    body = "A storm closed schools in three coastal provinces on Monday, officials said."
    for depth in (2000, 100_000):
        output = decide(b"[" * depth + b"]" * depth)
        assert output.dead_letter_kind == "too_large"
        assert "too deeply nested" in reason(output)
        assert "not JSON" not in reason(output)
    # The deepest an article may nest is what its clean record can be written with; one more is refused.
    for depth, refused in ((MAX_DEPTH, False), (MAX_DEPTH + 1, True), (1024, True)):
        nested = b"[" * (depth - 1) + b"1" + b"]" * (depth - 1)
        output = decide(article(body=body).replace(b"{", b'{"deep":' + nested + b",", 1))
        assert (output.dead_letter_kind == "too_large") is refused, output
        if refused:
            assert "too deeply nested" in reason(output)


def test_a_byte_order_mark_is_accepted() -> None:
    value = b"\xef\xbb\xbf" + article(body="The grain agency bought 120,000 tonnes of wheat on Tuesday.")
    output = decide(value)
    assert output.dead_letter_kind is None
    assert output.decision_status == "unique"


def test_lone_surrogates_are_named() -> None:
    output = decide(b'{"id":"s","source":"wire","body":"text \\ud800 more"}')
    assert output.dead_letter_kind == "not_json"
    assert "lone surrogate" in reason(output)


def test_duplicate_keys_the_last_one_wins_and_the_output_holds_only_it() -> None:
    value = b'{"id":"dup-1","source":"wire","body":"first text of the wheat tender","body":"second text, kept"}'
    output = decide(value)
    record = orjson.loads(output.messages[0][2])
    assert record["body"] == "second text, kept"
    assert decide(b'{"id":"dup-2","source":"wire","body":"a text","body":null}').dead_letter_kind == "schema"


@pytest.mark.parametrize("name", ["one character a million times", "100,000 combining marks",
                                  "every Arabic presentation form", "bidi marks", "NUL and control characters",
                                  "one paragraph 30,000 times", "150,000 one-letter words",
                                  "two sentences 25,000 times"])
def test_pathological_bodies_within_the_bound(name: str) -> None:
    forms = "".join(chr(c) for c in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)])
    body = {
        "one character a million times": "x" * 1_000_000,
        "100,000 combining marks": "a" + "\u0301" * 100_000,
        "every Arabic presentation form": forms,
        "bidi marks": "\u202e\u2066نص\u200f" * 20_000,
        "NUL and control characters": "\x00\x01\x1f text " * 20_000,
        "one paragraph 30,000 times": "the same line once more\n\n" * 30_000,
        "150,000 one-letter words": "a " * 150_000,
        "two sentences 25,000 times": "One sentence. Another sentence here. " * 25_000,  # the worst found: 3.8 s
    }[name]
    output = decide(article(body=body))
    assert output.dead_letter_kind is None, reason(output)


def _lines(data: bytes) -> int:
    return sum(1 for line in data.split(b"\n") if line.strip(b" \t\r\n"))


@FUZZ
@given(st.lists(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode())
                | st.builds(article, body=any_text | edge_text)
                | st.builds(article, body=st.just("A storm closed schools on Monday."), label=json_values),
                max_size=12))
def test_scan_and_eval_read_anything(lines: list[bytes]) -> None:
    data = b"\n".join(lines) + b"\n"
    sink, errors = io.BytesIO(), io.StringIO()
    invalid = scan_stream(io.BytesIO(data), sink, None, DetectionConfig(), errors)
    decided = sink.getvalue().count(b"\n")
    assert decided + invalid == _lines(data)
    assert all(re.match(r"line \d+: ", line) for line in errors.getvalue().splitlines())
    details = io.BytesIO()
    summary = evaluate_stream(io.BytesIO(data), DetectionConfig(), io.StringIO(), details)
    assert details.getvalue().count(b"\n") + summary["run"]["invalid_lines"] == _lines(data)


def _prepare_in_child(value: bytes, done: multiprocessing.synchronize.Event) -> None:
    PREPARE.run(value, Provenance("raw", 0, 0, None, None), NOW)
    done.set()


def test_one_paragraph_of_identical_lines_within_the_bound() -> None:
    # In a forked child, killed at the bound, so that a regression costs CI no more than the bound.
    context = multiprocessing.get_context("fork")
    done = context.Event()
    child = context.Process(target=_prepare_in_child, args=(article(body="a\n" * 30_000), done))
    child.start()
    try:
        finished = done.wait(PER_ARTICLE_BOUND_SECONDS)
    finally:
        child.kill()
        child.join()
    assert finished, f"one paragraph of 30,000 identical lines took longer than {PER_ARTICLE_BOUND_SECONDS} s"
