"""The cost of one more article when the window already holds many copies of one story, or many issues of
one template (issue: viral stories make it quadratic).

    python bench/bench_viral.py [--copies 100,1000,10000] [--template 10000] [--probe 200] [--json OUT]

Run it from a checkout of another commit (PYTHONPATH=<that checkout>/services) for a before/after pair.

Each scenario runs the real `prepare` + `Deduplicator.process` path (DetectionConfig() defaults) and times
`process` (the decision and the index update; `prepare` does not depend on the window) of `--probe`
articles after the window was filled:

* unrelated: the window holds 10,000 unrelated articles; the probe is more unrelated articles (for
  reference: a decision with nothing to verify);
* copies-N: the window holds N lightly edited copies of one story (N = 1: the original alone), plus
  unrelated articles up to 10,000, so every window is the same size; the probe is more copies of that
  story. copies-1 is the baseline of the copies: "× one" is the cost of the next copy against it;
* template-N: the window holds N issues of one template (a bond-issue notice with another issuer,
  amount, coupon, price and dates in each, written for this benchmark; N = 1 is the baseline), plus
  unrelated articles; the probe is 180 more issues and 20 real copies of earlier ones.

Each probe article is taken out of the window again after its decision, so every one meets the window
as it was filled.

The story is a Reuters-21578 article read from ../shared/data when present (the longest of the
first 500 items), else a text written for this benchmark. Copies change 3-6 words each, drop or repeat
a sentence, as outlets republishing a wire story do. Reports µs per probe article (median and p95) and
each scenario's ratio to its baseline, beside the decisions the probe got.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from evalkit import DEFAULT_SHARED, machine, print_machine, reuters, write_json
from newsdedup.core.article import parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.dedup import Deduplicator
from newsdedup.core.pipeline import prepare
from newsdedup.core.prepared import PreparedArticle
from newsdedup.core.signatures import Signer
from newsdedup.gcpolicy import CollectorPolicy

WINDOW = 10_000
START = datetime(2026, 12, 2, tzinfo=UTC)
STORY = (
    "The central bank left its benchmark interest rate unchanged at 4.25 percent on Thursday, saying inflation "
    "had slowed for a third month but wage growth remained strong. Governor Elena Marsh told reporters the "
    "committee had voted seven to two to hold, with two members favouring a cut of a quarter point. Markets "
    "had priced in a small chance of a cut after figures last week showed consumer prices rising 2.6 percent "
    "in the year to October, down from 2.9 percent in September. The bank said it expected inflation to "
    "return to its 2 percent target in the second half of next year. The currency rose 0.4 percent against "
    "the dollar after the announcement, while two-year bond yields climbed five basis points. Economists "
    "said the next move was still likely to be a cut, probably in February, once the bank has seen another "
    "round of wage settlements. The decision was the fourth hold in a row since the last increase in March."
)
SYLLABLES = ["ka", "lo", "mer", "tan", "vi", "dor", "sel", "ba", "rin", "ost", "fel", "gar", "wen", "ul", "pra"]


def story_text(data: Path) -> str:
    """A real wire story if the corpus is there, else the benchmark's own."""
    if not (data / "reuters21578.tar.gz").is_file():
        return STORY
    items = reuters(data)[:500]
    return max((item.body for item in items), key=len)


def light_copy(text: str, rng: random.Random) -> str:
    """A republished copy: a few words replaced or dropped, sometimes a sentence dropped or the end cut."""
    words = text.split()
    for _ in range(rng.randint(3, 6)):
        i = rng.randrange(len(words))
        if rng.random() < 0.5:
            del words[i]
        else:
            words[i] = rng.choice(["said", "reported", "added", "noted", "the", "a", "officials"])
    copy = " ".join(words)
    if rng.random() < 0.3:
        copy = copy[: int(len(copy) * rng.uniform(0.8, 0.95))]
    return copy


def issuer(rng: random.Random) -> str:
    """A made-up company name."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize() + rng.choice(
        [" Corp", " Holdings", " Bank", " Finance", " Group", " Industries"])


def template_issue(rng: random.Random) -> str:
    """One issue of a bond-notice template: the same wording, another issuer and other figures."""
    name = issuer(rng)
    return (
        f"{name} is issuing a {rng.randint(50, 400)} mln stg eurobond due {rng.randint(1990, 2005)} paying "
        f"{rng.randint(6, 12)}-{rng.choice(['1/8', '1/4', '3/8', '1/2', '5/8', '3/4'])} pct and priced at "
        f"{rng.randint(99, 101)}-{rng.choice(['1/8', '1/4', '3/8', '1/2'])} pct, lead manager "
        f"{issuer(rng)} said. The non-callable bond is available in denominations of {rng.choice([1, 5, 10])},000 "
        f"stg and will be listed in Luxembourg. The selling concession is {rng.choice(['1-1/4', '1-3/8', '1-1/2'])} "
        f"pct while management and underwriting combined pays {rng.choice(['5/8', '3/4', '1/2'])} pct. "
        f"Payment date is {rng.choice(['March', 'April', 'May'])} {rng.randint(1, 28)}."
    )


def unrelated(rng: random.Random, words: list[str]) -> str:
    """An article that shares nothing in particular with any other."""
    return " ".join(rng.choices(words, k=450))


def run(name: str, fill: list[str], probe: list[str], signer: Signer, config: DetectionConfig) -> dict[str, Any]:
    """Fill a fresh window with `fill`, then time `process` of each `probe` article."""
    dedup = Deduplicator(config, signer)
    collector = CollectorPolicy()
    collector.start()

    def prepared(k: int, text: str) -> PreparedArticle:
        return prepare(parse_article({"id": f"{name}-{k}", "source": f"s{k % 40}", "body": text}), signer, config)

    fill_started = time.monotonic()
    for k, text in enumerate(fill):
        dedup.process(prepared(k, text), START + timedelta(seconds=k))
        collector.tick(1)
    fill_seconds = time.monotonic() - fill_started
    ready = [prepared(len(fill) + k, text) for k, text in enumerate(probe)]
    times: list[float] = []
    statuses: Counter[str] = Counter()
    for k, article in enumerate(ready):
        started = time.perf_counter()
        outcome = dedup.process(article, START + timedelta(seconds=len(fill) + k))
        times.append(time.perf_counter() - started)
        statuses[outcome.decision.status] += 1
        dedup.index.remove(article.article_id)  # every probe article meets the window as it was filled
    times_us = sorted(t * 1e6 for t in times)
    return {
        "scenario": name, "window": len(dedup.index), "fill_seconds": round(fill_seconds, 1),
        "median_us": round(statistics.median(times_us), 1),
        "p95_us": round(times_us[int(0.95 * (len(times_us) - 1))], 1), "probe_statuses": dict(statuses),
    }


def main(argv: list[str] | None = None) -> int:
    """Run every scenario and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", default="100,1000,10000")
    parser.add_argument("--probe", type=int, default=200)
    parser.add_argument("--template", type=int, default=WINDOW, help="issues of the template in its window")
    parser.add_argument("--data", type=Path, default=DEFAULT_SHARED / "data")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    config = DetectionConfig(window_seconds=10 * 365 * 86400.0)  # nothing expires during a run
    signer = Signer(config)
    rng = random.Random(20261202)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = ["".join(rng.choices(letters, k=rng.randint(3, 9))) for _ in range(50_000)]
    story = story_text(args.data)
    results = []

    def background(n: int) -> list[str]:
        return [unrelated(rng, vocabulary) for _ in range(n)]

    results.append(run("unrelated", background(WINDOW), background(args.probe), signer, config))
    for copies in (1, *(int(c) for c in args.copies.split(","))):
        fill = background(WINDOW - copies) + [story] + [light_copy(story, rng) for _ in range(copies - 1)]
        probe = [light_copy(story, rng) for _ in range(args.probe)]
        results.append(run(f"copies-{copies}", fill, probe, signer, config))
    for count in (1, args.template):
        issues = [template_issue(rng) for _ in range(count)]
        fill = background(WINDOW - count) + issues
        probe = [template_issue(rng) for _ in range(args.probe - 20)] + [
            light_copy(issues[-1 - (k * 37) % count], rng) for k in range(20)]
        results.append(run(f"template-{count}", fill, probe, signer, config))
    info = machine()
    print_machine(info)
    baselines = {"copies": next(r for r in results if r["scenario"] == "copies-1")["median_us"],
                 "template": next(r for r in results if r["scenario"] == "template-1")["median_us"]}
    print(f"{'scenario':16} {'window':>7} {'median µs':>10} {'p95 µs':>9} {'× one':>7}  probe decisions")
    for r in results:
        kind = r["scenario"].split("-")[0]
        r["ratio"] = round(r["median_us"] / baselines[kind], 2) if kind in baselines else None
        ratio = f"{r['ratio']:7.2f}" if r["ratio"] is not None else " " * 7
        print(f"{r['scenario']:16} {r['window']:7} {r['median_us']:10.1f} {r['p95_us']:9.1f} {ratio}  "
              f"{r['probe_statuses']}")
    write_json(args.json, {"machine": info, "story_chars": len(story), "results": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
