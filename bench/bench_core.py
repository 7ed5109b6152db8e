"""Benchmark of the detection core against datasketch's default MinHash.bulk, on one core, same run.

    python bench/bench_core.py [--articles 6000] [--chars 3000] [--json bench/out/bench_core.json]

Articles are ~3 KB bodies cut from the corpora in ../shared/data, read in place (SaudiNewsNet zips:
JSON arrays with `content`; the BBC tar.gz: text files whose first line is the title). Bodies shorter
than --chars are concatenated with the next ones, longer ones trimmed. Every path gets the same texts:

* baseline: datasketch `MinHash.bulk` (default hashfunc sha1_hash32, scheme affine32, same num_perm
  and seed) over the character shingles (as UTF-8 bytes) of the *already normalised* text (its
  normalisation is not timed), then one MinHashLSH query + insert per article;
* core: normalize_text + Signer.signature + the same LSH query + insert (LeanMinHash), timed from the
  raw text;
* full: core/pipeline.prepare + core/dedup.Deduplicator.decide, when those modules are importable.

Memory per indexed article is measured with tracemalloc in separate, untimed passes.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tarfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # before numba is imported: one core, one thread

import orjson

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("NEWSDEDUP_SHARED", REPO.parent / "shared")) / "data"


def _saudi_bodies(data: Path) -> Iterator[str]:
    for archive in sorted((data / "saudinewsnet").glob("*.zip")):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                for article in orjson.loads(zf.read(name)):
                    if article.get("content"):
                        yield article["content"]


def _bbc_bodies(data: Path) -> Iterator[str]:
    with tarfile.open(data / "bbc-news-2225.tar.gz") as tf:
        for member in sorted(tf.getmembers(), key=lambda m: m.name):
            if member.isfile() and member.name.endswith(".txt") and "README" not in member.name:
                raw = tf.extractfile(member)
                if raw is not None:
                    text = raw.read().decode("utf-8", errors="replace")
                    yield text.split("\n", 1)[1].strip() if "\n" in text else text


def _chunks(bodies: Iterator[str], chars: int) -> Iterator[str]:
    """Bodies cut or joined (paragraph-separated) to `chars` characters each."""
    buffer = ""
    for body in bodies:
        buffer = f"{buffer}\n\n{body}" if buffer else body
        while len(buffer) >= chars:
            yield buffer[:chars]
            buffer = buffer[chars:].lstrip()


def load_articles(data: Path, count: int, chars: int, english_share: float) -> list[tuple[str, str]]:
    """(language, text) pairs: every k-th article English while BBC text lasts, the rest Arabic."""
    if not (data / "saudinewsnet").is_dir() or not (data / "bbc-news-2225.tar.gz").is_file():
        sys.exit(f"corpora not found in {data}: expected saudinewsnet/*.zip and bbc-news-2225.tar.gz "
                 "(set NEWSDEDUP_SHARED to the folder that holds data/)")
    arabic, english = _chunks(_saudi_bodies(data), chars), _chunks(_bbc_bodies(data), chars)
    every = max(1, round(1 / english_share)) if english_share > 0 else 0
    out: list[tuple[str, str]] = []
    while len(out) < count:
        source = english if every and len(out) % every == every - 1 else arabic
        text = next(source, None)
        if text is None and source is english:
            every, text = 0, next(arabic, None)
        if text is None:
            sys.exit(f"the corpora hold only {len(out)} articles of {chars} characters; ask for fewer")
        out.append(("en" if source is english and every else "ar", text))
    return out


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
    from datasketch import MinHashLSH

    from newsdedup.core.normalize import normalize_text

    lsh = MinHashLSH(threshold=signer.config.threshold, num_perm=signer.num_perm)
    clock = time.perf_counter
    t_norm = t_sig = t_lsh = 0.0
    start = clock()
    for i, text in enumerate(texts):
        t0 = clock()
        normalized = normalize_text(text)
        t1 = clock()
        lean = signer.to_lean_minhash(signer.signature(normalized))
        t2 = clock()
        lsh.query(lean)
        lsh.insert(str(i), lean)
        t3 = clock()
        t_norm, t_sig, t_lsh = t_norm + t1 - t0, t_sig + t2 - t1, t_lsh + t3 - t2
    elapsed = clock() - start
    if stages is not None:
        stages.update(normalize=t_norm, signature=t_sig, lsh=t_lsh)
    return elapsed


FullPath = Callable[[list[tuple[str, str]], Any, Any, dict[str, float]], float]


def full_path() -> FullPath | None:
    """prepare + decide over the articles, or None while core/pipeline.py and core/dedup.py are absent."""
    try:
        from newsdedup.core.article import parse_article
        from newsdedup.core.dedup import Deduplicator
        from newsdedup.core.pipeline import prepare
    except ImportError:
        return None

    def run(articles: list[tuple[str, str]], signer: Any, config: Any, stages: dict[str, float]) -> float:
        parsed = [parse_article({"id": f"a{i}", "source": "bench", "body": text, "language": lang})
                  for i, (lang, text) in enumerate(articles)]
        dedup, base = Deduplicator(config, signer=signer), datetime(2015, 7, 21, tzinfo=UTC)
        clock = time.perf_counter
        t_prepare = t_decide = 0.0
        start = clock()
        for i, article in enumerate(parsed):
            t0 = clock()
            prepared = prepare(article, signer, config)
            t1 = clock()
            dedup.decide(prepared, base + timedelta(seconds=i))
            t_prepare, t_decide = t_prepare + t1 - t0, t_decide + clock() - t1
        elapsed = clock() - start
        stages.update(prepare=t_prepare, decide=t_decide)
        return elapsed

    return run


def memory_per_article(index: Callable[[], object], count: int) -> float:
    """Bytes still allocated per article after `index()` built (and returned) its structure."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = index()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    return (after - before) / count


def machine() -> dict[str, Any]:
    """Where the numbers were measured."""
    import datasketch
    import numba
    import numpy

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cpu_affinity": sorted(os.sched_getaffinity(0)),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "numba": numba.__version__,
        "numba_threads": getattr(numba.config, "NUMBA_NUM_THREADS", None),
        "datasketch": datasketch.__version__,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the three paths over the same articles and print articles/s, ratios and memory."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=6000, help="number of articles (default 6000)")
    parser.add_argument("--chars", type=int, default=3000, help="characters per article (default 3000)")
    parser.add_argument("--english-share", type=float, default=0.25, help="share of BBC articles (0.25)")
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
    rows: list[tuple[str, float]] = [("baseline: datasketch MinHash.bulk + LSH", run_baseline(normalized, config))]
    stages: dict[str, float] = {}
    rows.append(("newsdedup core: normalise + Signer + LSH", run_core(texts, signer, stages)))
    full = full_path()
    full_stages: dict[str, dict[str, float]] = {}
    if full is not None:
        for label, cfg in (("full", config), ("full, repetition off", replace(config, repetition=False))):
            full_stages[label] = {}
            name = f"newsdedup {label}: prepare + decide"
            rows.append((name, full(articles, signer, cfg, full_stages[label])))
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
    if full is not None:
        from newsdedup.core.article import parse_article
        from newsdedup.core.dedup import Deduplicator
        from newsdedup.core.pipeline import prepare

        def index_full() -> object:
            dedup, base = Deduplicator(config, signer=signer), datetime(2015, 7, 21, tzinfo=UTC)
            for i, (lang, text) in enumerate(articles):
                article = parse_article({"id": f"a{i}", "source": "bench", "body": text, "language": lang})
                dedup.decide(prepare(article, signer, config), base + timedelta(seconds=i))
            return dedup

        memory["full"] = memory_per_article(index_full, n)

    base_rate = n / rows[0][1]
    results["rows"] = [{"path": name, "seconds": s, "articles_per_s": n / s, "vs_baseline": n / s / base_rate}
                       for name, s in rows]
    results["memory_bytes_per_indexed_article"] = memory
    print(f"{n} articles of {args.chars} characters ({results['english_articles']} English, the rest Arabic; "
          f"mean {results['mean_utf8_bytes']:.0f} UTF-8 bytes), num_perm={config.num_perm}, seed={config.seed}, "
          f"{config.shingle_size}-character shingles, LSH threshold {config.threshold}")
    print(f"{'path':50s} {'seconds':>8s} {'articles/s':>11s} {'x baseline':>11s}")
    for row in results["rows"]:
        print(f"{row['path']:50s} {row['seconds']:8.2f} {row['articles_per_s']:11,.0f} {row['vs_baseline']:11.1f}")
    stage_text = ", ".join(f"{k} {v:.0f}" for k, v in results["stages_us_per_article"].items())
    print(f"core stages, µs per article: {stage_text}")
    for label, values in results["full_stages_us_per_article"].items():
        print(f"{label} stages, µs per article: " + ", ".join(f"{k} {v:.0f}" for k, v in values.items()))
    if full is None:
        print("full path skipped: newsdedup.core.pipeline / newsdedup.core.dedup not importable yet")
    print("memory per indexed article (tracemalloc): "
          + ", ".join(f"{k} {v / 1024:.1f} KiB" for k, v in memory.items()))
    print(f"Signer setup (kernels compiled or loaded from cache): {signer_setup:.2f} s")
    for key, value in results["machine"].items():
        print(f"{key}: {value}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
