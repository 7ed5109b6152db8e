"""The demo's feed: the seed article is dated just after the sample feed, so the feed's stories stay in the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from newsdedup.commands.demo import SAMPLE_FEED, latest_published, seed_article
from newsdedup.commands.replay import read_lines


def test_latest_publication_time_across_offsets_and_unreadable_lines() -> None:
    lines = [orjson.dumps({"published_at": "2026-11-24T10:20:00Z"}),
             orjson.dumps({"published_at": "2026-11-24T14:10:00+03:00"}),  # 11:10 UTC: the latest
             orjson.dumps({"published_at": "yesterday"}), b"{not json", orjson.dumps({"id": "x"})]
    assert latest_published(lines) == datetime(2026, 11, 24, 11, 10, tzinfo=UTC)
    assert latest_published([]) is None


def test_seed_is_dated_five_minutes_after_the_sample_feed(fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDEDUP_SHARED", str(fixtures_dir.parent))
    lines = read_lines(SAMPLE_FEED)
    seed_line = seed_article(lines)
    assert seed_line is not None
    seed = orjson.loads(seed_line)
    original = orjson.loads((fixtures_dir / "seed-article.json").read_bytes())
    assert {k: v for k, v in seed.items() if k != "published_at"} == original  # nothing else changed
    latest = latest_published(lines)
    assert latest is not None
    assert datetime.fromisoformat(seed["published_at"]) == latest + timedelta(minutes=5)
