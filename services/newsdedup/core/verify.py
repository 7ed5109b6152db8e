"""Verification of LSH candidates: the similarity measure, the figures check, and the LSH banding.

The measure is the *majority overlap* s(X, E) = |X ∩ E| / max(|X|, |E|) over the shingle sets: the
share of the larger text that the two have in common. Beside Jaccard it has two properties the
decision needs (docs/DETECTION.md):

* With a threshold above 0.5, no article can match two articles that share nothing: if X matches E
  and Y matches E, X and Y each hold more than half of the larger side. A round-up that carries
  story A whole beside its own story B therefore cannot be matched by copies of both A and B.
* A truncated or extended copy scores |shorter| / |longer| (if nothing else changed), so "copy
  with a paragraph added" passes while "round-up twice the size of the story it carries" does not.

Jaccard ≥ s / (2 - s) always, so an LSH tuned to catch Jaccard θ / (2 - θ) finds every pair with
s ≥ θ (`lsh_params`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# Digit groups split by a separator and followed by exactly three digits are one number written with
# thousands separators ("439,491", "120 253", "7.038.700.000"); other separators split numbers
# ("8.30" is 8 and 30 on both sides of a copy alike, which is all the comparison needs).
_THOUSANDS = re.compile(r"(?<=\d)[ .,\u066b\u066c\u00a0\u202f](?=\d{3}(?!\d))")
_DIGITS = re.compile(r"\d+")
_LEADING_DIGITS = 2


@dataclass(frozen=True, slots=True)
class DedupRules:
    """The decision's fixed rules beside DetectionConfig.threshold (measured in docs/DETECTION.md)."""

    # Below this many distinct shingles (about as many characters) a text is only checked for exact
    # copies: the MinHash of a one-line text is dominated by its template words.
    min_shingles: int = 50
    # Candidates whose estimated overlap is this far under the threshold are dropped before the
    # exact check (3.5 standard deviations of a 128-permutation estimate near 0.5).
    estimate_margin: float = 0.15
    # Verify on the exact shingle sets (True) or decide on the MinHash estimate alone (False).
    exact: bool = True
    # A pair is a template, not a copy, when at least this many figures changed and more figures
    # changed than were kept (see `figures_conflict`).
    changed_figures: int = 3
    # LSH banding: the probability of becoming a candidate at the lowest Jaccard that can still
    # reach the threshold must be at least this.
    lsh_floor_probability: float = 0.75


DEFAULT_RULES = DedupRules()


def figures(normalized: str) -> frozenset[str]:
    """The distinct numbers of a normalised text (ASCII digits), each cut to its two leading digits.

    Outlets scale figures with words ("14 ألف" for 14000, "53.7 مليون" for 53,715,000) and round
    them; two leading significant digits survive both, while a template's new figures rarely keep them.
    """
    numbers = _DIGITS.findall(_THOUSANDS.sub("", normalized))
    return frozenset((number.lstrip("0") or "0")[:_LEADING_DIGITS] for number in numbers)


def figures_conflict(a: frozenset[str], b: frozenset[str], changed_at_least: int) -> bool:
    """True when two texts disagree on their figures the way two issues of a template do.

    A figure that changed shows as one number missing on each side, so min(|a - b|, |b - a|) counts
    changed figures; a truncated or extended copy only loses or adds numbers on one side. A correction
    changes one or two figures and keeps the rest; a price report or a daily count changes most.
    Dates written in another calendar or format also show as changes, which is why a few changed
    figures are tolerated.
    """
    changed = min(len(a - b), len(b - a))
    return changed >= changed_at_least and changed > len(a & b)


def overlap_from_jaccard(jaccard: float, size_a: int, size_b: int) -> float:
    """s = |A ∩ B| / max(|A|, |B|) from a Jaccard value and the two set sizes."""
    larger = max(size_a, size_b)
    if larger == 0:
        return 0.0
    return jaccard * (size_a + size_b) / (1.0 + jaccard) / larger


def intersection_size(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> int:
    """How many values two sorted, duplicate-free arrays share (vectorised binary search)."""
    if a.size == 0 or b.size == 0:
        return 0
    if a.size > b.size:
        a, b = b, a
    pos = np.searchsorted(b, a)
    pos[pos == b.size] = 0
    return int(np.count_nonzero(b[pos] == a))


def exact_overlap(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> float:
    """s = |A ∩ B| / max(|A|, |B|) of two shingle sets."""
    larger = max(a.size, b.size)
    return intersection_size(a, b) / larger if larger else 0.0


def candidate_probability(jaccard: float, bands: int, rows: int) -> float:
    """Probability that two sets of this Jaccard share at least one LSH band."""
    return float(1.0 - (1.0 - jaccard**rows) ** bands)


def lsh_params(threshold: float, num_perm: int, floor_probability: float) -> tuple[int, int]:
    """(bands, rows): the most rows per band that still catch the lowest Jaccard that can reach `threshold`.

    More rows per band mean fewer chance candidates; the floor keeps the pairs at the edge findable.
    """
    lowest_jaccard = threshold / (2.0 - threshold)
    best = (num_perm // 2, 2)
    for rows in range(2, num_perm // 2 + 1):
        bands = num_perm // rows
        if bands < 2 or candidate_probability(lowest_jaccard, bands, rows) < floor_probability:
            break
        best = (bands, rows)
    return best
