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

import math
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from newsdedup.core import verify
from newsdedup.core.terms import Rarity
from newsdedup.core.verify import DedupRules

Kind = Literal["copy", "same_story", "different"]

# Terms listed per side in the evidence: the rarest first. Enough to read a decision, bounded in size.
_EVIDENCE_TERMS = 8


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
    def terms(self) -> frozenset[str]: ...


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
    changed = sorted(old.figures - new.figures), sorted(new.figures - old.figures)
    lead_new = sorted(new.lead_figures - old.figures)
    evidence: dict[str, Any] = {
        "overlap": round(overlap, 4),
        "figures_changed": min(len(changed[0]), len(changed[1])),
        "figures_only_earlier": changed[0][:_EVIDENCE_TERMS],
        "figures_only_later": changed[1][:_EVIDENCE_TERMS],
        "lead_new_figures": lead_new[:_EVIDENCE_TERMS],
    }
    containment = None

    def verdict(kind: Kind, reason: str) -> Verdict:
        evidence["reason"] = reason
        return Verdict(kind, reason, overlap, containment, evidence)

    if new.source == old.source and (
        evidence["figures_changed"] >= rules.same_source_changed_figures
        or len(lead_new) >= rules.same_source_lead_figures
    ):
        _add_terms(evidence, new, old, rarity)
        return verdict("different", "figures changed (one source: another issue or a new event)")
    most = rules.changed_figures_short if min(new.size, old.size) < rules.short_notice else rules.changed_figures
    if verify.figures_conflict(new.figures, old.figures, most):
        _add_terms(evidence, new, old, rarity)
        return verdict("different", "most figures changed (another issue of a template)")
    shared, weight_shared, weight_new, weight_old = _add_terms(evidence, new, old, rarity)
    if comparable and overlap > threshold:
        return verdict("copy", "shared wording above the threshold")
    smaller, larger = sorted((weight_new, weight_old))
    containment = weight_shared / smaller if smaller > 0 else 0.0
    cover = weight_shared / larger if larger > 0 else 0.0
    evidence["containment"] = round(containment, 4)
    evidence["cover"] = round(cover, 4)
    if containment >= rules.story_containment and shared >= rules.story_shared:
        if cover < rules.story_cover:
            return verdict("different", "the other carries much other news (a round-up or a follow-up)")
        return verdict("same_story", "same rare names and figures in other wording")
    return verdict("different", "too little distinctive content in common")


def _add_terms(evidence: dict[str, Any], new: Side, old: Side, rarity: Rarity) -> tuple[int, float, float, float]:
    """Put the shared and the differing rare terms in the evidence; return (shared, weights shared/new/old)."""
    rare_new, rare_old = rarity.rare(new.terms), rarity.rare(old.terms)
    shared = rare_new & rare_old
    evidence["rare_shared"] = _rarest(shared, rarity)
    evidence["rare_shared_count"] = len(shared)
    evidence["rare_only_earlier"] = _rarest(rare_old - new.terms, rarity)
    evidence["rare_only_later"] = _rarest(rare_new - old.terms, rarity)
    weight = rarity.weight
    # fsum: exact and independent of set order, so a verdict never depends on the process's hash seed.
    return (
        len(shared),
        math.fsum(weight(t) for t in shared),
        math.fsum(weight(t) for t in rare_new),
        math.fsum(weight(t) for t in rare_old),
    )


def _rarest(found: frozenset[str], rarity: Rarity) -> list[str]:
    """The rarest few terms of a set (ties in alphabetical order, so the list is stable)."""
    return sorted(found, key=lambda term: (rarity.df(term), term))[:_EVIDENCE_TERMS]
