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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from newsdedup.core.normalize import detect_language

_WORD = re.compile(r"\w{2,}")
# The lead is what a reader sees first: the title and the opening of the body. The compared text starts
# with the title, so its first characters are the lead (cut at a space, so no word is halved).
LEAD_CHARS = 400


def _runs(normalized: str) -> list[str]:
    """The runs of two or more word characters of a text, in order: `_WORD.findall`, usually cheaper.

    Almost every normalised text is word characters and single spaces. For such a text the runs are the
    pieces between spaces, which str.split cuts in C; str.isalnum tests each character with the very
    predicate re's \\w uses (an underscore, also a word character, sends a text the regex's way).
    """
    pieces = normalized.split(" ")
    if "".join(pieces).isalnum():
        return [piece for piece in pieces if len(piece) > 1]
    return _WORD.findall(normalized)


def terms(normalized: str) -> frozenset[str]:
    """The distinct words of a normalised text that hold a letter (figures are compared apart)."""
    found = set(_runs(normalized))  # distinct words first: fewer to test than words in the text
    numbers: set[str] = set(filter(str.isdigit, found))  # tested in C, no Python loop over the words
    return frozenset(found - numbers)


def language_of(normalized: str) -> str:
    """The language of a normalised text as the term counts file it (from the text alone, so a restore agrees)."""
    return detect_language(normalized)


def words(normalized: str) -> list[str]:
    """The words of a normalised text that hold a letter, in order (the terms, repeats included)."""
    return [word for word in _runs(normalized) if not word.isdigit()]


def lead(normalized: str) -> str:
    """The title and the opening of the body: the first LEAD_CHARS characters, cut at a space."""
    if len(normalized) <= LEAD_CHARS:
        return normalized
    cut = normalized.rfind(" ", 0, LEAD_CHARS + 1)
    return normalized[: cut if cut > 0 else LEAD_CHARS]


def term_hash(term: str) -> int:
    """A stable 32-bit hash of a term (CRC-32 of its UTF-8), the same in every process."""
    return zlib.crc32(term.encode("utf-8", errors="surrogatepass"))


IdArray = npt.NDArray[np.int32]  # sorted, distinct term ids (Vocabulary)


class Vocabulary:
    """Small integer ids for the terms the window's entries hold; an id is freed when its last holder leaves.

    An entry's terms are kept as an array of ids, taken once at arrival, so the verifier and the counts
    never read a stored text again to learn its words, and counts and rarity are array operations. Ids
    are reused once free, so the table stays as large as the window's vocabulary over months of feed.
    """

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self.words: list[str] = []  # id -> term ("" for a free id)
        self.refs = np.zeros(1024, dtype=np.int64)  # id -> holders
        self._free: list[int] = []

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def capacity(self) -> int:
        """One more than the largest id ever given (the length arrays indexed by id need)."""
        return len(self.words)

    def hold(self, terms: Iterable[str]) -> IdArray:
        """The sorted ids of distinct terms (new ones are given ids), each held once more by the caller."""
        listed = terms if isinstance(terms, list) else list(terms)
        found = [*map(self._ids.get, listed)]
        if None in found:  # new terms (a new name): given ids in one more pass over the few
            found = [self._new(listed[at]) if term_id is None else term_id for at, term_id in enumerate(found)]
        held = np.array(found, dtype=np.int32)
        held.sort()
        self.refs[held] += 1
        return held

    def release(self, held: IdArray) -> None:
        """Give back one hold of each id; an id no one holds any more is forgotten."""
        refs = self.refs
        refs[held] -= 1
        gone = held[refs[held] == 0]
        for term_id in gone.tolist():
            del self._ids[self.words[term_id]]
            self.words[term_id] = ""
            self._free.append(term_id)

    def id_of(self, term: str) -> int:
        """The id of a held term, or -1."""
        return self._ids.get(term, -1)

    def ids_of(self, terms: Iterable[str]) -> IdArray:
        """The sorted, distinct ids of those of `terms` that are held (others are left out)."""
        found = set(map(self._ids.get, terms))  # distinct in C; a term not held gives None, dropped next
        found.discard(None)
        ids = np.fromiter(found, dtype=np.int32, count=len(found))
        ids.sort()
        return ids

    def _new(self, term: str) -> int:
        if self._free:
            term_id = self._free.pop()
            self.words[term_id] = term
        else:
            term_id = len(self.words)
            self.words.append(term)
            if term_id >= self.refs.size:
                self.refs = np.concatenate([self.refs, np.zeros(self.refs.size, dtype=np.int64)])
        self._ids[term] = term_id
        return term_id


class TermCounts:
    """Document frequencies of terms over a changing set of documents (the window's stories)."""

    def __init__(self) -> None:
        self.vocab = Vocabulary()
        self._df = np.zeros(1024, dtype=np.int64)  # term id -> documents counted that hold it
        self.documents = 0
        # Documents per language: which words are names is learned per language, so an Arabic article in a
        # window of English stories knows as little as in an empty window.
        self.by_language: dict[str, int] = {}

    def __len__(self) -> int:
        return int(np.count_nonzero(self._df))

    @property
    def df_array(self) -> npt.NDArray[np.int64]:
        """Document frequency by term id, long enough for every id given so far (read only)."""
        if self._df.size < self.vocab.refs.size:
            self._df = np.concatenate([self._df, np.zeros(self.vocab.refs.size - self._df.size, dtype=np.int64)])
        return self._df

    def add_ids(self, document: IdArray, language: str = "und") -> None:
        """Count one document by its distinct term ids, which its holder keeps held while it is counted."""
        self.df_array[document] += 1
        self.documents += 1
        self.by_language[language] = self.by_language.get(language, 0) + 1

    def remove_ids(self, document: IdArray, language: str = "und") -> None:
        """Uncount a document counted by `add_ids`."""
        self._df[document] -= 1
        self.documents -= 1
        self.by_language[language] -= 1

    def add(self, document: Iterable[str], language: str = "und") -> IdArray:
        """Count one document by its distinct terms (held until `remove`); return their ids."""
        held = self.vocab.hold(document)
        self.add_ids(held, language)
        return held

    def remove(self, document: Iterable[str], language: str = "und") -> None:
        """Uncount a document counted by `add` (a term no one holds any more is forgotten)."""
        held = self.vocab.ids_of(document)
        self.remove_ids(held, language)
        self.vocab.release(held)

    @contextmanager
    def arriving(self, document: IdArray) -> Iterator[None]:
        """Count an arriving article's terms (not the article) while it is decided: Rarity(arriving=None)."""
        self.df_array[document] += 1
        try:
            yield
        finally:
            self.df_array[document] -= 1

    def df(self, term: str) -> int:
        """How many counted documents hold `term`."""
        term_id = self.vocab.id_of(term)
        return int(self.df_array[term_id]) if term_id >= 0 else 0

    @property
    def df_table(self) -> dict[str, int]:
        """The counts by term, for tests and reports (built on each call)."""
        words = self.vocab.words
        return {words[term_id]: int(self._df[term_id]) for term_id in np.flatnonzero(self._df).tolist()}


@dataclass(frozen=True, slots=True)
class Rarity:
    """Which terms count as rare, and their weights, as seen by one arriving article.

    The arriving article is counted with the window (its terms' df + 1) so that a word shared by it and
    one earlier story has df 2, whether or not the arriving article will itself be counted. Terms are
    given as id arrays (Vocabulary); every id read here is held by the window or the arriving article.
    """

    counts: TermCounts
    # The arriving article's term ids, or None when the table counts them for the moment (the decision's
    # way: `TermCounts.arriving`, one array addition instead of a lookup on every read).
    arriving: IdArray | None
    max_df: int
    language: str = "und"  # the arriving article's (as `language_of` reads it)
    # Rare subsets already computed for this arriving article, by side (the same texts are judged against
    # several candidates and their canonicals): an article's own cache, dropped with it.
    _rare: dict[int, tuple[object, npt.NDArray[np.bool_], IdArray]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(
        cls, counts: TermCounts, arriving: IdArray | None, max_df: int, max_share: float, language: str = "und"
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

    @property
    def words(self) -> list[str]:
        """Term by id."""
        return self.counts.vocab.words

    def df_of(self, ids: IdArray) -> npt.NDArray[np.int64]:
        """The document frequencies of some terms, the arriving article counted."""
        if self.arriving is None:  # counted in the table itself (TermCounts.arriving)
            return self.counts.df_array[ids]
        arriving = self.arriving
        df = self.counts.df_array[ids]
        if arriving.size and ids.size:
            at = np.searchsorted(arriving, ids).clip(max=arriving.size - 1)
            df += arriving[at] == ids
        return df

    def df(self, term: str) -> int:
        """One term's document frequency with the arriving article counted (0 for a term no one holds)."""
        term_id = self.counts.vocab.id_of(term)
        return int(self.df_of(np.array([term_id], dtype=np.int32))[0]) if term_id >= 0 else 0

    def is_rare(self, term: str) -> bool:
        """Held by at most `max_df` stories of the window (the arriving article included)."""
        return self.df(term) <= self.max_df

    def weight(self, term: str) -> float:
        """Inverse document frequency: ln((N + 1) / df), N the documents counted plus the arriving one."""
        return math.log((self.counts.documents + 2) / max(1, self.df(term)))

    def total_weight(self, ids: IdArray) -> float:
        """The summed weight of some terms (math.fsum: exact, so independent of their order).

        Weights depend on df alone, so each distinct df's weight is computed once and repeated.
        """
        if not ids.size:
            return 0.0
        top, log = self.counts.documents + 2, math.log
        per_df = np.bincount(self.df_of(ids))
        present = np.flatnonzero(per_df)  # only the dfs that occur: a common term makes the count long
        return math.fsum(
            weight
            for df, times in zip(present.tolist(), per_df[present].tolist(), strict=True)
            for weight in [log(top / max(1, df))] * times
        )

    def rare_of(self, ids: IdArray) -> IdArray:
        """The rare ones of some terms (not remembered: for sets made once, like an intersection)."""
        return ids[self.df_of(ids) <= self.max_df]

    def rare_mask(self, side: object, ids: IdArray) -> npt.NDArray[np.bool_]:
        """Which of one side's terms `ids` are rare, remembered for that side (an object this rarity outlives)."""
        found = self._rare.get(id(side))
        if found is None:
            mask = self.df_of(ids) <= self.max_df
            found = (side, mask, ids[mask])  # the side is kept, so its id() is not reused meanwhile
            self._rare[id(side)] = found
        return found[1]

    def rare(self, side: object, ids: IdArray) -> IdArray:
        """The rare terms of one side's terms `ids`, remembered for that side (see `rare_mask`)."""
        self.rare_mask(side, ids)
        return self._rare[id(side)][2]

    def terms_of(self, ids: IdArray) -> list[str]:
        """The terms of some ids."""
        words = self.counts.vocab.words
        return [words[term_id] for term_id in ids.tolist()]


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
