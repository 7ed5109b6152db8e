"""terms.py: the words of a text, document frequencies over the window's stories, rarity, lead MinHash."""

from __future__ import annotations

import math
import random
import zlib

import numpy as np

from newsdedup.core.normalize import normalize_text
from newsdedup.core.terms import LEAD_CHARS, LeadSketcher, Rarity, TermCounts, lead, term_hash, terms, words


def counts_of(*documents: set[str]) -> TermCounts:
    counts = TermCounts()
    for document in documents:
        counts.add(frozenset(document))
    return counts


# --- terms, words, lead ---------------------------------------------------------------------------------


def test_terms_and_words_of_english_keep_words_of_two_chars_and_drop_bare_numbers() -> None:
    text = normalize_text("The 3rd bridge in Carrow costs 12 million; a new x1 plan, the plan of 2026.")
    in_order = ["the", "3rd", "bridge", "in", "carrow", "costs", "million", "new", "x1", "plan", "the", "plan", "of"]
    assert terms(text) == frozenset(in_order), (
        "terms must be the distinct words of 2+ characters, numbers like 12 and 2026 and one-letter 'a' left out"
    )
    assert words(text) == in_order, "words must keep the order and the repeats of the terms"


def test_terms_and_words_of_arabic_drop_digits_of_either_script() -> None:
    text = normalize_text("أعلنت الشركة أرباحا بلغت ٣٤ مليون ريال في 2025 و أكثر")
    found = terms(text)
    assert found == frozenset({"اعلنت", "الشركه", "ارباحا", "بلغت", "مليون", "ريال", "في", "اكثر"}), (
        f"Arabic terms wrong (digits and the one-letter 'و' must be left out): {sorted(found)}"
    )
    assert words(text)[:3] == ["اعلنت", "الشركه", "ارباحا"], "words must be in text order"


def test_lead_is_the_whole_text_when_short_and_cut_at_a_space_when_long() -> None:
    short = "a short text"
    assert lead(short) == short, "a text of at most LEAD_CHARS characters is its own lead"
    exact = "x" * LEAD_CHARS
    assert lead(exact) == exact, "a text of exactly LEAD_CHARS characters is its own lead"
    long = " ".join(f"word{n:03d}" for n in range(200))  # 8-char words: no space at 400 exactly
    cut = lead(long)
    assert len(cut) <= LEAD_CHARS, f"lead longer than LEAD_CHARS: {len(cut)}"
    assert long.startswith(cut), "the lead must be the start of the text"
    assert long[len(cut)] == " ", "the lead must end where a space follows (no halved word)"
    assert len(cut) > LEAD_CHARS - 9, "the lead must be cut at the last space before LEAD_CHARS, not earlier"
    assert not cut.endswith(" "), "the lead must not keep the space it was cut at"


def test_lead_of_one_long_word_is_cut_at_lead_chars() -> None:
    assert lead("y" * 1000) == "y" * LEAD_CHARS, "with no space to cut at, the lead is the first LEAD_CHARS characters"


def test_lead_cut_at_a_space_exactly_at_lead_chars_keeps_lead_chars() -> None:
    text = "z" * LEAD_CHARS + " tail"
    assert lead(text) == "z" * LEAD_CHARS, "a space right after LEAD_CHARS characters must keep all of them"


def test_term_hash_is_crc32_and_stable() -> None:
    assert term_hash("bridge") == term_hash("bridge")
    assert term_hash("الشركه") == zlib.crc32("الشركه".encode()), "term_hash must be the CRC-32 of the UTF-8 bytes"


# --- TermCounts -----------------------------------------------------------------------------------------


def test_term_counts_add_and_remove_back_to_zero_forget_the_term() -> None:
    counts = counts_of({"carrow", "bridge"}, {"carrow", "ferry"})
    assert (counts.df("carrow"), counts.df("bridge"), counts.documents, len(counts)) == (2, 1, 2, 3)
    counts.remove(frozenset({"carrow", "bridge"}))
    assert "bridge" not in counts.df_table, "a term counted down to zero must be forgotten"
    assert counts.df("bridge") == 0
    assert (counts.df("carrow"), counts.documents, len(counts)) == (1, 1, 2)
    counts.remove(frozenset({"carrow", "ferry"}))
    assert (counts.documents, len(counts), counts.df_table) == (0, 0, {}), "removing every document must leave nothing"


# --- Rarity ---------------------------------------------------------------------------------------------


def test_term_ids_are_reused_once_free_and_holds_are_counted() -> None:
    counts = TermCounts()
    vocab = counts.vocab
    first = vocab.hold(frozenset({"carrow", "bridge"}))
    again = vocab.hold(["bridge", "ferry"])
    assert first.dtype == np.int32, "ids must be int32"
    assert list(first) == sorted(first), "ids must be sorted"
    assert vocab.id_of("bridge") in first, "one term, one id"
    assert vocab.id_of("bridge") in again, "one term, one id"
    assert len(vocab) == 3
    vocab.release(first)
    assert (vocab.id_of("carrow"), len(vocab)) == (-1, 2), "a term no one holds must be forgotten"
    assert vocab.id_of("bridge") >= 0, "a term still held by another must stay"
    reused = vocab.hold(["quenby"])
    assert int(reused[0]) in first.tolist(), "a freed id must be given again, so the table does not grow"
    assert vocab.words[int(reused[0])] == "quenby"
    assert list(vocab.ids_of(["ferry", "not-held", "bridge"])) == sorted([vocab.id_of("ferry"), vocab.id_of("bridge")])


def _ids(counts: TermCounts, *terms: str) -> np.ndarray:
    return counts.vocab.hold(frozenset(terms))


def test_rarity_counts_the_arriving_article() -> None:
    counts = counts_of({"carrow", "the"}, {"the"})
    rarity = Rarity(counts, _ids(counts, "carrow", "the", "unseen"), max_df=2)
    counted = Rarity(counts, None, max_df=2)
    with counts.arriving(_ids(counts, "carrow", "the", "unseen")):
        assert (counted.df("carrow"), counted.df("unseen"), counted.df("the")) == (2, 1, 3), (
            "counting the arriving article in the table must read as passing its terms"
        )
    assert counted.df("carrow") == 1, "the table must count the arriving article only while it is decided"
    assert rarity.df("carrow") == 2, "a word of one earlier story and the arriving article has df 2"
    assert rarity.df("unseen") == 1, "a word only the arriving article holds has df 1"
    assert rarity.df("the") == 3
    assert rarity.df("absent") == 0, "a word neither the window nor the arriving article holds has df 0"
    assert rarity.is_rare("carrow"), "df 2 <= max_df 2 is rare"
    assert not rarity.is_rare("the"), "df 3 > max_df 2 is not rare"
    assert math.isclose(rarity.weight("carrow"), math.log(4 / 2)), "weight = ln((N + 2) / df) with N counted stories"
    assert math.isclose(rarity.weight("absent"), math.log(4 / 1)), "an unknown term weighs as if df were 1"


def test_rarity_of_bounds_max_df_by_the_share_in_a_small_window_and_never_below_two() -> None:
    small = counts_of(*({f"story{n}"} for n in range(49)))  # 49 stories + the arriving one
    assert Rarity.of(small, None, max_df=20, max_share=0.01).max_df == 2, (
        "in a small window the share (1% of 50 = 1) must bound max_df, but never below 2"
    )
    assert Rarity.of(TermCounts(), None, max_df=20, max_share=0.01).max_df == 2, "an empty window: max_df 2"
    medium = counts_of(*({f"story{n}"} for n in range(499)))  # 500 with the arriving one
    assert Rarity.of(medium, None, max_df=20, max_share=0.01).max_df == 5, "1% of 500 stories is 5"
    large = counts_of(*({f"story{n}"} for n in range(5000)))
    assert Rarity.of(large, None, max_df=20, max_share=0.01).max_df == 20, (
        "in a large window max_df must be rare_df (the share allows more)"
    )


def test_rare_and_rare_of_agree_and_rare_is_cached_per_document() -> None:
    rng = random.Random(3)
    vocabulary = [f"w{n}" for n in range(60)]
    counts = counts_of(*(set(rng.sample(vocabulary, 12)) for _ in range(40)))
    rarity = Rarity(counts, _ids(counts, *rng.sample(vocabulary, 15)), max_df=8)
    for _ in range(20):
        document = rng.sample(vocabulary, 20)
        ids = _ids(counts, *document)
        expected = {term for term in document if rarity.df(term) <= 8}
        side = object()
        assert set(rarity.terms_of(rarity.rare(side, ids))) == set(rarity.terms_of(rarity.rare_of(ids))) == expected, (
            "rare() and rare_of() must agree"
        )
        assert rarity.rare(side, ids) is rarity.rare(side, ids), "rare() must give the cached array for the same side"


def test_total_weight_is_the_exact_sum_of_weights_in_any_order() -> None:
    rng = random.Random(5)
    vocabulary = [f"name{n}" for n in range(300)]
    counts = counts_of(*(set(rng.sample(vocabulary, 30)) for _ in range(200)))
    rarity = Rarity(counts, _ids(counts, *vocabulary[:50]), max_df=20)
    chosen = [*rng.sample(vocabulary, 120), "never-seen"]
    ids = _ids(counts, *chosen)  # "never-seen" is held (df 0: weighs as if df were 1)
    expected = math.fsum(rarity.weight(term) for term in chosen)
    assert rarity.total_weight(ids) == expected, "total_weight must equal math.fsum of the weights, to the bit"
    for _ in range(10):
        shuffled = ids.copy()
        np.random.default_rng(rng.randrange(1000)).shuffle(shuffled)
        assert rarity.total_weight(shuffled) == expected, "total_weight changed with the order of the terms"
    assert rarity.total_weight(ids[:0]) == 0.0


# --- LeadSketcher ---------------------------------------------------------------------------------------


def test_lead_sketcher_is_deterministic_and_none_for_nothing() -> None:
    sketcher = LeadSketcher(64, seed=1)
    document = frozenset({"carrow", "bridge", "westmere"})
    first = sketcher.signature(document)
    assert first is not None
    assert first.dtype == np.uint32
    assert first.shape == (64,)
    again = LeadSketcher(64, seed=1).signature(["westmere", "carrow", "bridge"])
    assert again is not None
    assert np.array_equal(first, again), "equal sets must give equal signatures, in any order"
    second_call = sketcher.signature(document)
    assert second_call is not None
    assert np.array_equal(first, second_call), "a second call must give the same signature"
    assert sketcher.signature(frozenset()) is None, "an empty set has no signature"
    other_seed = LeadSketcher(64, seed=2).signature(document)
    assert other_seed is not None
    assert not np.array_equal(first, other_seed), "another seed must draw other permutations"


def test_lead_sketcher_estimates_jaccard() -> None:
    sketcher = LeadSketcher(64, seed=1)
    shared = [f"shared{n}" for n in range(100)]
    a = frozenset(shared + [f"a{n}" for n in range(50)])
    b = frozenset(shared + [f"b{n}" for n in range(50)])
    truth = len(a & b) / len(a | b)
    assert truth == 0.5
    sig_a, sig_b = sketcher.signature(a), sketcher.signature(b)
    assert sig_a is not None
    assert sig_b is not None
    estimate = float(np.mean(sig_a == sig_b))
    assert abs(estimate - truth) <= 0.2, f"64-permutation Jaccard estimate {estimate} too far from {truth}"
    disjoint = sketcher.signature(frozenset(f"c{n}" for n in range(150)))
    assert disjoint is not None
    assert float(np.mean(sig_a == disjoint)) <= 0.1, "disjoint sets must rarely agree"


def test_words_and_terms_are_the_regex_runs_whatever_the_characters() -> None:
    """The split fast path gives re's runs of word characters, for texts of words and spaces and for others."""
    import re

    runs = re.compile(r"\w{2,}")
    pieces = ["a", "ab", "1", "12", "_", " ", "  ", "\n", "\t", "-", "٣", "é", "\u00a0", "x_y", "²", "ـ", "\u200c"]
    pieces.append("😀")
    rng = random.Random(4)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        found = [run for run in runs.findall(text) if not run.isdigit()]
        assert words(text) == found, text
        assert terms(text) == frozenset(found), text
