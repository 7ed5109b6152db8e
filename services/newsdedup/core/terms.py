"""Distinctive terms: the words of a text, and how rare each is among the stories of the window.

What makes an item news is its names, places, figures and rare words, not its template phrasing. Which
words are which is learned from the stream, not from a list: a word's *document frequency* is the
number of live stories (canonical articles of the window) whose compared text contains it, kept as a
count that rises when a story enters the window and falls when it leaves. Phrasing shared by many
recent stories weighs little; a name carried by two of them weighs a lot.

Stories, not articles, are counted: ten thousand copies of one story would otherwise make its names
common within the hour, and every later rewrite of it would share no rare word with it.

Terms are the words of the normalised text with at least one letter and two characters or more, as
they are written (no stemming: measured on SaudiNewsNet, stripping Arabic clitics merges rare forms into
commoner stems and lowers the separation; docs/eval/PAIR-FEATURES.md). Figures are compared apart
(verify.figures).
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from newsdedup.core.normalize import detect_language

_WORD = re.compile(r"\w{2,}")
# The lead is what a reader sees first: the title and the opening of the body. The compared text starts
# with the title, so its first characters are the lead (cut at a space, so no word is halved).
LEAD_CHARS = 400


def terms(normalized: str) -> frozenset[str]:
    """The distinct words of a normalised text that hold a letter (figures are compared apart)."""
    found = set(_WORD.findall(normalized))  # distinct words first: fewer to test than words in the text
    return frozenset(word for word in found if not word.isdigit())


def language_of(normalized: str) -> str:
    """The language of a normalised text as the term counts file it (from the text alone, so a restore agrees)."""
    return detect_language(normalized)


def words(normalized: str) -> list[str]:
    """The words of a normalised text that hold a letter, in order (the terms, repeats included)."""
    return [word for word in _WORD.findall(normalized) if not word.isdigit()]


def lead(normalized: str) -> str:
    """The title and the opening of the body: the first LEAD_CHARS characters, cut at a space."""
    if len(normalized) <= LEAD_CHARS:
        return normalized
    cut = normalized.rfind(" ", 0, LEAD_CHARS + 1)
    return normalized[: cut if cut > 0 else LEAD_CHARS]


def term_hash(term: str) -> int:
    """A stable 32-bit hash of a term (CRC-32 of its UTF-8), the same in every process."""
    return zlib.crc32(term.encode("utf-8", errors="surrogatepass"))


class TermCounts:
    """Document frequencies of terms over a changing set of documents (the window's stories)."""

    def __init__(self) -> None:
        self._df: dict[str, int] = {}
        self.documents = 0
        # Documents per language: which words are names is learned per language, so an Arabic article in a
        # window of English stories knows as little as in an empty window.
        self.by_language: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._df)

    def add(self, document: Iterable[str], language: str = "und") -> None:
        """Count one document's distinct terms (and the document under its language)."""
        df = self._df
        for term in document:
            df[term] = df.get(term, 0) + 1
        self.documents += 1
        self.by_language[language] = self.by_language.get(language, 0) + 1

    def remove(self, document: Iterable[str], language: str = "und") -> None:
        """Uncount a document added before (a term whose count reaches zero is forgotten)."""
        df = self._df
        for term in document:
            left = df[term] - 1
            if left:
                df[term] = left
            else:
                del df[term]
        self.documents -= 1
        self.by_language[language] -= 1

    def df(self, term: str) -> int:
        """How many counted documents hold `term`."""
        return self._df.get(term, 0)

    @property
    def df_table(self) -> dict[str, int]:
        """The counts themselves, for loops that look up many terms (read only)."""
        return self._df


@dataclass(frozen=True, slots=True)
class Rarity:
    """Which terms count as rare, and their weights, as seen by one arriving article.

    The arriving article is counted with the window (its terms' df + 1) so that a word shared by it and
    one earlier story has df 2, whether or not the arriving article will itself be counted.
    """

    counts: TermCounts
    arriving: frozenset[str]
    max_df: int
    language: str = "und"  # the arriving article's (as `language_of` reads it)
    # Rare subsets already computed for this arriving article, by document (the same texts are judged
    # against several candidates and their canonicals): an article's own cache, dropped with it.
    _rare: dict[frozenset[str], frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(
        cls, counts: TermCounts, arriving: frozenset[str], max_df: int, max_share: float, language: str = "und"
    ) -> Rarity:
        """Rare = held by at most `max_df` stories, and by at most `max_share` of them (at least 2).

        The share matters in a small window (a service just started, a quiet feed): among fifty
        stories, twenty is most of them, and template wording would pass for rare.
        """
        return cls(counts, arriving, max(2, min(max_df, math.ceil(max_share * (counts.documents + 1)))), language)

    @property
    def stories_in_language(self) -> int:
        """How many stories of the window are in the arriving article's language."""
        return self.counts.by_language.get(self.language, 0)

    def df(self, term: str) -> int:
        """The term's document frequency with the arriving article counted."""
        return self.counts.df(term) + (term in self.arriving)

    def is_rare(self, term: str) -> bool:
        """Held by at most `max_df` stories of the window (the arriving article included)."""
        return self.df(term) <= self.max_df

    def weight(self, term: str) -> float:
        """Inverse document frequency: ln((N + 1) / df), N the documents counted plus the arriving one."""
        return math.log((self.counts.documents + 2) / max(1, self.df(term)))

    def total_weight(self, terms: Iterable[str]) -> float:
        """The summed weight of some terms (math.fsum: exact, so independent of set order)."""
        df, arriving, top = self.counts.df_table, self.arriving, self.counts.documents + 2
        log = math.log
        return math.fsum(log(top / max(1, df.get(term, 0) + (term in arriving))) for term in terms)

    def rare_of(self, terms: Iterable[str]) -> frozenset[str]:
        """The rare ones of some terms (not remembered: for sets made once, like an intersection)."""
        df, arriving, most = self.counts.df_table, self.arriving, self.max_df
        return frozenset(term for term in terms if df.get(term, 0) + (term in arriving) <= most)

    def rare(self, document: frozenset[str]) -> frozenset[str]:
        """The rare terms of a document."""
        found = self._rare.get(document)
        if found is None:
            df, arriving, most = self.counts.df_table, self.arriving, self.max_df
            found = frozenset(term for term in document if df.get(term, 0) + (term in arriving) <= most)
            self._rare[document] = found
        return found


class LeadSketcher:
    """MinHash signatures of sets of terms (datasketch's affine32 permutations over CRC-32 term hashes).

    The second candidate path of the decision files each article under the signature of its lead's rare
    terms, so a rewrite that shares the names of the lead but little wording is still proposed.
    """

    def __init__(self, num_perm: int, seed: int) -> None:
        from datasketch import MinHash  # the permutations datasketch draws for this seed

        a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
        self.num_perm = num_perm
        self._a = np.asarray(a, dtype=np.uint64)
        self._b = np.asarray(b, dtype=np.uint64)

    def signature(self, document: Iterable[str]) -> npt.NDArray[np.uint32] | None:
        """The MinHash of a set of terms, or None for an empty set (nothing to file or look up)."""
        hashes = np.fromiter((term_hash(term) for term in document), dtype=np.uint64)
        if hashes.size == 0:
            return None
        values = (hashes[:, None] * self._a[None, :] + self._b[None, :]) & np.uint64(0xFFFFFFFF)
        signature: npt.NDArray[np.uint32] = values.min(axis=0).astype(np.uint32)
        return signature
