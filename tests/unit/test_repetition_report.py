"""The report: the record's `repetition` object, and spans that account for every removed character."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHashLSH

from newsdedup.core.normalize import normalize_text
from newsdedup.core.repetition.candidates import banding, lsh_pairs
from newsdedup.core.repetition.clean import RepetitionReport, Span
from tests.unit.repetition_texts import AR_REWORDED, AR_STORY, EN_STORY, clean, paragraphs


def test_to_json_is_the_record_object() -> None:
    body = "غزة\nغزة\n\n" + paragraphs(AR_STORY[0], AR_STORY[1], AR_STORY[1])
    report = clean(body)
    assert report.to_json() == {
        "detected": True,
        "removed_chars": report.removed_chars,
        "spans": [
            {"start": span.start, "end": span.end, "kind": span.kind, "twin_start": span.twin_start}
            for span in report.spans
        ],
    }
    assert [span["kind"] for span in report.to_json()["spans"]] == ["line", "paragraph"]


def test_a_clean_body_reports_nothing() -> None:
    body = paragraphs(*EN_STORY)
    assert clean(body).to_json() == {"detected": False, "removed_chars": 0, "spans": []}


def test_offsets_are_code_point_indices_into_the_original_body() -> None:
    # Astral characters (one code point, two UTF-16 units, four UTF-8 bytes) before the repeat.
    body = paragraphs("🙂🙂 𝔸", EN_STORY[0], EN_STORY[1], EN_STORY[0])
    report = clean(body)
    [span] = report.spans
    assert span.twin_start == 6
    assert body[span.twin_start :].startswith(EN_STORY[0])
    assert body[span.start : span.end].strip() == EN_STORY[0]


def test_everything_kept_is_byte_for_byte_the_original() -> None:
    # Odd spacing, tatweel, diacritics and NBSPs survive: cleaning only deletes spans.
    first = "  افتتحــت   الأمانةُ\xa0الحديقة،  اليوم.  "
    body = paragraphs(first, *AR_STORY, *AR_REWORDED)
    report = clean(body)
    assert report.cleaned_body.startswith(first)
    assert report.cleaned_body == paragraphs(first, *AR_STORY)


def test_span_is_a_plain_value() -> None:
    span = Span(3, 9, "line", 0)
    assert span.to_json() == {"start": 3, "end": 9, "kind": "line", "twin_start": 0}


def test_banding_is_the_one_datasketch_picks() -> None:
    lsh = MinHashLSH(threshold=0.25, num_perm=64)
    assert banding(0.25, 64) == (lsh.b, lsh.r)


def test_lsh_pairs_are_the_rows_sharing_a_band() -> None:
    rng = np.random.default_rng(7)
    for rows_count in (3, 40, 90):  # the all-pairs kernel and the sorting one
        signatures = rng.integers(0, 3, size=(rows_count, 8), dtype=np.uint32)
        expected = {
            (i, j)
            for i in range(rows_count)
            for j in range(i + 1, rows_count)
            if any((signatures[i, b * 2 : b * 2 + 2] == signatures[j, b * 2 : b * 2 + 2]).all() for b in range(4))
        }
        found = set(lsh_pairs(signatures, 4, 2, 0.0))
        assert found <= expected
        if rows_count <= 64:
            assert found == expected
        else:  # groups of equal keys yield neighbouring pairs: every row that has a partner is paired
            assert {i for pair in found for i in pair} == {i for pair in expected for i in pair}


def test_the_normalised_body_comes_for_free_only_when_nothing_is_removed() -> None:
    for body in (paragraphs(*EN_STORY), paragraphs(*AR_STORY), "Odd,  spacing!\n\n«قال»: نعم… ﻻ"):
        assert clean(body).normalized_body == normalize_text(body)
    assert clean(paragraphs(*AR_STORY, *AR_REWORDED)).normalized_body is None
    assert clean("A <b>bold</b> claim. Another one.").normalized_body is None  # markup: not guaranteed


def test_a_report_cannot_claim_a_finding_without_spans() -> None:
    with pytest.raises(ValueError, match="bool\\(spans\\)"):
        RepetitionReport(cleaned_body="x", detected=True, removed_chars=0)
    with pytest.raises(ValueError, match="bool\\(spans\\)"):
        RepetitionReport(cleaned_body="", detected=False, removed_chars=1, spans=(Span(0, 1, "line", 0),))
