"""Evaluate cross-article detection on all 31,030 SaudiNewsNet articles (docs/DETECTION.md).

    python bench/eval_saudinewsnet.py                  # counts, LSH-stage precision/recall, samples
    python bench/eval_saudinewsnet.py --sweep          # also: shingle sizes x thresholds on labelled pairs
    python bench/eval_saudinewsnet.py --show flagged   # print the flagged sample's texts to read (not saved)

1. Every article, in date order, through the core (prepare + Deduplicator, default settings):
   how many are flagged exact / near-duplicate.
2. The LSH stage against the exact truth: all pairs whose exact overlap on the same shingles reaches
   the threshold (PPJoin, bench/exact_pairs.py), against the pairs the LSH index proposes and the
   verification accepts, with the window set to the whole corpus so every pair counts.
3. Two samples for reading: 50 flagged cross-outlet near-duplicate pairs, and the 50 unflagged
   same-day cross-outlet pairs with the highest word Jaccard. Pairs go to docs/eval/*-sample.tsv
   (URLs only: the corpus licence forbids copying its text); verdicts written by a reader in
   docs/eval/*-verdicts.tsv are counted here.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from evalkit import DEFAULT_SHARED, REPO, as_input, machine, print_machine, read_tsv, saudinewsnet, write_tsv
from exact_pairs import similar_pairs
from newsdedup.core import verify
from newsdedup.core.article import parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.dedup import Decision, Deduplicator
from newsdedup.core.index import WindowedIndex
from newsdedup.core.pipeline import prepare
from newsdedup.core.prepared import PreparedArticle
from newsdedup.core.signatures import Signer
from newsdedup.core.verify import DEFAULT_RULES
from sweep import labelled_sweep, smaller_shingles_sample

EVAL_DIR = REPO / "docs" / "eval"
_WORD = re.compile(r"\w+")


def run_core(raws: list[dict[str, Any]], config: DetectionConfig) -> tuple[list[PreparedArticle], list[Decision]]:
    """Step 1: every article through prepare + decide, in date order."""
    signer = Signer(config)
    deduplicator = Deduplicator(config, signer)
    arrived = datetime.now(UTC)  # unused: every article has an event time
    started = time.perf_counter()
    prepared = [prepare(parse_article(as_input(raw)), signer, config) for raw in raws]
    middle = time.perf_counter()
    decisions = [deduplicator.decide(p, arrived) for p in prepared]
    ended = time.perf_counter()
    counts = Counter(d.status for d in decisions)
    source = {p.article_id: p.source for p in prepared}
    cross = Counter(
        d.status
        for p, d in zip(prepared, decisions, strict=True)
        if d.duplicate_of and source[d.duplicate_of] != p.source
    )
    clusters = Counter(d.cluster_id for d in decisions)
    print("\n## 1. All articles through the core (default settings)")
    print(f"threshold {config.threshold}, shingles {config.shingle_size} chars, "
          f"window {config.window_seconds / 3600:g} h, LSH {deduplicator.index.bands} bands x "
          f"{deduplicator.index.rows} rows, num_perm {config.num_perm}")
    print(f"articles {len(decisions)}: unique {counts['unique']}, exact_duplicate {counts['exact_duplicate']} "
          f"(cross-outlet {cross['exact_duplicate']}), near_duplicate {counts['near_duplicate']} "
          f"(cross-outlet {cross['near_duplicate']})")
    print(f"clusters with 2+ articles {sum(1 for n in clusters.values() if n > 1)}, "
          f"largest {max(clusters.values())}; candidate checks turned down: {dict(deduplicator.stats)}")
    print(f"repetition detected in {sum(1 for p in prepared if p.repetition['detected'])} articles")
    print(f"time: prepare {middle - started:.1f} s, decide {ended - middle:.1f} s (one core)")
    return prepared, decisions


def lsh_stage(
    prepared: list[PreparedArticle], sets: list[np.ndarray], config: DetectionConfig
) -> set[tuple[int, int]]:
    """Step 2: LSH candidates + verification against the exact pairs at the threshold."""
    rules, theta = DEFAULT_RULES, config.threshold
    bands, rows = verify.lsh_params(theta, config.num_perm, rules.lsh_floor_probability)
    index = WindowedIndex(replace(config, window_seconds=1e12), bands, rows)
    sizes = np.array([s.size for s in sets])
    position = {p.article_id: i for i, p in enumerate(prepared)}
    started = time.perf_counter()
    candidates: dict[tuple[int, int], float] = {}
    for j, p in enumerate(prepared):
        for entry in index.query(p.signature):
            i = position[entry.article_id]
            jac = Signer.estimate_similarity(p.signature, entry.signature)
            candidates[(i, j)] = verify.overlap_from_jaccard(jac, int(sizes[i]), int(sizes[j]))
        index.insert(_entry(p, j))
    lsh_seconds = time.perf_counter() - started
    started = time.perf_counter()
    a, b, inter = similar_pairs(sets, theta / (2.0 - theta))
    truth_seconds = time.perf_counter() - started
    overlap = inter / np.maximum(sizes[a], sizes[b])
    keep = (overlap > theta) & (np.minimum(sizes[a], sizes[b]) >= rules.min_shingles)
    truth = set(zip(a[keep].tolist(), b[keep].tolist(), strict=True))
    eligible = {k: v for k, v in candidates.items() if min(sizes[k[0]], sizes[k[1]]) >= rules.min_shingles}
    floor = theta - rules.estimate_margin
    exact_of = {k: verify.exact_overlap(sets[k[0]], sets[k[1]]) for k, v in eligible.items() if v >= floor}
    by_estimate = {k for k, v in eligible.items() if v > theta}
    by_exact = {k for k, v in exact_of.items() if v > theta}
    print("\n## 2. LSH stage against the exact pairs (window = whole corpus)")
    print(f"exact pairs with overlap > {theta} (both texts >= {rules.min_shingles} shingles): {len(truth)} "
          f"(PPJoin at Jaccard >= {theta / (2 - theta):.3f}: {len(a)} pairs, {truth_seconds:.0f} s)")
    print(f"LSH {bands}x{rows}: {len(candidates)} candidate pairs ({len(candidates) / len(prepared):.1f} per "
          f"article, {lsh_seconds:.0f} s); candidate recall {_share(truth & eligible.keys(), truth):.4f}")
    for name, flagged in (("estimate only", by_estimate), (f"estimate >= {floor:.2f} then exact", by_exact)):
        hit = flagged & truth
        print(f"verify by {name}: flagged {len(flagged)}, precision {_share(hit, flagged):.4f}, "
              f"recall {_share(hit, truth):.4f}")
    return truth


def pair_outcomes(
    raws: list[dict[str, Any]], prepared: list[PreparedArticle], decisions: list[Decision],
    truth: set[tuple[int, int]], window: float,
) -> None:
    """What the decisions made of the exact pairs above the threshold that fall inside one window."""
    counts: Counter[tuple[bool, str]] = Counter()
    for i, j in truth:  # i is the earlier article (date order)
        if (prepared[j].published_at or 0.0) - (prepared[i].published_at or 0.0) > window:
            continue
        if decisions[i].cluster_id == decisions[j].cluster_id:
            outcome = "same cluster"
        elif decisions[j].status != "unique":
            outcome = "later flagged, in another story's cluster"
        else:
            outcome = "later published as unique"
        counts[(raws[i]["source"] != raws[j]["source"], outcome)] += 1
    print("\nexact pairs above the threshold within one window, by what the decisions made of them:")
    for cross in (True, False):
        total = sum(n for (c, _), n in counts.items() if c == cross)
        parts = ", ".join(f"{o} {n} ({n / total:.1%})" for (c, o), n in sorted(counts.items()) if c == cross)
        print(f"  {'cross-outlet' if cross else 'same outlet'} ({total}): {parts}")


def _entry(p: PreparedArticle, seq: int) -> Any:
    from newsdedup.core.index import IndexEntry

    return IndexEntry(p.article_id, p.source, p.published_at or 0.0, p.signature, p.size, p.content_hash,
                      b"", "unique", None, p.article_id, None, seq)


def _share(part: set[Any], whole: set[Any]) -> float:
    return len(part) / len(whole) if whole else 1.0


def samples(
    raws: list[dict[str, Any]], prepared: list[PreparedArticle], decisions: list[Decision], salt: str
) -> None:
    """Step 3: draw both reading samples (URLs only) and count the verdicts already written."""
    by_id = {p.article_id: i for i, p in enumerate(prepared)}
    flagged = [
        (by_id[d.duplicate_of], j)
        for j, d in enumerate(decisions)
        if d.status == "near_duplicate"
        and d.duplicate_of
        and raws[by_id[d.duplicate_of]]["source"] != raws[j]["source"]
    ]
    # A hash of the URL pair orders the pairs at random but stably: a pair stays in the sample when
    # decisions elsewhere change, so verdicts already written stay valid.
    picked = sorted(sorted(flagged, key=lambda pair: _pair_hash(raws, pair, salt))[:50], key=lambda pair: pair[1])
    rows = [[n + 1, raws[i]["url"], raws[j]["url"], raws[i]["source"], raws[j]["source"],
             decisions[j].similarity] for n, (i, j) in enumerate(picked)]
    header = ["n", "url_earlier", "url_later", "source_earlier", "source_later", "score"]
    write_tsv(EVAL_DIR / "snn-flagged-sample.tsv", header, rows,
              f"the 50 of the {len(flagged)} near_duplicate decisions across outlets with the smallest "
              f"blake2b('{salt}' + URL pair) (a stable random sample); score = overlap")
    unflagged = _most_similar_unflagged(raws, prepared, decisions)
    rows = [[n + 1, raws[i]["url"], raws[j]["url"], raws[i]["source"], raws[j]["source"], round(score, 4)]
            for n, (score, i, j) in enumerate(unflagged)]
    write_tsv(EVAL_DIR / "snn-unflagged-sample.tsv", header, rows,
              "the 50 same-day cross-outlet pairs whose later article was published as unique, with the "
              "highest word Jaccard (distinct normalised words); score = word Jaccard")
    print("\n## 3. Samples checked by reading (verdicts in docs/eval/*-verdicts.tsv)")
    print(f"flagged cross-outlet near-duplicate pairs: {len(flagged)}, sample of 50 by hash (salt {salt!r})")
    for kind in ("flagged", "unflagged"):
        _count_verdicts(kind)


def _pair_hash(raws: list[dict[str, Any]], pair: tuple[int, int], salt: str) -> bytes:
    text = f"{salt}{raws[pair[0]]['url']}\t{raws[pair[1]]['url']}"
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()


def _most_similar_unflagged(raws: list[dict[str, Any]], prepared: list[PreparedArticle],
                            decisions: list[Decision]) -> list[tuple[float, int, int]]:
    vocabulary: dict[str, int] = {}
    words = [
        np.unique(np.array([vocabulary.setdefault(w, len(vocabulary)) for w in _WORD.findall(p.normalized)], np.uint32))
        for p in prepared
    ]
    days: dict[str, list[int]] = {}
    for i, raw in enumerate(raws):
        if prepared[i].size >= DEFAULT_RULES.min_shingles:
            days.setdefault(raw["date_extracted"][:10], []).append(i)
    best: list[tuple[float, int, int]] = []
    for members in days.values():
        a, b, inter = similar_pairs([words[i] for i in members], 0.3)
        for x, y, n in zip(a.tolist(), b.tolist(), inter.tolist(), strict=True):
            i, j = members[x], members[y]
            later = max(i, j)  # "unflagged": the later article went out as new (status unique)
            if raws[i]["source"] == raws[j]["source"] or decisions[later].status != "unique":
                continue
            best.append((n / (words[i].size + words[j].size - n), min(i, j), max(i, j)))
    best.sort(reverse=True)
    return best[:50]


def _count_verdicts(kind: str) -> None:
    sample = {(r["url_earlier"], r["url_later"]) for r in read_tsv(EVAL_DIR / f"snn-{kind}-sample.tsv")}
    path = EVAL_DIR / f"snn-{kind}-verdicts.tsv"
    if not path.exists():
        print(f"{kind}: no verdicts yet ({path.relative_to(REPO)})")
        return
    verdicts = {(r["url_earlier"], r["url_later"]): r["verdict"] for r in read_tsv(path)}
    counts = Counter(verdicts.get(pair, "missing") for pair in sample)
    if kind == "unflagged":  # "is each a different story?" (a round-up is not flagged by design)
        print(f"{kind}: {counts['different'] + counts['roundup']}/{len(sample)} right; verdicts {dict(counts)}")
    else:  # "is each the same story?"
        print(f"{kind}: {counts['same']}/{len(sample)} the same story; verdicts {dict(counts)}")


def _missed_reasons(data: Path) -> None:
    """Why the unflagged pairs read as the same story were not flagged: under the threshold, figures, LSH."""
    path = EVAL_DIR / "snn-unflagged-verdicts.tsv"
    if not path.exists():
        return
    same = [(r["url_earlier"], r["url_later"]) for r in read_tsv(path) if r["verdict"] == "same"]
    wanted = {url for pair in same for url in pair}
    config = DetectionConfig()
    signer = Signer(config)
    texts = {raw["url"]: prepare(parse_article(as_input(raw)), signer, config).normalized
             for raw in saudinewsnet(data) if raw["url"] in wanted}
    reasons: Counter[str] = Counter()
    overlaps = []
    for a, b in same:
        sets = [signer.shingle_set(texts[url]) for url in (a, b)]
        overlap = verify.exact_overlap(*sets)
        small = min(s.size for s in sets)
        rules = DEFAULT_RULES
        changed = rules.changed_figures_short if small < rules.short_notice else rules.changed_figures
        if overlap <= config.threshold:
            reasons["overlap at or under the threshold"] += 1
            overlaps.append(overlap)
        elif verify.figures_conflict(verify.figures(texts[a]), verify.figures(texts[b]), changed):
            reasons["figures rule"] += 1
        else:
            reasons["never an LSH candidate"] += 1
    low = f" (overlap {min(overlaps):.2f}-{max(overlaps):.2f})" if overlaps else ""
    print(f"unflagged pairs read as the same story, by cause: {dict(reasons)}{low}")


def main() -> None:
    """Run the evaluation and print its report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_SHARED / "data")
    parser.add_argument("--salt", default="newsdedup", help="salt of the flagged sample's hash order")
    parser.add_argument("--sweep", action="store_true", help="also compare shingle sizes and thresholds")
    parser.add_argument("--show", choices=["flagged", "unflagged", "4gram-extra"], help="print a sample to read")
    parser.add_argument("--verdicts", action="store_true", help="only count the verdicts already written")
    parser.add_argument("--labelled-only", action="store_true", help="only the sweep on the labelled pairs")
    args = parser.parse_args()
    info = machine()
    if args.verdicts:
        for kind in ("flagged", "unflagged", "4gram-extra"):
            _count_verdicts(kind)
        _missed_reasons(args.data)
        return
    raws = saudinewsnet(args.data)
    if args.show:
        from sweep import show_sample
        show_sample(raws, EVAL_DIR / f"snn-{args.show}-sample.tsv")
        return
    print_machine(info)
    config = DetectionConfig()
    if args.labelled_only:
        signer = Signer(config)
        prepared = [prepare(parse_article(as_input(raw)), signer, config) for raw in raws]
        labelled_sweep(raws, prepared, EVAL_DIR / "snn-labelled-pairs.tsv")
        return
    prepared, decisions = run_core(raws, config)
    signer = Signer(config)
    sets = [signer.shingle_set(p.normalized) for p in prepared]
    truth = lsh_stage(prepared, sets, config)
    pair_outcomes(raws, prepared, decisions, truth, config.window_seconds)
    samples(raws, prepared, decisions, args.salt)
    if args.sweep:
        labelled_sweep(raws, prepared, EVAL_DIR / "snn-labelled-pairs.tsv")
        smaller_shingles_sample(raws, prepared, EVAL_DIR / "snn-4gram-extra-sample.tsv")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
