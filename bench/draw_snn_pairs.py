"""Draw a second SaudiNewsNet sample of article pairs to read, stratified by overlap band (docs/eval/SNN-LABELS-2.md).

    python bench/draw_snn_pairs.py                 # -> docs/eval/snn-sample-2.tsv (seed 2026), timings on stdout
    python bench/draw_snn_pairs.py --show FILE     # print both texts of every pair in FILE, to read (never saved)

Every article goes through the project's own `prepare` (repetition cleaning, normalisation of title and
body); the overlap of a pair is the exact Jaccard of the two character-5-gram shingle sets
(`Signer.shingle_set`, what the detector compares), for pairs whose `date_extracted` lie at most 72 h apart.
Two candidate signals, neither quadratic:

* `lsh`: the articles' own 128-value MinHash signatures banded 2 rows x 64 bands, which proposes a pair at
  Jaccard 0.2 with probability 0.93 (0.1: 0.47); every proposal is checked exactly.
* `rare`: an inverted index over rare terms (corpus document frequency 2..RARE_DF): words of the normalised
  text with the Arabic article and its attached particles stripped, numbers included. Its score is the
  idf-weighted share of the smaller article's distinctive terms (df <= RARE_DF) that the other also has:
  same-story rewrites with little common wording share names, places and figures.

Strata, each drawn with the seed, pairs already read in docs/eval/ left out: Jaccard 0.2-0.5 (equal
numbers from 0.2-0.3, 0.3-0.4, 0.4-0.5), Jaccard 0-0.2 among pairs with a high rare-term score, Jaccard
>= 0.5, and a `template` stratum: same-outlet pairs of two different days at Jaccard >= 0.2 that share
few rare terms (the shape of a template's two issues). Only URLs, dates, sources and scores are written:
the corpus licence forbids copying its text.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import time
from collections.abc import Sequence
from datetime import datetime
from itertools import combinations
from pathlib import Path
from typing import Any

import numba
import numpy as np
import numpy.typing as npt

from evalkit import DEFAULT_SHARED, REPO, as_input, read_tsv, saudinewsnet, write_tsv
from evalset_natural import read_verdicts
from newsdedup.core._kernels import intersection_size
from newsdedup.core.article import parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.pipeline import prepare
from newsdedup.core.signatures import Signer
from newsdedup.core.verify import DEFAULT_RULES

EVAL_DIR = REPO / "docs" / "eval"
WINDOW = 72 * 3600.0
ROWS = 2  # LSH rows per band (128 permutations -> 64 bands)
RARE_DF = 20  # a term in at most this many articles is distinctive
RARE_SCORE = 0.5  # the 'rare' stratum: at least this share of distinctive weight in common
MIN_SHARED = 3  # ... and at least this many shared rare terms
TEMPLATE_SCORE = 0.15  # the 'template' stratum: at most this share
HEADER = ["n", "url_a", "url_b", "date_a", "date_b", "source_a", "source_b", "band", "overlap", "rare_share",
          "signal"]

_WORD = re.compile(r"\w+")
# The Arabic article with the particles written onto it (wa-, fa-, bi-, ka-, li-): a clitic rule, not a word
# list. The rest of the word must keep three letters.
_CLITIC = re.compile(r"^(?:[وف]?(?:[بك]?ال|لل))(?=\w{3})")


def terms(normalized: str) -> set[str]:
    """The distinct words of a normalised text with the Arabic article and attached particles stripped."""
    return {_CLITIC.sub("", word) for word in _WORD.findall(normalized)}


def seconds(date_extracted: str) -> float:
    """A SaudiNewsNet `date_extracted` ('2015-07-21 02:51:32', UTC) as seconds since the epoch."""
    return datetime.fromisoformat(date_extracted + "+00:00").timestamp()


@numba.njit(cache=True)
def _bucket_pairs(order, keys, times, window, cap):  # type: ignore[no-untyped-def]
    """Pairs (i < j) of articles that share a band key and lie within the window; buckets over `cap` skipped."""
    out_a = np.empty(1 << 16, np.int64)
    out_b = np.empty(1 << 16, np.int64)
    found = 0
    n = order.shape[0]
    start = 0
    while start < n:
        end = start + 1
        while end < n and keys[order[end]] == keys[order[start]]:
            end += 1
        if 1 < end - start <= cap:
            for p in range(start, end):
                for q in range(p + 1, end):
                    i, j = order[p], order[q]
                    if abs(times[i] - times[j]) <= window:
                        if found == out_a.shape[0]:
                            out_a = np.concatenate((out_a, np.empty(found, np.int64)))
                            out_b = np.concatenate((out_b, np.empty(found, np.int64)))
                        out_a[found] = min(i, j)
                        out_b[found] = max(i, j)
                        found += 1
        start = end
    return out_a[:found], out_b[:found]


@numba.njit(cache=True)
def _jaccards(indptr, tokens, a, b):  # type: ignore[no-untyped-def]
    """Exact Jaccard of the sorted shingle sets of every pair (a[k], b[k]), sets stored as CSR."""
    out = np.empty(a.shape[0], np.float64)
    for k in range(a.shape[0]):
        set_a = tokens[indptr[a[k]] : indptr[a[k] + 1]]
        set_b = tokens[indptr[b[k]] : indptr[b[k] + 1]]
        shared = intersection_size(set_a, set_b)
        size = set_a.shape[0] + set_b.shape[0]
        out[k] = shared / (size - shared) if size > shared else 1.0
    return out


def lsh_pairs(signatures: npt.NDArray[np.uint32], times: npt.NDArray[np.float64], eligible: npt.NDArray[np.bool_]
              ) -> npt.NDArray[np.int64]:
    """Distinct candidate pairs (as i * n + j, i < j) from banding the signatures, ROWS rows a band."""
    n = signatures.shape[0]
    found = []
    for band in range(signatures.shape[1] // ROWS):
        block = signatures[:, band * ROWS : (band + 1) * ROWS].astype(np.uint64)
        keys = (block[:, 0] << np.uint64(32)) | block[:, 1]
        keys[~eligible] = np.arange(int((~eligible).sum()), dtype=np.uint64) + np.uint64(1 << 63)  # never shared
        order = np.argsort(keys, kind="stable")
        a, b = _bucket_pairs(order, keys, times, WINDOW, 500)
        found.append(np.unique(a * n + b))
    return np.unique(np.concatenate(found))


def rare_pairs(doc_terms: Sequence[set[str]], times: npt.NDArray[np.float64], eligible: npt.NDArray[np.bool_]
               ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Pairs sharing rare terms within the window: codes (i * n + j), share of distinctive weight, shared terms."""
    n = len(doc_terms)
    postings: dict[str, list[int]] = {}
    for d, words in enumerate(doc_terms):
        if eligible[d]:
            for word in words:
                postings.setdefault(word, []).append(d)
    idf = {word: math.log(n / len(docs)) for word, docs in postings.items() if len(docs) <= RARE_DF}
    weight = np.array([sum(idf.get(w, 0.0) for w in words) for words in doc_terms])
    codes: list[int] = []
    gains: list[float] = []
    for word, w in idf.items():
        docs = postings[word]
        for i, j in combinations(docs, 2):  # postings are in date order: i < j
            if times[j] - times[i] <= WINDOW:
                codes.append(i * n + j)
                gains.append(w)
    unique, inverse, counts = np.unique(np.array(codes, np.int64), return_inverse=True, return_counts=True)
    shared = np.bincount(inverse, weights=np.array(gains))
    a, b = unique // n, unique % n
    share = shared / np.maximum(np.minimum(weight[a], weight[b]), 1e-9)
    return unique, share, counts


def draw(rng: random.Random, pool: list[int], wanted: int, taken: set[int]) -> list[int]:
    """`wanted` codes drawn at random from `pool` (sorted first, so the draw depends on the seed only)."""
    free = sorted(set(pool) - taken)
    picked = rng.sample(free, min(wanted, len(free)))
    taken.update(picked)
    return picked


def band_of(jaccard: float) -> str:
    """The overlap band a Jaccard falls in."""
    return "0-0.2" if jaccard < 0.2 else "0.2-0.5" if jaccard < 0.5 else ">=0.5"


def main(argv: list[str] | None = None) -> None:
    """Draw the sample (or print a sample's texts with --show)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_SHARED / "data")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=EVAL_DIR / "snn-sample-2.tsv")
    parser.add_argument("--mid", type=int, default=44, help="pairs per tenth in 0.2-0.5")
    parser.add_argument("--low", type=int, default=15, help="pairs at Jaccard < 0.2 with a high rare-term share")
    parser.add_argument("--high", type=int, default=12, help="pairs at Jaccard >= 0.5")
    parser.add_argument("--template", type=int, default=12, help="same-outlet pairs sharing few rare terms")
    parser.add_argument("--show", type=Path, help="print both texts of every pair of this sample file")
    parser.add_argument("--first", type=int, default=0, help="with --show: start at this pair number")
    parser.add_argument("--count", type=int, default=10**9, help="with --show: this many pairs")
    parser.add_argument("--chars", type=int, default=0, help="with --show: cut bodies to this many characters")
    args = parser.parse_args(argv)
    raws = saudinewsnet(args.data)
    if args.show:
        show(raws, args.show, args.first, args.count, args.chars)
        return
    started = time.perf_counter()
    config = DetectionConfig()
    signer = Signer(config)
    prepared = [prepare(parse_article(as_input(raw)), signer, config) for raw in raws]
    shingles = [signer.shingle_set(p.normalized) for p in prepared]
    times = np.array([seconds(raw["date_extracted"]) for raw in raws])
    sizes = np.array([s.size for s in shingles])
    urls = [raw["url"] for raw in raws]
    eligible = sizes >= DEFAULT_RULES.min_shingles
    prepared_at = time.perf_counter()
    n = len(raws)
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(sizes, out=indptr[1:])
    tokens = np.concatenate(shingles)
    candidates = lsh_pairs(np.stack([p.signature for p in prepared]), times, eligible)
    jac = _jaccards(indptr, tokens, candidates // n, candidates % n)
    lsh_at = time.perf_counter()
    doc_terms = [terms(p.normalized) for p in prepared]
    rare_codes, rare_share, rare_count = rare_pairs(doc_terms, times, eligible)
    rare_jac = _jaccards(indptr, tokens, rare_codes // n, rare_codes % n)
    rare_at = time.perf_counter()

    share_of = dict(zip(rare_codes.tolist(), rare_share.tolist(), strict=True))
    jaccard_of = dict(zip(rare_codes.tolist(), rare_jac.tolist(), strict=True))
    jaccard_of.update(zip(candidates.tolist(), jac.tolist(), strict=True))
    read = read_verdicts(EVAL_DIR)
    position = {url: i for i, url in enumerate(urls)}
    taken = {min(position[a], position[b]) * n + max(position[a], position[b])
             for pair in read for a, b in [sorted(pair)] if a in position and b in position}
    already = len(taken)
    same_url = {c for c in jaccard_of if urls[c // n] == urls[c % n]}
    taken |= same_url
    rng = random.Random(args.seed)
    picked: list[tuple[int, str]] = []
    for low, high in ((0.2, 0.3), (0.3, 0.4), (0.4, 0.5)):
        pool = [c for c, j in zip(candidates.tolist(), jac.tolist(), strict=True) if low <= j < high]
        picked += [(c, "lsh") for c in draw(rng, pool, args.mid, taken)]
    pool = [c for c, j in zip(candidates.tolist(), jac.tolist(), strict=True) if j >= 0.5]
    picked += [(c, "lsh") for c in draw(rng, pool, args.high, taken)]
    rare_pool = [c for c, s, k, j in zip(rare_codes.tolist(), rare_share.tolist(), rare_count.tolist(),
                                          rare_jac.tolist(), strict=True)
                 if j < 0.2 and s >= RARE_SCORE and k >= MIN_SHARED]
    picked += [(c, "rare") for c in draw(rng, rare_pool, args.low, taken)]
    template_pool = [c for c, j in zip(candidates.tolist(), jac.tolist(), strict=True)
                     if j >= 0.2 and raws[c // n]["source"] == raws[c % n]["source"]
                     and raws[c // n]["date_extracted"][:10] != raws[c % n]["date_extracted"][:10]
                     and share_of.get(c, 0.0) <= TEMPLATE_SCORE]
    picked += [(c, "template") for c in draw(rng, template_pool, args.template, taken)]
    drawn_at = time.perf_counter()

    picked.sort(key=lambda item: (band_of(jaccard_of[item[0]]), item[0]))
    rows = []
    for k, (code, signal) in enumerate(picked, 1):
        i, j = code // n, code % n
        rows.append([k, urls[i], urls[j], raws[i]["date_extracted"], raws[j]["date_extracted"], raws[i]["source"],
                     raws[j]["source"], band_of(jaccard_of[code]), f"{jaccard_of[code]:.4f}",
                     f"{share_of.get(code, 0.0):.3f}", signal])
    mid_pool = int(((jac >= 0.2) & (jac < 0.5)).sum())
    comment = (
        f"SaudiNewsNet pairs to read, drawn by bench/draw_snn_pairs.py --seed {args.seed} (URLs only: CC BY-NC-SA).\n"
        f"overlap = exact Jaccard of character-5-gram sets of prepare()'s compared text; pairs within 72 h.\n"
        f"rare_share = idf-weighted share of the smaller article's rare terms (df <= {RARE_DF}) the other has.\n"
        f"signal: lsh (2x64 banding; {args.mid} per tenth of 0.2-0.5 from {mid_pool} pairs, {args.high} at >= 0.5) | "
        f"rare (Jaccard < 0.2, rare_share >= {RARE_SCORE}, >= {MIN_SHARED} shared rare terms) | "
        f"template (same outlet, two days, Jaccard >= 0.2, rare_share <= {TEMPLATE_SCORE}).\n"
        f"{already} pairs already read in docs/eval/ were left out."
    )
    write_tsv(args.out, HEADER, rows, comment)
    print(f"articles {n}, with >= {DEFAULT_RULES.min_shingles} shingles {int(eligible.sum())}")
    print(f"lsh candidates within 72 h {candidates.size}: Jaccard >= 0.5 {int((jac >= 0.5).sum())}, "
          f"0.2-0.5 {mid_pool}, < 0.2 {int((jac < 0.2).sum())}")
    print(f"rare-term pairs within 72 h {rare_codes.size}; rare pool {len(rare_pool)}; template pool "
          f"{len(template_pool)}; already read {already}")
    print(f"drawn {len(rows)} pairs -> {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}")
    print(f"time: prepare {prepared_at - started:.1f} s, lsh + exact Jaccard {lsh_at - prepared_at:.1f} s, "
          f"rare terms {rare_at - lsh_at:.1f} s, draw {drawn_at - rare_at:.1f} s, total {drawn_at - started:.1f} s")


def show(raws: list[dict[str, Any]], sample: Path, first: int, count: int, chars: int = 0) -> None:
    """Print the title and body of both articles of every pair in a sample file (for reading only)."""
    by_url = {raw["url"]: raw for raw in raws}
    for row in read_tsv(sample):
        if not first <= int(row["n"]) < first + count:
            continue
        print(f"\n=== {row['n']}  J {row['overlap']}  rare {row['rare_share']}  {row['signal']}  "
              f"{row['source_a']} -> {row['source_b']}")
        for url in (row["url_a"], row["url_b"]):
            raw = by_url[url]
            body = re.sub(r"\s+", " ", raw["content"])
            cut = f"{body[:chars]} …[{len(body)} chars]" if 0 < chars < len(body) else body
            print(f"  [{raw['date_extracted']}] {raw['title']}\n    {cut}")


if __name__ == "__main__":
    main()
