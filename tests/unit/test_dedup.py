"""Deduplicator: exact and near copies, siblings kept apart, clusters without chains, redelivery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from newsdedup.core.article import parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.dedup import Deduplicator
from newsdedup.core.index import IndexEntry
from newsdedup.core.pipeline import PreparedArticle, prepare
from newsdedup.core.signatures import Signer
from tests.unit.newstexts import (
    BRIDGE,
    BRIDGE_COPY,
    OIL_MONDAY,
    OIL_MONDAY_CORRECTED,
    OIL_TUESDAY,
    PARAGRAPHS,
    PARK,
    PARK_CLOSURE,
    PARK_COPY,
    TRAFFIC,
    TRAFFIC_COPY,
)

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
CONFIG = DetectionConfig()


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer(CONFIG)


@pytest.fixture
def dedup(signer: Signer) -> Deduplicator:
    return Deduplicator(CONFIG, signer)


def prep(signer: Signer, article_id: str, body: str, hours: float = 0.0, title: str | None = None) -> PreparedArticle:
    when = (T0 + timedelta(hours=hours)).isoformat().replace("+00:00", "Z")
    obj = {"id": article_id, "source": f"outlet-{article_id}", "body": body, "published_at": when}
    if title is not None:
        obj["title"] = title
    return prepare(parse_article(obj), signer, CONFIG)


def test_seed_versions_are_near_duplicates(fixtures_dir: Path, signer: Signer, dedup: Deduplicator) -> None:
    first, second = (
        prepare(parse_article(orjson.loads((fixtures_dir / f"seed-version-{n}.json").read_bytes())), signer, CONFIG)
        for n in (1, 2)
    )
    assert dedup.decide(first, T0).status == "unique"
    decision = dedup.decide(second, T0)
    assert decision.status == "near_duplicate"
    assert decision.duplicate_of == first.article_id
    assert decision.cluster_id == first.article_id
    assert decision.similarity is not None
    assert 0.5 < decision.similarity < 1.0


def test_reworded_copy_is_a_near_duplicate_arabic_and_english(signer: Signer, dedup: Deduplicator) -> None:
    for original, copy in ((PARK, PARK_COPY), (BRIDGE, BRIDGE_COPY)):
        a, b = prep(signer, f"a-{len(original)}", original), prep(signer, f"b-{len(original)}", copy, hours=2)
        assert dedup.decide(a, T0).status == "unique"
        decision = dedup.decide(b, T0)
        assert decision.status == "near_duplicate"
        assert decision.duplicate_of == decision.cluster_id == a.article_id


def test_same_topic_same_day_different_story_is_not_a_duplicate(signer: Signer, dedup: Deduplicator) -> None:
    dedup.decide(prep(signer, "opening", PARK), T0)
    decision = dedup.decide(prep(signer, "closure", PARK_CLOSURE, hours=3), T0)
    assert decision.status == "unique"
    assert decision.cluster_id == "closure"


def test_exact_copy_takes_the_fast_path(signer: Signer, dedup: Deduplicator) -> None:
    dedup.decide(prep(signer, "first", PARK, title="عنوان"), T0)
    decision = dedup.decide(prep(signer, "again", "  " + PARK.replace(" ", "  "), hours=1, title="عنوان"), T0)
    assert decision.status == "exact_duplicate"
    assert (decision.duplicate_of, decision.cluster_id, decision.similarity) == ("first", "first", 1.0)


def test_template_with_new_figures_is_not_a_copy_but_a_correction_is(signer: Signer, dedup: Deduplicator) -> None:
    dedup.decide(prep(signer, "monday", OIL_MONDAY), T0)
    assert dedup.decide(prep(signer, "tuesday", OIL_TUESDAY, hours=24), T0).status == "unique"
    corrected = dedup.decide(prep(signer, "monday-fix", OIL_MONDAY_CORRECTED, hours=25), T0)
    assert (corrected.status, corrected.duplicate_of) == ("near_duplicate", "monday")


def test_copies_outside_the_window_are_not_matched(signer: Signer, dedup: Deduplicator) -> None:
    dedup.decide(prep(signer, "old", PARK), T0)
    late = dedup.decide(prep(signer, "late", PARK_COPY, hours=CONFIG.window_seconds / 3600 + 1), T0)
    assert late.status == "unique"
    assert "old" not in dedup.index


def test_short_texts_are_only_checked_for_exact_copies(signer: Signer, dedup: Deduplicator) -> None:
    dedup.decide(prep(signer, "cartoon-1", "", title="كاريكاتير 2015/7/25"), T0)
    assert dedup.decide(prep(signer, "cartoon-2", "", title="كاريكاتير 2015/7/26"), T0).status == "unique"
    assert dedup.decide(prep(signer, "cartoon-3", "", title="كاريكاتير 2015/7/25"), T0).status == "exact_duplicate"
    dedup.decide(prep(signer, "empty-1", " "), T0)
    assert dedup.decide(prep(signer, "empty-2", "<p></p>"), T0).status == "unique"  # nothing to compare


def test_redelivery_same_content_same_decision_nothing_inserted(signer: Signer, dedup: Deduplicator) -> None:
    dedup.decide(prep(signer, "a", PARK), T0)
    copy = prep(signer, "b", PARK_COPY, hours=1)
    first = dedup.process(copy, T0)
    size = len(dedup.index)
    again = dedup.process(copy, T0 + timedelta(hours=5))
    assert again.decision == first.decision
    assert again.redelivered
    assert again.inserted is None
    assert again.removed == ()
    assert len(dedup.index) == size


def test_redelivery_with_changed_content_is_an_update(signer: Signer, dedup: Deduplicator) -> None:
    dedup.decide(prep(signer, "park", PARK), T0)
    dedup.decide(prep(signer, "story", TRAFFIC, hours=1), T0)
    # "story" is corrected into a copy of the park story: decided afresh, its old entry replaced.
    outcome = dedup.process(prep(signer, "story", PARK_COPY, hours=1), T0)
    assert (outcome.decision.status, outcome.decision.duplicate_of) == ("near_duplicate", "park")
    assert [e.article_id for e in outcome.removed] == ["story"]
    entry = dedup.index.get("story")
    assert entry is not None
    assert entry.content_hash == prep(signer, "x", PARK_COPY).content_hash
    # A traffic copy no longer finds the replaced text.
    assert dedup.decide(prep(signer, "traffic-copy", TRAFFIC_COPY, hours=2), T0).status == "unique"


def test_update_is_not_matched_against_its_own_copies(signer: Signer, dedup: Deduplicator) -> None:
    dedup.decide(prep(signer, "orig", PARK), T0)
    dedup.decide(prep(signer, "copy", PARK_COPY, hours=1), T0)
    decision = dedup.decide(prep(signer, "orig", PARK + " وأكد أن الحديقة مجانية.", hours=0), T0)
    assert (decision.status, decision.cluster_id) == ("unique", "orig")


def test_round_up_does_not_chain_two_stories(signer: Signer, dedup: Deduplicator) -> None:
    roundup = TRAFFIC + "\n\n" + PARK  # carries the park story whole beside its own
    order = [("roundup", roundup), ("park", PARK), ("traffic", TRAFFIC_COPY), ("park-copy", PARK_COPY)]
    clusters = {
        name: dedup.decide(prep(signer, name, text, hours=n), T0).cluster_id for n, (name, text) in enumerate(order)
    }
    assert clusters["park"] == "park"  # under half of the round-up: a story of its own
    assert clusters["traffic"] == "roundup"  # most of the round-up is this story
    assert clusters["park-copy"] == "park"
    assert clusters["park-copy"] != clusters["traffic"]


def test_round_up_published_after_the_story_is_not_its_duplicate(signer: Signer, dedup: Deduplicator) -> None:
    dedup.decide(prep(signer, "park", PARK), T0)
    decision = dedup.decide(prep(signer, "roundup", TRAFFIC + "\n\n" + PARK, hours=1), T0)
    assert decision.status == "unique"
    assert dedup.decide(prep(signer, "traffic", TRAFFIC_COPY, hours=2), T0).cluster_id == "roundup"


def test_copies_of_copies_do_not_drift_out_of_the_story(signer: Signer, dedup: Deduplicator) -> None:
    p = PARAGRAPHS
    dedup.decide(prep(signer, "a", " ".join(p[0:5])), T0)
    x1 = dedup.decide(prep(signer, "x1", " ".join(p[1:6]), hours=1), T0)
    assert (x1.status, x1.cluster_id) == ("near_duplicate", "a")
    # x2 shares more than half with x1 but not with the story's canonical "a": a copy of x1, but no
    # chain into "a" - it starts a cluster of its own.
    x2 = dedup.decide(prep(signer, "x2", " ".join(p[3:8]), hours=2), T0)
    assert (x2.status, x2.duplicate_of, x2.cluster_id) == ("near_duplicate", "x1", "x2")
    assert dedup.stats["canonical_rejected"] >= 1
    x3 = dedup.decide(prep(signer, "x3", " ".join(p[3:8]) + " " + p[0][:40], hours=3), T0)
    assert x3.cluster_id == "x2"  # the drifted copy's own story


def test_best_earlier_match_is_duplicate_of_and_canonical_is_cluster(signer: Signer, dedup: Deduplicator) -> None:
    dedup.decide(prep(signer, "a", PARK), T0)
    dedup.decide(prep(signer, "b", PARK_COPY, hours=1), T0)
    third = dedup.decide(prep(signer, "c", PARK_COPY.replace("وبين أن", "وأكد أن"), hours=2), T0)
    assert (third.duplicate_of, third.cluster_id) == ("b", "a")


def test_window_survives_a_restart_from_entries(signer: Signer, dedup: Deduplicator) -> None:
    dedup.decide(prep(signer, "a", PARK), T0)
    dedup.decide(prep(signer, "b", BRIDGE, hours=1), T0)
    saved = [orjson.dumps(entry.to_json()) for entry in dedup.index.entries()]
    restarted = Deduplicator(CONFIG, signer)
    restarted.index.restore(IndexEntry.from_json(orjson.loads(raw)) for raw in saved)
    decision = restarted.decide(prep(signer, "c", PARK_COPY, hours=2), T0)
    assert (decision.status, decision.duplicate_of) == ("near_duplicate", "a")
    again = restarted.process(prep(signer, "b", BRIDGE, hours=1), T0)
    assert again.redelivered
    assert again.decision.status == "unique"


def test_light_edit_of_a_direct_member_joins_its_story(signer: Signer, dedup: Deduplicator) -> None:
    p = PARAGRAPHS
    dedup.decide(prep(signer, "a", " ".join(p[0:5])), T0)
    member = dedup.decide(prep(signer, "e", " ".join(p[2:7]), hours=1), T0)  # holds 3/5 of "a"
    assert (member.status, member.cluster_id) == ("near_duplicate", "a")
    # 4/5 of "e" but only 2/5 of "a": a light edit of a direct member, so it stays in the story.
    edit = dedup.decide(prep(signer, "x", " ".join((p[7], *p[3:7])), hours=2), T0)
    assert (edit.status, edit.duplicate_of, edit.cluster_id) == ("near_duplicate", "e", "a")


def test_two_changed_figures_make_a_short_notice_new_but_not_a_long_report(signer: Signer, dedup: Deduplicator) -> None:
    notice = (
        "أعلنت شركة النخيل للاستثمار طرح صكوك بقيمة {} مليون ريال لأجل خمس سنوات بعائد سنوي {} في المئة، "
        "على أن يبدأ الاكتتاب مطلع الشهر المقبل ويستمر أسبوعا."
    )
    dedup.decide(prep(signer, "notice-1", notice.format(300, 5)), T0)
    other = dedup.decide(prep(signer, "notice-2", notice.format(450, 7), hours=1), T0)
    assert other.status == "unique"  # two of its figures changed: another issue, not a copy
    report = BRIDGE + " The work will cost {} million dollars and employ {} people."
    dedup.decide(prep(signer, "report-1", report.format(12, 300)), T0)
    copy = dedup.decide(prep(signer, "report-2", BRIDGE_COPY + report[len(BRIDGE):].format(14, 250), hours=1), T0)
    assert copy.status == "near_duplicate"  # outlets differ on two details of a long report
