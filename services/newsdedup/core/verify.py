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
from typing import Any

import numpy as np
import numpy.typing as npt

from newsdedup.core import _kernels

# Digit groups split by a separator and followed by exactly three digits are one number written with
# thousands separators ("439,491", "120 253", "7.038.700.000"); other separators split numbers
# ("8.30" is 8 and 30 on both sides of a copy alike, which is all the comparison needs).
_THOUSANDS = re.compile(r"(\d)[ .,\u066b\u066c\u00a0\u202f](?=\d{3}(?!\d))")  # keep group 1: the digit
_DIGITS = re.compile(r"\d+")
_ANY_DIGIT = re.compile(r"\d")  # a plain character class: the regex engine skips to the first one in C
_LEADING_DIGITS = 2
# Dates are written in two calendars and many formats by outlets that copy the same release ("25 10
# 1436" for "26 شوال 1436 الموافق 11 اغسطس 2015"), so they are taken out before figures are compared.
# Month names as they look after normalisation (ة→ه, ى→ي, أ/إ→ا, lower case).
_MONTHS = (
    "يناير|فبراير|مارس|ابريل|مايو|يونيو|يوليو|اغسطس|سبتمبر|اكتوبر|نوفمبر|ديسمبر|"
    "كانون الثاني|شباط|اذار|نيسان|ايار|حزيران|تموز|اب|ايلول|تشرين الاول|تشرين الثاني|كانون الاول|"
    "محرم|صفر|ربيع الاول|ربيع الاخر|ربيع الثاني|جمادي الاولي|جمادي الاخره|جمادي الثانيه|رجب|شعبان|"
    "رمضان|شوال|ذو القعده|ذي القعده|ذو الحجه|ذي الحجه|"
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_YEAR = r"(?:1[34]\d\d|19\d\d|20\d\d)(?:ه|م)?"  # 1436ه, 2015م: the calendar letter glued on


_Trie = dict[str, "_Trie"]  # letter -> the rest; "" marks the end of a word


def _alternation(words: list[str]) -> str:
    """A regex matching any of `words`, factored into a prefix tree (longer words tried first).

    Python's re tries a flat alternation word by word at every position; the tree rejects most
    positions on their first letter. Every use ends in \\b, so the longest fitting word wins as before.
    """
    tree: _Trie = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: _Trie) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return emit(tree)


_MONTH_WORDS = _MONTHS.split("|")
# Every date starts at a word boundary with a digit or a month name's first letter: checking that once,
# before the five forms, is what makes this pass cheap.
_DATE_START = "".join(sorted({word[0] for word in _MONTH_WORDS}))
_DATES = re.compile(
    rf"\b(?=[\d{re.escape(_DATE_START)}])(?:"
    rf"\d{{1,2}} \d{{1,2}} {_YEAR}\b"  # 25 10 1436 (slashes are spaces after normalisation)
    rf"|{_YEAR} \d{{1,2}} \d{{1,2}}\b"  # 2015 08 11
    rf"|(?:\d{{1,2}} )?(?:{_alternation(_MONTH_WORDS)})(?: {_YEAR})?\b"  # 11 اغسطس 2015, 26 شوال, july 2015
    rf"|{_YEAR}\b"  # a year on its own
    r"|\d{1,2} \d{2} (?:ت م|ت غ|ص|م|am|pm|gmt)\b"  # a clock time: 16 07 ت م (an agency's filing time)
    r")"
)


@dataclass(frozen=True, slots=True)
class DedupRules:
    """The decision's fixed rules beside DetectionConfig.threshold (measured in docs/DETECTION.md)."""

    # Below this many distinct shingles (about as many characters) a text is only checked for exact
    # copies: the MinHash of a one-line text is dominated by its template words.
    min_shingles: int = 50
    # Candidates whose estimated overlap is this far under the threshold are dropped before the
    # exact check (3.5 standard deviations of a 128-permutation estimate near 0.5).
    estimate_margin: float = 0.15
    # A pair is a template, not a copy, when at least this many figures (dates and times left out)
    # changed and more changed than were kept (see `figures_conflict`); in a short notice (either text
    # under `short_notice` distinct shingles, a few sentences) the figures are the news, so fewer do.
    changed_figures: int = 3
    changed_figures_short: int = 2
    short_notice: int = 400
    # A copy sharing at least this much with a member of a story joins the story even if it falls just
    # under the threshold against the story's canonical (a light edit of a copy; see dedup.py).
    light_edit: float = 0.75
    # LSH banding: the probability of becoming a candidate at the lowest Jaccard that can still
    # reach the threshold must be at least this.
    lsh_floor_probability: float = 0.75
    # Bounded cost per article, whatever the window holds (docs/DETECTION.md, "Viral stories and
    # templates"): a story is filed in the LSH tables through its canonical and at most this many other
    # members; a band bucket of more entries than `max_bucket` is skipped; at most `max_verified`
    # candidates, the best estimates first, are verified exactly.
    searchable_members: int = 8
    max_bucket: int = 64
    max_verified: int = 8
    # Same story in other words (docs/DETECTION.md, "Copy, rewrite or template"; the values are the
    # dev-half optimum of docs/eval/PAIR-FEATURES.md): a term is rare when at most `rare_df` stories of
    # the window hold it; a pair that is not a copy tells the same story when the idf-weighted share of
    # the smaller side's rare terms found in the other is at least `story_containment`, with at least
    # `story_shared` rare terms in common.
    rare_df: int = 20
    rare_share: float = 0.01
    story_containment: float = 0.6
    story_shared: int = 3
    # ... and the larger side's lead must be about it: at least this share of its lead's rare terms are
    # found in the smaller side (a round-up carries a story whole, but leads with other news).
    story_lead_cover: float = 0.3
    # ... and the two at most this many hours apart in event time (0: no bound).
    story_max_hours: float = 0.0
    # Two items of one source that disagree on a figure are two issues of its template (a payout, a bond
    # notice, a price table), or a lead that brings this many figures the earlier item lacks is a new
    # event; between two outlets, details differ and only today's "most figures changed" rule applies.
    same_source_changed_figures: int = 1
    same_source_lead_figures: int = 2
    # A copy whose lead swaps this many rare words in place for others is another issue of a template
    # (verdict._lead_changes); one outlet's article whose lead is less alike than `follow_up_lead` (word
    # alignment ratio) and brings `follow_up_terms` rare terms the earlier article lacks is a follow-up.
    # Neither test is made before the window holds `min_stories` stories in the article's language.
    lead_names_swapped: int = 1
    # A copy must share at least one rare term when each side has rare terms of its own.
    copy_needs_shared_name: bool = True
    # ... and each swapped word known to at most `swap_max_df` stories of the window (0: as rare as any rare
    # term): an unseen name, not one of the many inflected forms and synonyms a rewrite brings.
    swap_max_df: int = 2
    min_stories: int = 20
    follow_up_lead: float = 0.5
    follow_up_terms: int = 2
    # The second candidate path: each article's lead rare terms, MinHashed and banded.
    lead_perm: int = 64
    lead_bands: int = 64
    # How many candidates met only on the second path are judged (the best character estimates first).
    max_lead_verified: int = 2
    # ... and only those whose lead signatures agree on at least this many of `lead_perm` values.
    lead_min_equal: int = 4
    # Candidates under this estimated overlap are not judged for the same story unless the second path
    # proposed them: a chance band collision of the character LSH (overlap about 0.1) shares little.
    story_estimate_floor: float = 0.35


DEFAULT_RULES = DedupRules()


def figures(normalized: str) -> frozenset[str]:
    """The distinct numbers of a normalised text (ASCII digits), dates left out, cut to two leading digits.

    Outlets scale figures with words ("14 ألف" for 14000, "53.7 مليون" for 53,715,000) and round
    them; two leading significant digits survive both, while a template's new figures rarely keep them.
    """
    # A quarter of the articles hold no digit at all, and neither substitution writes a digit that was
    # not there (one keeps a digit it matched, the other writes a space): no digit, no figures.
    if _ANY_DIGIT.search(normalized) is None:
        return frozenset()
    code_points = np.frombuffer(normalized.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)
    if code_points.max() > _BMP_LAST:  # the kernel's character tables cover the BMP only
        return figures_by_regex(normalized)
    # The regexes' three passes were the largest cost of judging a pair (the dates pattern starts with a
    # word boundary, so the regex engine cannot skip ahead and tries every position); the kernel makes
    # them in one compiled pass by the same rules (tests/unit/test_verify.py compares the two).
    keys = _kernels.figure_keys(code_points, *_figure_tables())
    return frozenset(chr(key >> 21) + (chr(key & _LOW21) if key & _LOW21 else "") for key in keys.tolist())


def figures_by_regex(normalized: str) -> frozenset[str]:
    """`figures` by the three regular expressions that define it (the reference the kernel is tested on)."""
    numbers = _DIGITS.findall(_DATES.sub(" ", _THOUSANDS.sub(r"\1", normalized)))
    return frozenset((number.lstrip("0") or "0")[:_LEADING_DIGITS] for number in numbers)


_BMP_LAST = 0xFFFF
_LOW21 = (1 << 21) - 1
# What _DATES and _THOUSANDS write as literals, for the kernel: the clock words of a filing time in the
# pattern's order, and the thousands separators.
_CLOCK_WORDS = ("ت م", "ت غ", "ص", "م", "am", "pm", "gmt")
_SEPARATORS = " .,\u066b\u066c\u00a0\u202f"
_FigureTables = tuple[npt.NDArray[Any], ...]
_tables: list[_FigureTables] = []


def _figure_tables() -> _FigureTables:
    """The kernel's tables: digits and word characters of the BMP as re classifies them, separators, words.

    Built on first use (a few milliseconds), so a process that never compares figures never pays.
    """
    if not _tables:
        every = "".join(map(chr, range(_BMP_LAST + 1)))
        digit = np.array([match.start() for match in re.finditer(r"\d", every)], dtype=np.int64)
        word = np.array([match.start() for match in re.finditer(r"\w", every)], dtype=np.int64)
        masks = [np.zeros(_BMP_LAST + 1, dtype=np.bool_) for _ in range(4)]
        masks[0][digit] = masks[1][word] = masks[3][digit] = True
        masks[2][[ord(char) for char in _SEPARATORS]] = True
        masks[3][[ord(char) for char in _DATE_START]] = True
        # Month names grouped by first letter, the longest first in each group: the prefix tree's greedy
        # groups try the longest name that fits first, and only names with the letter found can fit.
        months = sorted(_MONTH_WORDS, key=lambda name: (name[0], -len(name)))
        month_from = np.zeros(_BMP_LAST + 1, dtype=np.int64)
        month_to = np.zeros(_BMP_LAST + 1, dtype=np.int64)
        for row, name in reversed(list(enumerate(months))):
            month_from[ord(name[0])] = row
            month_to[ord(name[0])] = max(month_to[ord(name[0])], row + 1)
        _tables.append((*masks, *_padded(months), month_from, month_to, *_padded(list(_CLOCK_WORDS))))
    return _tables[0]


def _padded(words: list[str]) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """Words as rows of code points (zero-padded) and their lengths; the order is the order tried."""
    table = np.zeros((len(words), max(map(len, words))), dtype=np.uint32)
    for row, word in enumerate(words):
        table[row, : len(word)] = [ord(char) for char in word]
    return table, np.array([len(word) for word in words], dtype=np.int64)


def figures_conflict(a: frozenset[str], b: frozenset[str], changed_at_least: int) -> bool:
    """True when two texts disagree on their figures the way two issues of a template do.

    A figure that changed shows as one number missing on each side, so min(|a - b|, |b - a|) counts
    changed figures; a truncated or extended copy only loses or adds numbers on one side. A correction
    changes a figure and keeps the rest; a price report, a bond notice or a daily count changes most.
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
    """How many values two sorted, duplicate-free arrays share (a compiled merge walk, ~4 µs for 3,000)."""
    return int(_kernels.intersection_size(a, b))


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
