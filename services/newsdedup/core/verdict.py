"""The one answer to "are these two articles the same item?": copy, same story, or different, and why.

Every path of the decision (a candidate, the story's canonical, a member a light edit leans on) and the
evaluation scripts ask `judge`. It decides on what the articles say, not only on shared wording
(docs/DETECTION.md, "Copy, rewrite or template"):

1. **Figures first.** Two items of one source that disagree on a figure, or whose later lead brings
   figures the earlier lacks, are two issues of a template or a follow-up; between two outlets only a
   wholesale change of figures counts (`verify.figures_conflict`), since outlets report other details.
2. **Copy**: the character-shingle majority overlap is above the threshold (verify.py).
3. **Same story**: not a copy, but the smaller side's rare terms (names, places, rare words; rarity
   learned from the window, terms.py) are mostly found in the other, idf-weighted.
4. Otherwise different.

The verdict carries its evidence: the scores it was decided on and the distinctive terms and figures the
two share and those that differ, so "why was this flagged?" has an answer in the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from newsdedup.core import _kernels, verify
from newsdedup.core.terms import IdArray, Rarity
from newsdedup.core.verify import DedupRules

Kind = Literal["copy", "same_story", "different"]

# Terms listed per side in the evidence: the rarest first, each cut to a length. Enough to read a decision,
# and bounded in size (a "word" of the compared text can be a pasted blob; app/budget.py counts on these).
EVIDENCE_TERMS = 8
EVIDENCE_TERM_CHARS = 64
# The most words on either side of an in-place replacement that still reads as a swapped name.
_SWAP_WORDS = 3
# Two words this alike letter by letter (difflib ratio) are one word spelled two ways, not two names:
# "communicate"/"communciate", "ufcwu"/"ufcw".
_RESPELLED = 0.75


class Side(Protocol):
    """What the verifier reads of one article (computed lazily by its holder)."""

    @property
    def source(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def shingles(self) -> npt.NDArray[np.uint32]: ...
    @property
    def figures(self) -> frozenset[str]: ...
    @property
    def lead_figures(self) -> frozenset[str]: ...
    @property
    def term_ids(self) -> IdArray: ...  # its distinct terms, as held ids (terms.Vocabulary)
    @property
    def lead_ids(self) -> IdArray: ...  # the distinct terms of its lead
    @property
    def event_time(self) -> float: ...
    @property
    def lead_words(self) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class Verdict:
    """The judgement of one pair (new article, earlier article)."""

    kind: Kind
    reason: str
    overlap: float  # character-shingle majority overlap (0 when a text is too short to compare)
    containment: float | None  # idf-weighted rare-term containment, when it was computed
    evidence: dict[str, Any]

    @property
    def linked(self) -> bool:
        """A copy or the same story: the two belong to one story."""
        return self.kind != "different"


def judge(new: Side, old: Side, rarity: Rarity, threshold: float, rules: DedupRules) -> Verdict:
    """The verdict on a new article against an earlier one (order matters: `new` is the later)."""
    comparable = min(new.size, old.size) >= rules.min_shingles
    overlap = verify.exact_overlap(new.shingles, old.shingles) if comparable else 0.0
    copied = comparable and overlap > threshold
    pair = _Terms(new, old, rarity)
    shared = pair.shared_count
    evidence: dict[str, Any] = {"overlap": round(overlap, 4), "rare_shared_count": shared}
    containment = None

    def verdict(kind: Kind, reason: str) -> Verdict:
        evidence["reason"] = reason
        return Verdict(kind, reason, overlap, containment, evidence)

    if not copied and shared < 2:  # see `fewest` below: most chance candidates end here, at little cost
        return verdict("different", "too little distinctive content in common")
    changed = sorted(old.figures - new.figures), sorted(new.figures - old.figures)
    lead_new = sorted(new.lead_figures - old.figures)
    evidence.update({
        "figures_changed": min(len(changed[0]), len(changed[1])),
        "figures_kept": len(new.figures & old.figures),
        "figures_only_earlier": changed[0][:EVIDENCE_TERMS],
        "figures_only_later": changed[1][:EVIDENCE_TERMS],
        "lead_new_figures": lead_new[:EVIDENCE_TERMS],
    })

    # A later lead's new figures mean a new event only when the earlier item was about as long: after a
    # headline flash, the full story brings its figures as a matter of course.
    expands = old.size * 2 < new.size
    if new.source == old.source and (
        evidence["figures_changed"] >= rules.same_source_changed_figures
        or (not expands and len(lead_new) >= rules.same_source_lead_figures)
    ):
        return verdict("different", "figures changed (one source: another issue or a new event)")
    most = rules.changed_figures_short if min(new.size, old.size) < rules.short_notice else rules.changed_figures
    if verify.figures_conflict(new.figures, old.figures, most):
        return verdict("different", "most figures changed (another issue of a template)")
    # Which words are names is learned from the window's stories in the article's language: with too few
    # of them every word looks rare, and these tests would take synonyms for swapped names.
    knows_names = rarity.stories_in_language >= rules.min_stories
    if knows_names and (copied or new.source == old.source):
        swapped, lead_alike = _lead_changes(new, old, rarity, rules.swap_max_df)
        evidence["lead_similarity"] = round(lead_alike, 4)
        if swapped:
            evidence["lead_names_swapped"] = [_cut(swap) for swap in swapped[:EVIDENCE_TERMS]]
        lead_news = rarity.rare_of(_only(new.lead_ids, old.term_ids))
        follows_up = copied and new.source == old.source and lead_alike < rules.follow_up_lead
        if follows_up and len(lead_news) >= rules.follow_up_terms:
            return verdict("different", "a new lead over the earlier report's text (a follow-up)")
        if copied and len(swapped) >= rules.lead_names_swapped:
            return verdict("different", "names in the lead replaced by others (another issue of a template)")
    # Shared wording and not one rare term in common, while each side has rare terms of its own: two issues
    # of a template (another company's dividend, another bank's prime rate) under one headline.
    if (copied and rules.copy_needs_shared_name and shared == 0 and knows_names
            and pair.only_new_rare.size and pair.only_old_rare.size):
        return verdict("different", "no rare name in common, each with its own (another issue of a template)")
    if copied:
        _add_terms(evidence, pair, rarity)
        return verdict("copy", "shared wording above the threshold")
    # A headline after the full story is a new headline: a flash on the story's next event, or another
    # issue of a template, not the same report again (a flash before its story is the usual order).
    if new.size < rules.min_shingles <= old.size:
        return verdict("different", "a headline after the full story (a new flash)")
    if rules.story_max_hours and abs(new.event_time - old.event_time) > rules.story_max_hours * 3600:
        return verdict("different", "too far apart in time to be one report (a follow-up)")
    rare_new, rare_old = rarity.rare(new, new.term_ids), rarity.rare(old, old.term_ids)
    weight_new, weight_old = rarity.total_weight(rare_new), rarity.total_weight(rare_old)
    smaller = min(weight_new, weight_old)
    # Exact sums (fsum): independent of set order, so a verdict never depends on the process's hash seed.
    containment = rarity.total_weight(pair.shared_rare) / smaller if smaller > 0 else 0.0
    evidence["containment"] = round(containment, 4)
    # A headline flash has two or three rare terms: all of them shared is as telling as three of many.
    fewest = min(rules.story_shared, max(2, len(rare_new if weight_new <= weight_old else rare_old)))
    if containment >= rules.story_containment and shared >= fewest:
        # The larger side must be *about* what the smaller tells: its lead's rare terms are found in the
        # smaller (a rewrite), or the shared rare terms are in its lead (a full story after its flash). A
        # round-up carries a story whole but leads with other news, so neither holds.
        larger, other = (new, old) if weight_new > weight_old else (old, new)
        lead_rare = rarity.rare_of(larger.lead_ids)
        in_other = len(_both(lead_rare, other.term_ids)) / len(lead_rare) if lead_rare.size else 1.0
        shared_terms = pair.shared_rare  # the rare terms of either side found in the other: the same set
        in_lead = len(_both(shared_terms, larger.lead_ids)) / len(shared_terms) if shared_terms.size else 0.0
        lead_cover = max(in_other, in_lead)
        evidence["lead_cover"] = round(lead_cover, 4)
        if lead_cover < rules.story_lead_cover:
            return verdict("different", "the longer one leads with other news (a round-up or a follow-up)")
        _add_terms(evidence, pair, rarity)
        return verdict("same_story", "same rare names and figures in other wording")
    return verdict("different", "too little distinctive content in common")


class _Terms:
    """The two sides' terms set against each other: which of each side's terms the other holds, and which
    are rare, each found at most once per pair (most pairs need only the first two masks)."""

    __slots__ = ("_new", "_old", "_only_old", "_rarity", "new_in_old", "new_rare")

    def __init__(self, new: Side, old: Side, rarity: Rarity) -> None:
        self._new, self._old, self._rarity = new, old, rarity
        self.new_in_old = _in(new.term_ids, old.term_ids)
        self.new_rare = rarity.rare_mask(new, new.term_ids)
        self._only_old: npt.NDArray[np.bool_] | None = None

    @property
    def shared_count(self) -> int:
        """How many rare terms the two share."""
        return int(np.count_nonzero(self.new_in_old & self.new_rare))

    @property
    def shared_rare(self) -> IdArray:
        """The rare terms the two share."""
        return self._new.term_ids[self.new_in_old & self.new_rare]

    @property
    def only_new_rare(self) -> IdArray:
        """The later side's rare terms the earlier lacks."""
        return self._new.term_ids[self.new_rare & ~self.new_in_old]

    @property
    def only_old_rare(self) -> IdArray:
        """The earlier side's rare terms the later lacks."""
        old = self._old
        if self._only_old is None:
            self._only_old = self._rarity.rare_mask(old, old.term_ids) & ~_in(old.term_ids, self._new.term_ids)
        return old.term_ids[self._only_old]


def _add_terms(evidence: dict[str, Any], pair: _Terms, rarity: Rarity) -> None:
    """Put the shared and the differing rare terms of a linked pair in its evidence (the rarest first)."""
    evidence["rare_shared"] = _rarest(pair.shared_rare, rarity)
    evidence["rare_only_earlier"] = _rarest(pair.only_old_rare, rarity)
    evidence["rare_only_later"] = _rarest(pair.only_new_rare, rarity)


def _in(ids: IdArray, other: IdArray) -> npt.NDArray[np.bool_]:
    """Which of `ids` are in `other` (both sorted and distinct: one binary search each, no set built)."""
    found: npt.NDArray[np.bool_] = _kernels.in_sorted(ids, other)  # one compiled merge walk, no numpy temporaries
    return found


def _both(ids: IdArray, other: IdArray) -> IdArray:
    """The terms in both (sorted, distinct ids)."""
    return ids[_in(ids, other)]


def _only(ids: IdArray, other: IdArray) -> IdArray:
    """The terms of `ids` not in `other` (sorted, distinct ids)."""
    return ids[~_in(ids, other)]


def _rarest(found: IdArray, rarity: Rarity) -> list[str]:
    """The rarest few terms of a set (ties in alphabetical order, so the list is stable)."""
    df = rarity.df_of(found)
    if df.size > EVIDENCE_TERMS:  # only the terms as rare as the few rarest can be listed
        keep = df <= np.partition(df, EVIDENCE_TERMS - 1)[EVIDENCE_TERMS - 1]
        found, df = found[keep], df[keep]
    ranked = sorted(zip(df.tolist(), rarity.terms_of(found), strict=True))
    return [_cut(term) for _, term in ranked[:EVIDENCE_TERMS]]


def _cut(text: str) -> str:
    """A term as the evidence lists it: at most EVIDENCE_TERM_CHARS characters (a cut one ends in "…")."""
    return text if len(text) <= EVIDENCE_TERM_CHARS else text[: EVIDENCE_TERM_CHARS - 1] + "…"


def _lead_changes(new: Side, old: Side, rarity: Rarity, swap_max_df: int) -> tuple[list[str], float]:
    """The rare words of the earlier lead replaced by other rare words in place, and how alike the leads are.

    Aligned word by word, a template's next issue swaps a few words in place (the issuer, the country, the
    leader) in otherwise equal sentences; a copy keeps them, and a rewrite changes whole phrases, not a
    word or two. A swap counts when neither word occurs anywhere in the other article and both are rare.
    """
    before, after = old.lead_words, new.lead_words
    if before == after:  # a copy's lead, word for word: nothing replaced
        return [], 1.0
    max_df = min(rarity.max_df, swap_max_df) if swap_max_df else rarity.max_df
    replaced, alike = _alignment(before, after)
    swapped = []
    for i1, i2, j1, j2 in replaced:
        if i2 - i1 > _SWAP_WORDS or j2 - j1 > _SWAP_WORDS:
            continue
        gone = [word for word in before[i1:i2] if not _holds(new, word, rarity) and rarity.df(word) <= max_df]
        came = [word for word in after[j1:j2] if not _holds(old, word, rarity) and rarity.df(word) <= max_df]
        swap = f"{' '.join(before[i1:i2])} -> {' '.join(after[j1:j2])}"
        if gone and came and not _respelled(gone, after[j1:j2]) and not _respelled(came, before[i1:i2]) \
                and swap not in swapped:
            swapped.append(swap)
    return swapped, alike


def _alignment(before: list[str], after: list[str]) -> tuple[list[tuple[int, int, int, int]], float]:
    """The "replace" opcodes (i1, i2, j1, j2) and the ratio of difflib's SequenceMatcher(None, before, after,
    autojunk=False), from the same matching blocks computed in compiled code (_kernels.matching_blocks).

    difflib's pure-Python search was most of the cost of judging a copy's lead; the opcodes and the ratio
    are derived from the blocks exactly as difflib derives them (tests/unit/test_verdict.py compares).
    """
    codes: dict[str, int] = {}  # each distinct word a small integer, the same on both sides
    coded_before = np.array([codes.setdefault(word, len(codes)) for word in before], dtype=np.int64)
    coded_after = np.array([codes.setdefault(word, len(codes)) for word in after], dtype=np.int64)
    blocks = _kernels.matching_blocks(coded_before, coded_after).tolist()
    replaced = []
    i = j = matches = 0
    for ai, bj, size in [*blocks, [len(before), len(after), 0]]:
        if i < ai and j < bj:
            replaced.append((i, ai, j, bj))
        i, j = ai + size, bj + size
        matches += size
    length = len(before) + len(after)
    return replaced, 2.0 * matches / length if length else 1.0


def _holds(side: Side, word: str, rarity: Rarity) -> bool:
    """Whether a side's text has the word among its terms."""
    term_id = rarity.counts.vocab.id_of(word)
    return term_id >= 0 and bool(_in(np.array([term_id], dtype=side.term_ids.dtype), side.term_ids)[0])


def _respelled(words: list[str], other_block: list[str]) -> bool:
    """True when one of `words` is another spelling of a word of the other side's block (a typo made or
    corrected, a letter dropped, another transliteration), so the replacement is an edit, not a swap."""
    return any(
        SequenceMatcher(None, word, other, autojunk=False).ratio() >= _RESPELLED
        for word in words for other in other_block
    )
