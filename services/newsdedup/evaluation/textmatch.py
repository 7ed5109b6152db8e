"""How closely a cleaned body matches the expected one, character by character."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

# Sentence-sized pieces (each ends after a line feed or sentence mark): aligning pieces first keeps
# the character-level comparison to the few pieces that differ, instead of quadratic work over a
# whole body, and pieces split the same way on both sides because cleaning only deletes text.
_PIECE_END = re.compile(r"(?<=[\n.!?؟])")


@dataclass(frozen=True, slots=True)
class BodyMatch:
    """The cleaned body against the expected one (both with trailing whitespace stripped)."""

    equal: bool
    similarity: float  # 2 * matched characters / (len(cleaned) + len(expected)), 1.0 when both are empty
    extra_chars: int  # characters of the cleaned body that the expected one does not have (kept by mistake)
    missing_chars: int  # characters of the expected body that the cleaned one lost (removed by mistake)


def body_match(cleaned: str, expected: str) -> BodyMatch:
    """Compare `cleaned` with `expected` after stripping trailing whitespace from both."""
    a, b = cleaned.rstrip(), expected.rstrip()
    if a == b:
        return BodyMatch(True, 1.0, 0, 0)
    matched = matched_chars(a, b)
    return BodyMatch(False, 2.0 * matched / (len(a) + len(b)), len(a) - matched, len(b) - matched)


def matched_chars(a: str, b: str) -> int:
    """Characters in common along an alignment of `a` and `b` (pieces first, then characters)."""
    pieces_a, pieces_b = _pieces(a), _pieces(b)
    matched = 0
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, pieces_a, pieces_b, autojunk=False).get_opcodes():
        if tag == "equal":
            matched += sum(len(piece) for piece in pieces_a[i1:i2])
        elif tag == "replace":
            left, right = "".join(pieces_a[i1:i2]), "".join(pieces_b[j1:j2])
            blocks = SequenceMatcher(None, left, right, autojunk=False).get_matching_blocks()
            matched += sum(block.size for block in blocks)
    return matched


def _pieces(text: str) -> list[str]:
    return [piece for piece in _PIECE_END.split(text) if piece]
