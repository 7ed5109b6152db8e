"""Per-minute statistics of the index stage: counts per source and the service's lag and latency.

Rows are keyed by (processing-time minute, source); the service row has source None and sums the
counters over sources, plus the lag at the end of the minute's last transaction and the latency
distribution. A row's values are cumulative for its minute: after each transaction the writer
publishes every row the transaction changed, whole, so a reader keeps the last value per key. The
rows can be rebuilt from what was published (`restore`), which is how a new writer continues the
open minutes without losing or doubling any count. No clock is read: minutes are passed in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

COUNTERS = ("articles", "unique", "exact_duplicate", "near_duplicate", "same_story", "self_repetition",
            "repetition_chars_removed", "dead_letters")
STATUS_COUNTERS = frozenset({"unique", "exact_duplicate", "near_duplicate", "same_story"})
UNKNOWN_SOURCE = "(unknown)"  # the source of a dead letter whose input is unreadable
# Latency buckets grow by 2 %: bucket i holds values in (GROWTH**(i-1), GROWTH**i] ms (bucket 0: up to 1 ms),
# so a percentile read from them is within 2 % of the true one (and never above the maximum).
GROWTH = 1.02
_LOG_GROWTH = math.log(GROWTH)
QUANTILES = (("p50", 0.50), ("p90", 0.90), ("p99", 0.99))


def minute_of(moment: datetime) -> str:
    """The processing-time minute of `moment`, as the stats key writes it: 2026-12-02T18:05:00Z."""
    if moment.tzinfo is None:
        raise ValueError("the processing time must carry a UTC offset")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:00Z")


def row_key(minute: str, source: str | None) -> str:
    """The stats-topic key of a row: "<minute>|<source>", "<minute>|" for the service row."""
    return f"{minute}|{source or ''}"


@dataclass(slots=True)
class Latency:
    """A latency distribution in 2 % buckets, with the exact maximum and count; mergeable and storable."""

    buckets: dict[int, int] = field(default_factory=dict)
    count: int = 0
    max: float = 0.0

    def add(self, ms: float) -> None:
        """Count one latency in milliseconds."""
        ms = max(0.0, ms)
        index = 0 if ms <= 1.0 else math.ceil(math.log(ms) / _LOG_GROWTH - 1e-9)
        self.buckets[index] = self.buckets.get(index, 0) + 1
        self.count += 1
        self.max = max(self.max, ms)

    def quantile(self, q: float) -> float:
        """The q-quantile (bucket upper bound, at most the maximum), 0.0 when empty."""
        if not self.count:
            return 0.0
        rank = max(1, math.ceil(q * self.count))
        seen = 0
        for index in sorted(self.buckets):
            seen += self.buckets[index]
            if seen >= rank:
                return round(min(GROWTH**index, self.max), 1)
        return round(self.max, 1)

    def summary(self) -> dict[str, float | int]:
        """The service row's `latency_ms`."""
        out: dict[str, float | int] = {name: self.quantile(q) for name, q in QUANTILES}
        out["max"] = round(self.max, 1)
        out["count"] = self.count
        return out

    def buckets_json(self) -> dict[str, int]:
        """The buckets as the service row stores them (`latency_buckets`), so a new writer can continue them."""
        return {str(index): n for index, n in sorted(self.buckets.items())}

    @classmethod
    def from_json(cls, summary: Mapping[str, Any], buckets: Mapping[str, int] | None) -> Latency:
        """The distribution a service row describes."""
        found = {int(index): int(n) for index, n in (buckets or {}).items()}
        return cls(found, int(summary.get("count", sum(found.values()))), float(summary.get("max", 0.0)))


@dataclass(slots=True)
class _Minute:
    rows: dict[str | None, dict[str, int]] = field(default_factory=dict)  # source (None: service) -> counters
    latency: Latency = field(default_factory=Latency)
    lag: int = 0

    def row(self, source: str | None) -> dict[str, int]:
        found = self.rows.get(source)
        if found is None:
            found = self.rows[source] = dict.fromkeys(COUNTERS, 0)
        return found


class MinuteStats:
    """The open minutes' rows; `flush` gives the rows changed since the last flush, whole."""

    def __init__(self, keep_minutes: int = 15) -> None:
        self.keep = timedelta(minutes=keep_minutes)  # older minutes are forgotten (never written again)
        self._minutes: dict[str, _Minute] = {}
        self._changed: dict[tuple[str, str | None], None] = {}

    def count(self, minute: str, source: str | None, *, status: str | None = None, findings: Iterable[str] = (),
              repetition_chars: int = 0, dead_letter: bool = False, latency_ms: float | None = None) -> None:
        """Count one decided input of `source` (None or empty: unreadable) in `minute`."""
        name = source or UNKNOWN_SOURCE
        bucket = self._minutes.setdefault(minute, _Minute())
        adds: dict[str, int] = {}
        if status in STATUS_COUNTERS:
            adds["articles"] = 1
            adds[status] = 1
        for kind in findings:
            if kind == "self_repetition":
                adds["self_repetition"] = adds.get("self_repetition", 0) + 1
        if repetition_chars > 0:
            adds["repetition_chars_removed"] = repetition_chars
        if dead_letter:
            adds["dead_letters"] = 1
        for row in (bucket.row(name), bucket.row(None)):
            for counter, n in adds.items():
                row[counter] += n
        self._changed[(minute, name)] = None
        self._changed[(minute, None)] = None
        if latency_ms is not None:
            bucket.latency.add(latency_ms)

    def end_transaction(self, minute: str, lag: int) -> None:
        """The lag at the end of a transaction of `minute` (records behind on the index stage's input)."""
        self._minutes.setdefault(minute, _Minute()).lag = max(0, lag)
        self._changed[(minute, None)] = None

    def flush(self) -> list[tuple[str, dict[str, Any]]]:
        """(key, row) for every row changed since the last flush; then forget minutes past `keep`."""
        out = [(row_key(minute, source), self.row(minute, source)) for minute, source in self._changed]
        self._changed = {}
        if self._minutes:
            newest = max(_parse(m) for m in self._minutes)
            for minute in [m for m in self._minutes if _parse(m) < newest - self.keep]:
                del self._minutes[minute]
        return out

    def row(self, minute: str, source: str | None) -> dict[str, Any]:
        """The whole current row of (minute, source); source None is the service row."""
        bucket = self._minutes[minute]
        row: dict[str, Any] = {"minute": minute, "source": source, **bucket.row(source)}
        if source is None:
            row["lag"] = bucket.lag
            row["latency_ms"] = bucket.latency.summary()
            row["latency_buckets"] = bucket.latency.buckets_json()
        return row

    def restore(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Start again from published rows (the last value per key), dropping what was counted since."""
        self._minutes, self._changed = {}, {}
        for row in rows:
            bucket = self._minutes.setdefault(row["minute"], _Minute())
            source = row.get("source")
            bucket.rows[source] = {counter: int(row.get(counter, 0)) for counter in COUNTERS}
            if source is None:
                bucket.lag = int(row.get("lag", 0))
                bucket.latency = Latency.from_json(row.get("latency_ms") or {}, row.get("latency_buckets"))

    def minutes(self) -> Iterator[str]:
        """The minutes held, oldest first."""
        yield from sorted(self._minutes)


def _parse(minute: str) -> datetime:
    return datetime.fromisoformat(minute)
