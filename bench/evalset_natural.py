"""Natural copies for the evaluation set: stories from read verdicts, groups that must meet, time slots.

A *story* is a set of articles labelled the same story; a *group* is a set of articles that must be
compared (a story, or stories a reader compared and called different). Relations nobody read must
never be scored, so groups whose articles resemble each other (Jaccard >= RISKY) without a verdict
go to different time slots, further apart than the detection window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from evalkit import read_tsv
from exact_pairs import similar_pairs

# Below this Jaccard of the compared texts, majority overlap is at most 2J/(1+J) = 0.4: no pair can be
# flagged at any threshold of 0.4 or more, so a relation below it does not need a label.
RISKY = 0.25


class UnionFind:
    """Disjoint sets over hashable keys (the earliest-added key of a set is not guaranteed its root)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        """The root of `key`'s set (path halving)."""
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: str, b: str) -> None:
        """Merge the sets of `a` and `b`."""
        self.parent[self.find(a)] = self.find(b)


def read_verdicts(eval_dir: Path) -> dict[frozenset[str], str]:
    """Every pair a reader labelled in docs/eval (URL pair -> same | different | roundup | related)."""
    verdicts: dict[frozenset[str], set[str]] = {}
    for path in sorted(eval_dir.glob("*verdicts.tsv")):
        for row in read_tsv(path):
            verdicts.setdefault(frozenset((row["url_earlier"], row["url_later"])), set()).add(row["verdict"])
    for row in read_tsv(eval_dir / "snn-labelled-pairs.tsv"):
        verdicts.setdefault(frozenset((row["url_a"], row["url_b"])), set()).add(row["verdict"])
    # Two readings that disagree make the pair ambiguous, like a 'related' verdict.
    return {pair: next(iter(v)) if len(v) == 1 else "related" for pair, v in verdicts.items()}


def risky_pairs(sets: Sequence[npt.NDArray[np.uint32]]) -> list[tuple[int, int, float]]:
    """(i, j, Jaccard) of every pair of compared texts at Jaccard >= RISKY (exact, PPJoin)."""
    a, b, inter = similar_pairs(list(sets), RISKY)
    sizes = np.array([s.size for s in sets], dtype=np.int64)
    jaccard = inter / (sizes[a] + sizes[b] - inter)
    return list(zip(a.tolist(), b.tolist(), jaccard.tolist(), strict=True))


def pack_slots(groups: Sequence[Sequence[str]], conflicts: Iterable[tuple[str, str]]) -> list[int]:
    """A slot per group (greedy colouring in the given order) so that no two conflicting groups share one."""
    group_of = {key: g for g, members in enumerate(groups) for key in members}
    neighbours: list[set[int]] = [set() for _ in groups]
    for a, b in conflicts:
        ga, gb = group_of.get(a), group_of.get(b)
        if ga is not None and gb is not None and ga != gb:
            neighbours[ga].add(gb)
            neighbours[gb].add(ga)
    slots: list[int] = []
    for g in range(len(groups)):
        taken = {slots[n] for n in neighbours[g] if n < g}
        slots.append(next(s for s in range(len(groups) + 1) if s not in taken))
    return slots
