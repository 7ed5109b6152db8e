"""The CPU time of `Deduplicator.decide` alone, over articles prepared beforehand (not timed).

    PYTHONPATH=services python bench/bench_decide.py [--articles 10000] [--dump FILE]

Prepares the first N SaudiNewsNet articles of more than 500 characters (date order, as bench_scan.py
writes them), then decides them in order under the collector policy of `scan`, and prints the process
CPU seconds of the decide loop. Run it from another source tree (PYTHONPATH=<tree>/services) for a
base figure; under `py-spy record -f raw` it gives the profile of decide alone (docs/DETECTION.md,
"Cost"). `--dump` writes each article's id and decision, to compare two trees with `cmp`.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evalkit import DEFAULT_SHARED, as_input, machine, print_machine, saudinewsnet
from newsdedup.core.article import decode_json, parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.dedup import Deduplicator
from newsdedup.core.pipeline import prepare
from newsdedup.core.signatures import Signer
from newsdedup.gcpolicy import CollectorPolicy


def main(argv: list[str] | None = None) -> int:
    """Prepare, then time the decisions; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--data", type=Path, default=DEFAULT_SHARED / "data")
    parser.add_argument("--dump", type=Path, help="write one JSON line [id, decision] per article here")
    args = parser.parse_args(argv)
    print_machine(machine())
    config = DetectionConfig()
    signer = Signer(config)
    items = [item for item in saudinewsnet(args.data) if len(item["content"]) > 500][: args.articles]
    prepared = [prepare(parse_article(decode_json(orjson.dumps(as_input(item)))), signer, config) for item in items]
    deduplicator = Deduplicator(config, signer)
    collector = CollectorPolicy()
    collector.start()
    arrived = datetime.now(UTC)
    decisions = []
    started = time.process_time()
    for article in prepared:
        decisions.append(deduplicator.decide(article, arrived))
        collector.tick()
    seconds = time.process_time() - started
    each = seconds / len(prepared) * 1e6
    print(f"decide: {seconds:.2f} s of CPU for {len(prepared):,} articles, {each:,.0f} µs each")
    if args.dump:
        lines = [orjson.dumps([a.article_id, d.to_json()]) for a, d in zip(prepared, decisions, strict=True)]
        args.dump.write_bytes(b"\n".join(lines) + b"\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
