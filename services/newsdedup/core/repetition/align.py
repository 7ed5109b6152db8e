"""Runs of twins: a block of sentences whose twins follow later in the same order.

A chain is a list of twins (i1, j1), (i2, j2), ... with both sides increasing by one or two sentences
per step (a copy may drop, add or split one sentence between two that match) and the whole first
side before the whole second side. The heaviest chain, weighted by similarity times length, is the
best explanation of a repeated block; the detector takes chains one at a time, heaviest first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from newsdedup.core.repetition.candidates import Twin

_STEPS = ((1, 1), (1, 2), (2, 1), (2, 2))


def best_chain(pool: Mapping[tuple[int, int], Twin], weight: Callable[[Twin], float]) -> list[Twin]:
    """The heaviest in-order chain of twins in `pool` (non-empty), cut where its halves would overlap."""
    score: dict[tuple[int, int], float] = {}
    previous: dict[tuple[int, int], tuple[int, int] | None] = {}
    for key in sorted(pool):
        first, second = key
        best, link = 0.0, None
        for step_first, step_second in _STEPS:
            candidate = (first - step_first, second - step_second)
            found = score.get(candidate)
            if found is not None and found > best:
                best, link = found, candidate
        score[key] = best + weight(pool[key])
        previous[key] = link
    end: tuple[int, int] | None = max(score, key=score.__getitem__)
    chain: list[Twin] = []
    while end is not None:
        chain.append(pool[end])
        end = previous[end]
    chain.reverse()
    # The first copy must end before the second begins: "A B A B" aligned as (A,B)->(B,A) is two
    # repeats of a pair, not one block overlapping itself.
    second_start = chain[0].second
    return [twin for twin in chain if twin.first < second_start]


def extend(chain: list[Twin], compare: Callable[[int, int], Twin | None], count: int) -> list[Twin]:
    """Grow a chain along its diagonal, both ways, with twins the LSH banding missed.

    LSH finds a reworded twin at Jaccard 0.3 about two times in three; a block of several such twins
    is found through the others, and its missing ends are compared directly here.
    """
    grown = list(chain)
    while True:
        head = grown[0]
        first, second = head.first - 1, head.second - 1
        if first < 0 or second <= grown[-1].first:
            break
        twin = compare(first, second)
        if twin is None:
            break
        grown.insert(0, twin)
    while True:
        tail = grown[-1]
        first, second = tail.first + 1, tail.second + 1
        if first >= grown[0].second or second >= count:
            break
        twin = compare(first, second)
        if twin is None:
            break
        grown.append(twin)
    return grown
