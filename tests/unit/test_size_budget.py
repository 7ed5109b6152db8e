"""The size budget holds for the worst inputs: every record an input can produce fits its topic."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime

import orjson
import pytest

from newsdedup import schemas
from newsdedup.app.budget import EVIDENCE_LISTS, MAX_KEY_BYTES, SizeBudget, widest_evidence
from newsdedup.app.codecs import encode
from newsdedup.app.deadletter import Provenance
from newsdedup.app.envelope import Envelope
from newsdedup.app.stages import IndexStage, PrepareStage
from newsdedup.core import verdict
from newsdedup.core.pipeline import MAX_COMPARED_BYTES, bounded
from newsdedup.core.verdict import EVIDENCE_TERM_CHARS, EVIDENCE_TERMS
from newsdedup.errors import DeadLetterKind
from newsdedup.settings import Settings, load_settings

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
MIB = 1024 * 1024


@pytest.fixture
def settings() -> Settings:
    return load_settings()


def provenance(offset: int = 0, key: bytes | None = None) -> Provenance:
    return Provenance("raw", 0, offset, 1_764_000_000_000, key)


def article_of(article_id: str, size: int, letters: str = "abcdefghij klmnopqrstuvwxyz") -> bytes:
    """A valid article of exactly `size` bytes."""
    base = orjson.dumps({"id": article_id, "source": "wire", "body": ""})
    body = "".join(random.Random(article_id).choices(letters, k=size - len(base)))
    value = orjson.dumps({"id": article_id, "source": "wire", "body": body})
    assert len(value) == size
    return value


def incompressible(article_id: str, size: int) -> bytes:
    """A valid article of about `size` bytes of random letters of four scripts and spaces."""
    rng = random.Random(7)
    letters = [chr(c) for c in [*range(0x430, 0x450), *range(0x627, 0x64A), *range(0x4E00, 0x5E00)]] + [" "] * 30
    body = "".join(rng.choices(letters, k=size // 3))
    return orjson.dumps({"id": article_id, "source": "wire", "body": body})


def test_the_limits_keep_their_order_and_stay_under_a_broker_request() -> None:
    for max_input in (1024, MIB, 16 * MIB):
        budget = SizeBudget(max_input)
        assert budget.dead_letter < budget.output < budget.envelope <= budget.producer_request
        assert budget.raw >= budget.envelope - 512 * 1024
        assert budget.producer_request < 100 * 1000 * 1000  # the broker's socket.request.max.bytes default
        assert budget.fetch >= budget.topic_limit(budget.raw)


def test_an_article_of_exactly_the_limit_fits_every_topic_it_reaches(settings: Settings) -> None:
    budget = SizeBudget(settings.max_message_bytes)
    prepare, index = PrepareStage(settings), IndexStage(settings)
    value = article_of("at-limit", settings.max_message_bytes)
    envelope = prepare.run(value, provenance(), NOW)
    assert envelope.kind == "article"
    assert len(envelope.to_bytes()) <= budget.envelope
    output = index.run(envelope.to_bytes(), NOW)
    (target, _, record), = output.messages
    assert target == "clean"
    assert len(record) <= budget.output
    for _, state in output.state_updates:
        assert state is None or len(state) <= budget.state


def test_an_incompressible_text_keeps_a_bounded_index_entry(settings: Settings) -> None:
    budget = SizeBudget(settings.max_message_bytes)
    prepare, index = PrepareStage(settings), IndexStage(settings)
    value = incompressible("noise", 900_000)
    output = index.run(prepare.run(value, provenance(), NOW).to_bytes(), NOW)
    entry = next(state for key, state in output.state_updates if key == b"noise")
    assert entry is not None
    assert len(entry) <= budget.state
    # A copy is still an exact duplicate: the content hash covers the whole text, not the kept part.
    copy = value.replace(b'"noise"', b'"nois2"')
    decided = index.run(prepare.run(copy, provenance(1), NOW).to_bytes(), NOW)
    assert decided.decision_status == "exact_duplicate"


def test_bounded_keeps_whole_characters() -> None:
    text = "أ" * 10 + "b"  # two bytes a letter
    assert bounded(text, 7) == "أ" * 3
    assert bounded(text, 100) == text
    assert len(bounded("x" * (MAX_COMPARED_BYTES + 5), MAX_COMPARED_BYTES)) == MAX_COMPARED_BYTES


@pytest.mark.parametrize("size", [MIB + 1, 3 * MIB, 20 * MIB])
def test_a_too_large_input_becomes_a_dead_letter_that_fits(settings: Settings, size: int) -> None:
    budget = SizeBudget(settings.max_message_bytes)
    value = b"x" * size
    envelope = PrepareStage(settings).run(value, provenance(key=b"k" * (MAX_KEY_BYTES + 10)), NOW)
    assert envelope.kind == "dead"
    assert envelope.raw == b""  # the bytes travel once, inside the dead letter
    letter = orjson.loads(envelope.payload)
    assert len(envelope.payload) <= budget.dead_letter
    assert len(envelope.to_bytes()) <= budget.envelope
    assert letter["error"]["kind"] == "too_large"
    assert letter["value_truncated"] is True
    assert letter["value_size"] == size
    assert letter["value_sha256"] == hashlib.sha256(value).hexdigest()
    assert letter["key_truncated"] is True
    assert letter["key_size"] == MAX_KEY_BYTES + 10
    assert not schemas.problems("dead-letter", letter)


def test_a_small_dead_letter_carries_the_whole_input(settings: Settings) -> None:
    letter = orjson.loads(PrepareStage(settings).run(b"not json", provenance(), NOW).payload)
    assert "value_truncated" not in letter
    assert "value_sha256" not in letter


def test_an_overlong_key_makes_a_valid_article_a_dead_letter(settings: Settings) -> None:
    value = article_of("keyed", 2000)
    envelope = PrepareStage(settings).run(value, provenance(key=b"k" * (MAX_KEY_BYTES + 1)), NOW)
    letter = orjson.loads(envelope.payload)
    assert letter["error"]["kind"] == "too_large"
    assert "key" in letter["error"]["message"]


class _SmallOutputs(SizeBudget):
    @property
    def output(self) -> int:
        return 600


def test_an_article_whose_record_would_not_fit_is_a_dead_letter_before_it_is_decided(settings: Settings) -> None:
    prepare, index = PrepareStage(settings), IndexStage(settings)
    prepare.budget = _SmallOutputs(settings.max_message_bytes)
    value = article_of("wide", 700)
    envelope = prepare.run(value, provenance(), NOW)
    assert envelope.kind == "dead"
    letter = orjson.loads(envelope.payload)
    assert letter["error"]["kind"] == "too_large"
    assert "its clean record would be" in letter["error"]["message"]
    output = index.run(envelope.to_bytes(), NOW)
    assert [target for target, _, _ in output.messages] == ["dlq"]
    assert index.size == 0  # never indexed


def test_a_refused_article_becomes_a_dead_letter_and_its_replay_is_dropped(settings: Settings) -> None:
    prepare, index = PrepareStage(settings), IndexStage(settings)
    envelope = prepare.run(article_of("refused", 3000), provenance(5), NOW).to_bytes()
    output = index.refuse(envelope, DeadLetterKind.TOO_LARGE, "its record for clean is too large", NOW)
    (target, _, value), = output.messages
    assert target == "dlq"
    letter = orjson.loads(value)
    assert letter["error"] == {"kind": "too_large", "message": "its record for clean is too large", "exception": None}
    assert index.size == 0
    assert index.run(envelope, NOW).replayed


def test_envelope_of_a_dead_letter_round_trips(settings: Settings) -> None:
    envelope = PrepareStage(settings).run(b"\xff\xfe", provenance(3, b"key"), NOW)
    again = Envelope.from_bytes(envelope.to_bytes())
    assert again == envelope
    assert encode(orjson.loads(again.payload)) == again.payload


def test_the_widest_evidence_is_a_valid_evidence_object_at_its_bounds() -> None:
    evidence = widest_evidence()
    record = orjson.loads(article_of("w", 200))
    record |= {"dedup": {"status": "same_story", "duplicate_of": "x", "cluster_id": "x", "similarity": 0.5,
                         "evidence": evidence},
               "repetition": {"detected": False, "removed_chars": 0, "spans": []}}
    assert not schemas.problems("clean-article", record)
    assert verdict.EVIDENCE_TERMS == EVIDENCE_TERMS  # the core's bound, as the budget counts it
    for name in EVIDENCE_LISTS:
        assert len(evidence[name]) == EVIDENCE_TERMS
        assert all(len(term.encode("utf-8")) == 4 * EVIDENCE_TERM_CHARS - 3 for term in evidence[name])
    # Room for it in every record that carries it, beside the input's own bytes.
    budget = SizeBudget(MIB)
    assert len(encode(evidence)) < 16 * 1024
    assert len(encode(evidence)) + MAX_COMPARED_BYTES * 4 // 3 + 64 * 1024 < budget.state


LONG_WORD = "blob" + "q" * 20_000  # a pasted blob or a long URL: one "word" of the compared text


def test_evidence_terms_are_cut_to_the_length_the_budget_counts(settings: Settings) -> None:
    story = ("The port authority said on Monday that container traffic rose sharply in October, helped by two "
             "new shipping lines that began calling at the northern terminal in September. " + LONG_WORD)
    prepare, index = PrepareStage(settings), IndexStage(settings)
    values = [orjson.dumps({"id": "a", "source": "wire", "body": story}),
              orjson.dumps({"id": "b", "source": "paper", "body": story.replace("Monday", "Tuesday")})]
    outputs = [index.run(prepare.run(v, provenance(n), NOW).to_bytes(), NOW) for n, v in enumerate(values)]
    assert outputs[1].decision_status == "near_duplicate"
    event = orjson.loads(outputs[1].messages[-1][2])
    evidence = event["details"]["evidence"]
    assert any(term.startswith("blob") for term in evidence["rare_shared"])
    for name in EVIDENCE_LISTS:
        assert len(evidence.get(name, [])) <= EVIDENCE_TERMS
        assert all(len(term) <= EVIDENCE_TERM_CHARS for term in evidence.get(name, [])), name
