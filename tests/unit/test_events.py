"""Dedup events: one per finding, deterministic ids, time passed in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from newsdedup import schemas
from newsdedup.core.article import parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.dedup import STATUSES, Decision
from newsdedup.core.events import build_events, event_id, rfc3339
from newsdedup.core.pipeline import prepare
from newsdedup.core.prepared import PreparedArticle
from newsdedup.core.repetition import RepetitionReport, Span
from newsdedup.core.signatures import Signer
from tests.unit.newstexts import BRIDGE

CONFIG = DetectionConfig()
WHEN = datetime(2026, 3, 2, 8, 30, 15, 250000, tzinfo=UTC)
# The verifier's evidence as the core writes it (verdict.py), for a rewrite of a story.
STORY_EVIDENCE = {
    "overlap": 0.31, "figures_changed": 0, "figures_only_earlier": [], "figures_only_later": ["45"],
    "lead_new_figures": [], "rare_shared": ["halden", "solberg"], "rare_shared_count": 5,
    "rare_only_earlier": ["wage"], "rare_only_later": ["accord"], "containment": 0.72, "cover": 0.5,
    "reason": "same rare names and figures in other wording",
}


@pytest.fixture(scope="module")
def prepared() -> PreparedArticle:
    return prepare(parse_article({"id": "e-1", "source": "wire", "body": BRIDGE}), Signer(CONFIG), CONFIG)


def test_unique_article_without_repetition_has_no_event(prepared: PreparedArticle) -> None:
    assert build_events(prepared, Decision("unique", None, "e-1", None), WHEN) == []


def test_near_duplicate_event_fields(prepared: PreparedArticle) -> None:
    evidence = {**STORY_EVIDENCE, "overlap": 0.71, "reason": "shared wording above the threshold"}
    (event,) = build_events(prepared, Decision("near_duplicate", "e-0", "e-0", 0.71, evidence), WHEN)
    assert event == {
        "event_id": event_id("e-1", "near_duplicate", prepared.content_hash),
        "type": "near_duplicate",
        "article_id": "e-1",
        "source": "wire",
        "cluster_id": "e-0",
        "duplicate_of": "e-0",
        "similarity": 0.71,
        "detected_at": "2026-03-02T08:30:15.250Z",
        "details": {"content_hash": prepared.content_hash, "language": "en", "evidence": evidence},
    }
    assert uuid.UUID(event["event_id"]).version == 5
    assert schemas.problems("dedup-event", event) == []


def test_a_same_story_decision_gives_a_same_story_event_with_its_evidence(prepared: PreparedArticle) -> None:
    (event,) = build_events(prepared, Decision("same_story", "e-0", "story-7", 0.31, STORY_EVIDENCE), WHEN)
    assert (event["type"], event["duplicate_of"], event["cluster_id"], event["similarity"]) == (
        "same_story", "e-0", "story-7", 0.31)
    assert event["details"]["evidence"] == STORY_EVIDENCE
    assert event["event_id"] == event_id("e-1", "same_story", prepared.content_hash)
    assert schemas.problems("dedup-event", event) == []


@pytest.mark.parametrize("status", [s for s in STATUSES if s != "unique"])
def test_every_status_but_unique_gives_one_event_of_its_own_type_carrying_the_evidence(
    prepared: PreparedArticle, status: str
) -> None:
    evidence = {"overlap": 1.0, "reason": "the same normalised text"} if status == "exact_duplicate" else STORY_EVIDENCE
    decision = Decision(status, "e-0", "e-0", 1.0 if status == "exact_duplicate" else 0.6, evidence)  # type: ignore[arg-type]
    (event,) = build_events(prepared, decision, WHEN)
    assert event["type"] == status
    assert event["details"]["evidence"] == evidence
    assert schemas.problems("dedup-event", event) == []


def test_a_decision_stored_without_evidence_gives_an_event_without_it(prepared: PreparedArticle) -> None:
    # An index entry saved before decisions carried evidence gives its decision back with none.
    (event,) = build_events(prepared, Decision("near_duplicate", "e-0", "e-0", 0.71), WHEN)
    assert "evidence" not in event["details"]
    assert schemas.problems("dedup-event", event) == []


def test_event_id_is_stable_for_redelivery_and_new_for_changed_content(prepared: PreparedArticle) -> None:
    decision = Decision("exact_duplicate", "e-0", "e-0", 1.0)
    first = build_events(prepared, decision, WHEN)[0]["event_id"]
    assert build_events(prepared, decision, WHEN + timedelta(hours=1))[0]["event_id"] == first
    assert event_id("e-1", "exact_duplicate", "another-hash") != first
    assert event_id("e-1", "near_duplicate", prepared.content_hash) != first


def test_self_repetition_event_carries_the_removed_spans() -> None:
    body = "Line one.\nLine one.\nLine two."

    def analyser(text: str, _signer: Signer, _config: DetectionConfig) -> RepetitionReport:
        return RepetitionReport("Line one.\nLine two.", True, 10, (Span(10, 20, "line", 0),))

    signer = Signer(CONFIG)
    repeated = prepare(parse_article({"id": "r", "source": "s", "body": body}), signer, CONFIG, repetition=analyser)
    events = build_events(repeated, Decision("unique", None, "r", None), WHEN)
    assert [e["type"] for e in events] == ["self_repetition"]
    assert events[0]["details"] == {
        "removed_chars": 10,
        "spans": [{"start": 10, "end": 20, "kind": "line", "twin_start": 0}],
        "body_chars": len(body),
    }
    assert events[0]["duplicate_of"] is None
    assert events[0]["similarity"] is None


def test_detected_at_is_utc_rfc3339_and_must_be_aware() -> None:
    assert rfc3339(datetime(2026, 3, 2, 11, 0, tzinfo=timezone(timedelta(hours=3)))) == "2026-03-02T08:00:00.000Z"
    with pytest.raises(ValueError, match="UTC offset"):
        rfc3339(datetime(2026, 3, 2, 11, 0))
