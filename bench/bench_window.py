"""How the detection's cost grows with the window: probe throughput, LSH candidates and memory at N indexed articles.

    python bench/bench_window.py [--sizes 10000,100000,1000000] [--probe 2000] [--json bench/out/bench_window.json]
    python bench/bench_window.py --plot docs/img/window-scaling.png [--json bench/out/bench_window.json]

For each window size N, in a fresh child process (so that its memory is measured alone and one size
cannot disturb the next):

1. fill a `Deduplicator` (DetectionConfig() defaults, except a window long enough that nothing expires)
   with N distinct ~3,000-character articles, one second of event time apart, through the real
   `prepare` + `Deduplicator.process` path (`--fill decide`; the fill's decisions are counted) or with
   `WindowedIndex.restore` of the entries `process` makes for unique articles, as the worker's recovery
   does (`--fill restore`: no decisions, so much faster at large N, where every decision has thousands
   of LSH candidates). `--fill auto` (default): decide up to 100,000, restore above;
2. time `prepare` and `decide` of M probe articles (--probe): 90 % new, 10 % copies of random indexed
   articles, alternately exact and lightly edited (evalkit.republished);
3. count, untimed and after the probe, the LSH candidates each probe article's query returned (the
   index entries older than the article that share a band with it);
4. resident memory (VmRSS) before and after the fill, and the peak (VmHWM).

The collector policy of the service (newsdedup/gcpolicy.py) is applied as `scan` applies it during the
fill (start, then a tick per article) and as the worker applies it after a recovery (start once the
index is full, then a tick per probe article).

Texts (`--texts synthetic`, the default): the corpora in ../shared/data hold about 20,000 texts of
3,000 characters, so every article is made of sentences drawn at random (seeded by its number) from
the distinct sentences of all of SaudiNewsNet (Arabic) or all of the BBC corpus (English; every 4th
article), long sentences cut into pieces of at most 300 characters so that no piece is a large share of
an article. Two articles share a sentence now and then, as real news does, but never most of their
text. `--texts real` uses bench_core's 3,000-character windows of the real articles instead (as far as
the corpora reach: a calibration of the synthetic texts at small N). Corpora are read in place.

`--baseline` adds, per size and in its own child, datasketch as bench_core's baseline uses it: a
MinHashLSH with datasketch's own banding for the threshold, filled with the same N signatures; the
probe's MinHash.bulk (default sha1 hash; does not depend on N) and query + insert are timed.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # before numba is imported: one core, one thread

import numpy as np
import orjson

from bench_core import shingles_bytes
from evalkit import DATA, REPO, bbc_bodies, load_articles, machine, republished, saudinewsnet_bodies

if TYPE_CHECKING:  # for annotations: only the children import newsdedup, when they run
    from newsdedup.core.signatures import Signer

DEFAULT_JSON = REPO / "bench" / "out" / "bench_window.json"
SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+|\n+")
MIN_SENTENCE, MAX_SENTENCE = 40, 300  # characters: shorter pieces are mostly datelines and captions
COPY_EVERY = 10  # every 10th probe article is a copy of an indexed one
GUARD_EVERY = 10_000  # articles between two looks at MemAvailable during a fill
AUTO_DECIDE_MAX = 100_000  # --fill auto: decide up to this size, restore above (decide's cost grows with N)
FILL_PATHS = {"decide": "prepare + Deduplicator.process (decided, the service's path)",
              "restore": "prepare + IndexEntry as Deduplicator.process makes it for a unique article, "
                         "then WindowedIndex.restore (the recovery path; not decided)"}
BASE_TIME = datetime(2015, 7, 21, tzinfo=UTC)
KIB = 1024


# ---- texts -------------------------------------------------------------------------------------------

class TextSource(Protocol):
    """Where the articles' texts come from: article k is the same text in every process."""

    def text(self, k: int) -> tuple[str, str]:
        """(language, body) of article k."""
        ...

    def describe(self) -> dict[str, Any]:
        """What the texts are, for the JSON."""
        ...


def sentence_pool(texts: Iterable[str]) -> list[str]:
    """The distinct sentences of the texts (whitespace collapsed), long ones cut at a space into <= 300 characters."""
    seen: dict[str, None] = {}
    for text in texts:
        for raw in SENTENCE_END.split(text):
            rest = " ".join(raw.split())
            while len(rest) > MAX_SENTENCE:
                cut = rest.rfind(" ", MIN_SENTENCE, MAX_SENTENCE)
                cut = cut if cut > 0 else MAX_SENTENCE
                seen[rest[:cut]] = None
                rest = rest[cut:].lstrip()
            if len(rest) >= MIN_SENTENCE:
                seen[rest] = None
    return list(seen)


class SyntheticTexts:
    """Article k: sentences drawn at random from one language's pool by a generator seeded with (seed, k).

    Sentences, not runs of them: at 1M articles the English corpus (~5M characters) would be reused ~150
    times over, and articles made of a few long runs then share most of their text with some earlier
    one (runs of ~1,000 characters already gave near-duplicates among 5,000 articles). Random sentences
    make a text a little more like every other: ~1.4x the LSH candidates of real 3,000-character windows
    at 5,000 articles (--texts real), so candidate counts err on the high side; but the real windows
    also hold natural copies, which cost exact verifications that these texts rarely need.
    """

    def __init__(self, chars: int, english_share: float, seed: int) -> None:
        # One zip (one day) at a time: the whole corpus parsed at once would leave ~0.5 GB of freed heap
        # in the process, which the fill then reuses and the RSS difference would not see.
        self.arabic = sentence_pool(saudinewsnet_bodies(DATA))
        self.english = sentence_pool(bbc_bodies(DATA))
        self.chars, self.seed = chars, seed
        self.english_every = max(1, round(1 / english_share)) if english_share > 0 else 0

    def text(self, k: int) -> tuple[str, str]:
        """(language, body) of article k: the same on every call and in every process."""
        every = self.english_every
        language = "en" if every and k % every == every - 1 else "ar"
        pool = self.english if language == "en" else self.arabic
        rng = random.Random(self.seed * 1_000_000_007 + k)
        used: set[int] = set()
        paragraphs: list[str] = []
        length = 0
        while length < self.chars:
            paragraph = []
            for _ in range(rng.randint(2, 5)):
                i = rng.randrange(len(pool))
                if i not in used:  # a sentence twice would be repetition for the cleaner to remove
                    used.add(i)
                    paragraph.append(pool[i])
                    length += len(pool[i]) + 1
            paragraphs.append(" ".join(paragraph))
        body = "\n\n".join(p for p in paragraphs if p)
        if len(body) > self.chars:
            body = body[: self.chars].rsplit(None, 1)[0]
        return language, body

    def describe(self) -> dict[str, Any]:
        """What the generator draws from."""
        return {"kind": "synthetic", "arabic_sentences": len(self.arabic), "english_sentences": len(self.english),
                "sentence_chars": [MIN_SENTENCE, MAX_SENTENCE], "seed": self.seed}


class RealTexts:
    """bench_core's 3,000-character windows of the real corpora, as far as they reach."""

    def __init__(self, count: int, chars: int, english_share: float) -> None:
        self.articles = load_articles(DATA, count, chars, english_share)

    def text(self, k: int) -> tuple[str, str]:
        """(language, body) of the k-th window."""
        return self.articles[k]

    def describe(self) -> dict[str, Any]:
        """What the texts are."""
        return {"kind": "real", "texts": len(self.articles)}


# ---- measurement helpers -----------------------------------------------------------------------------

def proc_status(field: str) -> int:
    """A size field of /proc/self/status (VmRSS, VmHWM) in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * KIB
    raise KeyError(field)


def settle() -> int:
    """Collect, hand freed heap back to the kernel (glibc malloc_trim), and return VmRSS in bytes."""
    gc.collect()
    # Not glibc: RSS then also counts heap freed before the fill, which the fill reuses.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    return proc_status("VmRSS")


def mem_available() -> int:
    """MemAvailable of the machine, in bytes."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * KIB
    return 0


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank) of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] if ordered else float("nan")


def log(message: str) -> None:
    """Progress on stderr (the lead watches the long sizes)."""
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True, slots=True)
class ProbeItem:
    """One probe article: what it is, which text it carries, and of which indexed article it is a copy."""

    kind: str  # new, exact_copy, edited_copy
    language: str
    body: str
    copy_of: int | None


def probe_plan(texts: TextSource, n: int, m: int, seed: int) -> list[ProbeItem]:
    """M probe articles: every 10th a copy of a random indexed article (alternately exact and edited), the rest new."""

    rng = random.Random(seed + n)
    items, fresh, copies = [], n, 0
    for j in range(m):
        if n and j % COPY_EVERY == COPY_EVERY - 1:
            target = rng.randrange(n)
            language, body = texts.text(target)
            kind = "edited_copy" if copies % 2 else "exact_copy"
            if kind == "edited_copy":
                body = republished("", body, language == "ar")[1]
            items.append(ProbeItem(kind, language, body, target))
            copies += 1
        else:
            language, body = texts.text(fresh)
            items.append(ProbeItem("new", language, body, None))
            fresh += 1
    return items


def fill_mode(option: str, n: int) -> str:
    """decide or restore, for this size."""
    if option == "auto":
        return "decide" if n <= AUTO_DECIDE_MAX else "restore"
    return option


def make_texts(args: argparse.Namespace, n: int) -> TextSource:
    """The text source the options ask for."""
    if args.texts == "real":
        return RealTexts(n + args.probe, args.chars, args.english_share)
    return SyntheticTexts(args.chars, args.english_share, args.seed)


def pair_similarity(texts: TextSource, n: int, pairs: int, signer: Signer, seed: int) -> dict[str, float]:
    """Exact Jaccard and majority overlap of random pairs of indexed articles: are they distinct?"""
    from newsdedup.core.normalize import normalize_text
    from newsdedup.core.signatures import exact_jaccard
    from newsdedup.core.verify import exact_overlap

    rng = random.Random(seed)
    jaccards, overlaps = [], []
    for _ in range(pairs if n > 1 else 0):
        a, b = rng.sample(range(n), 2)
        set_a, set_b = (signer.shingle_set(normalize_text(texts.text(k)[1])) for k in (a, b))
        jaccards.append(exact_jaccard(set_a, set_b))
        overlaps.append(exact_overlap(set_a, set_b))
    if not jaccards:
        return {}
    return {"pairs": len(jaccards), "jaccard_mean": statistics.fmean(jaccards), "jaccard_max": max(jaccards),
            "overlap_mean": statistics.fmean(overlaps), "overlap_max": max(overlaps)}


class MemoryGuard:
    """Stops a fill before it leaves the machine (shared with other jobs) less than `min_free` bytes."""

    def __init__(self, min_free: int) -> None:
        self.min_free = min_free

    def check(self, filled: int) -> None:
        """Exit the child with a message when MemAvailable falls under the floor."""
        available = mem_available()
        if available < self.min_free:
            sys.exit(f"stopped after {filled} articles: MemAvailable {available / 2**30:.1f} GiB is under "
                     f"--min-free-gb ({self.min_free / 2**30:.1f} GiB); RSS {proc_status('VmRSS') / 2**30:.1f} GiB")


# ---- one window size (child process) ----------------------------------------------------------------

def run_size(n: int, args: argparse.Namespace) -> dict[str, Any]:
    """Fill a Deduplicator with N articles, then time the probe; everything this size reports."""
    from newsdedup.core.article import parse_article
    from newsdedup.core.config import DetectionConfig
    from newsdedup.core.dedup import Deduplicator
    from newsdedup.core.index import IndexEntry
    from newsdedup.core.pipeline import prepare
    from newsdedup.core.signatures import Signer
    from newsdedup.core.verify import DEFAULT_RULES
    from newsdedup.gcpolicy import CollectorPolicy

    rss_start = proc_status("VmRSS")
    started = time.perf_counter()
    texts = make_texts(args, n)
    # Event times are 1 s apart: a window of N + M seconds (plus an hour) keeps every article in it.
    config = DetectionConfig(window_seconds=float(n + args.probe + 3600))
    signer = Signer(config)
    dedup = Deduplicator(config, signer=signer)
    items = probe_plan(texts, n, args.probe, args.seed)
    probe = [parse_article({"id": f"p{j}", "source": f"outlet-{j % 14}", "body": item.body,
                            "language": item.language}) for j, item in enumerate(items)]
    setup_s = time.perf_counter() - started
    guard = MemoryGuard(int(args.min_free_gb * 2**30))
    every = max(5_000, n // 10)  # progress lines; the memory guard looks every GUARD_EVERY articles
    fill = fill_mode(args.fill, n)

    def article(k: int) -> Any:
        language, body = texts.text(k)
        return parse_article({"id": f"a{k}", "source": f"outlet-{k % 14}", "body": body, "language": language})

    collector = CollectorPolicy()
    rss_before = settle()
    collector.start()  # as `scan` does: the policy holds from the first article on
    statuses: Counter[str] = Counter()
    progress: list[tuple[int, float, int]] = []  # (articles, seconds, VmRSS): how the fill rate falls with N
    started = time.perf_counter()
    restore_s = None
    if fill == "decide":
        for k in range(n):
            outcome = dedup.process(prepare(article(k), signer, config), BASE_TIME + timedelta(seconds=k))
            statuses[outcome.decision.status] += 1
            collector.tick()
            if (k + 1) % GUARD_EVERY == 0:
                guard.check(k + 1)
            if (k + 1) % every == 0:
                progress.append((k + 1, time.perf_counter() - started, proc_status("VmRSS")))
                log(f"N={n:,}: filled {k + 1:,} ({(k + 1) / progress[-1][1]:,.0f}/s overall), "
                    f"RSS {progress[-1][2] / 2**20:,.0f} MiB")
    else:
        entries = []
        for k in range(n):
            p = prepare(article(k), signer, config)
            # Exactly the entry Deduplicator.process makes for an article decided unique.
            entries.append(IndexEntry(
                article_id=p.article_id, source=p.source, event_time=p.event_time(BASE_TIME + timedelta(seconds=k)),
                signature=p.signature, size=p.size, content_hash=p.content_hash, text=p.packed_text,
                status="unique", duplicate_of=None, cluster_id=p.article_id, similarity=None, seq=k,
            ))
            collector.tick()
            if (k + 1) % GUARD_EVERY == 0:
                guard.check(k + 1)
            if (k + 1) % every == 0:
                progress.append((k + 1, time.perf_counter() - started, proc_status("VmRSS")))
                log(f"N={n:,}: prepared {k + 1:,} entries ({(k + 1) / (time.perf_counter() - started):,.0f}/s)")
        restore_started = time.perf_counter()
        # The LSH tables (most of an entry's memory) are built here, after the guard's last look: the
        # parent checked beforehand that the projected total fits (projection()).
        dedup.index.restore(entries)
        restore_s = time.perf_counter() - restore_started
        del entries
        statuses["not decided (restored as unique)"] = n
    fill_s = time.perf_counter() - started
    started = time.perf_counter()
    collector.start()  # as the worker does once its index is rebuilt
    collector_start_s = time.perf_counter() - started
    rss_after = settle()
    log(f"N={n:,}: filled in {fill_s:,.0f} s, RSS {rss_after / 2**20:,.0f} MiB; probing {len(probe)}")

    clock = time.perf_counter
    prepare_us, decide_us, decisions = [], [], []
    probe_started = clock()
    for j, art in enumerate(probe):
        t0 = clock()
        prepared = prepare(art, signer, config)
        t1 = clock()
        decision = dedup.decide(prepared, BASE_TIME + timedelta(seconds=n + j))
        t2 = clock()
        collector.tick()
        prepare_us.append((t1 - t0) * 1e6)
        decide_us.append((t2 - t1) * 1e6)
        decisions.append(decision)
    probe_s = clock() - probe_started

    # Candidates, untimed and after the fact: what each probe article's LSH query returned is the
    # entries inserted before it that share a band with it (nothing expired, so none has left since).
    # Exact copies are found by their content hash and never query the LSH; they are left out.
    floor = config.threshold - DEFAULT_RULES.estimate_margin
    candidates, checked = [], []
    per_article: list[int | None] = []  # aligned with decide_us: the cost per candidate can be fitted
    by_language: dict[str, list[int]] = {}
    for decision, item, art in zip(decisions, items, probe, strict=True):
        if decision.status == "exact_duplicate":
            per_article.append(None)
            continue
        own = dedup.index.get(art.id)
        assert own is not None
        earlier = [e for e in dedup.index.query(own.signature) if e.seq < own.seq]
        candidates.append(len(earlier))
        per_article.append(len(earlier))
        by_language.setdefault(item.language, []).append(len(earlier))
        if not earlier:
            checked.append(0)
            continue
        # The ones decide checks on their exact shingle sets (estimated overlap >= threshold - margin).
        jaccard = (np.stack([e.signature for e in earlier]) == own.signature).mean(axis=1)
        sizes = np.array([e.size for e in earlier], dtype=np.float64)
        estimate = jaccard * (sizes + own.size) / (1 + jaccard) / np.maximum(sizes, own.size)
        plausible = (estimate >= floor) & (np.minimum(sizes, own.size) >= DEFAULT_RULES.min_shingles)
        checked.append(int(plausible.sum()))

    outcome_by_kind: dict[str, Counter[str]] = {}
    decide_by_kind: dict[str, list[float]] = {}
    for item, decision, us in zip(items, decisions, decide_us, strict=True):
        outcome_by_kind.setdefault(item.kind, Counter())[decision.status] += 1
        decide_by_kind.setdefault(item.kind, []).append(us)
    m = len(probe)
    total_us = [a + b for a, b in zip(prepare_us, decide_us, strict=True)]
    return {
        "n": n,
        "indexed": len(dedup.index),
        "texts": texts.describe(),
        "fill": fill,
        "fill_path": FILL_PATHS[fill],
        "window_seconds": config.window_seconds,
        "setup_s": setup_s,
        "fill_s": fill_s,
        "fill_per_s": n / fill_s if fill_s else None,
        "restore_s": restore_s,
        "fill_progress": progress,
        "fill_decisions": dict(statuses),
        "fill_unique_share": statuses["unique"] / n if fill == "decide" and n else None,
        # New probe articles are made like the fill's: the share decided unique checks, at every size and
        # fill path, that the synthetic texts do not collide with the index.
        "probe_new_unique_share": outcome_by_kind.get("new", Counter())["unique"] / max(1, sum(
            outcome_by_kind.get("new", Counter()).values())),
        "collector_start_after_fill_s": collector_start_s,
        "probe": m,
        "probe_kinds": dict(Counter(item.kind for item in items)),
        "probe_decisions": {kind: dict(c) for kind, c in outcome_by_kind.items()},
        "probe_s": probe_s,
        "probe_per_s": m / probe_s,
        "prepare_decide_per_s": m / (sum(total_us) / 1e6),
        "decide_per_s": m / (sum(decide_us) / 1e6),
        "prepare_us_mean": statistics.fmean(prepare_us),
        "decide_us": {"mean": statistics.fmean(decide_us), "p50": percentile(decide_us, 50),
                      "p99": percentile(decide_us, 99), "max": max(decide_us)},
        "decide_us_mean_by_kind": {kind: statistics.fmean(v) for kind, v in decide_by_kind.items()},
        "prepare_decide_us": {"p50": percentile(total_us, 50), "p99": percentile(total_us, 99)},
        "candidates": {"articles": len(candidates), "mean": statistics.fmean(candidates) if candidates else 0.0,
                       "p50": percentile(candidates, 50), "p99": percentile(candidates, 99),
                       "max": max(candidates, default=0),
                       "checked_exactly_mean": statistics.fmean(checked) if checked else 0.0,
                       "mean_by_language": {k: statistics.fmean(v) for k, v in by_language.items()}},
        "per_article": {"kind": [item.kind for item in items], "decide_us": [round(us, 1) for us in decide_us],
                        "candidates": per_article},
        "rss_start_bytes": rss_start,
        "rss_before_fill_bytes": rss_before,
        "rss_after_fill_bytes": rss_after,
        "rss_end_bytes": proc_status("VmRSS"),
        "peak_rss_bytes": proc_status("VmHWM"),
        "bytes_per_indexed_article": (rss_after - rss_before) / n if n else None,
        "random_pairs": pair_similarity(texts, n, args.pairs, signer, args.seed),
        "gc_policy": "CollectorPolicy: start() before the fill, tick() per fill article, start() after the fill, "
                     "tick() per probe article",
    }


def run_baseline(n: int, args: argparse.Namespace) -> dict[str, Any]:
    """datasketch's MinHashLSH (its own banding) over the same N signatures; the probe as bench_core's baseline."""
    from datasketch import MinHash, MinHashLSH

    from newsdedup.core.config import DetectionConfig
    from newsdedup.core.normalize import normalize_text
    from newsdedup.core.signatures import Signer

    texts = make_texts(args, n)
    config = DetectionConfig(window_seconds=float(n + args.probe + 3600))
    signer = Signer(config)
    items = probe_plan(texts, n, args.probe, args.seed)
    guard = MemoryGuard(int(args.min_free_gb * 2**30))
    lsh = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm)
    rss_before = settle()
    started = time.perf_counter()
    for k in range(n):
        lsh.insert(f"a{k}", signer.to_lean_minhash(signer.signature(normalize_text(texts.text(k)[1]))))
        if (k + 1) % GUARD_EVERY == 0:
            guard.check(k + 1)
    fill_s = time.perf_counter() - started
    rss_after = settle()
    normalized = [normalize_text(item.body) for item in items]
    # MinHash.bulk with datasketch's default hash, as bench_core's baseline: its cost does not depend on N.
    started = time.perf_counter()
    for first in range(0, len(normalized), 100):
        MinHash.bulk([shingles_bytes(t, config.shingle_size) for t in normalized[first : first + 100]],
                     num_perm=config.num_perm, seed=config.seed)
    bulk_s = time.perf_counter() - started
    # The index holds Signer signatures (datasketch's MinHash with murmur3 shingle hashes), so the probe
    # queries with those too: sha1 MinHashes would never collide with them.
    lean = [signer.to_lean_minhash(signer.signature(t)) for t in normalized]
    candidates, lsh_us = [], []
    clock = time.perf_counter
    for j, minhash in enumerate(lean):
        t0 = clock()
        found = lsh.query(minhash)
        lsh.insert(f"p{j}", minhash)
        lsh_us.append((clock() - t0) * 1e6)
        candidates.append(len(found))
    m = len(items)
    per_article_s = bulk_s / m + statistics.fmean(lsh_us) / 1e6
    return {
        "n": n, "params": [lsh.b, lsh.r], "fill_s": fill_s,
        "minhash_bulk_us": bulk_s / m * 1e6, "lsh_query_insert_us": {"mean": statistics.fmean(lsh_us),
                                                                     "p50": percentile(lsh_us, 50),
                                                                     "p99": percentile(lsh_us, 99)},
        "articles_per_s": 1 / per_article_s, "candidates_mean": statistics.fmean(candidates),
        "bytes_per_indexed_article": (rss_after - rss_before) / n if n else None,
        "peak_rss_bytes": proc_status("VmHWM"),
    }


# ---- the parent ----------------------------------------------------------------------------------------

def child(kind: str, n: int, argv: list[str], projected: float | None, args: argparse.Namespace) -> dict[str, Any]:
    """Run one size in a fresh interpreter; its result, or why it did not run."""
    available = mem_available()
    if projected is not None and projected > available - args.min_free_gb * 2**30 and not args.force:
        message = (f"skipped: projected {projected / 2**30:.1f} GiB, only {available / 2**30:.1f} GiB available "
                   f"(--min-free-gb {args.min_free_gb}; --force runs it anyway)")
        log(f"N={n:,} {kind}: {message}")
        return {"n": n, "error": message}
    with tempfile.NamedTemporaryFile(prefix="bench-window-", suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        command = [sys.executable, str(Path(__file__).resolve()), *argv, "--child", kind, "--child-n", str(n),
                   "--child-out", str(out)]
        done = subprocess.run(command, check=False)
        if done.returncode != 0 or not out.stat().st_size:
            return {"n": n, "error": f"child exited with status {done.returncode} (see stderr above)"}
        result: dict[str, Any] = orjson.loads(out.read_bytes())
        return result
    finally:
        out.unlink(missing_ok=True)


def projection(previous: dict[str, Any] | None, n: int) -> float | None:
    """Memory the next size is expected to need, from the last size that ran (bytes)."""
    if not previous or "error" in previous or not previous.get("bytes_per_indexed_article"):
        return None
    return float(previous["rss_before_fill_bytes"] + previous["bytes_per_indexed_article"] * 1.1 * n)


def print_report(results: dict[str, Any]) -> None:
    """The table of sizes, then the machine."""
    print(f"\nwindow size benchmark: probe of {results['probe']} articles (90 % new, 10 % copies), texts "
          f"{results['texts']}, fill {results['fill']}; per size a fresh process")
    header = (f"{'N':>10s} {'fill':>7s} {'fill s':>8s} {'fill/s':>7s} {'uniq%':>6s} {'newU%':>6s} "
              f"{'probe/s':>8s} {'decide/s':>9s} "
              f"{'dec µs':>7s} {'p50':>6s} {'p99':>7s} {'cand':>7s} {'cand99':>7s} {'checked':>8s} "
              f"{'KiB/art':>8s} {'RSS MiB':>8s} {'peak MiB':>9s}")
    print(header)
    for row in results["sizes"]:
        if "error" in row:
            print(f"{row['n']:>10,d}  {row['error']}")
            continue
        unique = row["fill_unique_share"]
        print(f"{row['n']:>10,d} {row['fill']:>7s} {row['fill_s']:8.1f} "
              f"{row['fill_per_s']:7,.0f} {(f'{unique * 100:.1f}' if unique is not None else '-'):>6s} "
              f"{row['probe_new_unique_share'] * 100:6.1f} {row['prepare_decide_per_s']:8,.0f} "
              f"{row['decide_per_s']:9,.0f} {row['decide_us']['mean']:7.0f} {row['decide_us']['p50']:6.0f} "
              f"{row['decide_us']['p99']:7.0f} {row['candidates']['mean']:7.1f} {row['candidates']['p99']:7.0f} "
              f"{row['candidates']['checked_exactly_mean']:8.2f} {row['bytes_per_indexed_article'] / KIB:8.1f} "
              f"{row['rss_after_fill_bytes'] / 2**20:8,.0f} {row['peak_rss_bytes'] / 2**20:9,.0f}")
    print("fill = process (decided) or restore; uniq% = fill articles decided unique; newU% = new probe "
          "articles decided unique;\nprobe/s = M / (sum of prepare + decide); decide/s = M / (sum of decide); "
          "dec µs = decide per article (mean, p50, p99);\ncand = LSH candidates per article that queried "
          "(mean, p99); checked = of them verified on exact shingle sets; KiB/art = (VmRSS after fill - before) / N")
    for row in results["sizes"]:
        if "error" in row:
            continue
        kinds = ", ".join(f"{k} {v:.0f}" for k, v in row["decide_us_mean_by_kind"].items())
        print(f"N={row['n']:,}: decide µs by kind: {kinds}; probe decisions {row['probe_decisions']}; "
              f"fill decisions {row['fill_decisions']}; random pairs {row['random_pairs']}; "
              f"prepare {row['prepare_us_mean']:.0f} µs; collector start after fill "
              f"{row['collector_start_after_fill_s']:.2f} s")
    for row in results.get("baseline", []):
        if "error" in row:
            print(f"baseline N={row['n']:,}: {row['error']}")
            continue
        print(f"baseline N={row['n']:,}: datasketch MinHashLSH {row['params'][0]}x{row['params'][1]}: "
              f"{row['articles_per_s']:,.0f} articles/s (MinHash.bulk {row['minhash_bulk_us']:.0f} µs + query/insert "
              f"{row['lsh_query_insert_us']['mean']:.0f} µs, p99 {row['lsh_query_insert_us']['p99']:.0f}), "
              f"{row['candidates_mean']:.1f} candidates, {row['bytes_per_indexed_article'] / KIB:.1f} KiB/article")
    print(f"collector policy: {results['gc_policy']}")
    for key, value in results["machine"].items():
        print(f"{key}: {value}")


def plot(results: dict[str, Any], png: Path) -> None:
    """Throughput and decide µs against window size (log-log), and memory per indexed article."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt
    from matplotlib import ticker

    rows = [r for r in results["sizes"] if "error" not in r]
    if not rows:
        sys.exit("no size in the JSON has results to plot")
    sizes = [r["n"] for r in rows]
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(12, 3.6), dpi=100)
    left.plot(sizes, [r["prepare_decide_per_s"] for r in rows], "o-", label="prepare + decide")
    left.plot(sizes, [r["decide_per_s"] for r in rows], "s--", label="decide alone")
    for row in results.get("baseline", []):
        if "error" not in row:
            left.plot([row["n"]], [row["articles_per_s"]], "x", color="grey")
    if any("error" not in r for r in results.get("baseline", [])):
        left.plot([], [], "x", color="grey", label="datasketch baseline")
    left.set_title("throughput (one core)")
    left.set_ylabel("articles/s")
    middle.plot(sizes, [r["decide_us"]["p50"] for r in rows], "o-", label="decide p50")
    middle.plot(sizes, [r["decide_us"]["p99"] for r in rows], "s--", label="decide p99")
    middle.set_ylabel("µs per article")
    middle.set_title("decide time and LSH candidates")
    twin = middle.twinx()
    twin.plot(sizes, [r["candidates"]["mean"] for r in rows], "^:", color="tab:green", label="candidates (mean)")
    twin.set_ylabel("candidates per article", color="tab:green")
    handles = middle.get_legend_handles_labels()
    extra = twin.get_legend_handles_labels()
    middle.legend(handles[0] + extra[0], handles[1] + extra[1], fontsize=8, loc="upper left")
    right.plot(sizes, [r["bytes_per_indexed_article"] / KIB for r in rows], "o-")
    right.set_ylabel("KiB per indexed article (RSS)")
    right.set_title("memory")
    # Log-log: the sizes span two decades and the costs may too; memory per article stays linear.
    right.set_ylim(bottom=0)
    for axis in (left, middle, right):
        axis.set_xscale("log")
        axis.set_xlabel("indexed articles (window size)")
        axis.set_xticks(sizes, [f"{n:,}" for n in sizes], fontsize=8)
        axis.xaxis.set_minor_locator(ticker.NullLocator())
        axis.grid(alpha=0.3)
    for axis in (left, middle, twin):
        axis.set_yscale("log")
        axis.yaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        axis.yaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:,.0f}"))
        axis.yaxis.set_minor_locator(ticker.NullLocator())
    left.legend(fontsize=8)
    fig.suptitle(f"newsdedup: cost against window size (probe of {results['probe']} articles, "
                 f"{results['machine'].get('date', '')})", fontsize=10)
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=100)
    plt.close(fig)
    print(f"wrote {png} ({png.stat().st_size / 1024:.0f} KiB)")


def main(argv: list[str] | None = None) -> int:
    """Run each window size in its own process and report; or plot an earlier run's JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="indexed articles, comma-separated")
    parser.add_argument("--probe", type=int, default=2000, help="probe articles timed per size (default 2000)")
    parser.add_argument("--chars", type=int, default=3000, help="characters per article (default 3000)")
    parser.add_argument("--english-share", type=float, default=0.25, help="share of English articles (0.25)")
    parser.add_argument("--texts", choices=["synthetic", "real"], default="synthetic",
                        help="sentence mixes of the corpora (default), or the real windows (small N only)")
    parser.add_argument("--fill", choices=["auto", "decide", "restore"], default="auto",
                        help="fill through prepare + Deduplicator.process, or index.restore of the entries process "
                        f"would make; auto (default): decide up to {AUTO_DECIDE_MAX:,}, restore above")
    parser.add_argument("--baseline", action="store_true", help="also datasketch's MinHashLSH, per size, own child")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--pairs", type=int, default=500, help="random indexed pairs whose similarity is reported")
    parser.add_argument("--min-free-gb", type=float, default=2.0,
                        help="stop a fill (and skip a size) that would leave less memory free (default 2)")
    parser.add_argument("--force", action="store_true", help="run a size even when its projected memory is short")
    parser.add_argument("--cpu", type=int, help="pin every child to this CPU")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"results file (default {DEFAULT_JSON})")
    parser.add_argument("--plot", type=Path, help="draw the PNG from --json instead of running")
    parser.add_argument("--child", choices=["core", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--child-n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    raw = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(raw)

    if args.plot:
        plot(orjson.loads(args.json.read_bytes()), args.plot)
        return 0
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    if args.child:
        result = run_size(args.child_n, args) if args.child == "core" else run_baseline(args.child_n, args)
        args.child_out.write_bytes(orjson.dumps(result))
        return 0

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    results: dict[str, Any] = {
        "machine": machine(), "probe": args.probe, "chars": args.chars, "english_share": args.english_share,
        "texts": args.texts, "fill": args.fill, "seed": args.seed, "sizes": [], "baseline": [],
        "gc_policy": "newsdedup.gcpolicy.CollectorPolicy as the service applies it: start() before the fill and "
                     "tick() per fill article (as scan), start() after the fill (as the worker after a recovery), "
                     "tick() per probe article",
    }
    previous: dict[str, Any] | None = None
    for n in sorted(sizes):
        log(f"N={n:,}: starting a fresh process ({fill_mode(args.fill, n)} fill, {args.texts} texts)")
        previous = child("core", n, raw, projection(previous, n), args)
        results["sizes"].append(previous)
        if args.baseline:
            results["baseline"].append(child("baseline", n, raw, None, args))
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))  # kept after every size
    print_report(results)
    print(f"results: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
