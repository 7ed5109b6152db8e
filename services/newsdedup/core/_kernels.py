"""The numba kernels behind signatures.py: shingle hashing and affine32 MinHash over code points.

Arithmetic: numba widens uint32 operations to uint64, so every step is written in uint64 and cut
back to 32 bits with np.uint32(...), which LLVM turns into plain 32-bit (vectorised) instructions.

Compiled with core/compiled.py's `jit` (cached on disk where a cache directory is writable).
"""

from __future__ import annotations

import numpy as np

from newsdedup.core.compiled import jit

# MurmurHash3 x86_32 constants (one 4-byte block per code point).
C1 = 0xCC9E2D51
C2 = 0x1B873593
N = 0xE6546B64
EMPTY = 0xFFFFFFFF
# Markers in the fold table (normalize.py builds it).
DELETE = -1
SPACE = -2
COMPLEX = -3  # case folding gives several characters: the caller folds case in Python instead

_C1 = np.uint64(C1)
_C2 = np.uint64(C2)
_N = np.uint64(N)
_FIVE = np.uint64(5)
_M1 = np.uint64(0x85EBCA6B)  # fmix32 multipliers (murmur3 finaliser, also datasketch's pre-mix)
_M2 = np.uint64(0xC2B2AE35)


@jit
def _block_keys(cps: np.ndarray) -> np.ndarray:
    """murmur3's per-block mixing of each code point (it depends on the code point alone)."""
    keys = np.empty(cps.shape[0], dtype=np.uint32)
    for i in range(cps.shape[0]):
        k = np.uint32(np.uint64(cps[i]) * _C1)
        k = np.uint32((k << np.uint32(15)) | (k >> np.uint32(17)))
        keys[i] = np.uint32(np.uint64(k) * _C2)
    return keys


@jit
def _fmix32(x: np.uint32) -> np.uint32:
    x ^= x >> np.uint32(16)
    x = np.uint32(np.uint64(x) * _M1)
    x ^= x >> np.uint32(13)
    x = np.uint32(np.uint64(x) * _M2)
    return x ^ (x >> np.uint32(16))


@jit
def _span_hashes(keys: np.ndarray, start: int, stop: int, n: int) -> np.ndarray:
    """murmur3_x86_32 (seed 0) of every shingle of n code points in keys[start:stop].

    The loops run position-parallel (all shingles advance one code point per outer step) rather than
    shingle by shingle: murmur's steps form a serial dependency chain, and this order lets LLVM
    vectorise across shingles (10x faster than hashing one shingle after another).
    """
    length = stop - start
    if length <= 0:
        return np.empty(0, dtype=np.uint32)
    width = n if length >= n else length  # text shorter than n is one shingle: the whole text
    count = length - width + 1
    h = np.zeros(count, dtype=np.uint32)
    for j in range(width):
        for i in range(count):
            x = h[i] ^ keys[start + i + j]
            x = np.uint32((x << np.uint32(13)) | (x >> np.uint32(19)))
            h[i] = np.uint32(np.uint64(x) * _FIVE + _N)
    tail = np.uint32(4 * width)
    for i in range(count):
        h[i] = _fmix32(h[i] ^ tail)
    return h


@jit
def _min_affine(hashes: np.ndarray, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """datasketch affine32: out[k] = min over h of (a_k * fmix32(h) + b_k) mod 2**32; EMPTY if none."""
    mixed = np.empty_like(hashes)
    for i in range(hashes.shape[0]):
        mixed[i] = _fmix32(hashes[i])
    # Permutation-outer, shingle-inner: a vectorised min-reduction over the (L1-resident) hashes.
    for k in range(a.shape[0]):
        ak = np.uint64(a[k])
        bk = np.uint64(b[k])
        m = np.uint32(EMPTY)
        for i in range(mixed.shape[0]):
            m = min(m, np.uint32(ak * np.uint64(mixed[i]) + bk))
        out[k] = m


@jit
def shingle_hashes(cps: np.ndarray, n: int) -> np.ndarray:
    """The shingle hash of every position (duplicates included); one hash for text shorter than n."""
    return _span_hashes(_block_keys(cps), 0, cps.shape[0], n)


@jit
def _radix_sort(values: np.ndarray) -> np.ndarray:
    """A sorted copy of uint32 values: LSD radix, four 8-bit passes (2-3x faster than np.sort here)."""
    n = values.shape[0]
    src = values.copy()
    dst = np.empty_like(values)
    counts = np.zeros((4, 256), dtype=np.int64)
    for i in range(n):
        v = src[i]
        for p in range(4):
            counts[p, (v >> np.uint32(8 * p)) & np.uint32(255)] += 1
    for p in range(4):
        total = 0
        for digit in range(256):
            count = counts[p, digit]
            counts[p, digit] = total
            total += count
        shift = np.uint32(8 * p)
        for i in range(n):
            v = src[i]
            digit = (v >> shift) & np.uint32(255)
            dst[counts[p, digit]] = v
            counts[p, digit] += 1
        src, dst = dst, src
    return src


@jit
def unique_shingle_hashes(cps: np.ndarray, n: int) -> np.ndarray:
    """The sorted distinct shingle hashes of one text."""
    hashes = _radix_sort(shingle_hashes(cps, n))
    if hashes.shape[0] == 0:
        return hashes
    kept = 1
    for i in range(1, hashes.shape[0]):
        if hashes[i] != hashes[kept - 1]:
            hashes[kept] = hashes[i]
            kept += 1
    return hashes[:kept].copy()


@jit
def intersection_size(a: np.ndarray, b: np.ndarray) -> int:
    """The number of values two sorted, duplicate-free arrays share (a merge walk)."""
    i = j = count = 0
    while i < a.shape[0] and j < b.shape[0]:
        if a[i] < b[j]:
            i += 1
        elif a[i] > b[j]:
            j += 1
        else:
            count += 1
            i += 1
            j += 1
    return count


@jit
def signature(cps: np.ndarray, n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The affine32 MinHash signature of one text given as code points."""
    out = np.empty(a.shape[0], dtype=np.uint32)
    _min_affine(shingle_hashes(cps, n), a, b, out)
    return out


@jit
def signature_and_set(cps: np.ndarray, n: int, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The signature and the sorted distinct shingle hashes of one text, hashing it once.

    The minimum over the distinct hashes is the minimum over all of them, and there are fewer.
    """
    unique = unique_shingle_hashes(cps, n)
    out = np.empty(a.shape[0], dtype=np.uint32)
    _min_affine(unique, a, b, out)
    return out, unique


@jit
def segment_signatures(cps: np.ndarray, offsets: np.ndarray, n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One signature per segment cps[offsets[i]:offsets[i + 1]]; shingles stay inside their segment."""
    keys = _block_keys(cps)
    out = np.empty((offsets.shape[0] - 1, a.shape[0]), dtype=np.uint32)
    for s in range(offsets.shape[0] - 1):
        _min_affine(_span_hashes(keys, offsets[s], offsets[s + 1], n), a, b, out[s])
    return out


@jit
def fold(cps: np.ndarray, table: np.ndarray) -> tuple[np.ndarray, bool]:
    """Apply a per-code-point table (BMP only): table[c] >= 0 maps, DELETE drops, SPACE is whitespace.

    Runs of whitespace become one U+0020, and whitespace at the start, at the end and next to a
    U+0000 goes, in the same pass: U+0000 separates segments normalised in one call (normalize_many).
    The flag is False when the table could not fold the text alone: a character marked COMPLEX (its
    case folding is several characters, e.g. "ß" -> "ss") or one outside the BMP was met.
    """
    out = np.empty_like(cps)
    complete = True
    j = 0
    segment_start = 0
    pending_space = False
    for i in range(cps.shape[0]):
        c = np.int64(cps[i])
        if c < table.shape[0]:
            c = np.int64(table[c])
            if c == DELETE:
                continue
            if c == SPACE:
                pending_space = j > segment_start
                continue
            if c == COMPLEX:
                complete = False
                c = np.int64(cps[i])
        else:
            complete = False
        if c == 0:
            pending_space = False
            segment_start = j + 1
        if pending_space:
            out[j] = 32
            j += 1
            pending_space = False
        out[j] = c
        j += 1
    return out[:j], complete


@jit
def in_sorted(ids: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Which of `ids` are in `other` (both sorted and duplicate-free: one merge walk)."""
    found = np.zeros(ids.shape[0], dtype=np.bool_)
    j = 0
    for i in range(ids.shape[0]):
        while j < other.shape[0] and other[j] < ids[i]:
            j += 1
        if j == other.shape[0]:
            break
        found[i] = other[j] == ids[i]
    return found


@jit
def matching_blocks(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks() of two int sequences.

    The same blocks by the same rules: the longest common run of a range, the earliest in `a` then in
    `b` on a tie, the ranges left and right of it searched the same way, the blocks sorted and adjacent
    ones joined. Rows (i, j, size), without difflib's closing (len(a), len(b), 0).
    """
    la, lb = a.shape[0], b.shape[0]
    found = np.empty((min(la, lb) + 1, 3), dtype=np.int64)
    count = 0
    queue = np.empty((min(la, lb) + 2, 4), dtype=np.int64)  # each block adds at most one range net
    queue[0, 0], queue[0, 1], queue[0, 2], queue[0, 3] = 0, la, 0, lb
    pending = 1
    previous = np.zeros(lb + 1, dtype=np.int64)  # run length ending at b[j - 1] in the previous row
    current = np.zeros(lb + 1, dtype=np.int64)
    while pending:
        pending -= 1
        alo, ahi, blo, bhi = queue[pending, 0], queue[pending, 1], queue[pending, 2], queue[pending, 3]
        besti, bestj, bestsize = alo, blo, 0
        previous[blo : bhi + 1] = 0
        for i in range(alo, ahi):
            current[blo] = 0
            for j in range(blo, bhi):
                if a[i] == b[j]:
                    k = previous[j] + 1  # previous[j] is the run ending at b[j - 1]
                    current[j + 1] = k
                    if k > bestsize:
                        besti, bestj, bestsize = i - k + 1, j - k + 1, k
                else:
                    current[j + 1] = 0
            previous, current = current, previous
        if bestsize:
            found[count, 0], found[count, 1], found[count, 2] = besti, bestj, bestsize
            count += 1
            if alo < besti and blo < bestj:
                queue[pending, 0], queue[pending, 1], queue[pending, 2], queue[pending, 3] = alo, besti, blo, bestj
                pending += 1
            if besti + bestsize < ahi and bestj + bestsize < bhi:
                queue[pending, 0], queue[pending, 1] = besti + bestsize, ahi
                queue[pending, 2], queue[pending, 3] = bestj + bestsize, bhi
                pending += 1
    blocks = found[:count]
    blocks = blocks[np.argsort(blocks[:, 0], kind="mergesort")]  # a-ranges of blocks never overlap
    joined = np.empty((count, 3), dtype=np.int64)
    kept = 0
    i1 = j1 = k1 = 0
    for row in range(count):
        i2, j2, k2 = blocks[row, 0], blocks[row, 1], blocks[row, 2]
        if i1 + k1 == i2 and j1 + k1 == j2:
            k1 += k2
        else:
            if k1:
                joined[kept, 0], joined[kept, 1], joined[kept, 2] = i1, j1, k1
                kept += 1
            i1, j1, k1 = i2, j2, k2
    if k1:
        joined[kept, 0], joined[kept, 1], joined[kept, 2] = i1, j1, k1
        kept += 1
    return joined[:kept].copy()


# Figures (verify.figures): the code points the kernel compares with, as literals of the regexes there.
_SPACE, _ZERO, _ONE, _TWO, _THREE, _FOUR, _NINE = 0x20, 0x30, 0x31, 0x32, 0x33, 0x34, 0x39
_HEH, _MEEM = 0x647, 0x645  # ه م: a calendar letter glued to a year


@jit
def _at(text: np.ndarray, k: int) -> int:
    """The code point at `k`, or -1 past either end."""
    return int(text[k]) if 0 <= k < text.shape[0] else -1


@jit
def _is_digit(text: np.ndarray, k: int, digit: np.ndarray) -> bool:
    c = _at(text, k)
    return c >= 0 and digit[c]


@jit
def _boundary(text: np.ndarray, k: int, word: np.ndarray) -> bool:
    """re's \\b at `k`: a word character on exactly one side."""
    before = _at(text, k - 1)
    after = _at(text, k)
    return (before >= 0 and word[before]) != (after >= 0 and word[after])


@jit
def _one_or_two_digits(text: np.ndarray, k: int, digit: np.ndarray, ends: np.ndarray, row: int) -> int:
    """Ends of \\d{1,2} at `k` in the order re tries them (greedy: two first); returns how many."""
    count = 0
    if _is_digit(text, k, digit):
        if _is_digit(text, k + 1, digit):
            ends[row, count] = k + 2
            count += 1
        ends[row, count] = k + 1
        count += 1
    return count


@jit
def _year(text: np.ndarray, k: int, digit: np.ndarray, ends: np.ndarray, row: int) -> int:
    """Ends of (?:1[34]\\d\\d|19\\d\\d|20\\d\\d)(?:ه|م)? at `k`, in re's order (the letter first)."""
    first, second = _at(text, k), _at(text, k + 1)
    century = (first == _ONE and second in (_THREE, _FOUR, _NINE)) or (
        first == _TWO and second == _ZERO
    )
    if not (century and _is_digit(text, k + 2, digit) and _is_digit(text, k + 3, digit)):
        return 0
    count = 0
    letter = _at(text, k + 4)
    if letter in (_HEH, _MEEM):
        ends[row, count] = k + 5
        count += 1
    ends[row, count] = k + 4
    return count + 1


@jit
def _literal(text: np.ndarray, k: int, words: np.ndarray, lengths: np.ndarray, index: int) -> int:
    """The end of words[index] at `k`, or -1."""
    size = int(lengths[index])
    if k + size > text.shape[0]:
        return -1
    for offset in range(size):
        if text[k + offset] != words[index, offset]:
            return -1
    return k + size


@jit
def _date_at(
    text: np.ndarray, i: int, digit: np.ndarray, word: np.ndarray,
    months: np.ndarray, month_lengths: np.ndarray, month_from: np.ndarray, month_to: np.ndarray,
    clocks: np.ndarray, clock_lengths: np.ndarray, scratch: np.ndarray,
) -> int:
    """The end of verify._DATES's match at `i`, or -1: its five forms in order, each tried as re backtracks."""
    # Ends tried, in rows of one reused array (views made per call cost more than the search itself).
    first, second, years, starts = 0, 1, 2, 3
    # \d{1,2} \d{1,2} YEAR\b
    for a in range(_one_or_two_digits(text, i, digit, scratch, first)):
        if _at(text, scratch[first, a]) == _SPACE:
            for b in range(_one_or_two_digits(text, scratch[first, a] + 1, digit, scratch, second)):
                if _at(text, scratch[second, b]) == _SPACE:
                    for y in range(_year(text, scratch[second, b] + 1, digit, scratch, years)):
                        if _boundary(text, scratch[years, y], word):
                            return int(scratch[years, y])
    # YEAR \d{1,2} \d{1,2}\b
    for y in range(_year(text, i, digit, scratch, years)):
        if _at(text, scratch[years, y]) == _SPACE:
            for a in range(_one_or_two_digits(text, scratch[years, y] + 1, digit, scratch, first)):
                if _at(text, scratch[first, a]) == _SPACE:
                    for b in range(_one_or_two_digits(text, scratch[first, a] + 1, digit, scratch, second)):
                        if _boundary(text, scratch[second, b], word):
                            return int(scratch[second, b])
    # (?:\d{1,2} )?MONTH(?: YEAR)?\b, the month names longest first (as the prefix tree's greedy groups)
    count = 0
    for a in range(_one_or_two_digits(text, i, digit, scratch, first)):
        if _at(text, scratch[first, a]) == _SPACE:
            scratch[starts, count] = scratch[first, a] + 1
            count += 1
    scratch[starts, count] = i
    count += 1
    for s in range(count):
        letter = _at(text, scratch[starts, s])
        if letter < 0:
            continue
        for m in range(month_from[letter], month_to[letter]):  # the names starting with this letter
            end = _literal(text, scratch[starts, s], months, month_lengths, m)
            if end < 0:
                continue
            if _at(text, end) == _SPACE:
                for y in range(_year(text, end + 1, digit, scratch, years)):
                    if _boundary(text, scratch[years, y], word):
                        return int(scratch[years, y])
            if _boundary(text, end, word):
                return end
    # YEAR\b
    for y in range(_year(text, i, digit, scratch, years)):
        if _boundary(text, scratch[years, y], word):
            return int(scratch[years, y])
    # \d{1,2} \d{2} (?:clock words)\b
    for a in range(_one_or_two_digits(text, i, digit, scratch, first)):
        k = scratch[first, a]
        if _at(text, k) == _SPACE and _is_digit(text, k + 1, digit) and _is_digit(text, k + 2, digit) \
                and _at(text, k + 3) == _SPACE:
            for c in range(clocks.shape[0]):
                end = _literal(text, k + 4, clocks, clock_lengths, c)
                if end >= 0 and _boundary(text, end, word):
                    return end
    return -1


@jit
def _starts_month(text: np.ndarray, k: int, months: np.ndarray, lengths: np.ndarray, first: int, last: int) -> bool:
    """Whether one of months[first:last] is written at `k` (most words are no month: a call to try less)."""
    for m in range(first, last):
        size = lengths[m]
        if k + size <= text.shape[0]:
            offset = 1
            while offset < size and text[k + offset] == months[m, offset]:
                offset += 1
            if offset == size:
                return True
    return False


@jit
def figure_keys(
    text: np.ndarray, digit: np.ndarray, word: np.ndarray, separators: np.ndarray, date_start: np.ndarray,
    months: np.ndarray, month_lengths: np.ndarray, month_from: np.ndarray, month_to: np.ndarray,
    clocks: np.ndarray, clock_lengths: np.ndarray,
) -> np.ndarray:
    """verify.figures of a text of BMP code points, as sorted distinct keys (first code point << 21 | second).

    The three regex passes in one: thousands separators dropped, dates replaced by a space, then each
    digit run cut to its two leading digits after its leading zeros ("0" for a run of zeros).
    """
    n = text.shape[0]
    kept = np.empty(n, dtype=np.uint32)  # text with thousands separators dropped (verify._THOUSANDS)
    m = 0
    for p in range(n):
        c = text[p]
        if separators[c] and p > 0 and digit[text[p - 1]] and p + 3 < n and digit[text[p + 1]] \
                and digit[text[p + 2]] and digit[text[p + 3]] and not (p + 4 < n and digit[text[p + 4]]):
            continue
        kept[m] = c
        m += 1
    joined = kept[:m].copy()
    undated = np.empty(m, dtype=np.uint32)  # dates replaced by a space (verify._DATES)
    scratch = np.empty((4, 3), dtype=np.int64)
    u = 0
    i = 0
    while i < m:
        # Every form starts with a digit or a month's first letter (the pattern's lookahead says so too),
        # at a word boundary: a word character here and none before.
        c = joined[i]
        if date_start[c] and word[c] and (i == 0 or not word[joined[i - 1]]) \
                and (digit[c] or _starts_month(joined, i, months, month_lengths, month_from[c], month_to[c])):
            end = _date_at(
                joined, i, digit, word, months, month_lengths, month_from, month_to, clocks, clock_lengths, scratch
            )
            if end > i:
                undated[u] = _SPACE
                u += 1
                i = end
                continue
        undated[u] = joined[i]
        u += 1
        i += 1
    keys = np.empty(u, dtype=np.int64)
    found = 0
    i = 0
    while i < u:
        if not digit[undated[i]]:
            i += 1
            continue
        start = i
        while i < u and digit[undated[i]]:
            i += 1
        lead = start
        while lead < i and undated[lead] == _ZERO:
            lead += 1
        if lead == i:
            keys[found] = _ZERO << 21
        elif lead + 1 == i:
            keys[found] = np.int64(undated[lead]) << 21
        else:
            keys[found] = (np.int64(undated[lead]) << 21) | np.int64(undated[lead + 1])
        found += 1
    return np.unique(keys[:found])
