"""The numba kernels of the repetition analysis: segmentation and LSH banding.

Both run on every article of the stream. A regular expression finding sentence ends in a 3 KB body
costs 40-100 µs in CPython's engine (it tries every position), the kernel a few µs; numpy banding
costs about 15 calls of 2-5 µs each, the kernel one call.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from newsdedup.core.compiled import jit

NEWLINE = 10
_TABLE_SIZE = 0x10000


def _inline(func: Any) -> Any:
    """A small helper compiled into its callers (a call per character would cost more than its work)."""
    return jit(func, inline="always")


def char_table(chars: str) -> npt.NDArray[np.bool_]:
    """A lookup table over the BMP marking the given characters."""
    table = np.zeros(_TABLE_SIZE, dtype=np.bool_)
    table[[ord(char) for char in chars]] = True
    table.setflags(write=False)
    return table


def space_table() -> npt.NDArray[np.bool_]:
    """A lookup table over the BMP marking what str.isspace() accepts (newlines included)."""
    table = np.array([chr(code).isspace() for code in range(_TABLE_SIZE)], dtype=np.bool_)
    table.setflags(write=False)
    return table


def word_key(word: str) -> int:
    """An ASCII word of up to 7 lowercase letters packed into an int, as the kernel packs them."""
    key = 0
    for char in word:
        key = key * 128 + ord(char)
    return key


@_inline
def _is(table: np.ndarray, code: int) -> bool:
    return code < table.shape[0] and bool(table[code])


@_inline
def _is_digit(code: int) -> bool:
    return 0x30 <= code <= 0x39 or 0x660 <= code <= 0x669 or 0x6F0 <= code <= 0x6F9


@_inline
def _is_ascii_letter(code: int) -> bool:
    return 0x41 <= code <= 0x5A or 0x61 <= code <= 0x7A


@jit
def _keeps_sentence(cps: np.ndarray, dot: int, line_start: int, abbreviations: np.ndarray) -> bool:
    """True when the period at `dot` ends an abbreviation, an initial or a list number ("1.")."""
    if cps[dot] != 0x2E:
        return False
    start = dot
    while start > line_start and _is_digit(cps[start - 1]):
        start -= 1
    if start == line_start and 1 <= dot - start <= 3:
        return True
    start = dot
    while start > 0 and _is_ascii_letter(cps[start - 1]):
        start -= 1
    length = dot - start
    if length == 0 or (start > 0 and (_is_ascii_letter(cps[start - 1]) or _is_digit(cps[start - 1]))):
        return False
    if length == 1:
        return True
    if length > 7:
        return False
    key = 0
    for k in range(start, dot):
        key = key * 128 + (cps[k] | 0x20)
    for known in abbreviations:  # noqa: SIM110 - numba compiles no generator expressions
        if known == key:
            return True
    return False


@jit
def scan(
    cps: np.ndarray, space: np.ndarray, terminator: np.ndarray, closer: np.ndarray, abbreviations: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sentences (start, end, line), lines (start, end, paragraph) and paragraphs (start, end).

    Ends exclude surrounding whitespace. A sentence ends at a run of terminators (and closing marks)
    followed by a space and more text on the same line, or at the end of its line; a paragraph ends
    at a blank line.
    """
    n = cps.shape[0]
    bound = 2  # every sentence, line and paragraph but the last ends at a newline or a terminator
    for i in range(n):
        if cps[i] == NEWLINE or _is(terminator, cps[i]):
            bound += 1
    sentences = np.empty((bound, 3), dtype=np.int64)
    lines = np.empty((bound, 3), dtype=np.int64)
    paragraphs = np.empty((bound, 2), dtype=np.int64)
    ns = nl = np_ = 0
    sentence_start = line_start = paragraph_start = -1
    last_end = 0
    newlines = 0
    i = 0
    while i <= n:
        code = cps[i] if i < n else NEWLINE
        if code == NEWLINE:
            if sentence_start >= 0:
                sentences[ns, 0], sentences[ns, 1], sentences[ns, 2] = sentence_start, last_end, nl
                ns += 1
                sentence_start = -1
            if line_start >= 0:
                lines[nl, 0], lines[nl, 1], lines[nl, 2] = line_start, last_end, np_
                nl += 1
                line_start = -1
            newlines += 1
            if (newlines >= 2 or i == n) and paragraph_start >= 0:
                paragraphs[np_, 0], paragraphs[np_, 1] = paragraph_start, lines[nl - 1, 1]
                np_ += 1
                paragraph_start = -1
            i += 1
            continue
        if _is(space, code):
            i += 1
            continue
        newlines = 0
        if paragraph_start < 0:
            paragraph_start = i
        if line_start < 0:
            line_start = i
        if sentence_start < 0:
            sentence_start = i
        if not _is(terminator, code):
            last_end = i + 1
            i += 1
            continue
        j = i
        while j < n and _is(terminator, cps[j]):
            j += 1
        while j < n and _is(closer, cps[j]):
            j += 1
        last_end = j
        k = j
        while k < n and cps[k] != NEWLINE and _is(space, cps[k]):
            k += 1
        if j < k < n and cps[k] != NEWLINE and not _keeps_sentence(cps, i, line_start, abbreviations):
            sentences[ns, 0], sentences[ns, 1], sentences[ns, 2] = sentence_start, j, nl
            ns += 1
            sentence_start = -1
        i = j
    return sentences[:ns], lines[:nl], paragraphs[:np_]


_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant: folds a band's rows into one key


_ALL_PAIRS = 64  # up to this many rows, comparing every pair band by band beats sorting each band


@jit
def _equal_values(signatures: np.ndarray, i: int, j: int) -> int:
    equal = 0
    for column in range(signatures.shape[1]):
        if signatures[i, column] == signatures[j, column]:
            equal += 1
    return equal


@jit
def _band_pairs_small(signatures: np.ndarray, bands: int, rows: int, min_equal: int) -> np.ndarray:
    """band_pairs for a few rows: every pair, stopping at the first band they share."""
    count = signatures.shape[0]
    out = np.empty((count * (count - 1) // 2, 3), dtype=np.int64)
    kept = 0
    for i in range(count):
        for j in range(i + 1, count):
            for band in range(bands):
                same = True
                for row in range(band * rows, band * rows + rows):
                    if signatures[i, row] != signatures[j, row]:
                        same = False
                        break
                if same:
                    equal = _equal_values(signatures, i, j)
                    if equal >= min_equal:
                        out[kept, 0], out[kept, 1], out[kept, 2] = i, j, equal
                        kept += 1
                    break
    return out[:kept]


@jit
def band_pairs(signatures: np.ndarray, bands: int, rows: int, min_equal: int) -> np.ndarray:
    """LSH over the rows of a signature matrix: (i, j, equal values) for i < j sharing a band.

    Rows whose keys are equal in a band are adjacent once the band's keys are sorted, so each band
    costs a sort; a group of k equal rows yields its k - 1 neighbouring pairs (exact repeats are
    paired separately). Pairs with fewer than `min_equal` equal signature values are dropped.
    """
    count = signatures.shape[0]
    if count <= _ALL_PAIRS:
        small: np.ndarray = _band_pairs_small(signatures, bands, rows, min_equal)
        return small
    found = np.empty(bands * max(count - 1, 0), dtype=np.int64)
    total = 0
    keys = np.empty(count, dtype=np.uint64)
    for band in range(bands):
        for i in range(count):
            key = np.uint64(0)
            for row in range(band * rows, band * rows + rows):
                key = key * _MIX + np.uint64(signatures[i, row])
            keys[i] = key
        order = np.argsort(keys, kind="mergesort")  # stable: equal rows stay in text order
        for k in range(1, count):
            a, b = order[k - 1], order[k]
            if keys[a] == keys[b]:
                found[total] = min(a, b) * count + max(a, b)
                total += 1
    codes = np.unique(found[:total])
    out = np.empty((codes.shape[0], 3), dtype=np.int64)
    kept = 0
    for code in codes:
        i, j = code // count, code % count
        equal = _equal_values(signatures, i, j)
        if equal >= min_equal:
            out[kept, 0], out[kept, 1], out[kept, 2] = i, j, equal
            kept += 1
    return out[:kept]
