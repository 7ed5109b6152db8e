"""prepare (pure, serialisable), the repetition hook, and the output record."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import orjson
import pytest

from newsdedup.core.article import parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.dedup import Decision, Deduplicator
from newsdedup.core.pipeline import build_record, prepare, process
from newsdedup.core.prepared import PreparedArticle
from newsdedup.core.repetition import RepetitionReport, Span
from newsdedup.core.signatures import Signer
from tests.unit.newstexts import PARK, PARK_COPY

CONFIG = DetectionConfig()
ARTICLE = {
    "id": "p-1",
    "source": "wire",
    "title": "حديقة جديدة",
    "body": PARK,
    "url": "https://example.org/p-1",
    "published_at": "2026-03-02T08:00:00+03:00",
    "section": "local",  # unknown fields pass through
}


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer(CONFIG)


def test_prepare_is_deterministic_and_compares_title_and_body(signer: Signer) -> None:
    a = prepare(parse_article(ARTICLE), signer, CONFIG)
    b = prepare(parse_article(dict(ARTICLE)), signer, CONFIG)
    assert a.content_hash == b.content_hash
    assert np.array_equal(a.signature, b.signature)
    assert a.normalized.startswith("حديقه جديده ")  # normalised title, then the body
    assert a.size == signer.shingle_set(a.normalized).size
    assert a.published_at == datetime(2026, 3, 2, 5, 0, tzinfo=UTC).timestamp()
    assert a.language == "ar"


def test_content_hash_ignores_what_normalisation_removes(signer: Signer) -> None:
    plain = prepare(parse_article(ARTICLE), signer, CONFIG)
    marked = dict(ARTICLE, body="<p>" + PARK.replace(" ", "   ").replace("حديقة", "حَدِيقَة") + "</p>")
    assert prepare(parse_article(marked), signer, CONFIG).content_hash == plain.content_hash


def test_prepared_article_round_trips_through_bytes(signer: Signer) -> None:
    prepared = prepare(parse_article(ARTICLE), signer, CONFIG)
    data = prepared.to_bytes()
    back = PreparedArticle.from_bytes(data)
    assert back.normalized == prepared.normalized
    assert back.content_hash == prepared.content_hash
    assert np.array_equal(back.signature, prepared.signature)
    assert back.signature.dtype == np.uint32
    assert back.fields == ARTICLE
    assert back.repetition == prepared.repetition
    assert (back.size, back.published_at, back.title, back.body) == (
        prepared.size, prepared.published_at, prepared.title, prepared.body)
    with pytest.raises(ValueError, match="format 99 is not"):
        PreparedArticle.from_bytes(bytes([99]) + data[1:])
    with pytest.raises(ValueError, match="format"):
        PreparedArticle.from_bytes(b"")
    # The body travels once when cleaning left it alone.
    assert data.count(ARTICLE["body"].encode()) == 1


def test_a_cleaned_body_travels_beside_the_input_fields(fixtures_dir: Path, signer: Signer) -> None:
    seed = orjson.loads((fixtures_dir / "seed-article.json").read_bytes())
    prepared = prepare(parse_article(seed), signer, CONFIG)
    assert prepared.body != seed["body"]
    back = PreparedArticle.from_bytes(prepared.to_bytes())
    assert back.body == prepared.body
    assert back.fields["body"] == seed["body"]
    assert back.normalized == prepared.normalized


def test_cross_article_detection_compares_the_cleaned_body(signer: Signer) -> None:
    """A self-repeating copy is matched on its cleaned text (here the cleaning is a stand-in)."""

    kept = len(PARK_COPY)
    span = Span(kept, 2 * kept, "block", 0)

    def clean_tail(body: str, _signer: Signer, _config: DetectionConfig) -> RepetitionReport:
        return RepetitionReport(cleaned_body=body[:kept], detected=True, removed_chars=len(body) - kept,
                                spans=(span,))

    repeated = dict(ARTICLE, id="p-2", title=None, body=PARK_COPY + PARK_COPY)
    prepared = prepare(parse_article(repeated), signer, CONFIG, repetition=clean_tail)
    assert prepared.body == PARK_COPY
    assert prepared.repetition == {"detected": True, "removed_chars": len(PARK_COPY), "spans": [span.to_json()]}
    clean = prepare(parse_article(dict(ARTICLE, id="p-3", title=None, body=PARK_COPY)), signer, CONFIG)
    assert prepared.content_hash == clean.content_hash


def test_repetition_off_keeps_the_body_and_reports_nothing(signer: Signer) -> None:
    config = DetectionConfig(repetition=False)
    prepared = prepare(parse_article(dict(ARTICLE, body=PARK + "\n\n" + PARK)), signer, config)
    assert prepared.body == PARK + "\n\n" + PARK
    assert prepared.repetition == {"detected": False, "removed_chars": 0, "spans": []}


def test_seed_article_is_cleaned_before_comparison(fixtures_dir: Path, signer: Signer) -> None:
    seed = orjson.loads((fixtures_dir / "seed-article.json").read_bytes())
    prepared = prepare(parse_article(seed), signer, CONFIG)
    assert prepared.repetition["removed_chars"] > 0
    assert len(prepared.body) == len(seed["body"]) - prepared.repetition["removed_chars"]


def test_record_keeps_input_fields_and_adds_dedup_and_repetition(signer: Signer) -> None:
    prepared = prepare(parse_article(ARTICLE), signer, CONFIG)
    decision = Decision("near_duplicate", "p-0", "p-0", 0.8125)
    record = build_record(prepared, decision)
    assert list(record)[: len(ARTICLE)] == list(ARTICLE)
    assert {k: record[k] for k in ARTICLE} == ARTICLE  # nothing to clean in this article
    assert record["dedup"] == decision.to_json()
    assert record["dedup"]["similarity"] == 0.8125
    assert record["repetition"] == {"detected": False, "removed_chars": 0, "spans": []}
    orjson.dumps(record)  # JSON-ready


def test_record_without_title_does_not_invent_one(signer: Signer) -> None:
    obj = {"id": "n", "source": "s", "body": "Short body text for a record test."}
    record = build_record(prepare(parse_article(obj), signer, CONFIG), Decision("unique", None, "n", None))
    assert "title" not in record
    assert record["body"] == obj["body"]


def test_process_prepares_and_decides(signer: Signer) -> None:
    dedup = Deduplicator(CONFIG, signer)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    process(parse_article(ARTICLE), signer, dedup, now)
    _, decision = process(parse_article(dict(ARTICLE, id="p-9", body=PARK_COPY)), signer, dedup, now)
    assert (decision.status, decision.cluster_id) == ("near_duplicate", "p-1")


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Rates held", "The central bank held its rate.\nInflation slowed."),
        (None, "The central bank held its rate."),
        ("", "  body only  "),
        ("Title only", ""),
        ("   ", "blank title"),
        ("<b>Bold", "title</b> markup reaching into the body"),
        ("Tom &amp; Jerry", "ampersand in the title"),
        ("أعلنت الوزارة", "أعلنت وزارة الصحة اليوم عن حملة جديدة."),
    ],
)
def test_compared_text_reuses_the_normalised_body_exactly(title: str | None, body: str) -> None:
    from newsdedup.core.normalize import normalize_text
    from newsdedup.core.pipeline import compared_text, normalized_compared_text

    expected = normalize_text(compared_text(title, body))
    assert normalized_compared_text(title, body, normalize_text(body)) == expected
    assert normalized_compared_text(title, body, None) == expected


def test_prepare_reuses_the_repetition_analysis_normal_form(signer: Signer) -> None:
    from newsdedup.core.normalize import normalize_text
    from newsdedup.core.pipeline import compared_text

    article = parse_article({"id": "p1", "source": "s", "title": PARK.split(".")[0], "body": PARK})
    prepared = prepare(article, signer, DetectionConfig())
    assert prepared.normalized == normalize_text(compared_text(article.title, prepared.body))
    assert prepared.shingles is not None
    assert np.array_equal(prepared.shingles, signer.shingle_set(prepared.normalized))
    assert prepared.size == prepared.shingles.size
    # The shingle set stays in the process: the bytes between worker stages do not carry it.
    assert PreparedArticle.from_bytes(prepared.to_bytes()).shingles is None


def test_prepared_article_can_travel_without_its_fields(signer: Signer) -> None:
    prepared = prepare(parse_article(ARTICLE), signer, CONFIG)
    data = prepared.to_bytes(with_fields=False)
    assert b'"section"' not in data  # no input field travels, the body included
    assert data.count(ARTICLE["body"].encode()) == 0
    back = PreparedArticle.from_bytes(data, fields=ARTICLE)
    assert (back.fields, back.body, back.normalized) == (ARTICLE, prepared.body, prepared.normalized)
    with pytest.raises(ValueError, match="without its input fields"):
        PreparedArticle.from_bytes(data)
