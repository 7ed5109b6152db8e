"""The N stories with the widest coverage, kept up to date per record instead of re-ranked per tick.

A story's rank almost only grows (outlets and articles join it), so the top N changes by one story
at a time: an update compares the story with the weakest of the N (O(N), N about 10). Only when a
top story shrinks or leaves the window can a story outside take its place; then the top is marked
stale and the next read ranks every story once (heapq.nlargest, O(S log N)). bench/bench_dashboard.py
measures both paths against 10,000 live stories.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from typing import Any, Protocol

Rank = tuple[Any, ...]


class Ranked(Protocol):
    """Anything with a rank: a story."""

    @property
    def rank(self) -> Rank:
        """Larger is wider coverage."""
        ...


class TopStories:
    """The ids of the `n` highest-ranked stories."""

    def __init__(self, n: int) -> None:
        self.n = n
        self._top: dict[str, Rank] = {}
        self._stale = False
        self.full_ranks = 0  # how often every story was ranked (the slow path), for the benchmark

    def upsert(self, story_id: str, rank: Rank, old_rank: Rank | None) -> None:
        """A story was added or changed."""
        if self._stale:
            return  # the next read ranks everything anyway
        if story_id in self._top:
            if old_rank is not None and rank < old_rank:
                self._stale = True  # it may now rank below a story outside the top
            else:
                self._top[story_id] = rank
            return
        if len(self._top) < self.n:
            self._top[story_id] = rank  # fewer than n stories so far: every one is in the top
            return
        weakest = min(self._top, key=self._top.__getitem__)
        if rank > self._top[weakest]:
            del self._top[weakest]
            self._top[story_id] = rank

    def remove(self, story_id: str) -> None:
        """A story left the window."""
        if self._top.pop(story_id, None) is not None:
            self._stale = True  # the best story outside the top moves in: only a full ranking finds it

    def ranked(self, stories: Mapping[str, Ranked]) -> list[str]:
        """The top story ids, widest first."""
        if self._stale:
            best = heapq.nlargest(self.n, stories.items(), key=lambda item: item[1].rank)
            self._top = {story_id: story.rank for story_id, story in best}
            self._stale = False
            self.full_ranks += 1
        return sorted(self._top, key=self._top.__getitem__, reverse=True)
