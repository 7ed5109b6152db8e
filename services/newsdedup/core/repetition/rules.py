"""The thresholds that separate a repeat to remove from a repeat that belongs to the text.

Every number here is explained in docs/REPETITION.md beside the measurements that chose it. They
live in one frozen object so a test or an evaluation can vary one rule and see what changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A list item: a sentence opening with a bullet, or with a number and ". ", ")", "-" ("2- ", "2-item").
LIST_ITEM = re.compile(r"(?:[-*•·▪►–—]\s|\(?\d{1,3}\s?[.)\-–])")
# A quotation mark; an apostrophe between two letters ("children's", "don’t") is not one.
_QUOTE_MARK = re.compile(r"[\"“”„«»‹›]|(?<!\w)['‘’]|['‘’](?!\w)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<=\s)[A-Z][\w'’-]*")  # a capitalised Latin word, not the first of the sentence


# How a summary introduces a quotation: a colon or opening quote, or a reporting word, right before it.
_QUOTE_LEAD_END = re.compile(
    r"(?:[:：«“\"']|\b(?:أن|أنه|إن|إنه|بأن|ان|انه|بان|قال|وقال|قوله|that|said|says|wrote|added))\W*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w{4,}")


def has_quote_mark(text: str) -> bool:
    """True when `text` holds a quotation mark (apostrophes inside words do not count)."""
    return _QUOTE_MARK.search(text) is not None


def introduces_quote(lead: str) -> bool:
    """True when `lead` (the text as written before a repeated passage) introduces it as a quotation."""
    return _QUOTE_LEAD_END.search(lead) is not None


def private_words(first: str, second: str) -> int:
    """How many words of 4+ letters occur at least twice in `second` and never in `first` (normalised)."""
    seen = set(_WORD.findall(first))
    counts: dict[str, int] = {}
    for word in _WORD.findall(second):
        if word not in seen:
            counts[word] = counts.get(word, 0) + 1
    return sum(1 for count in counts.values() if count >= 2)


# The figures and the capitalised Latin names of a sentence.
Facts = tuple[frozenset[str], frozenset[str]]


def facts(text: str, normalized: str) -> Facts:
    """The figures (of the normalised form: one digit script) and capitalised Latin names of a sentence."""
    return frozenset(_NUMBER.findall(normalized)), frozenset(name.casefold() for name in _NAME.findall(text))


def swaps_facts(first: Facts, second: Facts) -> bool:
    """True when each of two sentences' facts (figures, names) has a figure or name the other lacks.

    A copy keeps the figures and names of its original (a rewording may drop some); a template
    item replaces them ("... Juventus, Lyon." / "... Juventus, Monaco."). Arabic script has no
    capitals, so for Arabic only the figures speak.
    """
    numbers_a, names_a = first
    numbers_b, names_b = second
    if numbers_a - numbers_b and numbers_b - numbers_a:
        return True
    return bool(names_a - names_b and names_b - names_a)


def swaps_names(first: Facts, second: Facts) -> bool:
    """True when each of two sentences' facts has a name the other lacks (figures aside)."""
    return bool(first[1] - second[1] and second[1] - first[1])


@dataclass(frozen=True, slots=True)
class RepetitionRules:
    """Thresholds on normalised character counts and on character-5-gram overlaps."""

    # Sentences shorter than this are compared exactly only (their 5-gram sets are too small).
    min_compare_chars: int = 20
    # A repeat shorter than this is not even reported (initials, bullets, "Photo:").
    min_report_chars: int = 15
    # Sentences shorter than this (or list items) are not content on their own: a block of them is a
    # stanza, a list or a run of headings, and stays.
    min_content_chars: int = 40
    # A near (not exact) repeat left in place flags the article only from this length on.
    min_report_near_chars: int = 100
    # What a repeat must amount to (list items aside) before it is removed outside an adjacent pair.
    min_removed_chars: int = 60
    # A sentence repeated on its own (not in a block) is removed only when nearly identical.
    single_copy_jaccard: float = 0.9
    # A single quoted sentence that recurs is a refrain unless it is at least this long.
    min_quoted_chars: int = 80
    # Twins: the seed's reworded paragraphs reach down to 0.28; unrelated sentences stay below 0.15.
    twin_jaccard: float = 0.25
    # Copies: at least this Jaccard, or this containment of the shorter in the longer (a sentence
    # with a subtitle glued on), the shorter being at least half the longer.
    copy_jaccard: float = 0.8
    copy_containment: float = 0.9
    # A reworded block must be this long and this similar on average: shorter runs of merely
    # similar sentences are parallel items (two phone calls reported with the same formula).
    reworded_min_pairs: int = 4
    reworded_mean_jaccard: float = 0.35
    # ... and its sentences must have one twin each: a sentence resembling several others
    # (at this Jaccard) is a formula, and a block with more than this share of them is a template.
    formula_jaccard: float = 0.3
    max_formula_share: float = 0.25
    # A reworded second copy that brings this many words of its own, each used twice or more (names,
    # places: "عصمت حياة محمد شريف"), is the next item of a template, not a copy of the first.
    max_private_words: int = 2
    # A first copy that holds the second after this much text of its own is a summary quoting it.
    min_quote_lead_chars: int = 40
    # ... and a lead has this many words the quoted text lacks ("X wrote in his column that").
    min_quote_lead_words: int = 3
    # A twin this much longer than the other (normalised characters) carries text of its own.
    min_extra_chars: int = 10
    # ... and this many words before or after the twin's own (words inserted among them are edits).
    min_extra_words: int = 2
    # A list item this long is a paragraph of text, not an entry of a list that may recur.
    min_listed_content_chars: int = 80
    # An edited copy: this share of the words matched in order (a copy with one word in ten inserted,
    # dropped or replaced keeps about 0.9; rewordings of the same story stay under 0.6).
    edited_word_similarity: float = 0.8
    # ... whose 5-gram Jaccard is then well above this (about 0.5 at one word in five edited).
    edited_min_jaccard: float = 0.3
    # A sentence at the same place in both copies, between two twins, is the same sentence edited at
    # this similarity (a short one loses a quarter of its words to one edit).
    counterpart_similarity: float = 0.6
    # A splice: the cut segment shares at least this many leading characters with its complete twin.
    min_splice_chars: int = 8
    # ... cut inside a word, or between words after this many: shorter openings shared at a word
    # boundary are formulas ("REUTERS/Photographer A ..." opening every caption of a gallery).
    min_open_splice_chars: int = 32
    # Bounds on the work for one article (a 1 MB body repeating one story a thousand times): the
    # chains are taken from at most this many twins, the earliest repeats first, and at most this
    # many chains are decided. Real articles stay far below both.
    max_twins: int = 2000
    max_chains: int = 64
    # The candidate search: MinHash signatures of this many permutations per sentence, banded as
    # datasketch's MinHashLSH would band them for this threshold (64 and 0.25 give 18 bands of 2
    # rows: a twin at Jaccard 0.3 is found 82% of the time, at 0.5 99%; 128 permutations cost
    # twice as much for 68% at 0.3 with the 37 x 3 banding datasketch picks for them).
    candidate_perms: int = 64
    lsh_threshold: float = 0.25

    def is_copy(self, jaccard: float, containment: float, shorter: int, longer: int) -> bool:
        """True when two sentences are the same text, exactly or nearly, possibly with extra text glued on."""
        if jaccard >= self.copy_jaccard:
            return True
        return containment >= self.copy_containment and 2 * shorter >= longer


DEFAULT_RULES = RepetitionRules()
