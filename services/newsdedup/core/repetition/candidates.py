"""Twin candidates among the sentences of one article: exact keys first, then MinHash-LSH.

A twin is a pair of sentences (i < j) whose character-shingle sets overlap enough to be the same
text, a near copy, or a reworded copy. Exact twins come from a dict of normalised sentences and cost
nothing beyond the normalisation. Near twins come from banding the sentences' MinHash signatures (the
b x r banding datasketch's MinHashLSH would use for the same threshold and num_perm), verified on
the exact shingle sets, which also give the containment needed to see a sentence glued to extra text.

The banding runs in a numba kernel over one (n, num_perm) signature matrix. datasketch's MinHashLSH
object answers the same question in about 1 ms for the seed's 15 comparable sentences (an index
built per article, one LeanMinHash and one insert + query per sentence): some 200 times the kernel,
and twice the whole per-article budget of the streaming path (docs/REPETITION.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from datasketch import MinHashLSH

from newsdedup.core.repetition import _kernels
from newsdedup.core.signatures import Signer


@dataclass(frozen=True, slots=True)
class Twin:
    """Two sentences that repeat each other: Jaccard and containment (of the smaller) of their shingles."""

    first: int
    second: int
    jaccard: float
    containment: float


@lru_cache(maxsize=16)
def banding(threshold: float, num_perm: int) -> tuple[int, int]:
    """The (bands, rows) datasketch's MinHashLSH picks for this threshold and num_perm (computed once)."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return int(lsh.b), int(lsh.r)


def lsh_pairs(signatures: npt.NDArray[np.uint32], bands: int, rows: int, floor: float) -> list[tuple[int, int]]:
    """Row pairs (i < j) agreeing on a whole band, with at least about `floor` of their values equal."""
    if signatures.shape[0] < 2:
        return []
    min_equal = max(1, int(floor * signatures.shape[1]))
    found = _kernels.band_pairs(signatures, bands, rows, min_equal)
    return [(int(row[0]), int(row[1])) for row in found]


def overlap(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> tuple[float, float]:
    """Jaccard similarity and containment of the smaller set, for two sorted unique hash arrays."""
    if a.size == 0 or b.size == 0:
        return 0.0, 0.0
    shared = np.intersect1d(a, b, assume_unique=True).size
    return shared / (a.size + b.size - shared), shared / min(a.size, b.size)


class Shingles:
    """The normalised sentences of one article and their shingle sets, computed on first use."""

    def __init__(self, signer: Signer, normalized: list[str]) -> None:
        self.signer = signer
        self.normalized = normalized
        self._sets: dict[int, npt.NDArray[np.uint32]] = {}

    def of(self, index: int) -> npt.NDArray[np.uint32]:
        """The sorted unique shingle hashes of sentence `index`."""
        found = self._sets.get(index)
        if found is None:
            found = self._sets[index] = self.signer.shingle_set(self.normalized[index])
        return found

    def union(self, indices: list[int]) -> npt.NDArray[np.uint32]:
        """The shingle set of several sentences together (shingles across their boundaries aside)."""
        if not indices:
            return np.empty(0, dtype=np.uint32)
        return np.unique(np.concatenate([self.of(i) for i in indices]))


def find_twins(
    shingles: Shingles, sketcher: Signer, *, bands: int, rows: int, min_chars: int, floor: float
) -> dict[tuple[int, int], Twin]:
    """Every twin pair (i < j) of an article's sentences, exact ones included, in (i, j) order.

    Sentences shorter than `min_chars` are matched exactly only (the 5-grams of ten characters say
    little); `floor` is the lowest Jaccard similarity kept.
    """
    normalized = shingles.normalized
    twins: dict[tuple[int, int], Twin] = {}
    seen: dict[str, list[int]] = {}
    if len(set(normalized)) < len(normalized):  # the common case, no repeat at all, costs one set
        for index, text in enumerate(normalized):
            if text:
                seen.setdefault(text, []).append(index)
    for group in seen.values():
        # Each copy pairs with the first and with the previous copy: linear in the number of copies
        # (a line printed 1,000 times must not make 500,000 pairs) and enough to chain repeated runs.
        for k in range(1, len(group)):
            for first in {group[0], group[k - 1]}:
                twins[(first, group[k])] = Twin(first, group[k], 1.0, 1.0)
    comparable = [i for i, text in enumerate(normalized) if len(text) >= min_chars]
    if len(comparable) < 2:
        return dict(sorted(twins.items()))
    signatures = sketcher.segment_signatures([normalized[i] for i in comparable])
    # A band collision between unrelated sentences is dropped on the estimate (with a margin of about
    # one standard error at 64 permutations) before the exact shingle sets are compared.
    for left, right in lsh_pairs(signatures, bands, rows, floor - 0.05):
        pair = (comparable[left], comparable[right])
        if pair in twins or normalized[pair[0]] == normalized[pair[1]]:
            continue  # exact repeats are paired above (linearly, however many copies there are)
        jaccard, containment = overlap(shingles.of(pair[0]), shingles.of(pair[1]))
        if jaccard >= floor or containment >= 0.9:
            twins[pair] = Twin(pair[0], pair[1], jaccard, containment)
    return dict(sorted(twins.items()))
