"""A viral story and a template storm: what the index files and what a query reads stay bounded."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from newsdedup.core.article import parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.dedup import Deduplicator
from newsdedup.core.index import IndexEntry
from newsdedup.core.lsh import BandedLSH
from newsdedup.core.pipeline import prepare
from newsdedup.core.prepared import PreparedArticle
from newsdedup.core.signatures import SCHEME, Signer
from newsdedup.core.verdict import Verdict
from newsdedup.core.verify import DEFAULT_RULES
from tests.unit.newstexts import PARK

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
CONFIG = DetectionConfig()
NAMES = ["Orland", "Vesta", "Marrow", "Quill", "Tamsin", "Corvid", "Halden", "Brisk", "Nettle", "Oakum", "Pellam"]


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer(CONFIG)


def prep(signer: Signer, article_id: str, body: str, k: int) -> PreparedArticle:
    when = (T0 + timedelta(seconds=k)).isoformat().replace("+00:00", "Z")
    return prepare(parse_article({"id": article_id, "source": "s", "body": body, "published_at": when}), signer,
                   CONFIG)


def light_copy(text: str, rng: random.Random) -> str:
    words = text.split()
    for _ in range(3):
        words[rng.randrange(len(words))] = rng.choice(["said", "reported", "the"])
    return " ".join(words)


def notice(rng: random.Random) -> str:
    issuer = f"{rng.choice(NAMES)} {rng.choice(NAMES)}"
    return (f"{issuer} Finance is issuing a {rng.randint(50, 400)} mln stg eurobond due {rng.randint(1990, 2005)} "
            f"paying {rng.randint(6, 12)} pct and priced at {rng.randint(98, 102)} pct, lead manager "
            f"{rng.choice(NAMES)} Bank said. The bond is available in denominations of {rng.randint(1, 9)},000 stg "
            f"and will be listed in Luxembourg. Payment date is March {rng.randint(1, 28)}.")


def test_a_story_is_filed_through_its_canonical_and_a_few_members(signer: Signer) -> None:
    dedup = Deduplicator(CONFIG, signer)
    rng = random.Random(1)
    decisions = [dedup.process(prep(signer, "orig", PARK, 0), T0).decision]
    for k in range(1, 60):
        decisions.append(dedup.process(prep(signer, f"copy{k}", light_copy(PARK, rng), k), T0).decision)
    assert all(d.status == "near_duplicate" and d.cluster_id == "orig" for d in decisions[1:])
    assert dedup.index.searchable_members("orig") == 1 + DEFAULT_RULES.searchable_members
    exact = dedup.process(prep(signer, "exact", PARK, 61), T0)
    assert exact.decision.status == "exact_duplicate"
    assert exact.inserted is not None
    assert not exact.inserted.searchable  # the story has its few filed members already
    # What is filed is saved and restored as it was, so a restored index decides like the live one.
    restored = Deduplicator(CONFIG, signer)
    restored.index.restore(IndexEntry.from_json(orjson.loads(orjson.dumps(e.to_json())))
                           for e in dedup.index.entries())
    assert restored.index.searchable_members("orig") == dedup.index.searchable_members("orig")
    probe = light_copy(PARK, rng)
    live = dedup.process(prep(signer, "probe", probe, 70), T0).decision
    again = restored.process(prep(signer, "probe", probe, 70), T0).decision
    assert live == again


def test_members_beyond_the_few_are_found_again_once_earlier_ones_leave(signer: Signer) -> None:
    config = DetectionConfig(window_seconds=100.0)
    dedup = Deduplicator(config, signer)
    rng = random.Random(2)
    for k in range(40):
        dedup.process(prep(signer, f"c{k}", light_copy(PARK, rng), k), T0)
    # All but the newest have left; the story lives on through members filed after the first ones left.
    dedup.process(prep(signer, "late", light_copy(PARK, rng), 300), T0)
    assert dedup.process(prep(signer, "later", light_copy(PARK, rng), 301), T0).decision.duplicate_of == "late"


class _CountingDeduplicator(Deduplicator):
    """Counts the pairs judged for each decision (the cost that grew with the window)."""

    verified = 0

    def _judge(self, new: Any, old: Any, rarity: Any) -> Verdict:
        self.verified += 1
        return super()._judge(new, old, rarity)


def test_a_template_storm_costs_a_bounded_number_of_verifications(signer: Signer) -> None:
    unbounded = replace(DEFAULT_RULES, searchable_members=10**9, max_bucket=10**9, max_verified=10**9)
    bounded, reference = _CountingDeduplicator(CONFIG, signer), _CountingDeduplicator(CONFIG, signer, unbounded)
    rng = random.Random(3)
    texts = [notice(rng) for _ in range(400)]
    most = 0
    for k, text in enumerate(texts):
        article = prep(signer, f"n{k}", text, k)
        before = bounded.verified
        bounded.process(article, T0)
        reference.process(article, T0)
        most = max(most, bounded.verified - before)
    # The candidates, plus at most two checks against the canonical of each story they belong to.
    assert most <= 3 * DEFAULT_RULES.max_verified
    assert reference.verified > 10 * bounded.verified
    # A real copy of one issue is still found among them.
    copy = prep(signer, "copy", texts[123].replace("lead manager", "the lead manager"), 500)
    assert bounded.process(copy, T0).decision.status == "near_duplicate"


def test_a_query_skips_buckets_fuller_than_the_cap() -> None:
    lsh = BandedLSH(8, 4, 2, SCHEME)
    shared = [b"k0", b"k1", b"k2", b"k3"]
    for i in range(10):
        lsh.insert_keys(f"a{i}", [b"k0", f"x{i}".encode(), f"y{i}".encode(), f"z{i}".encode()])
    assert lsh.query_keys(shared) == {f"a{i}" for i in range(10)}
    assert lsh.query_keys(shared, max_bucket=9) == set()
    assert lsh.query_keys([b"k0", b"x3", b"y4", b"-"], max_bucket=9) == {"a3", "a4"}
