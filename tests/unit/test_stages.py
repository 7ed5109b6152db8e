"""The worker's stages without a broker: envelopes in, messages and index changes out."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from newsdedup import schemas
from newsdedup.app.deadletter import Provenance
from newsdedup.app.stages import RAW_OFFSETS_KEY, IndexOutput, IndexStage, PrepareStage
from newsdedup.settings import Settings, load_settings

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
STORY = (
    "The port authority said on Monday that container traffic rose 14 per cent in October to 412,000 units, "
    "helped by two new shipping lines that began calling at the northern terminal in September. "
    "Officials expect the full-year total to pass 4.6 million units for the first time."
)
OTHER = (
    "A new public library with 90,000 books opened in the old customs house on Sunday after four years of work. "
    "The city council said the reading rooms would stay open until midnight during the exam season."
)
# One story told by two outlets in their own words: not a copy (little shared wording) but the same
# names and figures. Rarity is learned from the window, so the stages first see FILLERS: stories in the
# same everyday words, which makes those words common and the names rare.
HALDEN = (
    "Halden dockworkers end three-day strike after wage deal",
    "Dockworkers at the port of Halden returned to work on Tuesday after union leader Marit Solberg signed a "
    "wage agreement with the Halden Port Authority. The deal raises pay by 4.5 percent over two years and adds a "
    "night-shift allowance. Shipping agents said 23 vessels had queued outside the harbour during the stoppage.",
)
HALDEN_REWRITE = (
    "Halden strike over as dockworkers accept pay offer",
    "The three-day stoppage at Halden is over. Marit Solberg, who leads the union, put her name to an accord "
    "with the Halden Port Authority, and the dockworkers were back on Tuesday. Their pay goes up 4.5 percent "
    "across two years, with an allowance for night shifts. Shipping agents counted 23 vessels waiting outside "
    "the harbour while the port was shut.",
)
EVERYDAY_WORDS = (
    "the at of to on in after with a an and by over two years said had during while who her his that was were "
    "late day days three port union work workers leader signed agreement deal pay wages rise percent across "
    "outside off ships vessels agents harbour shut put name ending lasted under accord night shifts earn "
    "allowance queued waiting anchor counted returned tuesday monday adds raises stoppage walkout leads dockers"
)
_EVERYDAY = EVERYDAY_WORDS.split()


def fillers() -> list[bytes]:
    rng = random.Random(3)
    values = []
    for i in range(30):
        words = [*rng.sample(_EVERYDAY, 40), *(f"zq{i}x{j}" for j in range(6))]
        rng.shuffle(words)
        values.append(raw(f"filler-{i}", " ".join(words), source="filler"))
    return values


def same_story_outputs(settings: Settings) -> tuple[IndexOutput, IndexOutput]:
    """The outputs of the first report of the Halden story and of its rewrite by another outlet."""
    values = [*fillers(), raw("halden-1", HALDEN[1], title=HALDEN[0], source="meridian"),
              raw("halden-2", HALDEN_REWRITE[1], title=HALDEN_REWRITE[0], source="harbour-times")]
    outputs = feed(PrepareStage(settings), IndexStage(settings), values)
    assert all(o.decision_status == "unique" for o in outputs[:-1])
    return outputs[-2], outputs[-1]


@pytest.fixture
def settings() -> Settings:
    return load_settings()


def raw(article_id: str, body: str, **fields: object) -> bytes:
    return orjson.dumps({"id": article_id, "source": "wire", "body": body, **fields})


def feed(prepare: PrepareStage, index: IndexStage, values: list[bytes], partition: int = 0,
         start_offset: int = 0) -> list[IndexOutput]:
    outputs = []
    for i, value in enumerate(values):
        provenance = Provenance("raw", partition, start_offset + i, 1_764_000_000_000, None)
        envelope = prepare.run(value, provenance, NOW + timedelta(seconds=i))
        outputs.append(index.run(envelope.to_bytes(), NOW + timedelta(seconds=i)))
    return outputs


def persisted(outputs: list[IndexOutput], stage: IndexStage) -> dict[bytes, bytes]:
    """The state topic after `outputs`, as a take-over reads it (the last value per key)."""
    state: dict[bytes, bytes] = {}
    for output in outputs:
        for key, value in output.state_updates:
            if value is None:
                state.pop(key, None)
            else:
                state[key] = value
    state[RAW_OFFSETS_KEY] = stage.raw_offsets_state()[1]
    return state


def targets(output: IndexOutput) -> list[str]:
    return [target for target, _, _ in output.messages]


def test_unique_copy_and_bad_input_each_take_one_path(settings: Settings) -> None:
    prepare, index = PrepareStage(settings), IndexStage(settings)
    outputs = feed(prepare, index, [raw("a", STORY), raw("b", STORY), b"not json", raw("c", OTHER)])
    assert targets(outputs[0]) == ["clean"]
    assert targets(outputs[1]) == ["events"]
    assert targets(outputs[2]) == ["dlq"]
    assert targets(outputs[3]) == ["clean"]
    record = orjson.loads(outputs[0].messages[0][2])
    assert record["dedup"] == {
        "status": "unique", "duplicate_of": None, "cluster_id": "a", "similarity": None, "evidence": None,
    }
    assert not schemas.problems("clean-article", record)
    event = orjson.loads(outputs[1].messages[0][2])
    assert (event["type"], event["duplicate_of"], event["cluster_id"]) == ("exact_duplicate", "a", "a")
    assert event["details"]["evidence"] == {"overlap": 1.0, "reason": "the same normalised text"}
    assert not schemas.problems("dedup-event", event)
    letter = orjson.loads(outputs[2].messages[0][2])
    assert letter["error"]["kind"] == "not_json"
    assert letter["source"]["offset"] == 2
    assert not schemas.problems("dead-letter", letter)


def test_forward_duplicates_publishes_copies_with_their_annotation() -> None:
    settings = load_settings(forward_duplicates=True)  # superseded by hold_back: it holds back nothing
    outputs = feed(PrepareStage(settings), IndexStage(settings), [raw("a", STORY), raw("b", STORY)])
    assert targets(outputs[1]) == ["clean", "events"]
    assert orjson.loads(outputs[1].messages[0][2])["dedup"]["status"] == "exact_duplicate"


def test_holding_back_nothing_publishes_copies_with_their_annotation() -> None:
    settings = load_settings(hold_back="")
    outputs = feed(PrepareStage(settings), IndexStage(settings), [raw("a", STORY), raw("b", STORY)])
    assert targets(outputs[1]) == ["clean", "events"]
    record = orjson.loads(outputs[1].messages[0][2])
    assert (record["dedup"]["status"], record["dedup"]["duplicate_of"]) == ("exact_duplicate", "a")
    assert not schemas.problems("clean-article", record)


def test_a_rewrite_of_a_story_is_published_with_its_annotation_by_default(settings: Settings) -> None:
    first, rewrite = same_story_outputs(settings)
    assert targets(first) == ["clean"]
    assert rewrite.decision_status == "same_story"
    assert targets(rewrite) == ["clean", "events"]
    record = orjson.loads(rewrite.messages[0][2])
    dedup = record["dedup"]
    assert (dedup["status"], dedup["duplicate_of"], dedup["cluster_id"]) == ("same_story", "halden-1", "halden-1")
    assert dedup["similarity"] < settings.threshold  # not a copy: the same story in other words
    evidence = dedup["evidence"]
    assert {"halden", "solberg"} <= set(evidence["rare_shared"])
    assert evidence["containment"] >= 0.6
    assert record["title"] == HALDEN_REWRITE[0]
    assert not schemas.problems("clean-article", record)
    event = orjson.loads(rewrite.messages[1][2])
    assert (event["type"], event["duplicate_of"], event["cluster_id"]) == ("same_story", "halden-1", "halden-1")
    assert event["details"]["evidence"] == evidence
    assert not schemas.problems("dedup-event", event)
    assert rewrite.findings == ["same_story"]


def test_a_rewrite_is_held_back_when_same_story_is_held_back() -> None:
    settings = load_settings(hold_back="exact_duplicate,near_duplicate,same_story")
    first, rewrite = same_story_outputs(settings)
    assert targets(first) == ["clean"]
    assert rewrite.decision_status == "same_story"
    assert targets(rewrite) == ["events"]


def test_copies_are_held_back_by_default_and_may_be_published_alone() -> None:
    edited = STORY.replace("Monday", "Tuesday")
    values = [raw("a", STORY), raw("b", STORY), raw("n", edited)]
    default = feed(PrepareStage(load_settings()), IndexStage(load_settings()), values)
    assert [o.decision_status for o in default] == ["unique", "exact_duplicate", "near_duplicate"]
    assert [targets(o) for o in default] == [["clean"], ["events"], ["events"]]
    settings = load_settings(hold_back="exact_duplicate")
    only_exact = feed(PrepareStage(settings), IndexStage(settings), values)
    assert [targets(o) for o in only_exact] == [["clean"], ["events"], ["clean", "events"]]


def test_stage_one_replays_are_dropped_by_raw_offset(settings: Settings) -> None:
    prepare, index = PrepareStage(settings), IndexStage(settings)
    first = feed(prepare, index, [raw("a", STORY), raw("c", OTHER)])
    assert all(not o.replayed for o in first)
    # Stage 1 crashed before committing and prepared the same raw offsets again.
    again = feed(prepare, index, [raw("a", STORY), raw("c", OTHER), b"[]"])
    assert [o.replayed for o in again] == [True, True, False]
    assert again[0].messages == []
    assert again[1].messages == []
    assert targets(again[2]) == ["dlq"]
    # Offsets are tracked per raw partition.
    other_partition = feed(prepare, index, [raw("d", STORY)], partition=1)
    assert targets(other_partition[0]) == ["events"]


def test_a_producer_resending_the_same_article_gets_nothing_published_twice(settings: Settings) -> None:
    prepare, index = PrepareStage(settings), IndexStage(settings)
    outputs = feed(prepare, index, [raw("a", STORY), raw("a", STORY)])
    assert targets(outputs[0]) == ["clean"]
    assert outputs[1].replayed
    assert outputs[1].messages == []
    assert outputs[1].decision_status == "unique"


def test_the_index_restored_from_its_state_decides_like_the_original(settings: Settings) -> None:
    prepare, index = PrepareStage(settings), IndexStage(settings)
    outputs = feed(prepare, index, [raw("a", STORY), raw("c", OTHER)])
    state = persisted(outputs, index)
    restored = IndexStage(settings)
    restored.restore(state.items())
    assert restored.size == index.size == 2
    copy = feed(prepare, restored, [raw("b", STORY.replace("Monday", "Tuesday"))], start_offset=2)[0]
    event = orjson.loads(copy.messages[0][2])
    assert (event["type"], event["duplicate_of"]) == ("near_duplicate", "a")
    replay = feed(prepare, restored, [raw("a", STORY)], start_offset=0)[0]
    assert replay.replayed


def test_oversized_input_is_a_dead_letter_with_its_bytes() -> None:
    settings = load_settings(max_message_bytes=2048)
    outputs = feed(PrepareStage(settings), IndexStage(settings), [raw("big", "word " * 1000)])
    letter = orjson.loads(outputs[0].messages[0][2])
    assert letter["error"]["kind"] == "too_large"
    assert outputs[0].dead_letter_kind == "too_large"
