"""bench/exact_pairs.py, the evaluation's ground truth, against brute force."""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pytest

from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "bench"))
from exact_pairs import similar_pairs


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.8])
def test_similar_pairs_equal_brute_force(threshold: float) -> None:
    rng = np.random.default_rng(4)
    base = [np.unique(rng.integers(0, 400, size=rng.integers(5, 80))).astype(np.uint32) for _ in range(60)]
    sets = list(base)
    for _ in range(90):  # near copies: part of a base set plus a few new values
        source = base[rng.integers(len(base))]
        kept = source[rng.random(source.size) < rng.uniform(0.4, 1.0)]
        sets.append(np.unique(np.concatenate([kept, rng.integers(0, 400, size=rng.integers(0, 20))])).astype(np.uint32))
    expected = {}
    for i, j in itertools.combinations(range(len(sets)), 2):
        common = len(set(sets[i].tolist()) & set(sets[j].tolist()))
        if common / (sets[i].size + sets[j].size - common) >= threshold:
            expected[(i, j)] = common
    a, b, inter = similar_pairs(sets, threshold)
    assert dict(zip(zip(a.tolist(), b.tolist(), strict=True), inter.tolist(), strict=True)) == expected
    assert expected  # the draw has pairs at every threshold tested
