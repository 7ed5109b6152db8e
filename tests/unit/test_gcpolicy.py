"""The collector policy: thresholds raised, survivors frozen at start and every N articles, garbage still collected."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from newsdedup.gcpolicy import YOUNG_THRESHOLD, CollectorPolicy


@pytest.fixture(autouse=True)
def restore_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_start_raises_the_young_threshold_and_freezes_survivors() -> None:
    kept = [_Node() for _ in range(100)]
    CollectorPolicy().start()
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    assert gc.get_freeze_count() >= len(kept)


def test_tick_freezes_again_after_every_articles() -> None:
    policy = CollectorPolicy(every=3)
    policy.start()
    frozen = gc.get_freeze_count()
    later = [_Node() for _ in range(50)]
    policy.tick(2)
    assert gc.get_freeze_count() == frozen  # not yet
    policy.tick()
    assert gc.get_freeze_count() >= frozen + len(later)


def test_cyclic_garbage_is_collected_before_it_could_be_frozen() -> None:
    import weakref

    a, b = _Node(), _Node()
    a.other, b.other = b, a
    probe = weakref.ref(a)
    del a, b  # unreachable, but only the cyclic collector can free it
    CollectorPolicy().start()
    assert probe() is None
