"""The dashboard's aggregation: stories with tombstones, last value per stats key, findings, bad records."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import orjson

from newsdedup.dashboard.state import DashboardState
from newsdedup.dashboard.top import TopStories
from tests.unit.dashboard_records import event, stats_row, story

NOW = datetime(2026, 12, 2, 18, 30, 20, tzinfo=UTC)


def test_stories_are_ranked_by_outlets_and_a_tombstone_removes_one() -> None:
    state = DashboardState(top_n=2)
    state.read("stories", b"s1", story("s1", {"reuters": 3}, NOW, "Strike ends"), NOW)
    state.read("stories", b"s2", story("s2", {"reuters": 1, "afp": 1, "bbc": 1}, NOW, "Storm"), NOW)
    state.read("stories", b"s3", story("s3", {"reuters": 1, "afp": 2}, NOW), NOW)
    top = state.snapshot(NOW)["top_stories"]
    assert [s["story_id"] for s in top] == ["s2", "s3"]
    assert top[0]["outlets"] == 3
    assert top[0]["representative"]["title"] == "Storm"
    state.read("stories", b"s2", None, NOW)
    snap = state.snapshot(NOW)
    assert [s["story_id"] for s in snap["top_stories"]] == ["s3", "s1"]
    assert snap["live_stories"] == 2


def test_a_story_that_lists_only_some_outlets_ranks_by_its_source_count() -> None:
    state = DashboardState(top_n=1)
    state.read("stories", b"s1", story("s1", {"reuters": 1, "afp": 1}, NOW), NOW)
    wide = orjson.loads(story("s2", {"bbc": 2}, NOW))
    state.read("stories", b"s2", orjson.dumps({**wide, "source_count": 40, "sources_truncated": True}), NOW)
    [top] = state.snapshot(NOW)["top_stories"]
    assert top["story_id"] == "s2"
    assert top["outlets"] == 40


def test_stats_keep_the_last_value_per_key_and_sum_the_hour() -> None:
    state = DashboardState()
    minute = NOW - timedelta(minutes=5)
    for articles in (10, 25):  # cumulative for the minute: the later record replaces the earlier one
        state.read("stats", *stats_row(minute, "reuters", articles, near_duplicate=4), NOW)
    state.read("stats", *stats_row(minute, "afp", 5), NOW)
    state.read("stats", *stats_row(minute, None, 30, near_duplicate=4), NOW)
    state.read("stats", *stats_row(NOW - timedelta(hours=2), "afp", 99), NOW)  # off the chart
    snap = state.snapshot(NOW)
    assert snap["totals"]["articles"] == 30
    assert snap["totals"]["near_duplicate"] == 4
    assert snap["series"]["articles"][-6] == 30.0
    assert len(snap["series"]["minutes"]) == 60
    assert [(r["source"], r["articles"]) for r in snap["sources"]] == [("reuters", 25), ("afp", 5)]
    assert snap["service"]["latency_ms"]["p99"] == 55.0


def test_a_minute_without_its_service_row_sums_its_source_rows() -> None:
    state = DashboardState()
    state.read("stats", *stats_row(NOW, "reuters", 7), NOW)
    state.read("stats", *stats_row(NOW, "afp", 3), NOW)
    assert state.snapshot(NOW)["series"]["articles"][-1] == 10.0


def test_findings_link_a_copy_to_its_original_and_show_repetition_before_and_after() -> None:
    state = DashboardState()
    state.read("stories", b"s1", story("s1", {"reuters": 1, "afp": 1}, NOW, "Strike ends"), NOW)
    evidence = {"overlap": 0.81, "reason": "shared wording above the threshold", "rare_shared": ["halden"]}
    copy = event("s1-copy", "near_duplicate", "s1", NOW, evidence=evidence)
    state.read("events", b"s1", copy, NOW)
    state.read("events", b"s1", copy, NOW)  # redelivered: shown once
    spans = [{"start": 100, "end": 160, "kind": "paragraph", "twin_start": 0}]
    state.read("events", b"s1", event("x", "self_repetition", "x", NOW, removed_chars=60, body_chars=400,
                                       spans=spans), NOW)
    snap = state.snapshot(NOW)
    [finding] = snap["findings"]
    assert finding["duplicate_of"] == "s1"
    assert finding["original_title"] == "Strike ends"
    assert finding["evidence"]["rare_shared"] == ["halden"]
    assert finding["title"] == "Strike ends"
    [repetition] = snap["repetitions"]
    assert repetition["repetition"]["body_chars"] == 400
    assert repetition["repetition"]["after_chars"] == 340
    assert snap["received"]["near_duplicate"] == 1


def test_bad_records_are_counted_per_topic_and_change_nothing_else() -> None:
    state = DashboardState()
    state.read("stories", b"s1", story("s1", {"reuters": 1}, NOW), NOW)
    assert not state.read("stories", b"s2", b"{not json", NOW)
    assert not state.read("stories", b"s3", orjson.dumps({"story_id": "s3"}), NOW)
    assert not state.read("stats", b"k", orjson.dumps({"minute": "yesterday", "articles": 1}), NOW)
    assert not state.read("events", None, orjson.dumps({"type": "gossip"}), NOW)
    assert not state.read("events", None, b"[1, 2]", NOW)
    snap = state.snapshot(NOW)
    assert {t: e["count"] for t, e in snap["errors"].items()} == {"stories": 2, "stats": 1, "events": 2}
    assert "representative" in snap["errors"]["stories"]["last"]
    assert snap["live_stories"] == 1
    orjson.dumps(snap)  # still renders


def test_the_incremental_top_agrees_with_a_full_ranking() -> None:
    rng = random.Random(7)
    top = TopStories(5)
    stories: dict[str, DashboardStateStory] = {}
    for _ in range(3000):
        sid = f"s{rng.randrange(200)}"
        if rng.random() < 0.1:
            stories.pop(sid, None)
            top.remove(sid)
            continue
        old = stories.get(sid)
        new = DashboardStateStory((rng.randrange(10), rng.randrange(50), sid))
        stories[sid] = new
        top.upsert(sid, new.rank, old.rank if old else None)
        if rng.random() < 0.05:
            expected = sorted(stories, key=lambda s: stories[s].rank, reverse=True)[:5]
            assert top.ranked(stories) == expected


class DashboardStateStory:
    """A stand-in with only a rank."""

    def __init__(self, rank: tuple[int, int, str]) -> None:
        self.rank = rank
