"""WindowedIndex: LSH insert/query/remove, event-time expiry, anchors, and a snapshot round trip."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import orjson
import pytest

from newsdedup.core.config import DetectionConfig
from newsdedup.core.index import IndexEntry, WindowedIndex
from newsdedup.core.packing import pack_text
from newsdedup.core.terms import LeadSketcher, TermCounts, language_of, term_hash, terms

HOUR = 3600.0
CONFIG = DetectionConfig(window_seconds=10 * HOUR)
RNG_SEED = 7


def signature(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2**32, size=CONFIG.num_perm, dtype=np.uint32)


def near(sig: np.ndarray, changed: int = 10) -> np.ndarray:
    copy = sig.copy()
    copy[:changed] ^= np.uint32(0x5A5A5A5A)  # a copy: most values kept
    return copy


def entry(
    article_id: str, hours: float, sig: np.ndarray, cluster: str | None = None, text_hash: str = ""
) -> IndexEntry:
    return IndexEntry(
        article_id=article_id,
        source="test",
        event_time=hours * HOUR,
        signature=sig,
        size=500,
        content_hash=text_hash or f"hash-{article_id}",
        text=pack_text(f"text of {article_id}"),
        status="unique" if cluster in (None, article_id) else "near_duplicate",
        duplicate_of=None if cluster in (None, article_id) else cluster,
        cluster_id=cluster or article_id,
        similarity=None,
    )


@pytest.fixture
def index() -> WindowedIndex:
    return WindowedIndex(CONFIG, bands=32, rows=4)


def test_query_finds_a_copy_and_not_an_unrelated_text(index: WindowedIndex) -> None:
    base = signature(1)
    index.insert(entry("a", 0, base))
    index.insert(entry("b", 0, signature(2)))
    assert [e.article_id for e in index.query(near(base))] == ["a"]
    assert index.query(signature(3)) == []


def test_remove_takes_the_entry_out_of_lsh_and_hash_lookup(index: WindowedIndex) -> None:
    base = signature(1)
    index.insert(entry("a", 0, base, text_hash="h"))
    removed = index.remove("a")
    assert removed.article_id == "a"
    assert index.query(base) == []
    assert index.first_with_hash("h") is None
    assert "a" not in index
    with pytest.raises(KeyError):
        index.remove("a")


def test_inserting_a_live_id_twice_is_refused(index: WindowedIndex) -> None:
    index.insert(entry("a", 0, signature(1)))
    with pytest.raises(ValueError, match="already indexed"):
        index.insert(entry("a", 1, signature(1)))


def test_entries_older_than_the_window_leave(index: WindowedIndex) -> None:
    index.insert(entry("a", 0, signature(1)))
    index.insert(entry("b", 5, signature(2)))
    expired = index.insert(entry("c", 10.5, signature(3)))  # cutoff 0.5 h: "a" goes
    assert [e.article_id for e in expired] == ["a"]
    assert sorted(e.article_id for e in index.entries()) == ["b", "c"]
    assert index.query(signature(1)) == []


def test_memory_stays_flat_on_an_endless_stream(index: WindowedIndex) -> None:
    sizes = []
    for n in range(600):  # one article every 6 minutes for 60 hours: 100 fit in the 10 h window
        index.insert(entry(f"n{n}", n / 10, signature(1000 + n)))
        sizes.append(len(index))
    assert max(sizes[200:]) <= 101
    assert len(index._heap) <= 101  # nothing stale accumulates when nothing is replaced


def test_out_of_order_events_expire_by_their_own_time(index: WindowedIndex) -> None:
    index.insert(entry("new", 9, signature(1)))
    index.insert(entry("older", 2, signature(2)))  # late but inside the window (cutoff -1 h)
    assert "older" in index
    expired = index.advance(12.5 * HOUR)  # cutoff 2.5 h
    assert [e.article_id for e in expired] == ["older"]
    assert "new" in index
    assert index.insert(entry("too-old", 1, signature(3))) == []  # already outside: not added
    assert "too-old" not in index


def test_newest_time_never_moves_back(index: WindowedIndex) -> None:
    index.advance(20 * HOUR)
    index.advance(3 * HOUR)
    assert index.newest == 20 * HOUR


def test_canonical_with_live_copies_is_kept_as_anchor(index: WindowedIndex) -> None:
    base = signature(1)
    index.insert(entry("story", 0, base))
    index.insert(entry("copy", 8, near(base), cluster="story"))
    index.advance(10.5 * HOUR)  # the canonical leaves the window, its copy does not
    assert "story" not in index
    assert index.query(base)[0].article_id == "copy"
    anchor = index.canonical("story")
    assert anchor is not None
    assert anchor.article_id == "story"
    assert index.anchors == 1
    gone = index.advance(18.5 * HOUR)  # the last copy leaves: the anchor goes with it
    assert sorted(e.article_id for e in gone) == ["copy", "story"]
    assert index.canonical("story") is None
    assert index.anchors == 0


def test_first_with_hash_is_the_first_seen_live_entry(index: WindowedIndex) -> None:
    index.insert(entry("a", 0, signature(1), text_hash="same"))
    index.insert(entry("b", 1, signature(1), cluster="a", text_hash="same"))
    first = index.first_with_hash("same")
    assert first is not None
    assert first.article_id == "a"
    index.remove("a")
    second = index.first_with_hash("same")
    assert second is not None
    assert second.article_id == "b"


def test_snapshot_round_trip_rebuilds_the_same_window(index: WindowedIndex) -> None:
    base = signature(1)
    index.insert(entry("story", 0, base))
    index.insert(entry("copy", 8, near(base), cluster="story"))
    index.insert(entry("other", 9, signature(2), text_hash="h2"))
    index.advance(10.5 * HOUR)
    saved = [orjson.dumps(e.to_json()) for e in index.entries()]
    restored = WindowedIndex(CONFIG, bands=32, rows=4)
    restored.restore(reversed([IndexEntry.from_json(orjson.loads(raw)) for raw in saved]), newest=index.newest)
    assert [e.article_id for e in restored.entries()] == [e.article_id for e in index.entries()]
    assert restored.canonical("story") is not None
    assert "story" not in restored
    assert [e.article_id for e in restored.query(base)] == ["copy"]
    first = restored.first_with_hash("h2")
    assert first is not None
    assert np.array_equal(first.signature, signature(2))
    later = restored.insert(entry("late", 11, signature(3)))
    assert later == []
    late = restored.get("late")
    assert late is not None
    assert late.seq > 2


def test_bands_must_fit_the_signature() -> None:
    with pytest.raises(ValueError, match="num_perm"):
        WindowedIndex(CONFIG, bands=64, rows=4)


def test_band_keys_are_checked_and_shared_by_query_and_insert(index: WindowedIndex) -> None:
    sig = signature(5)
    assert index._band_keys(sig) is index._band_keys(sig)
    with pytest.raises(ValueError, match="uint32"):
        index._band_keys(sig.astype(np.uint64))


def test_query_estimates_agree_with_query_and_survive_removals_and_growth() -> None:
    index = WindowedIndex(CONFIG, bands=32, rows=4)
    base = signature(1)
    for i in range(150):  # past the first matrix sizes, so the matrix grows twice
        index.insert(entry(f"n{i}", i * 0.01, near(base, changed=20 + i % 50)))
    for i in range(0, 150, 3):
        index.remove(f"n{i}")
    for i in range(20):  # reuse the freed rows
        index.insert(entry(f"m{i}", 2 + i * 0.01, near(base, changed=30)))
    probe = near(base, changed=25)
    ids, jaccard, sizes = index.query_estimates(probe)
    assert sorted(ids) == sorted(e.article_id for e in index.query(probe))
    assert len(ids) > 50
    for article_id, estimate, size in zip(ids, jaccard.tolist(), sizes.tolist(), strict=True):
        live = index.get(article_id)
        assert live is not None
        assert estimate == np.count_nonzero(live.signature == probe) / probe.size
        assert size == live.size


# --- term counts of the window's stories, and the lead path ------------------------------------------------

VOCABULARY = [f"word{letter}{other}" for letter in "abcdefgh" for other in "xyz"]  # 24 shared words


def story_entry(
    article_id: str, hours: float, text: str, cluster: str | None = None, lead_signature: np.ndarray | None = None
) -> IndexEntry:
    return replace(
        entry(article_id, hours, signature(term_hash(article_id)), cluster),
        text=pack_text(text),
        lead_signature=lead_signature,
    )


def recount(index: WindowedIndex) -> TermCounts:
    """Term counts over the live canonical entries (stories, not copies, not anchors), counted afresh."""
    counts = TermCounts()
    for live in index.entries():
        if live.article_id in index and live.is_canonical:
            counts.add(terms(live.normalized()), language_of(live.normalized()))
    return counts


def assert_counts_equal(actual: TermCounts, expected: TermCounts, when: str) -> None:
    assert actual.documents == expected.documents, (
        f"{when}: {actual.documents} stories counted, expected {expected.documents}"
    )
    assert actual.df_table == expected.df_table, f"{when}: document frequencies differ from a recount"
    languages = [{lang: n for lang, n in counts.by_language.items() if n} for counts in (actual, expected)]
    assert languages[0] == languages[1], f"{when}: stories per language differ from a recount"


def assert_terms_held(index: WindowedIndex, when: str) -> None:
    """Every kept entry (live or anchor) holds its terms once, and no term is held by nobody."""
    holders: dict[str, int] = {}
    for kept in index.entries():
        for term in terms(kept.normalized()):
            holders[term] = holders.get(term, 0) + 1
    vocab = index.terms.vocab
    held = {vocab.words[i]: int(vocab.refs[i]) for i in range(vocab.capacity) if vocab.words[i]}
    assert held == holders, f"{when}: the vocabulary holds other terms than the kept entries"


def random_window(rng: random.Random, steps: int) -> WindowedIndex:
    """An index after a random stream of stories, copies, updates, removals and expiries (10 h window)."""
    index = WindowedIndex(CONFIG, bands=32, rows=4)
    hours = 0.0
    for step in range(steps):
        hours += rng.uniform(0.0, 0.8)
        when = hours - rng.uniform(0.0, 2.0) if rng.random() < 0.2 else hours  # some arrive late
        text = " ".join([*rng.sample(VOCABULARY, 6), f"own{step}"])
        live = [e for e in index.entries() if e.article_id in index]
        roll = rng.random()
        if roll < 0.1 and live:  # an update: the old entry goes, the new text comes under the same id
            old = rng.choice(live)
            index.remove(old.article_id)
            index.insert(story_entry(old.article_id, when, text))
        elif roll < 0.15 and live:
            index.remove(rng.choice(live).article_id)
        elif roll < 0.5 and live:  # a copy joins a live story (its canonical may have become an anchor)
            index.insert(story_entry(f"c{step}", when, text, cluster=rng.choice(live).cluster_id))
        else:
            if rng.random() < 0.5:  # the caller's terms, held as the decision holds them
                index.insert(story_entry(f"s{step}", when, text), index.terms.vocab.hold(terms(text)),
                             language_of(text))
            else:  # or read from the text
                index.insert(story_entry(f"s{step}", when, text))
        assert_counts_equal(index.terms, recount(index), f"after step {step}")
        assert_terms_held(index, f"after step {step}")
    return index


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_term_counts_are_the_live_stories_after_any_stream_and_a_restore(seed: int) -> None:
    rng = random.Random(seed)
    index = random_window(rng, 300)
    assert index.anchors > 0, "the stream must leave some anchors (canonicals gone, copies live) to mean anything"
    assert index.terms.documents < sum(1 for _ in index.entries()), "copies and anchors must not be counted"
    saved = [orjson.dumps(e.to_json()) for e in index.entries()]
    restored = WindowedIndex(CONFIG, bands=32, rows=4)
    restored.restore(IndexEntry.from_json(orjson.loads(raw)) for raw in saved)
    restored.advance(index.newest)
    assert_counts_equal(restored.terms, index.terms, "after a restore from entries()")
    assert_terms_held(restored, "after a restore")
    start = index.newest / HOUR
    for step in range(300, 340):  # the same articles after the restart: the two windows stay alike
        text = " ".join([*rng.sample(VOCABULARY, 6), f"own{step}"])
        for either in (index, restored):
            either.insert(story_entry(f"s{step}", start + (step - 299) * 0.5, text))
            assert f"s{step}" in either
        assert_counts_equal(restored.terms, index.terms, f"after the restart, step {step}")
        assert_terms_held(index, f"after the restart, step {step}")
        assert [e.article_id for e in restored.entries()] == [e.article_id for e in index.entries()]


def test_term_counts_follow_a_canonical_that_becomes_an_anchor_and_comes_back(index: WindowedIndex) -> None:
    index.insert(story_entry("story", 0, "westmere ferry stops"))
    index.insert(story_entry("copy", 8, "westmere ferry stops today", cluster="story"))
    assert (index.terms.df("westmere"), index.terms.df("today")) == (1, 0), "the copy must not be counted"
    index.advance(10.5 * HOUR)  # the canonical is an anchor now: no longer a live story
    assert index.anchors == 1
    assert index.terms.documents == 0, "an anchor (expired canonical) must not be counted"
    index.insert(story_entry("story", 10, "westmere ferry resumes"))  # the canonical comes back, updated
    assert (index.terms.documents, index.terms.df("resumes"), index.terms.df("stops")) == (1, 1, 0)
    index.remove("story")
    assert_counts_equal(index.terms, TermCounts(), "after the last story was removed")


def test_lead_lsh_finds_an_entry_by_its_lead_signature_and_forgets_it() -> None:
    sketcher = LeadSketcher(64, seed=1)
    lead_a = sketcher.signature(frozenset({"westmere", "brackley", "quenby"}))
    lead_b = sketcher.signature(frozenset({"carrowby", "mosswick", "pellagrin"}))
    assert lead_a is not None
    assert lead_b is not None
    index = WindowedIndex(CONFIG, bands=32, rows=4, lead_perm=64, lead_bands=32)
    index.insert(story_entry("a", 0, "westmere ferry", lead_signature=lead_a))
    index.insert(story_entry("b", 0, "carrowby fair", lead_signature=lead_b))
    index.insert(story_entry("none", 0, "nothing rare"))  # no lead signature: not on the lead path
    assert index.query_lead(lead_a) == {"a"}, "the lead path must find the entry filed under the same signature"
    assert index.query_lead(None) == set()
    equal, seqs = index.lead_estimates(["a", "b"], lead_a)
    assert equal.tolist()[0] == 64, "an entry's own lead signature agrees on every value"
    assert equal.tolist()[1] < 16, "unrelated leads agree on few values"
    assert seqs.tolist() == [0, 1]
    index.remove("a")
    assert index.query_lead(lead_a) == set(), "a removed entry must leave the lead LSH"
    index.advance(11 * HOUR)
    assert index.query_lead(lead_b) == set(), "an expired entry must leave the lead LSH"
    unfiled = replace(story_entry("c", 11, "westmere again", lead_signature=lead_a), searchable=False)
    index.insert(unfiled)
    assert index.query_lead(lead_a) == set(), "an entry not filed in the LSH tables is not on the lead path either"


def test_entry_json_round_trip_keeps_lead_signature_and_evidence() -> None:
    lead_sig = LeadSketcher(64, seed=1).signature(frozenset({"westmere"}))
    evidence = {"overlap": 0.42, "reason": "same rare names", "rare_shared": ["westmere", "ferry…"]}
    original = replace(story_entry("a", 1, "westmere ferry", lead_signature=lead_sig), evidence=evidence)
    back = IndexEntry.from_json(orjson.loads(orjson.dumps(original.to_json())))
    assert back.lead_signature is not None
    assert lead_sig is not None
    assert back.lead_signature.dtype == np.uint32
    assert np.array_equal(back.lead_signature, lead_sig), "the lead signature must survive the round trip"
    assert back.evidence == evidence, "the decision's evidence must survive the round trip"
    plain = IndexEntry.from_json(orjson.loads(orjson.dumps(story_entry("b", 1, "plain").to_json())))
    assert (plain.lead_signature, plain.evidence) == (None, None)
