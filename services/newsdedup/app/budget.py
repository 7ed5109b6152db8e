"""One size budget for every message the worker reads or writes, derived from NEWSDEDUP_MAX_MESSAGE_BYTES.

An input travels inside several envelopes, each larger than the input, and the broker refuses a record
batch over its topic's `max.message.bytes`. So every limit comes from the one setting M (the largest
input that is processed), with room for each envelope's overhead:

    raw       R = max(4 M, 32 MiB)        inputs past M still reach the worker, to become dead letters
    dead      D = ceil(4 M / 3) + 64 KiB   base64 of at most M original bytes, plus reason and key
    clean     O = 2 M + 64 KiB             the input's fields plus annotations (spans can be as long as a body)
    events    O                            a self-repetition event carries the spans too
    prepared  P = 3 M + 512 KiB            original bytes, prepared article (cleaned body, spans, packed
                                           compared text of at most MAX_COMPARED_BYTES) and header
    state     S = 1 MiB                    an index entry keeps at most MAX_COMPARED_BYTES of text and its
                                           decision's evidence (at most `widest_evidence()`)

A decision's evidence (core/verdict.py) is bounded by EVIDENCE_TERMS terms a list and EVIDENCE_TERM_CHARS
characters a term; stage 1 sizes every clean record and event with the widest evidence those allow.

Stage 1 measures every output an article can produce against these limits before the article goes
on, and turns one that would not fit into a `too_large` dead letter (a dead letter always fits: it
carries at most M original bytes). The worker creates its topics with `topic_limit()` of each and
checks existing topics against it at start-up, so a record within the budget is never refused; a
refusal then means the topic was changed behind the worker's back, which stops the index stage
loudly instead of losing output (docs/WORKER.md, "Size limits").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newsdedup.core.pipeline import MAX_COMPARED_BYTES
from newsdedup.core.verdict import EVIDENCE_TERM_CHARS, EVIDENCE_TERMS

KIB = 1024
MIB = 1024 * KIB
# A Kafka record batch holding one record adds its header (61 bytes) and the record's (about 20): a
# topic limit this much above the largest record always takes it, compressed or not.
BATCH_OVERHEAD = 1 * KIB
# The longest message key carried as it is; a longer key makes the input a dead letter.
MAX_KEY_BYTES = 16 * KIB
# The most of an error message a dead letter carries (exception texts can quote their input).
MAX_REASON_CHARS = 2000
# A decision's evidence (core/verdict.py): the lists of terms and figures it carries, at most EVIDENCE_TERMS
# each (verdict.EVIDENCE_TERMS), each term at most EVIDENCE_TERM_CHARS characters. A term is a word of the
# compared text, which can be one "word" of MAX_COMPARED_BYTES (a pasted blob, a long URL), so the core
# must cut terms to EVIDENCE_TERM_CHARS for this bound to hold (tests/unit/test_size_budget.py says
# whether it does).
EVIDENCE_LISTS = ("figures_only_earlier", "figures_only_later", "lead_new_figures",
                  "rare_shared", "rare_only_earlier", "rare_only_later", "lead_names_swapped")
# The evidence's other members: counts, scores of 4 decimals, and the verifier's reason (one of a few
# fixed sentences, all far shorter).
_EVIDENCE_REASON_CHARS = 256
_EVIDENCE_COUNT = 10**9


def widest_evidence() -> dict[str, Any]:
    """The largest evidence a decision can carry, in JSON bytes: every list full of the longest terms.

    Each term is EVIDENCE_TERM_CHARS characters of four UTF-8 bytes (the most a character takes, and JSON
    escapes none that a word holds); distinct, as the terms of one list are.
    """
    wide = "𐐀"  # DESERET CAPITAL LONG I: a letter, four bytes in UTF-8
    evidence: dict[str, Any] = {
        name: [f"{n}{wide * (EVIDENCE_TERM_CHARS - 1)}" for n in range(EVIDENCE_TERMS)] for name in EVIDENCE_LISTS
    }
    evidence.update(overlap=0.1234, containment=0.1234, cover=0.1234, figures_changed=_EVIDENCE_COUNT,
                    rare_shared_count=_EVIDENCE_COUNT, reason="x" * _EVIDENCE_REASON_CHARS)
    return evidence


@dataclass(frozen=True, slots=True)
class SizeBudget:
    """The largest record of each kind, in bytes; every topic's limit and client size follow from it."""

    max_input: int  # M: larger inputs become `too_large` dead letters

    @property
    def raw(self) -> int:
        """The largest raw message the raw topic takes (past it the broker refuses the producer)."""
        return max(4 * self.max_input, 32 * MIB)

    @property
    def dead_letter(self) -> int:
        """The largest dead-letter record: base64 of at most M original bytes, the reason and the key."""
        return -(-4 * self.max_input // 3) + 64 * KIB

    @property
    def output(self) -> int:
        """The largest clean record or event."""
        return 2 * self.max_input + 64 * KIB

    @property
    def envelope(self) -> int:
        """The largest message between the two stages."""
        return 3 * self.max_input + 512 * KIB

    @property
    def state(self) -> int:
        """The largest index-state record (an index entry keeps a bounded text)."""
        return max(MIB, 2 * MAX_COMPARED_BYTES)

    def topic_limit(self, record: int) -> int:
        """The `max.message.bytes` of a topic whose largest record is `record` bytes."""
        return record + BATCH_OVERHEAD

    @property
    def producer_request(self) -> int:
        """`max_request_size` for producers: the largest record the worker writes, with batch overhead."""
        return self.topic_limit(max(self.envelope, self.output, self.dead_letter, self.state))

    @property
    def fetch(self) -> int:
        """Per-partition fetch size for consumers: the largest record they read, with batch overhead."""
        return self.topic_limit(max(self.raw, self.envelope, self.state))
