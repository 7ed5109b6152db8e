"""Per-minute statistics: cumulative rows per source and for the service, and a restore that continues them."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from newsdedup import schemas
from newsdedup.core.minute_stats import COUNTERS, Latency, MinuteStats, minute_of, row_key

M1, M2 = "2026-12-02T18:05:00Z", "2026-12-02T18:06:00Z"


def test_minute_and_key() -> None:
    assert minute_of(datetime(2026, 12, 2, 18, 5, 59, 999000, tzinfo=UTC)) == M1
    assert (row_key(M1, "reuters"), row_key(M1, None)) == (f"{M1}|reuters", f"{M1}|")
    with pytest.raises(ValueError, match="UTC"):
        minute_of(datetime(2026, 12, 2, 18, 5))


def test_rows_count_per_source_and_the_service_row_sums_them() -> None:
    stats = MinuteStats()
    stats.count(M1, "reuters", status="unique", latency_ms=10)
    stats.count(M1, "afp", status="near_duplicate", findings=["near_duplicate", "self_repetition"],
                repetition_chars=120, latency_ms=30)
    stats.count(M1, None, dead_letter=True, latency_ms=5)
    stats.end_transaction(M1, 7)
    rows = dict(stats.flush())
    assert set(rows) == {f"{M1}|reuters", f"{M1}|afp", f"{M1}|(unknown)", f"{M1}|"}
    afp = rows[f"{M1}|afp"]
    assert afp == {"minute": M1, "source": "afp", "articles": 1, "unique": 0, "exact_duplicate": 0,
                   "near_duplicate": 1, "same_story": 0, "self_repetition": 1, "repetition_chars_removed": 120,
                   "dead_letters": 0}
    service = rows[f"{M1}|"]
    assert service["source"] is None
    assert {c: service[c] for c in COUNTERS} == {
        c: sum(rows[k][c] for k in rows if k != f"{M1}|") for c in COUNTERS}
    assert (service["articles"], service["dead_letters"], service["lag"]) == (2, 1, 7)
    assert service["latency_ms"]["count"] == 3
    assert service["latency_ms"]["max"] == 30.0
    for row in rows.values():
        assert not schemas.problems("stats", row), row
    # The next transaction rewrites only the rows it changed, whole (cumulative for the minute).
    stats.count(M1, "afp", status="exact_duplicate")
    again = dict(stats.flush())
    assert set(again) == {f"{M1}|afp", f"{M1}|"}
    assert (again[f"{M1}|afp"]["articles"], again[f"{M1}|"]["articles"]) == (2, 3)


def test_latency_quantiles_are_within_two_percent() -> None:
    rng = random.Random(4)
    values = [rng.lognormvariate(3, 1) for _ in range(5000)]
    latency = Latency()
    for v in values:
        latency.add(v)
    ordered = sorted(values)
    for q in (0.5, 0.9, 0.99):
        true = ordered[max(0, int(q * len(ordered) + 0.999999) - 1)]
        assert true <= latency.quantile(q) <= true * 1.021
    assert latency.quantile(1.0) == round(max(values), 1)
    assert Latency().summary() == {"p50": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0, "count": 0}


def test_a_restore_from_the_published_rows_neither_loses_nor_doubles_a_minute() -> None:
    rng = random.Random(9)
    sources = ["reuters", "afp", "spa", None]
    uninterrupted, restarted = MinuteStats(), MinuteStats()
    published: dict[str, dict[str, object]] = {}
    for transaction in range(60):
        minute = M1 if transaction < 30 else M2
        items = [(rng.choice(sources), rng.choice(["unique", "near_duplicate", None]), rng.uniform(1, 90))
                 for _ in range(rng.randint(1, 5))]
        for stats in (uninterrupted, restarted):
            for source, status, ms in items:
                stats.count(minute, source, status=status, dead_letter=status is None, latency_ms=ms)
            stats.end_transaction(minute, transaction)
        uninterrupted.flush()
        if transaction in (10, 40):
            # A transaction counted, then aborted: the new writer starts from what was published.
            restarted.restore(published.values())
            for source, status, ms in items:
                restarted.count(minute, source, status=status, dead_letter=status is None, latency_ms=ms)
            restarted.end_transaction(minute, transaction)
        published.update(restarted.flush())
    for minute in (M1, M2):
        for source in ["reuters", "afp", "spa", "(unknown)", None]:
            assert published[row_key(minute, source)] == uninterrupted.row(minute, source)
