"""How a second copy was edited: word-by-word similarity, and a figure changed between two copies.

Character-5-gram overlap falls fast under word edits: each inserted, dropped or replaced word changes
some five shingles on each side, so a copy with one word in eight edited shares about half of its
shingles, no more than a rewording does. Compared word by word in order, the same copy keeps seven
words in eight, while a rewording (other words, other order) keeps well under half: the word
alignment tells an edited copy from a rewording where the shingles cannot.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def words(normalized: str) -> list[str]:
    """The words of a normalised sentence, without the Arabic conjunction و that copies add and drop."""
    return [word[1:] if len(word) > 3 and word.startswith("و") else word for word in _WORD.findall(normalized)]


def word_similarity(first: str, second: str, floor: float = 0.0) -> float:
    """2 x words matched in order / all words, of two normalised sentences (0.0 when one has none).

    Below `floor` the value may be any upper bound under it: the alignment is skipped when the
    shared words alone (difflib's quick_ratio, linear) cannot reach it.
    """
    return word_list_similarity(words(first), words(second), floor)


def word_list_similarity(a: list[str], b: list[str], floor: float = 0.0) -> float:
    """word_similarity of two word lists (edits.words), for callers that keep them."""
    if not a or not b:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    bound = matcher.quick_ratio()
    return bound if bound < floor else matcher.ratio()


def short_similarity(first: str, second: str, floor: float = 0.0) -> float:
    """Characters matched in order, 2 x matched / all, of two short normalised sentences.

    Below `floor` the value may be any upper bound under it: sizes too far apart to reach it (a
    short line against a paragraph) are not aligned.
    """
    total = len(first) + len(second)
    if not total:
        return 0.0
    bound = 2 * min(len(first), len(second)) / total
    if bound < floor:
        return bound
    return SequenceMatcher(None, first, second, autojunk=False).ratio()


def extra_at_an_end(shorter: str, longer: str, least: int) -> bool:
    """True when `longer` (normalised) holds `shorter` with `least` words or more of its own before or
    after it (a subtitle or a footer glued on), not only words inserted among its words (edits)."""
    a, b = words(shorter), words(longer)
    blocks = [block for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks() if block.size]
    if not blocks:
        return False
    first, last = blocks[0], blocks[-1]
    leading = first.b - first.a
    trailing = (len(b) - last.b - last.size) - (len(a) - last.a - last.size)
    return leading >= least or trailing >= least


def changed_figure(first: str, second: str) -> bool:
    """True when two normalised sentences differ in their figures by exactly one figure each side."""
    numbers_a, numbers_b = set(_NUMBER.findall(first)), set(_NUMBER.findall(second))
    return len(numbers_a - numbers_b) == 1 and len(numbers_b - numbers_a) == 1
