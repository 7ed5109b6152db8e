"""Benchmark of the detection core against datasketch's default MinHash.bulk, on one core, same run.

    python bench/bench_core.py [--articles 6000] [--chars 3000] [--json bench/out/bench_core.json]

Articles are ~3 KB bodies cut from the corpora in ../shared/data, read in place (SaudiNewsNet zips:
JSON arrays with `content`; the BBC tar.gz: text files whose first line is the title). Bodies shorter
than --chars are concatenated with the next ones, longer ones trimmed. Every path gets the same texts:

* baseline: datasketch `MinHash.bulk` (default hashfunc sha1_hash32, scheme affine32, same num_perm
  and seed) over the character shingles (as UTF-8 bytes) of the *already normalised* text (its
  normalisation is not timed), then one MinHashLSH query + insert per article;
* core: normalize_text + Signer.signature + the same LSH query + insert, timed from the raw text, through
  the index's BandedLSH (datasketch's MinHashLSH with band keys computed once per article);
* full: core/pipeline.prepare + core/dedup.Deduplicator.decide, when those modules are importable.

Each path runs --repeat times (default 3) on the same articles; the table gives the median and the range.
Memory per indexed article is measured with tracemalloc in separate, untimed passes.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # before numba is imported: one core, one thread


from evalkit import DATA, load_articles, machine, write_json


def shingles_bytes(text: str, n: int) -> list[bytes]:
    """The same shingles as newsdedup.core.signatures (whole text when shorter than n), as bytes."""
    if len(text) < n:
        return [text.encode()] if text else []
    return [text[i : i + n].encode() for i in range(len(text) - n + 1)]


def run_baseline(normalized: list[str], config: Any) -> float:
    """Seconds for MinHash.bulk (batches of 100) + one LSH query and insert per article."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm)
    start = time.perf_counter()
    for first in range(0, len(normalized), 100):
        batch = [shingles_bytes(t, config.shingle_size) for t in normalized[first : first + 100]]
        for i, m in enumerate(MinHash.bulk(batch, num_perm=config.num_perm, seed=config.seed), start=first):
            lsh.query(m)
            lsh.insert(str(i), m)
    return time.perf_counter() - start


def run_core(texts: list[str], signer: Any, stages: dict[str, float] | None = None) -> float:
    """Seconds for normalise + signature + LSH query and insert; per-stage totals into `stages`."""
    from newsdedup.core.lsh import BandedLSH
    from newsdedup.core.normalize import normalize_text
    from newsdedup.core.signatures import SCHEME
    from newsdedup.core.verify import DEFAULT_RULES, lsh_params

    bands, rows = lsh_params(signer.config.threshold, signer.num_perm, DEFAULT_RULES.lsh_floor_probability)
    lsh = BandedLSH(signer.num_perm, bands, rows, SCHEME)
    clock = time.perf_counter
    t_norm = t_sig = t_lsh = 0.0
    start = clock()
    for i, text in enumerate(texts):
        t0 = clock()
        normalized = normalize_text(text)
        t1 = clock()
        signature = signer.signature(normalized)
        t2 = clock()
        keys = lsh.band_keys(signature)
        lsh.query_keys(keys)
        lsh.insert_keys(str(i), keys)
        t3 = clock()
        t_norm, t_sig, t_lsh = t_norm + t1 - t0, t_sig + t2 - t1, t_lsh + t3 - t2
    elapsed = clock() - start
    if stages is not None:
        stages.update(normalize=t_norm, signature=t_sig, lsh=t_lsh)
    return elapsed


def run_full(
    articles: list[tuple[str, str]], signer: Any, config: Any, stages: dict[str, float], gc_policy: bool = True
) -> float:
    """Seconds for prepare + decide over the articles, under the collector policy of scan and the worker.

    `gc_policy=False` runs it under CPython's default collector settings instead (newsdedup/gcpolicy.py).
    """
    from newsdedup.core.article import parse_article
    from newsdedup.core.dedup import Deduplicator
    from newsdedup.core.pipeline import prepare
    from newsdedup.gcpolicy import CollectorPolicy

    parsed = [parse_article({"id": f"a{i}", "source": "bench", "body": text, "language": lang})
              for i, (lang, text) in enumerate(articles)]
    dedup, base = Deduplicator(config, signer=signer), datetime(2015, 7, 21, tzinfo=UTC)
    defaults = gc.get_threshold()
    collector = CollectorPolicy()
    if gc_policy:
        collector.start()
    clock = time.perf_counter
    t_prepare = t_decide = 0.0
    try:
        start = clock()
        for i, article in enumerate(parsed):
            t0 = clock()
            prepared = prepare(article, signer, config)
            t1 = clock()
            dedup.decide(prepared, base + timedelta(seconds=i))
            t2 = clock()
            if gc_policy:
                collector.tick()
            t_prepare, t_decide = t_prepare + t1 - t0, t_decide + t2 - t1
        elapsed = clock() - start
    finally:
        gc.unfreeze()  # the next path starts from the same collector state
        gc.set_threshold(*defaults)
    stages.update(prepare=t_prepare, decide=t_decide)
    return elapsed


def memory_per_article(index: Callable[[], object], count: int) -> float:
    """Bytes still allocated per article after `index()` built (and returned) its structure."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = index()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    return (after - before) / count


def main(argv: list[str] | None = None) -> int:
    """Run the three paths over the same articles and print articles/s, ratios and memory."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=6000, help="number of articles (default 6000)")
    parser.add_argument("--chars", type=int, default=3000, help="characters per article (default 3000)")
    parser.add_argument("--english-share", type=float, default=0.25, help="share of BBC articles (0.25)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each path, interleaved (default 3)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--cpu", type=int, help="pin the process to this CPU (default: not pinned; every "
                        "path is single-threaded, so it runs on one core at a time either way)")
    args = parser.parse_args(argv)
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})

    from newsdedup.core.config import DetectionConfig
    from newsdedup.core.normalize import normalize_text
    from newsdedup.core.signatures import Signer

    articles = load_articles(DATA, args.articles, args.chars, args.english_share)
    texts = [text for _, text in articles]
    config = DetectionConfig()
    t0 = time.perf_counter()
    signer = Signer(config)  # compiles the kernels, or loads them from numba's cache
    signer_setup = time.perf_counter() - t0
    normalized = [normalize_text(t) for t in texts]
    n = len(texts)

    results: dict[str, Any] = {"machine": machine(), "articles": n, "chars_per_article": args.chars,
                               "english_articles": sum(lang == "en" for lang, _ in articles),
                               "mean_utf8_bytes": sum(len(t.encode()) for t in texts) / n,
                               "config": {"num_perm": config.num_perm, "seed": config.seed,
                                          "shingle_size": config.shingle_size, "threshold": config.threshold},
                               "signer_setup_s": signer_setup}
    paths: list[tuple[str, Callable[[dict[str, float]], float]]] = [
        ("baseline: datasketch MinHash.bulk + LSH", lambda _: run_baseline(normalized, config)),
        ("newsdedup core: normalise + Signer + LSH", lambda st: run_core(texts, signer, st)),
        ("newsdedup full: prepare + decide", lambda st: run_full(articles, signer, config, st)),
        ("newsdedup full, repetition off: prepare + decide",
         lambda st: run_full(articles, signer, replace(config, repetition=False), st)),
        ("newsdedup full, default GC: prepare + decide",
         lambda st: run_full(articles, signer, config, st, gc_policy=False)),
    ]
    # Rounds interleave the paths, so a burst of load on a shared machine hits all of them alike.
    seconds: dict[str, list[float]] = {name: [] for name, _ in paths}
    path_stages: dict[str, list[dict[str, float]]] = {name: [] for name, _ in paths}
    for _ in range(args.repeat):
        for name, run in paths:
            stage_times: dict[str, float] = {}
            seconds[name].append(run(stage_times))
            path_stages[name].append(stage_times)

    def median_stages(name: str) -> dict[str, float]:
        runs = path_stages[name]
        return {key: statistics.median(r[key] for r in runs) for key in runs[0]} if runs and runs[0] else {}

    stages = median_stages(paths[1][0])
    full_stages = {name.removeprefix("newsdedup ").split(":")[0]: median_stages(name) for name, _ in paths[2:]}
    results["stages_us_per_article"] = {k: v / n * 1e6 for k, v in stages.items()}
    results["full_stages_us_per_article"] = {
        label: {k: v / n * 1e6 for k, v in values.items()} for label, values in full_stages.items()
    }

    def index_baseline() -> object:
        from datasketch import MinHash, MinHashLSH
        lsh = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm)
        for first in range(0, n, 100):
            batch = [shingles_bytes(t, config.shingle_size) for t in normalized[first : first + 100]]
            for i, m in enumerate(MinHash.bulk(batch, num_perm=config.num_perm, seed=config.seed), start=first):
                lsh.insert(str(i), m)
        return lsh

    def index_core() -> object:
        from datasketch import MinHashLSH
        lsh = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm)
        for i, text in enumerate(texts):
            lsh.insert(str(i), signer.to_lean_minhash(signer.signature(normalize_text(text))))
        return lsh

    memory = {"baseline": memory_per_article(index_baseline, n), "core": memory_per_article(index_core, n)}
    from newsdedup.core.article import parse_article
    from newsdedup.core.dedup import Deduplicator
    from newsdedup.core.pipeline import prepare

    def index_full() -> object:
        dedup, base = Deduplicator(config, signer=signer), datetime(2015, 7, 21, tzinfo=UTC)
        for i, (lang, text) in enumerate(articles):
            article = parse_article({"id": f"a{i}", "source": "bench", "body": text, "language": lang})
            dedup.decide(prepare(article, signer, config), base + timedelta(seconds=i))
        # The verification cache (shingle sets of the last 4,096 texts checked, ~50 MB at most) and the
        # derived data of the last 4,096 inserted articles (~25 MB at most) are fixed costs, not costs per
        # indexed article.
        dedup._recent.clear()
        dedup._inserted.clear()
        return dedup

    memory["full"] = memory_per_article(index_full, n)

    base_rate = n / statistics.median(seconds[paths[0][0]])
    results["repeats"] = args.repeat
    results["rows"] = [
        {"path": name, "seconds": statistics.median(times), "articles_per_s": n / statistics.median(times),
         "articles_per_s_range": [n / max(times), n / min(times)], "seconds_all": times,
         "vs_baseline": n / statistics.median(times) / base_rate}
        for name, times in seconds.items()
    ]
    results["memory_bytes_per_indexed_article"] = memory
    print(f"{n} articles of {args.chars} characters ({results['english_articles']} English, the rest Arabic; "
          f"mean {results['mean_utf8_bytes']:.0f} UTF-8 bytes), num_perm={config.num_perm}, seed={config.seed}, "
          f"{config.shingle_size}-character shingles, LSH threshold {config.threshold}; "
          f"median and range of {args.repeat} runs")
    print(f"{'path':50s} {'seconds':>8s} {'articles/s':>11s} {'range':>15s} {'x baseline':>11s}")
    for row in results["rows"]:
        low, high = row["articles_per_s_range"]
        print(f"{row['path']:50s} {row['seconds']:8.2f} {row['articles_per_s']:11,.0f} "
              f"{f'{low:,.0f}–{high:,.0f}':>15s} {row['vs_baseline']:11.1f}")
    stage_text = ", ".join(f"{k} {v:.0f}" for k, v in results["stages_us_per_article"].items())
    print(f"core stages, µs per article: {stage_text}")
    for label, values in results["full_stages_us_per_article"].items():
        print(f"{label} stages, µs per article: " + ", ".join(f"{k} {v:.0f}" for k, v in values.items()))
    print("memory per indexed article (tracemalloc): "
          + ", ".join(f"{k} {v / 1024:.1f} KiB" for k, v in memory.items()))
    print(f"Signer setup (kernels compiled or loaded from cache): {signer_setup:.2f} s")
    for key, value in results["machine"].items():
        print(f"{key}: {value}")
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
