"""The garbage-collector policy of processes that hold the window index (the worker's index stage, scan).

The index is millions of small containers (datasketch files every article under 42 band sets), none of
them in a reference cycle: refcounting frees them when they leave the window. CPython's cyclic
collector still walks all of them in every full collection, which grows with the window (pauses of
150-350 ms were measured in the worker, docs/BENCHMARKS.md), and its young collections run every 700
allocations. So the process collects, then freezes what survived (gc.freeze: those objects are left out
of every later collection, and refcounting still frees them), and does so again every `every` articles:
a collection then only walks what the last few thousand articles allocated. Cyclic garbage is
collected before each freeze, so nothing unreachable is frozen; the cost is that a frozen object that
later becomes part of a garbage cycle is not reclaimed. The core stays free of this global state: the
adapters own the policy. bench/bench_core.py measures the core with and without it.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field

# Young collections every 10,000 allocations instead of 700; the older generations as CPython sets them.
YOUNG_THRESHOLD = 10_000


@dataclass
class CollectorPolicy:
    """Collect-and-freeze at start and every `every` articles; raise the young-generation threshold."""

    every: int = 10_000
    _since: int = field(default=0, init=False)

    def start(self) -> None:
        """Apply the thresholds and freeze what the process holds now (after start-up or a restore)."""
        _, middle, old = gc.get_threshold()
        gc.set_threshold(YOUNG_THRESHOLD, middle, old)
        self.freeze()

    def tick(self, articles: int = 1) -> None:
        """Count processed articles; collect and freeze once `every` of them have gone by."""
        self._since += articles
        if self._since >= self.every:
            self.freeze()

    def freeze(self) -> None:
        """Collect the cyclic garbage there is, then leave every surviving object out of later collections."""
        gc.collect()
        gc.freeze()
        self._since = 0
