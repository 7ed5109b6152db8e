"""The text generator and helpers of bench/bench_window.py (no corpus needed)."""

from __future__ import annotations

import sys

from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "bench"))
from bench_window import MAX_SENTENCE, MIN_SENTENCE, SyntheticTexts, percentile, sentence_pool


def _texts(arabic: list[str], english: list[str]) -> SyntheticTexts:
    """A generator over given pools, without reading the corpora."""
    texts = SyntheticTexts.__new__(SyntheticTexts)
    texts.arabic, texts.english, texts.chars, texts.seed, texts.english_every = arabic, english, 600, 7, 4
    return texts


def test_sentence_pool_cuts_long_sentences_drops_short_ones_and_duplicates() -> None:
    long = " ".join(f"word{i}" for i in range(200))
    kept = "This sentence is long enough to be kept in the pool."
    pool = sentence_pool([f"{long}. Short one. {kept}", kept])
    assert all(MIN_SENTENCE <= len(s) <= MAX_SENTENCE for s in pool)
    assert pool.count(kept) == 1
    assert "Short one." not in pool
    pieces = [s for s in pool if s.startswith("word")]
    assert len(pieces) >= 5  # 1,300 characters in pieces of at most 300
    assert all(piece in f"{long}." for piece in pieces)  # each a run of the sentence, cut at spaces


def test_synthetic_texts_are_deterministic_sized_and_distinct() -> None:
    arabic = [f"جملة عربية رقم {i} تكفي طولا لتدخل في المجموعة المختارة" for i in range(500)]
    english = [f"English sentence number {i} is long enough for the pool" for i in range(500)]
    texts = _texts(arabic, english)
    first = [texts.text(k) for k in range(8)]
    assert first == [texts.text(k) for k in range(8)]  # the same article k in every process
    assert [language for language, _ in first] == ["ar", "ar", "ar", "en"] * 2
    bodies = [body for _, body in first]
    assert len(set(bodies)) == len(bodies)
    assert all(500 <= len(body) <= 600 for body in bodies)
    for body in bodies:  # no sentence twice in one article (the repetition cleaner would remove it)
        assert all(body.count(f"{sentence} ") + body.count(f"{sentence}\n") <= 1 for sentence in arabic + english)


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0], 99) == 3.0
