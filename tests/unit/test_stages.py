"""The worker's stages without a broker: envelopes in, messages and index changes out."""

from __future__ import annotations

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
    assert record["dedup"] == {"status": "unique", "duplicate_of": None, "cluster_id": "a", "similarity": None}
    assert not schemas.problems("clean-article", record)
    event = orjson.loads(outputs[1].messages[0][2])
    assert (event["type"], event["duplicate_of"], event["cluster_id"]) == ("exact_duplicate", "a", "a")
    assert not schemas.problems("dedup-event", event)
    letter = orjson.loads(outputs[2].messages[0][2])
    assert letter["error"]["kind"] == "not_json"
    assert letter["source"]["offset"] == 2
    assert not schemas.problems("dead-letter", letter)


def test_forward_duplicates_publishes_copies_with_their_annotation() -> None:
    settings = load_settings(forward_duplicates=True)
    outputs = feed(PrepareStage(settings), IndexStage(settings), [raw("a", STORY), raw("b", STORY)])
    assert targets(outputs[1]) == ["clean", "events"]
    assert orjson.loads(outputs[1].messages[0][2])["dedup"]["status"] == "exact_duplicate"


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
    state: dict[bytes, bytes] = {}
    for output in outputs:
        for key, value in output.state_updates:
            if value is None:
                state.pop(key, None)
            else:
                state[key] = value
    state[RAW_OFFSETS_KEY] = index.raw_offsets_state()[1]
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
