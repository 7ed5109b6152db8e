"""The index stage's summaries: story records and statistics rows that agree with its clean records and events,
across a restore from what it persisted and published, and a representative chosen by policy."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from newsdedup import schemas
from newsdedup.app.stages import IndexOutput, IndexStage, PrepareStage
from newsdedup.settings import Settings, load_settings
from tests.unit.test_stages import OTHER, STORY, feed, persisted, raw

DECIDED_AT = datetime(2026, 12, 2, 18, 5, 30, tzinfo=UTC)
MINUTE = "2026-12-02T18:05:00Z"
RAW_TS = 1_764_000_000.0  # the raw timestamp test_stages.feed gives every input
EDITED = STORY.replace("Monday", "Tuesday") + " (Additional reporting by staff.)"


@pytest.fixture
def settings() -> Settings:
    return load_settings()


def summaries(stage: IndexStage, outputs: list[IndexOutput], lag: int = 0) -> dict[tuple[str, str], Any]:
    """(target, key) -> decoded value (None for a tombstone) of one transaction's summaries."""
    out = stage.summaries(outputs, DECIDED_AT, RAW_TS + 0.25, lag)
    return {(target, (key or b"").decode()): None if value is None else orjson.loads(value)
            for target, key, value in out}


def inputs() -> list[bytes]:
    return [raw("a", STORY, source="reuters", title="Traffic up", url="https://r.example/a"),
            raw("b", STORY, source="afp", title="Traffic up"),
            raw("c", EDITED, source="afp", title="Traffic rises"),
            b"not json",
            orjson.dumps({"id": "bad", "source": "spa"}),  # no body: a schema dead letter of stage 1
            raw("x", OTHER, source="spa", title="Library opens")]


def test_story_records_and_stats_rows_agree_with_the_decisions(settings: Settings) -> None:
    stage = IndexStage(settings)
    outputs = feed(PrepareStage(settings), stage, inputs())
    found = summaries(stage, outputs, lag=3)
    assert [o.decision_status for o in outputs] == ["unique", "exact_duplicate", "near_duplicate", None, None,
                                                    "unique"]
    story = found["stories", "a"]
    assert story["members"] == 3
    assert story["by_status"] == {"unique": 1, "exact_duplicate": 1, "near_duplicate": 1, "same_story": 0}
    assert story["sources"] == {"reuters": 1, "afp": 2}
    assert story["representative"] == {"article_id": "a", "source": "reuters", "title": "Traffic up",
                                       "url": "https://r.example/a"}
    assert (story["latest"]["article_id"], story["latest"]["title"]) == ("c", "Traffic rises")
    assert found["stories", "x"]["members"] == 1
    for (target, _), value in found.items():
        assert not schemas.problems("story" if target == "stories" else "stats", value), value
    rows = {key: value for (target, key), value in found.items() if target == "stats"}
    assert set(rows) == {f"{MINUTE}|{s}" for s in ("reuters", "afp", "spa", "(unknown)", "")}
    assert (rows[f"{MINUTE}|afp"]["exact_duplicate"], rows[f"{MINUTE}|afp"]["near_duplicate"]) == (1, 1)
    assert (rows[f"{MINUTE}|spa"]["articles"], rows[f"{MINUTE}|spa"]["dead_letters"]) == (1, 1)
    assert rows[f"{MINUTE}|(unknown)"]["dead_letters"] == 1
    service = rows[f"{MINUTE}|"]
    assert (service["articles"], service["dead_letters"], service["lag"]) == (4, 2, 3)
    assert service["latency_ms"]["count"] == 6
    assert 245 <= service["latency_ms"]["p50"] <= 250


def test_a_stage_restored_from_its_state_and_published_rows_goes_on_like_the_original(settings: Settings) -> None:
    prepare, stage = PrepareStage(settings), IndexStage(settings)
    outputs = feed(prepare, stage, inputs())
    published = summaries(stage, outputs)
    restored = IndexStage(settings)
    restored.restore(persisted(outputs, stage).items(),
                     [v for (t, _), v in published.items() if t == "stats"])
    assert len(restored.stories) == len(stage.stories) == 2
    later = [raw("d", EDITED, source="ap", title="AP: traffic up"), inputs()[0]]
    continued = [summaries(s, feed(prepare, s, later, start_offset=len(inputs()))) for s in (stage, restored)]
    assert continued[0] == continued[1]
    assert continued[0]["stories", "a"]["members"] == 4  # the redelivered "a" is no new member
    assert ("stats", f"{MINUTE}|reuters") not in continued[0]  # nor a new article
    assert continued[0]["stats", f"{MINUTE}|"]["articles"] == 5


def test_a_copy_from_a_preferred_source_becomes_the_representative_and_nothing_is_republished() -> None:
    settings = load_settings(story_source_priority="ap, reuters")
    prepare, stage = PrepareStage(settings), IndexStage(settings)
    first = feed(prepare, stage, inputs()[:3])
    assert summaries(stage, first)["stories", "a"]["representative"]["article_id"] == "a"
    copy = feed(prepare, stage, [raw("d", EDITED, source="AP", title="AP: traffic up")], start_offset=3)[0]
    assert copy.decision_status == "near_duplicate"
    assert [target for target, _, _ in copy.messages] == ["events"]  # held back as before: no new clean record
    story = summaries(stage, [copy])["stories", "a"]
    assert story["representative"] == {"article_id": "d", "source": "AP", "title": "AP: traffic up", "url": None}
    assert story["representative_changed"] is True
