"""Deduplicator: exact and near copies, siblings kept apart, clusters without chains, redelivery."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from newsdedup.core.article import parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.dedup import Deduplicator
from newsdedup.core.index import IndexEntry
from newsdedup.core.normalize import normalize_text
from newsdedup.core.pipeline import prepare
from newsdedup.core.prepared import PreparedArticle
from newsdedup.core.signatures import Signer
from newsdedup.core.terms import TermCounts, terms
from newsdedup.core.verify import DEFAULT_RULES
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
from tests.unit.template_texts import (
    BOND_COPIES,
    BOND_NOTICES,
    CABLE_COPIES,
    CABLES,
    FILLER_AR,
    FILLER_EN,
    FOLLOW_UPS,
    SAME_STORIES,
    Item,
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


# --- a restart from the saved window decides the rest of the stream as if nothing happened ------------------

RESTART_CONFIG = DetectionConfig(window_seconds=20 * 3600.0)  # the stream is longer: entries expire, anchors form
RESTART_RULES = replace(DEFAULT_RULES, min_stories=10)
STEP = timedelta(hours=0.4)


def _common_english_words() -> list[str]:
    """Words most news-in-brief columns hold: never rare in the window, so two phrasings of a story differ
    only in wording while sharing its names."""
    counts = TermCounts()
    for column in FILLER_EN:
        counts.add(terms(normalize_text(f"{column.title} {column.body}")))
    return sorted((t for t, df in counts.df_table.items() if df >= 12), key=lambda t: (-counts.df(t), t))


def _rewrite_pairs() -> list[tuple[Item, Item]]:
    """Three stories told twice by two outlets: the same invented names, in two phrasings of everyday words."""
    common = _common_english_words()
    phrasing_a, phrasing_b = common[0::2], common[1::2]
    pairs = []
    for n, names in enumerate(
        (
            "brackley quenby ottoline fennick harrowgate westmere",
            "carrowby mosswick pellagrin dunsfutter ravelhope kestermoor",
            "yarrowdene lipscombe quillfarrow brennicott tannerlie saltmarrow",
        )
    ):
        name = names.split()
        first = f"{' '.join(name[:3])} {' '.join(phrasing_a)} {' '.join(name[3:])} {' '.join(phrasing_a[::-1])}"
        second = f"{' '.join(name[::2])} {' '.join(phrasing_b)} {' '.join(name[1::2])} {' '.join(phrasing_b[::-1])}"
        pairs.append((Item(f"story{n}-a", "gazette", name[0], first), Item(f"story{n}-b", "courier", name[0], second)))
    return pairs


def restart_stream() -> list[Item]:
    """About 80 articles: news columns, two template families with copies, two follow-ups, rewrites, copies,
    an exact copy, an update and a redelivery, in an order that spreads each kind across the restart."""
    columns = [item for pair in zip(FILLER_EN[:16], FILLER_AR[:16], strict=True) for item in pair]
    placed: list[tuple[float, Item]] = [(2.0 * i, item) for i, item in enumerate(columns)]
    for n, (bond, cable) in enumerate(zip(BOND_NOTICES[:8], CABLES[:8], strict=True)):
        placed += [(12.5 + 6 * n, bond), (13.5 + 6 * n, cable)]
    keys = {item.id: key for key, item in placed}
    placed += [(keys[original] + 3.2, copy) for copy, original in (*BOND_COPIES, *CABLE_COPIES) if original in keys]
    for n, (first, second) in enumerate(FOLLOW_UPS.values()):
        placed += [(9.7 + 10 * n, first), (47.7 + 10 * n, second)]
    for n, (first, second) in enumerate((*SAME_STORIES.values(), *_rewrite_pairs())):
        placed += [(5.3 + 11 * n, first), (9.3 + 11 * n, second), (13.1 + 11 * n, second)]  # and a redelivery
    for key, (name, body) in enumerate(
        (
            ("park", PARK),
            ("bridge", BRIDGE),
            ("oil-monday", OIL_MONDAY),
            ("park-copy", PARK_COPY),
            ("bridge-copy", BRIDGE_COPY),
            ("park-again", PARK),  # an exact copy
            ("oil-tuesday", OIL_TUESDAY),
            ("oil-monday-fix", OIL_MONDAY_CORRECTED),
            ("bridge", BRIDGE + " The footbridge opened on Friday."),  # an update of an earlier article
            ("park-copy", PARK_COPY),  # a redelivery (of a decision without evidence)
        )
    ):
        placed.append((3.1 + 7 * key, Item(name, f"outlet-{name}", "", body)))
    return [item for _, item in sorted(placed, key=lambda pair: pair[0])]


def _prepared(items: list[Item], signer: Signer) -> list[tuple[PreparedArticle, datetime]]:
    out = []
    for n, item in enumerate(items):
        when = T0 + n * STEP
        obj = {"id": item.id, "source": item.source, "title": item.title, "body": item.body}
        obj["published_at"] = when.isoformat().replace("+00:00", "Z")
        out.append((prepare(parse_article(obj), signer, RESTART_CONFIG), when))
    return out


RESTART_EVERY = 5  # articles between two restarts: every pair further apart straddles one


def restarted(dedup: Deduplicator, signer: Signer) -> Deduplicator:
    """A new Deduplicator from the saved window of `dedup` (its entries as JSON): a kill -9 and a recovery."""
    saved = [orjson.dumps(entry.to_json()) for entry in dedup.index.entries()]
    fresh = Deduplicator(RESTART_CONFIG, signer, RESTART_RULES)
    fresh.index.restore((IndexEntry.from_json(orjson.loads(raw)) for raw in saved), newest=dedup.index.newest)
    assert fresh.index.terms.df_table == dedup.index.terms.df_table, "the restored window counts other terms"
    assert fresh.index.terms.documents == dedup.index.terms.documents, "the restored window counts other stories"
    return fresh


def test_a_restarted_deduplicator_decides_the_rest_of_the_stream_alike() -> None:
    signer = Signer(RESTART_CONFIG)
    stream = _prepared(restart_stream(), signer)
    assert 75 <= len(stream) <= 95
    uninterrupted = Deduplicator(RESTART_CONFIG, signer, RESTART_RULES)
    expected = [uninterrupted.process(article, when) for article, when in stream]

    dedup = Deduplicator(RESTART_CONFIG, signer, RESTART_RULES)
    first_seen: dict[str, int] = {}
    across: Counter[str] = Counter()  # decisions naming an article decided before the latest restart
    last_restart = 0
    for n, (article, when) in enumerate(stream):
        if n and n % RESTART_EVERY == 0:
            dedup, last_restart = restarted(dedup, signer), n
        outcome = dedup.process(article, when)
        want = expected[n]
        assert outcome.decision.to_json() == want.decision.to_json(), (
            f"article {n} ({article.article_id}) decided otherwise after a restart:\n"
            f"  restarted:     {outcome.decision}\n  uninterrupted: {want.decision}"
        )
        assert outcome.redelivered == want.redelivered, f"article {n} ({article.article_id}): redelivery differs"
        assert [e.article_id for e in outcome.removed] == [e.article_id for e in want.removed], (
            f"article {n} ({article.article_id}): the window dropped other entries after a restart"
        )
        first_seen.setdefault(article.article_id, n)
        named = want.decision.duplicate_of
        if named is not None and first_seen[named] < last_restart:
            across[want.decision.status] += 1
        if want.redelivered and want.decision.evidence and first_seen[article.article_id] < last_restart:
            across["redelivery"] += 1  # of a decision with evidence: it must come back from the saved entry

    for what in ("exact_duplicate", "near_duplicate", "same_story", "redelivery"):
        assert across[what] > 0, f"no {what} across a restart: the stream does not test what it should ({across})"
    assert any(o.removed for o in expected), "entries must leave the window during the stream"


def test_a_same_story_decision_carries_evidence_and_a_redelivery_gets_it_back(signer: Signer) -> None:
    dedup = Deduplicator(RESTART_CONFIG, signer, RESTART_RULES)
    stream = _prepared(restart_stream(), signer)
    decisions = {}
    for article, when in stream:
        decisions[article.article_id] = (article, when, dedup.process(article, when).decision)
    linked = [(a, w, d) for a, w, d in decisions.values() if d.status == "same_story" and a.article_id in dedup.index]
    assert linked, "the stream must hold a same_story decision still in the window"
    article, when, decision = linked[-1]
    evidence = decision.evidence
    assert evidence is not None
    assert evidence["reason"] == "same rare names and figures in other wording"
    assert evidence["containment"] >= RESTART_RULES.story_containment
    assert evidence["rare_shared"], "a same_story decision must list the rare terms it rests on"
    again = dedup.process(article, when + timedelta(hours=1))
    assert again.redelivered
    assert again.decision == decision, "a redelivery must get the stored decision back, evidence included"
