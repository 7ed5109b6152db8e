"""Where a copy starts or ends inside a longer sentence that has extra text glued to it.

A scraper that glues a subtitle onto the first sentence of a repeated block ("Subtitle First
sentence ...") leaves one sentence that contains the twin plus text that is not a repeat. Only the
repeat is removed: its start is found by matching the first words of the twin (after normalisation)
among the words of the longer sentence, its end by matching the last words.
"""

from __future__ import annotations

import re

from newsdedup.core.normalize import normalize_text

_WORD = re.compile(r"\S+")
_ANCHOR_WORDS = 3


def _words(body: str, span: tuple[int, int]) -> list[tuple[int, int, str]]:
    """The words of body[span] as (start, end, normalised word); words that normalise to nothing dropped."""
    found = [(m.start(), m.end()) for m in _WORD.finditer(body, span[0], span[1])]
    joined = normalize_text("\x00".join(body[start:end] for start, end in found)).split("\x00")
    if len(joined) != len(found):  # markup in the words: fall back to one call per word
        joined = [normalize_text(body[start:end]) for start, end in found]
    return [(start, end, _stem(word.strip())) for (start, end), word in zip(found, joined, strict=True) if word.strip()]


def _stem(word: str) -> str:
    """The word without the Arabic conjunction و glued to it, which copies add and drop freely."""
    return word[1:] if len(word) > 3 and word.startswith("و") else word


def _find(needle: list[str], haystack: list[str], last: bool) -> int | None:
    """Index of the first (or last) occurrence of the word run `needle` in `haystack`."""
    width = len(needle)
    positions = range(len(haystack) - width, -1, -1) if last else range(len(haystack) - width + 1)
    for position in positions:
        if haystack[position : position + width] == needle:
            return position
    return None


def copy_start(body: str, twin: tuple[int, int], longer: tuple[int, int], skippable: int = 0) -> int | None:
    """Offset in `longer` where the text of `twin` begins, when `longer` has extra text before it.

    With `skippable` > 0, up to that many of the twin's first words may be missing from `longer` (a
    connective such as "إلى ذلك" or "Meanwhile,"): right for finding where a quotation starts, wrong
    for cutting, since the words before the anchor may be the twin's own words in another order.
    """
    twin_words = [word for _, _, word in _words(body, twin)]
    words = _words(body, longer)
    haystack = [word for _, _, word in words]
    for skip in range(min(skippable, max(len(twin_words) - _ANCHOR_WORDS, 0)) + 1):
        anchor = twin_words[skip : skip + _ANCHOR_WORDS]
        position = _find(anchor, haystack, last=False) if anchor else None
        if position is not None:
            return words[position][0]
    return None


def copy_end(body: str, twin: tuple[int, int], longer: tuple[int, int]) -> int | None:
    """Offset in `longer` where the text of `twin` ends, when `longer` has extra text after it."""
    twin_words = [word for _, _, word in _words(body, twin)][-_ANCHOR_WORDS:]
    words = _words(body, longer)
    if not twin_words:
        return None
    position = _find(twin_words, [word for _, _, word in words], last=True)
    return None if position is None else words[position + len(twin_words) - 1][1]
