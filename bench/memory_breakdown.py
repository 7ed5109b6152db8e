"""Memory per indexed article, and where it goes: tracemalloc by source line over a filled Deduplicator.

    PYTHONPATH=services python bench/memory_breakdown.py [--articles 6000] [--lines 15]

evalkit.load_articles gives the articles (3,000-character bodies, a quarter BBC), as to bench_core and the
worker benchmark; they are prepared first (not measured), then decided into one Deduplicator while
tracemalloc traces; the two bounded caches (texts kept for re-verification, data derived from the latest
inserted articles) are emptied before the snapshot, since they are a fixed cost, not one per indexed
article. Run it with another source tree on PYTHONPATH (a `git worktree` of an older commit) for a
before/after.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evalkit import DATA, load_articles, machine, print_machine
from newsdedup.core.article import parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.dedup import Deduplicator
from newsdedup.core.pipeline import prepare
from newsdedup.core.signatures import Signer


def main(argv: list[str] | None = None) -> int:
    """Fill a Deduplicator and print the bytes per article it holds, by the line that allocated them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=6000)
    parser.add_argument("--lines", type=int, default=15, help="how many allocating lines to list")
    args = parser.parse_args(argv)
    print_machine(machine())
    config = DetectionConfig()
    signer = Signer(config)
    prepared = [
        prepare(parse_article({"id": f"a{i}", "source": "bench", "body": text, "language": language}), signer, config)
        for i, (language, text) in enumerate(load_articles(DATA, args.articles, 3000, 0.25))
    ]
    base = datetime(2015, 7, 21, tzinfo=UTC)
    gc.collect()
    tracemalloc.start(1)
    before = tracemalloc.take_snapshot()
    dedup = Deduplicator(config, signer=signer)
    for i, article in enumerate(prepared):
        dedup.decide(article, base + timedelta(seconds=i))
    dedup._recent.clear()
    getattr(dedup, "_inserted", {}).clear()  # older trees have no such cache
    gc.collect()
    after = tracemalloc.take_snapshot()
    stats = after.compare_to(before, "lineno")
    count = len(prepared)
    print(f"memory per indexed article: {sum(s.size_diff for s in stats) / count / 1024:.2f} KiB ({count} articles)")
    for stat in stats[: args.lines]:
        frame = stat.traceback[0]
        where = frame.filename.split("site-packages/")[-1].split("services/")[-1]
        print(f"{stat.size_diff / count:9,.0f} B/article  {where}:{frame.lineno}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
