"""The speed of `prepare` (repetition analysis included) at two commits, measured in one run.

    python bench/compare_prepare_speed.py [--old 6c640d8] [--articles 3000] [--rounds 3] [--json OUT]

The old commit's `services/` is exported with `git archive` into a temporary folder; each measurement
runs in a child process whose PYTHONPATH points at one tree (the old one, or this working tree), in
alternation (old, new, old, new, ...) so that both see the same machine load. A child prepares the
same real articles (three quarters SaudiNewsNet, one quarter BBC, as written, in corpus order),
after a warm-up, and reports the best of three passes in µs of CPU time per article (the process's
CPU time: another job on the machine slows the wall clock more than it does this), for `prepare`
and for `analyse` alone. The parent prints every round and the medians.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # before numba is imported: one core, one thread

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from evalkit import DEFAULT_SHARED, REPO, bbc, machine, saudinewsnet, write_json


def bodies(data: Path, count: int) -> list[dict[str, str]]:
    """`count` input articles: three quarters SaudiNewsNet, then BBC, in corpus order."""
    arabic = [{"id": a["url"], "source": a["source"], "body": a["content"]} for a in saudinewsnet(data)
              if a["content"].strip()][: count * 3 // 4]
    english = [{"id": a["path"], "source": "bbc", "body": a["body"]} for a in bbc(data)][: count - len(arabic)]
    return arabic + english


def child(data: Path, count: int) -> dict[str, float]:
    """Time prepare() and analyse() over the articles with the newsdedup on PYTHONPATH (best of 3)."""
    from newsdedup.core.article import parse_article
    from newsdedup.core.config import DetectionConfig
    from newsdedup.core.pipeline import prepare
    from newsdedup.core.repetition import analyse
    from newsdedup.core.signatures import Signer

    config = DetectionConfig()
    signer = Signer(config)
    articles = [parse_article(raw) for raw in bodies(data, count)]
    for article in articles[:50]:  # warm-up: numba kernels loaded, caches filled
        prepare(article, signer, config)
    timings: dict[str, float] = {"articles": float(len(articles))}
    for name, run in (
        ("prepare_us", lambda a: prepare(a, signer, config)),
        ("analyse_us", lambda a: analyse(a.body, signer, config)),
    ):
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            for article in articles:
                run(article)
            best = min(best, (time.process_time() - started) / len(articles) * 1e6)
        timings[name] = best
    return timings


def measure(services: Path, data: Path, count: int) -> dict[str, float]:
    """One child run against the package tree `services`."""
    env = dict(os.environ, PYTHONPATH=f"{services}{os.pathsep}{REPO / 'bench'}")
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--data", str(data), "--articles", str(count)],
        env=env, check=True, capture_output=True, text=True,
    )
    timings: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return timings


def main(argv: list[str] | None = None) -> int:
    """Export the old tree, alternate the two, print the rounds and medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", default="6c640d8", help="the commit to compare with (6c640d8)")
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", type=Path, default=DEFAULT_SHARED / "data")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.data, args.articles)))
        return 0
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    results: dict[str, Any] = {"machine": machine(), "old": args.old, "new": f"{head} (working tree)", "rounds": []}
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.old, "services"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        trees = {"old": Path(folder) / "services", "new": REPO / "services"}
        print("| round | tree | prepare, CPU µs/article | analyse, CPU µs/article |\n|---:|---|---:|---:|")
        for round_ in range(1, args.rounds + 1):
            for name, tree in trees.items():
                timings = measure(tree, args.data, args.articles)
                results["rounds"].append({"round": round_, "tree": name, **timings})
                print(f"| {round_} | {name} | {timings['prepare_us']:.1f} | {timings['analyse_us']:.1f} |")
    for name in ("old", "new"):
        rows = [r for r in results["rounds"] if r["tree"] == name]
        keys = ("prepare_us", "analyse_us")
        results[name + "_median"] = {key: statistics.median(r[key] for r in rows) for key in keys}
    old, new = results["old_median"], results["new_median"]
    print(f"\nmedian prepare: old {old['prepare_us']:.1f} µs, new {new['prepare_us']:.1f} µs "
          f"({1e6 / old['prepare_us']:.0f} vs {1e6 / new['prepare_us']:.0f} articles/s); "
          f"analyse: old {old['analyse_us']:.1f} µs, new {new['analyse_us']:.1f} µs "
          f"({args.articles} articles, {args.old} vs {results['new']})")
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
