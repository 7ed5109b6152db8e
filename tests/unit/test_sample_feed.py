"""The bundled sample feed: valid articles, in time order, built as its README says.

`expected_decisions()` reads the README's table, so a test of the demo's outcome can compare what the
pipeline decided with what each line was written to show.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from newsdedup import schemas
from newsdedup.core.article import Article, parse_article

DATA_DIR = Path(__file__).resolve().parents[2] / "services" / "newsdedup" / "data"
FEED = DATA_DIR / "sample-feed.jsonl"
README = DATA_DIR / "README.md"
COLUMNS = ["line", "id", "lang", "status", "duplicate_of", "cluster_id", "repetition", "purpose"]


def expected_decisions(readme: Path = README) -> list[dict[str, Any]]:
    """The README's table of expected decisions, one dict per feed line ('-' read as None)."""
    rows = [line for line in readme.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert header == COLUMNS, f"the README table's columns changed: {header}"
    table = []
    for row in rows[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|", len(COLUMNS) - 1)]
        entry: dict[str, Any] = {k: (None if v == "-" else v) for k, v in zip(COLUMNS, cells, strict=True)}
        entry["line"] = int(entry["line"])
        table.append(entry)
    return table


def _raw_lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in FEED.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def raw() -> list[dict[str, Any]]:
    return _raw_lines()


@pytest.fixture(scope="module")
def articles(raw: list[dict[str, Any]]) -> list[Article]:
    return [parse_article(obj) for obj in raw]


@pytest.fixture(scope="module")
def expected() -> list[dict[str, Any]]:
    return expected_decisions()


def _paragraphs(body: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", body) if p.strip()]


def test_every_line_is_a_valid_article(raw: list[dict[str, Any]]) -> None:
    assert 20 <= len(raw) <= 30
    for obj in raw:
        assert schemas.problems("article", obj) == [], obj["id"]
        assert obj["language"] in ("ar", "en")
        assert obj["published_at"]
        assert obj["title"]


def test_ids_are_unique_and_the_seed_is_not_copied(articles: list[Article]) -> None:
    ids = [a.id for a in articles]
    assert len(set(ids)) == len(ids)
    assert not any(i.startswith("seed") for i in ids)


def test_published_at_never_goes_backwards(articles: list[Article]) -> None:
    times: list[datetime] = [a.published_at for a in articles if a.published_at is not None]
    assert len(times) == len(articles)
    assert times == sorted(times)


def test_both_languages_and_about_fifteen_stories(articles: list[Article], expected: list[dict[str, Any]]) -> None:
    assert {a.language for a in articles} == {"ar", "en"}
    assert 13 <= len({row["cluster_id"] for row in expected}) <= 20


def test_the_readme_describes_every_line_in_order(articles: list[Article], expected: list[dict[str, Any]]) -> None:
    assert [row["line"] for row in expected] == list(range(1, len(articles) + 1))
    assert [(row["id"], row["lang"]) for row in expected] == [(a.id, a.language) for a in articles]
    assert all(row["purpose"] for row in expected)


def test_expected_clusters_are_consistent(expected: list[dict[str, Any]]) -> None:
    seen: dict[str, dict[str, Any]] = {}
    for row in expected:
        assert row["status"] in ("unique", "exact_duplicate", "near_duplicate")
        if row["status"] == "unique":
            assert row["duplicate_of"] is None
            assert row["cluster_id"] == row["id"]
        else:
            original = seen[row["duplicate_of"]]  # a copy points back at an earlier line
            assert row["cluster_id"] == original["cluster_id"]
        seen[row["id"]] = row


def _by_status(expected: list[dict[str, Any]], status: str) -> list[dict[str, Any]]:
    return [row for row in expected if row["status"] == status]


def test_the_feed_has_each_kind_of_copy(articles: list[Article], expected: list[dict[str, Any]]) -> None:
    by_id = {a.id: a for a in articles}
    exact = _by_status(expected, "exact_duplicate")
    # A verbatim copy under another outlet and id.
    assert any(
        by_id[r["id"]].body == by_id[r["duplicate_of"]].body
        and by_id[r["id"]].source != by_id[r["duplicate_of"]].source
        for r in exact
    )
    near = [(by_id[r["id"]].body, by_id[r["duplicate_of"]].body) for r in _by_status(expected, "near_duplicate")]
    # A truncated copy: whole leading paragraphs of its original, not all of them.
    assert any(
        _paragraphs(copy) == _paragraphs(original)[: len(_paragraphs(copy))]
        and len(_paragraphs(copy)) < len(_paragraphs(original))
        for copy, original in near
    )
    # Reworded copies: no paragraph shared verbatim, in both languages.
    reworded = [
        r for r in _by_status(expected, "near_duplicate")
        if not set(_paragraphs(by_id[r["id"]].body)) & set(_paragraphs(by_id[r["duplicate_of"]].body))
    ]
    assert {r["lang"] for r in reworded} == {"ar", "en"}


def test_repetition_is_where_the_readme_says(articles: list[Article], expected: list[dict[str, Any]]) -> None:
    for article, row in zip(articles, expected, strict=True):
        paragraphs, lines = _paragraphs(article.body), article.body.splitlines()
        # A repeated line follows its twin directly, with no blank line between (unlike paragraphs).
        repeated_lines = {a for a, b in itertools.pairwise(lines) if a == b and a.strip()}
        repeated_paragraphs = {p for p in paragraphs if paragraphs.count(p) > 1}
        if row["repetition"] == "line":
            assert repeated_lines, article.id
            assert all(len(line.split()) <= 3 for line in repeated_lines), article.id
        elif row["repetition"] == "paragraph":
            assert len(repeated_paragraphs) == 1, article.id
            assert not repeated_lines, article.id
        else:
            assert row["repetition"] is None
            assert not repeated_lines, article.id
            assert not repeated_paragraphs, article.id


def test_a_self_repeating_copy_is_its_original_once_cleaned(
    articles: list[Article], expected: list[dict[str, Any]]
) -> None:
    by_id = {a.id: a for a in articles}
    rows = [r for r in expected if r["repetition"] and r["duplicate_of"]]
    assert rows
    for row in rows:
        paragraphs = _paragraphs(by_id[row["id"]].body)
        once = [p for i, p in enumerate(paragraphs) if p not in paragraphs[:i]]
        assert once == _paragraphs(by_id[row["duplicate_of"]].body)


def _word_overlap(a: str, b: str) -> float:
    words_a, words_b = set(re.findall(r"\w+", a)), set(re.findall(r"\w+", b))
    return len(words_a & words_b) / len(words_a | words_b)


def _figures(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:[.,]\d+)?", text))


def test_template_siblings_share_a_shape_but_not_their_facts(articles: list[Article]) -> None:
    """The two pairs of same-template notices (fuel prices, sukuk issues) must stay different stories."""
    by_id = {a.id: a for a in articles}
    pairs = [
        ("meridian-2026-11-24-003", "meridian-2026-11-24-005"),
        ("arabwire-2026-11-24-102", "arabwire-2026-11-24-104"),
    ]
    for first, second in pairs:
        a, b = by_id[first], by_id[second]
        assert a.source == b.source
        assert a.language == b.language
        assert _word_overlap(a.body, b.body) >= 0.35  # the same template wording
        assert _figures(a.body) != _figures(b.body)
        assert a.title != b.title


def test_the_pipeline_decides_every_line_as_the_readme_says(tmp_path: Path) -> None:
    from newsdedup.cli import main

    out, events = tmp_path / "out.jsonl", tmp_path / "events.jsonl"
    with pytest.raises(SystemExit) as exit_info:
        main(["scan", str(FEED), "-o", str(out), "--events", str(events)])
    assert exit_info.value.code == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # scan's output is the clean-topic contract, its events the events-topic contract.
    for record in records:
        assert not schemas.problems("clean-article", record), record["id"]
    found = [json.loads(line) for line in events.read_text(encoding="utf-8").splitlines()]
    assert {e["type"] for e in found} == {"exact_duplicate", "near_duplicate", "self_repetition"}
    for event in found:
        assert not schemas.problems("dedup-event", event), event
    got = {r["id"]: r for r in records}
    wrong = []
    for row in expected_decisions():
        dedup = got[row["id"]]["dedup"]
        decided = (dedup["status"], dedup["duplicate_of"], dedup["cluster_id"])
        if decided != (row["status"], row["duplicate_of"], row["cluster_id"]):
            wrong.append(f"line {row['line']} {row['id']}: expected {row['status']}/{row['duplicate_of']}, "
                         f"got {decided[0]}/{decided[1]} sim={dedup['similarity']} ({row['purpose'][:60]})")
        removed = got[row["id"]]["repetition"]["removed_chars"] > 0
        if removed != (row["repetition"] is not None):
            wrong.append(f"line {row['line']} {row['id']}: repetition expected {row['repetition']}, removed={removed}")
    assert not wrong, "\n".join(wrong)
