"""Decisions: is a prepared article new, an exact copy, or a near-duplicate, and of which story?

The single writer of the window index. In arrival order, for each article:

1. Redelivery: an id already in the window with the same content hash gets its stored decision back
   and nothing is inserted. With another content hash it is an update: the old entry is removed and
   the new text is decided afresh, never against the copies in its own cluster.
2. Exact copy: the content hash of the normalised text is looked up before any MinHash work.
3. Near-duplicate: LSH candidates, filtered by the MinHash estimate, verified on the exact shingle
   sets with the majority overlap (verify.py) and the figures check.
4. Cluster: the best verified match gives `duplicate_of`; the article joins that match's cluster
   only if it also verifies against the cluster's canonical (first-seen article), or is a light edit
   of a member that does; otherwise it is still a near-duplicate of its match but starts a cluster of
   its own. A story is a star around its canonical, so clusters never grow by chains of copies of
   copies drifting away, and (threshold >= 0.5) never take in two unrelated stories through a
   round-up that carries both.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from newsdedup.core import verify
from newsdedup.core.config import DetectionConfig
from newsdedup.core.index import IndexEntry, WindowedIndex
from newsdedup.core.signatures import Signer
from newsdedup.core.verify import DEFAULT_RULES, DedupRules

if TYPE_CHECKING:
    from newsdedup.core.pipeline import PreparedArticle

Status = Literal["unique", "exact_duplicate", "near_duplicate"]

_RECENT_TEXTS = 4096  # shingle sets kept for re-verification (about 5 KB each)


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict on one article, as the record's `dedup` object carries it."""

    status: Status
    duplicate_of: str | None
    cluster_id: str
    similarity: float | None

    def to_json(self) -> dict[str, Any]:
        """The record's `dedup` object."""
        return {
            "status": self.status,
            "duplicate_of": self.duplicate_of,
            "cluster_id": self.cluster_id,
            "similarity": self.similarity,
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    """A decision plus the index changes a durable copy of the index must mirror."""

    decision: Decision
    redelivered: bool
    inserted: IndexEntry | None  # put under its article id
    removed: tuple[IndexEntry, ...]  # delete by article id (expired, evicted anchors, replaced)


class _Text:
    """One side of a comparison: its exact shingle set and figures, each computed at most once."""

    def __init__(self, text: Callable[[], str], signer: Signer) -> None:
        self._text = text
        self._signer = signer
        self._shingles: npt.NDArray[np.uint32] | None = None
        self._figures: frozenset[str] | None = None

    @property
    def shingles(self) -> npt.NDArray[np.uint32]:
        if self._shingles is None:
            self._shingles = self._signer.shingle_set(self._text())
        return self._shingles

    @property
    def figures(self) -> frozenset[str]:
        # Only pairs that pass the overlap check get here, so most texts never pay for it.
        if self._figures is None:
            self._figures = verify.figures(self._text())
        return self._figures


class _Candidate(_Text):
    """The new article's side of every comparison."""

    def __init__(self, prepared: PreparedArticle, signer: Signer) -> None:
        super().__init__(lambda: prepared.normalized, signer)
        self.prepared = prepared
        self._shingles = prepared.shingles


class Deduplicator:
    """Decides each prepared article against the window of earlier ones (not thread-safe: one writer)."""

    def __init__(
        self, config: DetectionConfig, signer: Signer | None = None, rules: DedupRules = DEFAULT_RULES
    ) -> None:
        self.config = config
        self.rules = rules
        self.signer = signer if signer is not None else Signer(config)
        bands, rows = verify.lsh_params(config.threshold, config.num_perm, rules.lsh_floor_probability)
        self.index = WindowedIndex(config, bands, rows)
        self._recent: OrderedDict[tuple[str, str], _Text] = OrderedDict()
        # _confirm's first test, applied to all candidates at once (without exact verification every
        # estimate goes on to the threshold test).
        self._estimate_floor = config.threshold - rules.estimate_margin if rules.exact else float("-inf")
        # Why candidates were turned down, for metrics and the evaluation.
        self.stats: Counter[str] = Counter()

    def decide(self, prepared: PreparedArticle, arrived_at: datetime) -> Decision:
        """The decision for one article; the window is updated (see `process` for the changes)."""
        return self.process(prepared, arrived_at).decision

    def process(self, prepared: PreparedArticle, arrived_at: datetime) -> Outcome:
        """Decide one article and insert it into the window; report what changed in the index."""
        event_time = prepared.event_time(arrived_at)
        old = self.index.get(prepared.article_id)
        removed: list[IndexEntry] = []
        if old is not None:
            if old.content_hash == prepared.content_hash:
                return Outcome(_stored(old), True, None, ())
            removed.append(self.index.remove(old.article_id))
        removed.extend(self.index.advance(event_time))  # compare with the window as of this article
        candidate = _Candidate(prepared, self.signer)
        decision = self._decide(candidate, own_cluster=old.cluster_id if old is not None else None)
        # A story's members past the first few add little a later copy could match and, filed, would make
        # every later copy verify them all. (Exact copies count too: one outlives its original in the
        # window when the original expires, and then carries the story.)
        searchable = (
            decision.cluster_id == prepared.article_id
            or self.index.searchable_members(decision.cluster_id) <= self.rules.searchable_members  # + canonical
        )
        entry = IndexEntry(
            article_id=prepared.article_id,
            source=prepared.source,
            event_time=event_time,
            signature=prepared.signature,
            size=prepared.size,
            content_hash=prepared.content_hash,
            text=prepared.packed_text,
            status=decision.status,
            duplicate_of=decision.duplicate_of,
            cluster_id=decision.cluster_id,
            similarity=decision.similarity,
            searchable=searchable,
        )
        removed.extend(self.index.insert(entry))
        inserted = self.index.get(prepared.article_id)
        return Outcome(decision, False, inserted, tuple(removed))

    def _decide(self, new: _Candidate, own_cluster: str | None) -> Decision:
        """The decision against the current window (which does not hold the article itself)."""
        prepared = new.prepared
        if not prepared.normalized:  # nothing to compare: two empty texts are not copies of each other
            return Decision("unique", None, prepared.article_id, None)
        same = self.index.first_with_hash(prepared.content_hash)
        if same is not None and same.cluster_id != own_cluster:
            return Decision("exact_duplicate", same.article_id, same.cluster_id, 1.0)
        joins: dict[str, bool] = {}  # cluster id -> does the article verify against its canonical?
        matches = self._verified_matches(new, own_cluster)
        for entry, score in matches:
            cluster = entry.cluster_id
            if cluster not in joins:
                canonical = self.index.canonical(cluster)
                joins[cluster] = (
                    canonical is None  # the story's first article is gone (replaced by an update)
                    or canonical.article_id == entry.article_id
                    or self._score(new, canonical) is not None
                )
            if joins[cluster] or (score >= self.rules.light_edit and self._holds_canonical(entry)):
                return Decision("near_duplicate", entry.article_id, cluster, round(score, 4))
            self.stats["canonical_rejected"] += 1
        if matches:
            # A copy of an earlier article that has drifted too far from that story's canonical: still a
            # copy (the clean feed must not publish it twice), but the start of a cluster of its own.
            entry, score = matches[0]
            self.stats["own_cluster"] += 1
            return Decision("near_duplicate", entry.article_id, prepared.article_id, round(score, 4))
        return Decision("unique", None, prepared.article_id, None)

    def _holds_canonical(self, member: IndexEntry) -> bool:
        """Whether a cluster member itself verifies against its canonical (it joined it directly).

        A light edit of such a member joins the member's cluster even when the edit moved it just
        under the threshold against the canonical: one light edit from a direct member is as far as a
        cluster reaches, so a chain of edits still cannot drift into another story.
        """
        canonical = self.index.canonical(member.cluster_id)
        if canonical is None or canonical.article_id == member.article_id:
            return True
        score = verify.exact_overlap(self._shingles_of(member), self._shingles_of(canonical))
        conflict = verify.figures_conflict(
            self._figures_of(member), self._figures_of(canonical), self._changed_figures(member.size, canonical.size)
        )
        return score > self.config.threshold and not conflict

    def _verified_matches(self, new: _Candidate, own_cluster: str | None) -> list[tuple[IndexEntry, float]]:
        """Verified earlier articles, best first (ties: first seen first)."""
        prepared, rules = new.prepared, self.rules
        if prepared.size < rules.min_shingles:
            return []
        ids, jaccard, sizes = self.index.query_estimates(prepared.signature, rules.max_bucket)
        if not ids:
            return []
        # The MinHash estimate of every candidate at once; only the plausible ones are checked exactly.
        # Most candidates are chance band collisions, turned down here in one vectorised step.
        estimates = jaccard * (sizes + prepared.size) / (1.0 + jaccard) / np.maximum(sizes, prepared.size)
        plausible = (sizes >= rules.min_shingles) & (estimates >= self._estimate_floor)
        entries = []
        for index in np.flatnonzero(plausible).tolist():
            entry = self.index.get(ids[index])
            if entry is not None and entry.cluster_id != own_cluster:
                entries.append((float(estimates[index]), entry))
        # The best estimates first (first seen first on a tie, so the order does not depend on set order),
        # and only so many: past them lie siblings of a template, each turned down at full price.
        entries.sort(key=lambda pair: (-pair[0], pair[1].seq))
        found = []
        for estimate, entry in entries[: rules.max_verified]:
            if (score := self._confirm(new, entry, estimate)) is not None:
                found.append((entry, score))
        found.sort(key=lambda pair: (-pair[1], pair[0].seq))
        return found

    def _score(self, new: _Candidate, entry: IndexEntry) -> float | None:
        """The overlap of the new article with `entry` if the pair verifies as a copy, else None."""
        prepared = new.prepared
        if min(prepared.size, entry.size) < self.rules.min_shingles:
            return None
        jaccard = self.signer.estimate_similarity(prepared.signature, entry.signature)
        return self._confirm(new, entry, verify.overlap_from_jaccard(jaccard, prepared.size, entry.size))

    def _confirm(self, new: _Candidate, entry: IndexEntry, estimate: float) -> float | None:
        """Check a candidate whose overlap is estimated at `estimate`: exact overlap, then figures."""
        rules, threshold = self.rules, self.config.threshold
        score = estimate
        if rules.exact:
            if estimate < threshold - rules.estimate_margin:
                return None
            score = verify.exact_overlap(new.shingles, self._shingles_of(entry))
        if score <= threshold:  # more than the threshold: "more than half" at 0.5
            return None
        changed = self._changed_figures(new.prepared.size, entry.size)
        if verify.figures_conflict(new.figures, self._figures_of(entry), changed):
            self.stats["figures_conflict"] += 1
            return None
        return score


    def _changed_figures(self, size_a: int, size_b: int) -> int:
        """How many changed figures make a template: fewer when one of the texts is a short notice."""
        rules = self.rules
        return rules.changed_figures_short if min(size_a, size_b) < rules.short_notice else rules.changed_figures

    def _shingles_of(self, entry: IndexEntry) -> npt.NDArray[np.uint32]:
        """The exact shingle set of an indexed text, recomputed from its stored text (recently used cached)."""
        return self._cached(entry).shingles

    def _figures_of(self, entry: IndexEntry) -> frozenset[str]:
        return self._cached(entry).figures

    def _cached(self, entry: IndexEntry) -> _Text:
        # A story's canonical and its first copies are verified against again and again while the
        # story is being republished; the texts themselves stay compressed in the index.
        key = (entry.article_id, entry.content_hash)
        found = self._recent.get(key)
        if found is None:
            found = _Text(entry.normalized, self.signer)
            self._recent[key] = found
            if len(self._recent) > _RECENT_TEXTS:
                self._recent.popitem(last=False)
        else:
            self._recent.move_to_end(key)
        return found


def _stored(entry: IndexEntry) -> Decision:
    """The decision an entry was stored with (a redelivery gets it back unchanged)."""
    status: Status
    if entry.status == "exact_duplicate":
        status = "exact_duplicate"
    elif entry.status == "near_duplicate":
        status = "near_duplicate"
    else:
        status = "unique"
    return Decision(status, entry.duplicate_of, entry.cluster_id, entry.similarity)
