"""The windowed near-duplicate index: datasketch MinHashLSH plus event-time expiry.

datasketch has no expiry (its issues #54 and #219), so the window lives beside it: a min-heap of
(event time, insertion number, id). Each insert pushes one item and pops the items that fell out of
the window, O(log n) per article; events that arrive out of order are simply pushed where they
belong. The window is measured from the newest event time seen, never from a clock.

A canonical (the first article of a story) that leaves the window while copies of it are still in
it is kept aside as an anchor, out of the LSH tables: new copies are verified against it (see
dedup.py), so a cluster keeps its identity as long as it has members, and memory stays bounded by
the number of live entries.
"""

from __future__ import annotations

import base64
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from newsdedup.core.config import DetectionConfig
from newsdedup.core.lsh import BandedLSH
from newsdedup.core.packing import CODEC, pack_text, unpack_text
from newsdedup.core.signatures import SCHEME
from newsdedup.core.terms import IdArray, TermCounts, language_of, terms


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One article in the window: what later articles are compared with, and the decision it got."""

    article_id: str
    source: str
    event_time: float  # seconds since the epoch, UTC
    signature: npt.NDArray[np.uint32]
    size: int  # distinct shingles of the compared text (turns a Jaccard estimate into an overlap)
    content_hash: str
    text: bytes  # the normalised compared text, packed (core/packing.py): candidates are verified on it
    status: str
    duplicate_of: str | None
    cluster_id: str
    similarity: float | None
    seq: int = -1  # insertion number, assigned by the index; orders first-seen across a restore
    # Filed in the LSH tables, so later articles can find it as a candidate. A story's canonical and its
    # first few members are; an exact copy and the later members of a widely copied story are not
    # (they are found by content hash, or through the members that are): see dedup.py.
    searchable: bool = True
    # The MinHash of the lead's rare terms at arrival (terms.LeadSketcher), filed in the second LSH; None
    # when the lead had no rare term. Kept, not recomputed: rarity at arrival is not rarity at restore.
    lead_signature: npt.NDArray[np.uint32] | None = None
    evidence: dict[str, Any] | None = None  # the decision's evidence, given back to a redelivery

    @property
    def is_canonical(self) -> bool:
        """True for the first-seen article of its cluster."""
        return self.cluster_id == self.article_id

    def normalized(self) -> str:
        """The normalised text the entry was indexed with."""
        return unpack_text(self.text)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (orjson) of the entry; signature (little-endian uint32) and text as base64."""
        return {
            "article_id": self.article_id,
            "source": self.source,
            "event_time": self.event_time,
            "signature": base64.b64encode(self.signature.astype("<u4").tobytes()).decode("ascii"),
            "size": self.size,
            "content_hash": self.content_hash,
            "text": base64.b64encode(self.text).decode("ascii"),
            "codec": CODEC,
            "status": self.status,
            "duplicate_of": self.duplicate_of,
            "cluster_id": self.cluster_id,
            "similarity": self.similarity,
            "seq": self.seq,
            "searchable": self.searchable,
            "lead_signature": None if self.lead_signature is None else base64.b64encode(
                self.lead_signature.astype("<u4").tobytes()).decode("ascii"),
            "evidence": self.evidence,
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> IndexEntry:
        """The entry `to_json` wrote."""
        raw = base64.b64decode(obj["signature"])
        return cls(
            article_id=obj["article_id"],
            source=obj["source"],
            event_time=float(obj["event_time"]),
            signature=np.frombuffer(raw, dtype="<u4").astype(np.uint32),
            size=int(obj["size"]),
            content_hash=obj["content_hash"],
            text=_repacked(base64.b64decode(obj["text"]), obj.get("codec", "zlib")),
            status=obj["status"],
            duplicate_of=obj["duplicate_of"],
            cluster_id=obj["cluster_id"],
            similarity=obj["similarity"],
            seq=int(obj["seq"]),
            searchable=bool(obj.get("searchable", True)),  # entries saved before the flag were all filed
            lead_signature=None if obj.get("lead_signature") is None else np.frombuffer(
                base64.b64decode(obj["lead_signature"]), dtype="<u4").astype(np.uint32),
            evidence=obj.get("evidence"),
        )


def _repacked(text: bytes, codec: str) -> bytes:
    """Stored text in the current codec (entries saved before LZ4 carry zlib and no codec field)."""
    return text if codec == CODEC else pack_text(unpack_text(text, codec))


class WindowedIndex:
    """MinHash-LSH over the articles of the last `window_seconds` of event time."""

    def __init__(
        self, config: DetectionConfig, bands: int, rows: int, lead_perm: int = 64, lead_bands: int = 32
    ) -> None:
        if bands * rows > config.num_perm or bands < 2 or rows < 1:
            raise ValueError(
                f"LSH bands x rows must fit in num_perm={config.num_perm} with at least 2 bands, "
                f"got {bands} x {rows}"
            )
        self.config = config
        self.bands, self.rows = bands, rows
        self.window = config.window_seconds
        self._lsh = BandedLSH(config.num_perm, bands, rows, SCHEME)
        # The second candidate path: leads' rare terms (see dedup.py), and the stories' term counts.
        self._lead_lsh = BandedLSH(lead_perm, lead_bands, lead_perm // lead_bands, SCHEME)
        self.lead_perm = lead_perm
        self.terms = TermCounts()
        # Each live entry's and anchor's terms (held ids) and language: read by the verifier and uncounted
        # on leaving, never re-read from the stored text.
        self._held: dict[str, tuple[IdArray, str]] = {}
        self._live: dict[str, IndexEntry] = {}
        self._anchors: dict[str, IndexEntry] = {}  # cluster id -> expired canonical with live members
        self._members: dict[str, int] = {}  # cluster id -> live entries in it
        self._searchable: dict[str, int] = {}  # cluster id -> live entries of it in the LSH tables
        self._by_hash: dict[str, dict[str, None]] = {}  # content hash -> live ids, first seen first
        self._heap: list[tuple[float, int, str]] = []
        self._evicted: list[IndexEntry] = []  # anchors dropped by remove(), reported by the next advance()
        self._seq = 0
        self.newest = float("-inf")
        self._last_signature: npt.NDArray[np.uint32] | None = None
        self._last_keys: list[bytes] = []
        self._last_lead: npt.NDArray[np.uint32] | None = None  # the same for the lead path's 64 bands
        self._last_lead_keys: list[bytes] = []
        # Every live entry's signature and set size in one matrix row ("slot"): a query estimates the
        # similarity of all its candidates with one gather instead of stacking their arrays one by one
        # (chance candidates grow with the window: docs/BENCHMARKS.md, "Window size").
        self._slot: dict[str, int] = {}
        self._free: list[int] = []
        self._signatures = np.zeros((64, config.num_perm), dtype=np.uint32)
        self._sizes = np.zeros(64, dtype=np.float64)
        self._lead_signatures = np.zeros((64, lead_perm), dtype=np.uint32)  # rows of entries in the lead LSH
        self._seqs = np.zeros(64, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._live)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._live

    @property
    def anchors(self) -> int:
        """How many expired canonicals are kept because their clusters still have members."""
        return len(self._anchors)

    @property
    def cutoff(self) -> float:
        """Entries with an event time before this have left the window."""
        return self.newest - self.window

    def get(self, article_id: str) -> IndexEntry | None:
        """The live entry of `article_id`, if it is in the window."""
        return self._live.get(article_id)

    def canonical(self, cluster_id: str) -> IndexEntry | None:
        """The canonical entry of a cluster: live, or kept as an anchor while the cluster has members."""
        entry = self._live.get(cluster_id)
        if entry is not None and entry.is_canonical:
            return entry
        return self._anchors.get(cluster_id)

    def first_with_hash(self, content_hash: str) -> IndexEntry | None:
        """The first-seen live entry whose normalised text has this content hash."""
        ids = self._by_hash.get(content_hash)
        return self._live[next(iter(ids))] if ids else None

    def query(self, signature: npt.NDArray[np.uint32]) -> list[IndexEntry]:
        """Live entries sharing at least one LSH band with `signature` (candidates, not verified)."""
        return [self._live[key] for key in self._lsh.query_keys(self._band_keys(signature))]

    def query_lead(self, lead_signature: npt.NDArray[np.uint32] | None, max_bucket: int | None = None) -> set[str]:
        """Ids of live entries whose lead signature shares a band with `lead_signature`."""
        if lead_signature is None:
            return set()
        return self._lead_lsh.query_keys(self._lead_band_keys(lead_signature), max_bucket)

    def lead_estimates(
        self, ids: list[str], lead_signature: npt.NDArray[np.uint32]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """For entries met on the lead path: how many lead-signature values equal `lead_signature`'s, and
        their insertion numbers (to order ties), in one gather."""
        slot = self._slot
        slots = np.fromiter((slot[key] for key in ids), dtype=np.intp, count=len(ids))
        equal = np.count_nonzero(self._lead_signatures[slots] == lead_signature, axis=1)
        return equal.astype(np.int64), self._seqs[slots]

    def estimates(
        self, ids: list[str], signature: npt.NDArray[np.uint32]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """MinHash Jaccard estimates of filed entries against `signature`, and their set sizes, in one gather."""
        slot = self._slot
        slots = np.fromiter((slot[key] for key in ids), dtype=np.intp, count=len(ids))
        equal = np.count_nonzero(self._signatures[slots] == signature, axis=1)
        return equal / signature.size, self._sizes[slots]

    def term_ids(self, article_id: str) -> IdArray:
        """The term ids of a live entry or an anchor (held by the index while it is kept)."""
        return self._held[article_id][0]

    def searchable_members(self, cluster_id: str) -> int:
        """How many live entries of a cluster are filed in the LSH tables."""
        return self._searchable.get(cluster_id, 0)

    def query_estimates(
        self, signature: npt.NDArray[np.uint32], max_bucket: int | None = None
    ) -> tuple[list[str], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Candidates as (ids, MinHash Jaccard estimates against `signature`, their set sizes), in one gather.

        A band bucket holding more than `max_bucket` entries is skipped (see BandedLSH.query_keys).
        """
        ids = list(self._lsh.query_keys(self._band_keys(signature), max_bucket))
        if not ids:
            return ids, np.zeros(0), np.zeros(0)
        jaccard, sizes = self.estimates(ids, signature)
        return ids, jaccard, sizes

    def insert(
        self, entry: IndexEntry, term_ids: IdArray | None = None, language: str | None = None
    ) -> list[IndexEntry]:
        """Add an entry (its id must not be live), advance the window; return the entries that left it.

        An entry already older than the window is not added (it would leave at once). `term_ids` are the
        entry's terms when the caller has them, held in `terms.vocab` for the index to keep or give back
        (else they are read from its text), with the text's `language`.
        """
        if entry.article_id in self._live:
            if term_ids is not None:
                self.terms.vocab.release(term_ids)
            raise ValueError(f"article {entry.article_id!r} is already indexed: remove it first to replace it")
        expired = self.advance(entry.event_time)
        if entry.event_time < self.cutoff:
            if term_ids is not None:
                self.terms.vocab.release(term_ids)
            return expired
        anchor = self._anchors.pop(entry.article_id, None)
        if anchor is not None:  # an expired canonical comes back: its new entry supersedes the anchor
            self._release(anchor.article_id)
            expired.append(anchor)
        if entry.seq < 0:
            entry = replace(entry, seq=self._seq)
        self._seq = max(self._seq, entry.seq) + 1
        self._add(entry, term_ids, language)
        return expired

    def remove(self, article_id: str) -> IndexEntry:
        """Take a live entry out (an update replaces it); its heap item goes stale and is skipped later."""
        entry = self._unlink(article_id)
        self._release(article_id)
        return entry

    def _unlink(self, article_id: str) -> IndexEntry:
        """Take a live entry out of the tables and counts; its terms stay held (see `_release`)."""
        entry = self._live.pop(article_id, None)
        if entry is None:
            raise KeyError(f"article {article_id!r} is not in the window")
        if entry.is_canonical:
            self.terms.remove_ids(*self._held[article_id])
        if entry.searchable:
            if entry.lead_signature is not None:
                self._lead_lsh.remove(article_id)
            self._lsh.remove(article_id)
            self._free.append(self._slot.pop(article_id))
            self._searchable[entry.cluster_id] -= 1
            if not self._searchable[entry.cluster_id]:
                del self._searchable[entry.cluster_id]
        ids = self._by_hash[entry.content_hash]
        del ids[article_id]
        if not ids:
            del self._by_hash[entry.content_hash]
        self._leave_cluster(entry.cluster_id)
        return entry

    def advance(self, event_time: float) -> list[IndexEntry]:
        """Move the newest event time forward (never back); return the entries that left for good.

        The returned entries (expired ones, and anchors whose last member went) are what a durable
        copy of the index deletes.
        """
        self.newest = max(self.newest, event_time)
        cutoff = self.cutoff
        expired, self._evicted = self._evicted, []
        while self._heap and self._heap[0][0] < cutoff:
            _, seq, article_id = heapq.heappop(self._heap)
            entry = self._live.get(article_id)
            if entry is None or entry.seq != seq:
                continue  # removed or replaced since it was pushed
            self._unlink(article_id)
            if entry.is_canonical and self._members.get(article_id, 0) > 0:
                self._anchors[article_id] = entry  # keeps its terms: copies are still judged against it
            else:
                self._release(article_id)
                expired.append(entry)
        expired.extend(self._evicted)
        self._evicted = []
        return expired

    def entries(self) -> Iterator[IndexEntry]:
        """Every entry a restart needs (live entries and anchors), in insertion order."""
        yield from sorted([*self._live.values(), *self._anchors.values()], key=lambda e: e.seq)

    def restore(self, entries: Iterable[IndexEntry], newest: float | None = None) -> None:
        """Rebuild the window from `entries()` of an earlier index (any order); the index must be empty.

        `newest` is the saved index's `newest` (its clock); without it the newest entry's event time is
        used, and entries that had already left are dropped by the next article's advance instead.
        """
        if self._live or self._anchors:
            raise ValueError("restore needs an empty index")
        ordered = sorted(entries, key=lambda e: e.seq)
        for entry in ordered:
            self._seq = max(self._seq, entry.seq) + 1
            self._add(entry)
        # Everything goes in first and the clock moves once, so anchors are recognised as such
        # (a canonical can only become an anchor once its members are back in the index).
        latest = max((e.event_time for e in ordered), default=float("-inf"))
        self.advance(latest if newest is None else max(newest, latest))

    def _add(self, entry: IndexEntry, term_ids: IdArray | None = None, language: str | None = None) -> None:
        if term_ids is None or language is None:
            text = entry.normalized()
            if term_ids is None:
                term_ids = self.terms.vocab.hold(terms(text))
            language = language_of(text)
        self._held[entry.article_id] = (term_ids, language)
        if entry.is_canonical:  # stories, not copies, are counted (terms.py)
            self.terms.add_ids(term_ids, language)
        if entry.searchable:
            self._file(entry)
        self._live[entry.article_id] = entry
        self._by_hash.setdefault(entry.content_hash, {})[entry.article_id] = None
        self._members[entry.cluster_id] = self._members.get(entry.cluster_id, 0) + 1
        heapq.heappush(self._heap, (entry.event_time, entry.seq, entry.article_id))

    def _file(self, entry: IndexEntry) -> None:
        """Put an entry in the LSH tables and the signature matrix."""
        self._lsh.insert_keys(entry.article_id, self._band_keys(entry.signature))
        if entry.lead_signature is not None:
            self._lead_lsh.insert_keys(entry.article_id, self._lead_band_keys(entry.lead_signature))
        slot = self._free.pop() if self._free else len(self._slot)
        if slot >= len(self._sizes):  # grow by half: amortised O(1) per insert
            grown = max(64, slot + slot // 2)
            self._signatures = np.resize(self._signatures, (grown, self._signatures.shape[1]))
            self._sizes = np.resize(self._sizes, grown)
            self._lead_signatures = np.resize(self._lead_signatures, (grown, self._lead_signatures.shape[1]))
            self._seqs = np.resize(self._seqs, grown)
        self._signatures[slot] = entry.signature
        self._sizes[slot] = entry.size
        self._seqs[slot] = entry.seq
        if entry.lead_signature is not None:
            self._lead_signatures[slot] = entry.lead_signature
        self._slot[entry.article_id] = slot
        self._searchable[entry.cluster_id] = self._searchable.get(entry.cluster_id, 0) + 1

    def _leave_cluster(self, cluster_id: str) -> None:
        left = self._members[cluster_id] - 1
        if left:
            self._members[cluster_id] = left
        else:
            del self._members[cluster_id]
            anchor = self._anchors.pop(cluster_id, None)
            if anchor is not None:  # the last member went: the story is over
                self._release(anchor.article_id)
                self._evicted.append(anchor)

    def _release(self, article_id: str) -> None:
        """Give back the terms of an entry that has left for good."""
        self.terms.vocab.release(self._held.pop(article_id)[0])

    def _band_keys(self, signature: npt.NDArray[np.uint32]) -> list[bytes]:
        """The LSH band keys of a signature, computed once for an article's query and its insert."""
        if signature is self._last_signature:
            return self._last_keys
        if signature.dtype != np.uint32 or signature.shape != (self.config.num_perm,):
            raise ValueError(f"expected {self.config.num_perm} uint32 values, got {signature.dtype} {signature.shape}")
        self._last_signature, self._last_keys = signature, self._lsh.band_keys(signature)
        return self._last_keys

    def _lead_band_keys(self, lead_signature: npt.NDArray[np.uint32]) -> list[bytes]:
        """The lead LSH's band keys of a lead signature, computed once for an article's query and its insert."""
        if lead_signature is not self._last_lead:
            self._last_lead, self._last_lead_keys = lead_signature, self._lead_lsh.band_keys(lead_signature)
        return self._last_lead_keys
