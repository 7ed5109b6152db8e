"""Every pair of sets with Jaccard >= t, exactly, without comparing all pairs (the evaluation's ground truth).

PPJoin (Xiao et al., "Efficient similarity joins for near duplicate detection", WWW 2008): tokens are
ranked rarest first; two sets with Jaccard >= t must share a token among the first
|x| - ceil(t|x|) + 1 of the larger one's ranked tokens (the prefix), so an inverted index over
prefixes yields the candidates; a size filter, a positional filter and an early-terminating merge
discard most of them before their overlap is counted exactly. Compiled with numba.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numba
import numpy as np
import numpy.typing as npt

_EPS = 1e-9


@numba.njit(cache=True)
def _join(indptr, toks, sizes, t, lst_ptr, lst_doc, lst_pos, cap):  # type: ignore[no-untyped-def]
    n = sizes.shape[0]
    acc = np.zeros(n, np.int64)
    touched = np.empty(n, np.int64)
    start = lst_ptr[:-1].copy()
    out_a = np.empty(cap, np.int64)
    out_b = np.empty(cap, np.int64)
    out_i = np.empty(cap, np.int64)
    found = 0
    for x in range(n):  # sets are numbered in processing order: size ascending
        sx = sizes[x]
        if sx == 0:
            continue
        probe = min(sx - math.ceil(t * sx - _EPS) + 1, sx)
        nt = 0
        for i in range(probe):
            w = toks[indptr[x] + i]
            k = start[w]
            end = lst_ptr[w + 1]
            while k < end:
                y = lst_doc[k]
                if y >= x:
                    break
                sy = sizes[y]
                if sy < t * sx - _EPS:  # too small for x, and for every larger set after x
                    start[w] = k + 1
                    k += 1
                    continue
                if acc[y] >= 0:
                    if acc[y] == 0:
                        touched[nt] = y
                        nt += 1
                    alpha = math.ceil(t / (1.0 + t) * (sx + sy) - _EPS)
                    if acc[y] + min(sx - i, sy - lst_pos[k]) >= alpha:
                        acc[y] += 1
                    else:
                        acc[y] = -1  # the positional filter: it cannot reach alpha any more
                k += 1
        for q in range(nt):
            y = touched[q]
            if acc[y] > 0:
                sy = sizes[y]
                alpha = math.ceil(t / (1.0 + t) * (sx + sy) - _EPS)
                p, pe = indptr[x], indptr[x + 1]
                r, re_ = indptr[y], indptr[y + 1]
                c = 0
                while p < pe and r < re_:
                    if c + min(pe - p, re_ - r) < alpha:
                        break
                    if toks[p] == toks[r]:
                        c += 1
                        p += 1
                        r += 1
                    elif toks[p] < toks[r]:
                        p += 1
                    else:
                        r += 1
                if c >= alpha and c / (sx + sy - c) >= t - _EPS:
                    if found < cap:
                        out_a[found] = y
                        out_b[found] = x
                        out_i[found] = c
                    found += 1
            acc[y] = 0
    return out_a, out_b, out_i, found


def similar_pairs(
    sets: Sequence[npt.NDArray[np.uint32]], threshold: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(i, j, |set_i ∩ set_j|) with i < j for every pair whose Jaccard is at least `threshold`.

    `sets` are sorted arrays of distinct values (Signer.shingle_set).
    """
    n = len(sets)
    lens = np.array([len(s) for s in sets], dtype=np.int64)
    if n < 2:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    values = np.concatenate(sets)
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    rank = np.empty(len(counts), np.int64)
    rank[np.argsort(counts, kind="stable")] = np.arange(len(counts))  # rarest token first
    tokens = rank[inverse]
    order = np.argsort(lens, kind="stable")
    offsets = np.concatenate([[0], np.cumsum(lens)])
    sizes = lens[order]
    indptr = np.concatenate([[0], np.cumsum(sizes)])
    toks = np.concatenate([np.sort(tokens[offsets[d] : offsets[d + 1]]) for d in order]).astype(np.int64)
    # Sets processed in increasing size only need to index a shorter prefix (Bayardo et al. 2007).
    index_len = np.minimum(sizes - np.ceil(2 * threshold / (1 + threshold) * sizes - _EPS).astype(np.int64) + 1, sizes)
    index_len = np.maximum(index_len, 0)
    doc = np.repeat(np.arange(n), index_len)
    pos = np.concatenate([np.arange(k) for k in index_len])
    tok = toks[indptr[doc] + pos]
    by_token = np.lexsort((doc, tok))
    lst_doc, lst_pos, tok = doc[by_token], pos[by_token], tok[by_token]
    lst_ptr = np.searchsorted(tok, np.arange(len(counts) + 1))
    cap = 1 << 20
    while True:
        a, b, inter, found = _join(indptr, toks, sizes, float(threshold), lst_ptr, lst_doc, lst_pos, cap)
        if found <= cap:
            break
        cap = found
    a, b, inter = order[a[:found]], order[b[:found]], inter[:found]
    return np.minimum(a, b), np.maximum(a, b), inter
