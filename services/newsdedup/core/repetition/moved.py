"""Sentences that a second copy moved: two neighbours swapped, which an in-order chain steps over.

A chain pairs sentences in the same order on both sides, so when a copy swaps two neighbouring
sentences it keeps one of the pair and skips the other on each side. The skipped sentence of the
copy is still a copy of a skipped sentence of the first copy (exactly, or with words edited), and
it stands inside the second copy or right next to one of its ends.
"""

from __future__ import annotations

from newsdedup.core.repetition.candidates import Twin
from newsdedup.core.repetition.context import Draft


def skipped_firsts(chain: list[Twin]) -> list[int]:
    """First-copy sentences in or just around the chain's first side that have no twin in it."""
    matched = {twin.first for twin in chain}
    low, high = max(0, chain[0].first - 1), min(chain[-1].first + 1, chain[0].second - 1)
    return [index for index in range(low, high + 1) if index not in matched]


def copies_skipped(article: Draft, skipped: list[int], index: int) -> bool:
    """True when second-copy sentence `index` is a copy, or an edited copy, of a skipped sentence."""
    text = article.normalized[index]
    if not text or article.size[index] < article.rules.min_compare_chars:
        return any(article.normalized[k] == text for k in skipped) and bool(text)
    floor = article.rules.edited_word_similarity
    return any(article.word_similarity(k, index) >= floor for k in skipped)


def moved_ends(article: Draft, chain: list[Twin], skipped: list[int]) -> tuple[bool, bool]:
    """Whether the sentence right before the second copy, and the one right after it, moved there."""
    before, after = chain[0].second - 1, chain[-1].second + 1
    # The sentence before the second copy may be the first copy's last: it moved only if it copies
    # another skipped sentence.
    others = [index for index in skipped if index != before]
    head = before > chain[-1].first and article.free(before) and copies_skipped(article, others, before)
    tail = after < len(article.size) and article.free(after) and copies_skipped(article, skipped, after)
    return head, tail
