"""How many SaudiNewsNet pairs the figures check decides by its exact count, and a sample of them to read.

    python bench/figures_pairs.py

Pairs whose exact overlap passes the threshold within one window and whose figures changed in exactly
`changed_figures_short` places (more changed than kept): the pairs that "2 changed figures" would
turn down and "3" lets through. 12 of them go to docs/eval/snn-two-figures-sample.tsv (URLs
only); verdicts written by a reader in the matching -verdicts.tsv are counted.
"""

from __future__ import annotations

import random
from collections import Counter

from evalkit import DEFAULT_SHARED, REPO, as_input, machine, print_machine, read_tsv, saudinewsnet, write_tsv
from exact_pairs import similar_pairs
from newsdedup.core import verify
from newsdedup.core.article import parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.pipeline import prepare
from newsdedup.core.signatures import Signer
from newsdedup.core.verify import DEFAULT_RULES

OUT = REPO / "docs" / "eval" / "snn-two-figures-sample.tsv"


def main() -> None:
    """Count the pairs, draw the sample, count verdicts."""
    print_machine(machine())
    config, rules = DetectionConfig(), DEFAULT_RULES
    raws = saudinewsnet(DEFAULT_SHARED / "data")
    signer = Signer(config)
    prepared = [prepare(parse_article(as_input(raw)), signer, config) for raw in raws]
    sets = [signer.shingle_set(p.normalized) for p in prepared]
    figures = [verify.figures(p.normalized) for p in prepared]
    theta = config.threshold
    a, b, inter = similar_pairs(sets, theta / (2.0 - theta))
    found: dict[bool, list[tuple[int, int]]] = {True: [], False: []}
    for i, j, n in zip(a.tolist(), b.tolist(), inter.tolist(), strict=True):
        small = min(sets[i].size, sets[j].size)
        gap = abs((prepared[j].published_at or 0.0) - (prepared[i].published_at or 0.0))
        if small < rules.min_shingles or n / max(sets[i].size, sets[j].size) <= theta or gap > config.window_seconds:
            continue
        changed = min(len(figures[i] - figures[j]), len(figures[j] - figures[i]))
        if changed == rules.changed_figures_short and changed > len(figures[i] & figures[j]):
            found[small < rules.short_notice].append((i, j))
    print(f"pairs above θ = {theta} within {config.window_seconds / 3600:g} h with exactly "
          f"{rules.changed_figures_short} changed figures (more than kept): long texts {len(found[False])}, "
          f"short notices {len(found[True])}")
    pool = found[False] + found[True]
    picked = sorted(random.Random(0).sample(pool, min(12, len(pool))))
    rows = [[n + 1, raws[i]["url"], raws[j]["url"], raws[i]["source"], raws[j]["source"], ""]
            for n, (i, j) in enumerate(picked)]
    write_tsv(OUT, ["n", "url_earlier", "url_later", "source_earlier", "source_later", "score"], rows,
              "12 random pairs (seed 0) that exactly two changed figures would turn down")
    verdicts = OUT.with_name(OUT.name.replace("-sample", "-verdicts"))
    if verdicts.exists():
        print(f"read: {dict(Counter(r['verdict'] for r in read_tsv(verdicts)))}")


if __name__ == "__main__":
    main()
