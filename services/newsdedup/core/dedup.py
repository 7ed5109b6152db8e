"""Decisions: is a prepared article new, a copy, or another outlet's rewrite of a story, and of which story?

The single writer of the window index. In arrival order, for each article:

1. Redelivery: an id already in the window with the same content hash gets its stored decision back
   and nothing is inserted. With another content hash it is an update: the old entry is removed and
   the new text is decided afresh, never against the copies in its own cluster.
2. Exact copy: the content hash of the normalised text is looked up before any MinHash work.
3. Candidates from two MinHash-LSH paths: the character signatures (shared wording) and the lead's
   rare terms (shared names: a rewrite in other words); each judged by the one verifier (verdict.py):
   copy, same story, or different, with its evidence.
4. Near-duplicate: the best copy gives `duplicate_of`; the article joins that copy's story only if it
   is also linked to the story's canonical (first-seen article), or is a light edit of a member that
   copies it; otherwise it is still a near-duplicate of its match but starts a story of its own.
5. Same story: with no copy, the rewrite it shares most rare terms with gives `duplicate_of`, under
   the same rule for joining its story; a rewrite that fits no story is unique.

A story is a star around its canonical, so stories never grow by chains of copies of copies drifting
away, and (threshold >= 0.5) a round-up that carries two stories is not copied by both.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from newsdedup.core import verify
from newsdedup.core.config import DetectionConfig
from newsdedup.core.index import IndexEntry, WindowedIndex
from newsdedup.core.signatures import Signer
from newsdedup.core.terms import IdArray, LeadSketcher, Rarity, Vocabulary, language_of, lead, terms, words
from newsdedup.core.verdict import Verdict, judge
from newsdedup.core.verify import DEFAULT_RULES, DedupRules

if TYPE_CHECKING:
    from newsdedup.core.prepared import PreparedArticle

Status = Literal["unique", "exact_duplicate", "near_duplicate", "same_story"]
STATUSES: tuple[Status, ...] = ("unique", "exact_duplicate", "near_duplicate", "same_story")

_RECENT_TEXTS = 4096  # texts kept for re-verification (shingle set, figures, terms: about 10 KB each)
_INSERTED_TEXTS = 4096  # what was read of the latest inserted articles while they were decided (_Derived)


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict on one article, as the record's `dedup` object carries it."""

    status: Status
    duplicate_of: str | None
    cluster_id: str
    similarity: float | None
    evidence: dict[str, Any] | None = None  # why: the verifier's scores and terms (verdict.py)

    def to_json(self) -> dict[str, Any]:
        """The record's `dedup` object."""
        return {
            "status": self.status,
            "duplicate_of": self.duplicate_of,
            "cluster_id": self.cluster_id,
            "similarity": self.similarity,
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    """A decision plus the index changes a durable copy of the index must mirror."""

    decision: Decision
    redelivered: bool
    inserted: IndexEntry | None  # put under its article id
    removed: tuple[IndexEntry, ...]  # delete by article id (expired, evicted anchors, replaced)


class _Text:
    """One side of a comparison (verdict.Side): everything the verifier reads, each computed at most once."""

    def __init__(
        self,
        text: Callable[[], str],
        signer: Signer,
        source: str,
        size: int,
        event_time: float,
        term_ids: IdArray,
        vocab: Vocabulary,
    ) -> None:
        self._text = text
        self._signer = signer
        self.source = source
        self.size = size
        self.event_time = event_time
        self.term_ids = term_ids  # taken once at arrival and held by the index (terms.Vocabulary)
        self._vocab = vocab
        self._shingles: npt.NDArray[np.uint32] | None = None
        self._figures: frozenset[str] | None = None
        self._lead_figures: frozenset[str] | None = None
        self._lead_words: list[str] | None = None
        self._lead_ids: IdArray | None = None

    @property
    def shingles(self) -> npt.NDArray[np.uint32]:
        if self._shingles is None:
            self._shingles = self._signer.shingle_set(self._text())
        return self._shingles

    @property
    def figures(self) -> frozenset[str]:
        # Only texts that are judged get here, so most texts never pay for it.
        if self._figures is None:
            self._figures = verify.figures(self._text())
        return self._figures

    @property
    def lead_figures(self) -> frozenset[str]:
        if self._lead_figures is None:
            self._lead_figures = verify.figures(lead(self._text()))
        return self._lead_figures

    @property
    def lead_words(self) -> list[str]:
        if self._lead_words is None:
            self._lead_words = words(lead(self._text()))
        return self._lead_words

    @property
    def lead_ids(self) -> IdArray:
        if self._lead_ids is None:  # the lead's words are terms of the text, so they are held, except a
            # word the lead cut in two (a text with no space in its first LEAD_CHARS): not a term, left out
            self._lead_ids = self._vocab.ids_of(self.lead_words)
        return self._lead_ids

    def derived(self) -> _Derived:
        """What has been read of the text so far that depends on the text alone (not on the window)."""
        return _Derived(self._shingles, self._figures, self._lead_figures, self._lead_words)

    def adopt(self, derived: _Derived) -> None:
        """Take what another reading of the same text already computed (see `derived`)."""
        self._shingles, self._figures, self._lead_figures, self._lead_words = derived


class _Derived(NamedTuple):
    """A text's shingle set, figures, lead figures and lead words, as far as computed (None: not yet).

    Each is a function of the text alone, so it can pass from an article's decision to its later
    judgements as an earlier article. Lead ids are not among them: a word the lead cut in two is looked
    up in the vocabulary as it stands when it is read.
    """

    shingles: npt.NDArray[np.uint32] | None
    figures: frozenset[str] | None
    lead_figures: frozenset[str] | None
    lead_words: list[str] | None


class _Candidate(_Text):
    """The new article's side of every comparison."""

    def __init__(
        self, prepared: PreparedArticle, signer: Signer, event_time: float, term_ids: IdArray, vocab: Vocabulary
    ) -> None:
        super().__init__(
            lambda: prepared.normalized, signer, prepared.source, prepared.size, event_time, term_ids, vocab
        )
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
        self.index = WindowedIndex(config, bands, rows, rules.lead_perm, rules.lead_bands)
        self.sketcher = LeadSketcher(rules.lead_perm, config.seed)
        self._recent: OrderedDict[tuple[str, str, int], _Text] = OrderedDict()
        # An article judged against others computed its figures and lead words then; later articles judge
        # it as an earlier one, often soon after. Kept apart from `_recent`, whose order stays as it was.
        self._inserted: OrderedDict[tuple[str, str, int], _Derived] = OrderedDict()
        # Judged candidates need a plausible estimate from the character path (copies), or a lower one
        # (a rewrite), or to come from the lead path.
        self._estimate_floor = min(config.threshold - rules.estimate_margin, rules.story_estimate_floor)
        # What the verifier said about the candidates it turned down, for metrics and the evaluation.
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
        vocab = self.index.terms.vocab
        term_ids = vocab.hold(terms(prepared.normalized))  # handed to the index with the entry below
        try:
            candidate = _Candidate(prepared, self.signer, event_time, term_ids, vocab)
            language = language_of(prepared.normalized)
            counts = self.index.terms
            rarity = Rarity.of(counts, None, self.rules.rare_df, self.rules.rare_share, language)
            with counts.arriving(term_ids):
                lead_signature = self.sketcher.signature(rarity.terms_of(rarity.rare_of(candidate.lead_ids)))
                decision = self._decide(candidate, rarity, lead_signature, old.cluster_id if old is not None else None)
        except BaseException:
            vocab.release(term_ids)
            raise
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
            lead_signature=lead_signature,
            evidence=decision.evidence,
        )
        removed.extend(self.index.insert(entry, term_ids, language))
        inserted = self.index.get(prepared.article_id)
        if inserted is not None:
            self._inserted[(inserted.article_id, inserted.content_hash, inserted.seq)] = candidate.derived()
            if len(self._inserted) > _INSERTED_TEXTS:
                self._inserted.popitem(last=False)
        return Outcome(decision, False, inserted, tuple(removed))

    def _decide(
        self, new: _Candidate, rarity: Rarity, lead_signature: npt.NDArray[np.uint32] | None, own_cluster: str | None
    ) -> Decision:
        """The decision against the current window (which does not hold the article itself)."""
        prepared = new.prepared
        if not prepared.normalized:  # nothing to compare: two empty texts are not copies of each other
            return Decision("unique", None, prepared.article_id, None)
        same = self.index.first_with_hash(prepared.content_hash)
        if same is not None and same.cluster_id != own_cluster:
            evidence = {"overlap": 1.0, "reason": "the same normalised text"}
            return Decision("exact_duplicate", same.article_id, same.cluster_id, 1.0, evidence)
        judged = self._judged(new, rarity, lead_signature, own_cluster)
        joins: dict[str, bool] = {}  # cluster id -> is the article linked to its canonical?

        def joins_story(entry: IndexEntry) -> bool:
            if entry.cluster_id not in joins:
                canonical = self.index.canonical(entry.cluster_id)
                joins[entry.cluster_id] = (
                    canonical is None  # the story's first article is gone (replaced by an update)
                    or canonical.article_id == entry.article_id
                    or self._judge(new, self._cached(canonical), rarity).linked
                )
            return joins[entry.cluster_id]

        copies = sorted((pair for pair in judged if pair[1].kind == "copy"), key=lambda p: (-p[1].overlap, p[0].seq))
        for entry, verdict in copies:
            light_edit = verdict.overlap >= self.rules.light_edit
            if joins_story(entry) or (light_edit and self._holds_canonical(entry, rarity)):
                return _found("near_duplicate", entry, entry.cluster_id, verdict)
            self.stats["canonical_rejected"] += 1
        if copies:
            # A copy of an earlier article that has drifted too far from that story's canonical: still a
            # copy (the clean feed must not publish it twice), but the start of a story of its own.
            entry, verdict = copies[0]
            self.stats["own_cluster"] += 1
            return _found("near_duplicate", entry, prepared.article_id, verdict)
        stories = sorted(
            (pair for pair in judged if pair[1].kind == "same_story"),
            key=lambda p: (-(p[1].containment or 0.0), p[0].seq),
        )
        for entry, verdict in stories:
            if joins_story(entry):
                return _found("same_story", entry, entry.cluster_id, verdict)
            self.stats["story_rejected"] += 1
        return Decision("unique", None, prepared.article_id, None)

    def _holds_canonical(self, member: IndexEntry, rarity: Rarity) -> bool:
        """Whether a story member itself copies its canonical (it joined it directly, as a copy).

        A light edit of such a member joins the member's story even when the edit moved it just under
        the threshold against the canonical: one light edit from a direct member is as far as a story
        reaches, so a chain of edits still cannot drift into another story.
        """
        canonical = self.index.canonical(member.cluster_id)
        if canonical is None or canonical.article_id == member.article_id:
            return True
        verdict = self._judge(self._cached(member), self._cached(canonical), rarity)
        return verdict.kind == "copy"

    def _judged(
        self, new: _Candidate, rarity: Rarity, lead_signature: npt.NDArray[np.uint32] | None, own_cluster: str | None
    ) -> list[tuple[IndexEntry, Verdict]]:
        """The verifier's verdict on each candidate worth judging, in the order they were judged."""
        prepared, rules = new.prepared, self.rules
        picked: list[tuple[float, IndexEntry]] = []
        if prepared.size >= rules.min_shingles:
            ids, jaccard, sizes = self.index.query_estimates(prepared.signature, rules.max_bucket)
            floor = self._estimate_floor
            picked = self._best(ids, jaccard, sizes, prepared.size, own_cluster, rules.max_verified, floor)
        taken = {entry.article_id for _, entry in picked}
        if lead_signature is not None:
            # Met on the lead's rare terms only: the most alike leads first (their MinHash estimate), not the
            # most alike wording, which a rewrite does not share.
            ids = [key for key in self.index.query_lead(lead_signature, rules.max_bucket) if key not in taken]
            equal, seqs = self.index.lead_estimates(ids, lead_signature)
            found = 0
            for position in np.lexsort((seqs, -equal)).tolist():  # most alike first, first seen first
                if equal[position] < rules.lead_min_equal:
                    break
                entry = self.index.get(ids[position])
                if entry is None or entry.cluster_id == own_cluster:
                    continue
                picked.append((float(equal[position]), entry))
                found += 1
                if found == rules.max_lead_verified:
                    break
        judged = []
        for _, entry in picked:
            verdict = self._judge(new, self._cached(entry), rarity)
            if not verdict.linked:
                self.stats[verdict.reason] += 1
            judged.append((entry, verdict))
        return judged

    def _judge(self, new: _Text, old: _Text, rarity: Rarity) -> Verdict:
        """The verifier's verdict on one pair (every path of the decision asks here)."""
        return judge(new, old, rarity, self.config.threshold, self.rules)

    def _best(
        self,
        ids: list[str],
        jaccard: npt.NDArray[np.float64],
        sizes: npt.NDArray[np.float64],
        size: int,
        own_cluster: str | None,
        most: int,
        floor: float,
    ) -> list[tuple[float, IndexEntry]]:
        """The `most` candidates with the best estimated overlap (at least `floor`), first seen first on a tie.

        Most candidates of the character path are chance band collisions, turned down here in one
        vectorised step; past the best few lie siblings of a template, each turned down at full price.
        """
        if not ids:
            return []
        estimates = jaccard * (sizes + size) / (1.0 + jaccard) / np.maximum(np.maximum(sizes, size), 1)
        keep = (sizes >= self.rules.min_shingles) & (estimates >= floor)
        entries = []
        for position in np.flatnonzero(keep).tolist():
            entry = self.index.get(ids[position])
            if entry is not None and entry.cluster_id != own_cluster:
                entries.append((float(estimates[position]), entry))
        entries.sort(key=lambda pair: (-pair[0], pair[1].seq))
        return entries[:most]

    def _cached(self, entry: IndexEntry) -> _Text:
        # A story's canonical and its first copies are judged against again and again while the story is
        # being republished; the texts themselves stay compressed in the index.
        # Keyed by insertion number too: an entry that left and came back holds other term ids.
        key = (entry.article_id, entry.content_hash, entry.seq)
        found = self._recent.get(key)
        if found is None:
            term_ids = self.index.term_ids(entry.article_id)
            found = _Text(
                entry.normalized, self.signer, entry.source, entry.size, entry.event_time, term_ids,
                self.index.terms.vocab,
            )
            derived = self._inserted.pop(key, None)
            if derived is not None:
                found.adopt(derived)
            self._recent[key] = found
            if len(self._recent) > _RECENT_TEXTS:
                self._recent.popitem(last=False)
        else:
            self._recent.move_to_end(key)
        return found


def _found(status: Status, entry: IndexEntry, cluster_id: str, verdict: Verdict) -> Decision:
    """The decision naming `entry` as what the article copies or retells."""
    return Decision(status, entry.article_id, cluster_id, round(verdict.overlap, 4), verdict.evidence)


def _stored(entry: IndexEntry) -> Decision:
    """The decision an entry was stored with (a redelivery gets it back unchanged)."""
    status: Status = next((known for known in STATUSES if known == entry.status), "unique")
    return Decision(status, entry.duplicate_of, entry.cluster_id, entry.similarity, entry.evidence)
