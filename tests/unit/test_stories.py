"""The story book: story records follow the index's changes, the representative follows its policy,
and a book rebuilt from the index's entries goes on exactly as the original."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import numpy as np
import orjson
import pytest

from newsdedup import schemas
from newsdedup.core.index import IndexEntry
from newsdedup.core.stories import Extremes, Member, Policy, StoryBook, representative, story_record

NOW = datetime(2026, 12, 2, 18, 5, 7, tzinfo=UTC)
T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC).timestamp()
_seq = iter(range(10**6))


def entry(article_id: str, story: str, source: str = "wire", status: str = "near_duplicate", minutes: float = 0,
          size: int = 100, seq: int | None = None) -> IndexEntry:
    """An index entry as the book sees it (signature and text do not matter here)."""
    if article_id == story:
        status = "unique"
    return IndexEntry(article_id=article_id, source=source, event_time=T0 + 60 * minutes,
                      signature=np.zeros(4, dtype=np.uint32), size=size, content_hash=article_id, text=b"",
                      status=status, duplicate_of=None if article_id == story else story, cluster_id=story,
                      similarity=None, seq=next(_seq) if seq is None else seq)


def records(book: StoryBook) -> dict[str, dict[str, Any] | None]:
    return dict(book.flush(NOW))


def test_a_story_record_counts_members_by_status_and_outlet() -> None:
    book = StoryBook()
    book.update([], entry("a", "a", "reuters", minutes=0), "Port strike ends", "https://r.example/a")
    book.update([], entry("b", "a", "afp", "exact_duplicate", minutes=5), "Port strike ends")
    book.update([], entry("c", "a", "afp", "same_story", minutes=2), "Dockers back at work")
    book.update([], entry("x", "x", "afp", minutes=1), "Another story")
    out = records(book)
    assert set(out) == {"a", "x"}
    story = out["a"]
    assert story is not None
    assert story["representative"] == {"article_id": "a", "source": "reuters", "title": "Port strike ends",
                                       "url": "https://r.example/a"}
    assert story["representative_changed"] is False
    assert story["members"] == 3
    assert story["by_status"] == {"unique": 1, "exact_duplicate": 1, "near_duplicate": 0, "same_story": 1}
    assert story["sources"] == {"reuters": 1, "afp": 2}
    assert (story["first_seen"], story["last_seen"]) == ("2026-12-02T09:00:00.000Z", "2026-12-02T09:05:00.000Z")
    # The latest member is the last decided, whatever its event time.
    assert story["latest"] == {"article_id": "c", "source": "afp", "status": "same_story",
                               "title": "Dockers back at work", "event_time": "2026-12-02T09:02:00.000Z"}
    assert story["updated_at"] == "2026-12-02T18:05:07.000Z"
    assert not schemas.problems("story", story)
    assert records(book) == {}  # nothing touched since


def test_a_higher_priority_copy_becomes_the_representative_once() -> None:
    book = StoryBook(Policy(("Reuters", "AP")))
    book.update([], entry("a", "a", "local-paper"), "Local headline")
    assert records(book)["a"]["representative"]["article_id"] == "a"  # type: ignore[index]
    book.update([], entry("b", "a", "ap"), "AP headline")
    changed = records(book)["a"]
    assert changed is not None
    assert (changed["representative"]["article_id"], changed["representative_changed"]) == ("b", True)
    book.update([], entry("c", "a", "afp"), "AFP headline")  # not in the list: ranks below AP
    same = records(book)["a"]
    assert same is not None
    assert (same["representative"]["article_id"], same["representative_changed"]) == ("b", False)
    book.update([], entry("d", "a", "reuters"), "Reuters headline")  # priorities compare without case
    top = records(book)["a"]
    assert top is not None
    assert (top["representative"]["article_id"], top["representative"]["title"]) == ("d", "Reuters headline")
    assert top["representative_changed"] is True


def test_the_tie_rule_picks_the_earliest_or_the_most_complete_copy() -> None:
    members = [Member("a", "wire", "unique", T0, 1, 80), Member("b", "wire", "near_duplicate", T0, 2, 120),
               Member("c", "wire", "near_duplicate", T0, 3, 120), Member("d", "blog", "near_duplicate", T0, 4, 500)]
    assert representative(members, Policy()).article_id == "a"
    assert representative(members, Policy(tie="longest")).article_id == "d"
    assert representative(members, Policy(("wire",), "longest")).article_id == "b"  # equal length: first seen
    assert representative(members, Policy(("wire",))).article_id == "a"


def test_members_leave_and_the_last_one_leaving_gives_a_tombstone() -> None:
    book = StoryBook()
    a, b, c = entry("a", "a", "reuters"), entry("b", "a", "afp"), entry("c", "a", "afp", minutes=9)
    for e in (a, b, c):
        book.update([], e)
    records(book)
    book.update([b], entry("z", "z"))
    out = records(book)
    assert out["a"] is not None
    assert (out["a"]["members"], out["a"]["sources"]) == (2, {"reuters": 1, "afp": 1})
    book.update([a, c], None)
    assert records(book) == {"a": None}
    assert book.members("a") == []
    book.update([a], None)  # an entry the book no longer holds: nothing to say
    assert records(book) == {}


def test_a_removed_representative_gives_way_without_being_called_a_change() -> None:
    book = StoryBook(Policy(("reuters",)))
    a, r = entry("a", "a", "blog"), entry("r", "a", "reuters")
    book.update([], a)
    book.update([], r)
    assert records(book)["a"]["representative"]["article_id"] == "r"  # type: ignore[index]
    book.update([r], None)
    out = records(book)["a"]
    assert out is not None
    assert (out["representative"]["article_id"], out["representative_changed"]) == ("a", False)


def test_an_update_moves_its_article_to_its_new_story_and_an_anchor_coming_back_counts_once() -> None:
    book = StoryBook()
    a, b = entry("a", "a"), entry("b", "a")
    book.update([], a)
    book.update([], b)
    book.update([], entry("x", "x"))
    records(book)
    # "b" sent again with new content: the index removes the old entry and decides it into story "x".
    book.update([b], entry("b", "x"))
    out = records(book)
    assert (out["a"]["members"], out["x"]["members"]) == (1, 2)  # type: ignore[index]
    # The anchor "a" re-inserted under its own id: reported removed and inserted in one outcome.
    book.update([a], entry("a", "a"))
    assert records(book)["a"]["members"] == 1  # type: ignore[index]


def test_a_book_rebuilt_from_the_index_entries_goes_on_like_the_original() -> None:
    policy = Policy(("reuters",), "longest")
    entries = [entry("a", "a", "blog", size=50), entry("b", "a", "reuters", size=60),
               entry("c", "a", "afp", size=90), entry("x", "x", "afp")]
    titles = {"a": ("A", None), "b": ("B", "https://b.example"), "c": ("C", None), "x": ("X", None)}
    book = StoryBook(policy)
    for e in entries:
        book.update([], e, *titles[e.article_id])
    records(book)
    rebuilt = StoryBook(policy)
    rebuilt.restore(reversed(entries), titles)
    assert records(rebuilt) == {}  # a restore publishes nothing by itself
    later = entry("d", "a", "reuters", size=70)
    for b in (book, rebuilt):
        b.update([entries[3]], later, "D")
    assert records(rebuilt) == records(book)
    assert records(book) == {}


def test_the_sources_map_is_cut_to_fit_the_record_limit() -> None:
    members = [Member(f"m{i}", f"outlet-{i:04d}", "near_duplicate", T0, i, 10) for i in range(2000)]
    sources = {m.source: 1 for m in members}
    sources["outlet-0007"] = 5
    by_status = {"near_duplicate": 2000}
    extremes = Extremes.of(members, Policy())
    whole = story_record("s", extremes, by_status, sources, False, NOW, 10**6)
    assert len(whole["sources"]) == 2000
    assert "sources_truncated" not in whole
    small = story_record("s", extremes, by_status, sources, False, NOW, 4000)
    assert small["sources_truncated"] is True
    assert small["source_count"] == 2000
    assert 0 < len(small["sources"]) < 2000
    assert next(iter(small["sources"])) == "outlet-0007"  # the outlets with most members are kept
    assert len(orjson.dumps(small)) <= 4000
    assert not schemas.problems("story", small)


def test_the_record_follows_every_change_as_a_recount_of_the_members_would() -> None:
    rng = random.Random(5)
    policy = Policy(("s3", "s1"), "longest")
    book = StoryBook(policy)
    live: dict[str, IndexEntry] = {}
    for n in range(600):
        removed = [live.pop(k) for k in rng.sample(sorted(live), min(len(live), rng.choice([0, 0, 1, 2])))]
        story = rng.choice(["a", "b", "c"])
        new = entry(f"n{n}", story, f"s{rng.randint(0, 5)}", rng.choice(["near_duplicate", "same_story"]),
                    minutes=rng.uniform(0, 100), size=rng.randint(10, 30))
        live[new.article_id] = new
        book.update(removed, new)
        for story_id, record in records(book).items():
            members = [Member.of(e) for e in live.values() if e.cluster_id == story_id]
            if not members:
                assert record is None
                continue
            assert record is not None
            want = Extremes.of(members, policy)
            assert record["representative"]["article_id"] == want.best.article_id
            assert record["latest"]["article_id"] == want.latest.article_id
            recount = story_record(story_id, want, {}, {}, False, NOW, 10**6)
            assert (record["first_seen"], record["last_seen"]) == (recount["first_seen"], recount["last_seen"])
            assert record["members"] == len(members)


@pytest.mark.parametrize("title", ["t" * 5000, None])
def test_titles_are_cut(title: str | None) -> None:
    book = StoryBook()
    book.update([], entry("a", "a"), title, "u" * 9000)
    story = records(book)["a"]
    assert story is not None
    assert story["representative"]["title"] == (None if title is None else "t" * 1000)
    assert len(story["representative"]["url"]) == 2048
