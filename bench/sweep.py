"""Choosing the shingle size and threshold on pairs labelled by reading, and printing samples to read."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from evalkit import DEFAULT_SHARED, read_tsv, write_tsv
from exact_pairs import similar_pairs
from newsdedup.core import verify
from newsdedup.core.article import parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.pipeline import prepare
from newsdedup.core.prepared import PreparedArticle
from newsdedup.core.signatures import Signer
from newsdedup.core.verify import DEFAULT_RULES

SIZES = (3, 4, 5, 6, 7)
THRESHOLDS = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)


def labelled_sweep(raws: list[dict[str, Any]], prepared: list[PreparedArticle], labels: Path) -> None:
    """Precision/recall of "s >= θ and no figures conflict" against the labelled pairs, per shingle size."""
    position = {raw["url"]: i for i, raw in enumerate(raws)}
    pairs = [(position[r["url_a"]], position[r["url_b"]], r["verdict"]) for r in read_tsv(labels)
             if r["verdict"] != "related"]
    seed = _seed_pair()
    print(f"\n## Sweep: shingle size x threshold on {len(pairs)} labelled pairs ({labels.name}; "
          "'related' excluded, 'roundup' counts as not a copy)")
    print("size  seed-s  " + "  ".join(f"θ={t:<4}  P     R   " for t in THRESHOLDS))
    for size in SIZES:
        signer = Signer(DetectionConfig(shingle_size=size))
        scores = []
        for i, j, verdict in pairs:
            a, b = signer.shingle_set(prepared[i].normalized), signer.shingle_set(prepared[j].normalized)
            small = min(prepared[i].size, prepared[j].size)
            changed = (DEFAULT_RULES.changed_figures_short if small < DEFAULT_RULES.short_notice
                       else DEFAULT_RULES.changed_figures)
            ok = min(a.size, b.size) >= DEFAULT_RULES.min_shingles and not verify.figures_conflict(
                verify.figures(prepared[i].normalized), verify.figures(prepared[j].normalized), changed)
            scores.append((verify.exact_overlap(a, b) if ok else 0.0, verdict == "same"))
        seed_score = verify.exact_overlap(*(signer.shingle_set(text) for text in seed))
        cells = []
        for theta in THRESHOLDS:
            tp = sum(1 for s, same in scores if s > theta and same)
            fp = sum(1 for s, same in scores if s > theta and not same)
            fn = sum(1 for s, same in scores if s <= theta and same)
            cells.append(f"{tp / max(tp + fp, 1):.2f}  {tp / max(tp + fn, 1):.2f}  ")
        print(f"{size:>4}  {seed_score:.3f}   " + "  ".join(cells))
    signer = Signer(DetectionConfig())
    turned_down: Counter[str] = Counter()
    for i, j, verdict in pairs:
        small = min(prepared[i].size, prepared[j].size)
        changed = (DEFAULT_RULES.changed_figures_short if small < DEFAULT_RULES.short_notice
                   else DEFAULT_RULES.changed_figures)
        figures_i, figures_j = verify.figures(prepared[i].normalized), verify.figures(prepared[j].normalized)
        if verify.figures_conflict(figures_i, figures_j, changed):
            turned_down[verdict] += 1
    print(f"figures rule on these pairs (as Deduplicator applies it): turns down {dict(turned_down)}")


def _seed_pair() -> tuple[str, str]:
    """The normalised compared texts of the seed's two versions."""
    config = DetectionConfig()
    signer = Signer(config)
    texts = []
    for n in (1, 2):
        obj = orjson.loads((DEFAULT_SHARED / "fixtures" / f"seed-version-{n}.json").read_bytes())
        texts.append(prepare(parse_article(obj), signer, config).normalized)
    return texts[0], texts[1]


def show_sample(raws: list[dict[str, Any]], sample: Path) -> None:
    """Print the two texts of every pair in a sample file, for reading (never written to the repository)."""
    by_url = {raw["url"]: raw for raw in raws}
    for row in read_tsv(sample):
        print(f"\n=== {row['n']}  score {row['score']}  {row['source_earlier']} -> {row['source_later']}")
        for url in (row["url_earlier"], row["url_later"]):
            raw = by_url[url]
            body = re.sub(r"\s+", " ", raw["content"])
            print(f"  [{raw['date_extracted']}] {raw['title']}\n    {body[:600]} … {body[-200:]}")


def flagged_pairs(prepared: list[PreparedArticle], size: int, theta: float, window: float) -> set[tuple[int, int]]:
    """Pairs (earlier, later) within one window whose exact overlap at this shingle size passes the rules."""
    signer = Signer(DetectionConfig(shingle_size=size))
    sets = [signer.shingle_set(p.normalized) for p in prepared]
    sizes = [s.size for s in sets]
    a, b, inter = similar_pairs(sets, theta / (2.0 - theta))
    found = set()
    for i, j, n in zip(a.tolist(), b.tolist(), inter.tolist(), strict=True):
        close = abs((prepared[j].published_at or 0.0) - (prepared[i].published_at or 0.0)) <= window
        if close and min(sizes[i], sizes[j]) >= DEFAULT_RULES.min_shingles and n / max(sizes[i], sizes[j]) > theta:
            figures_i, figures_j = verify.figures(prepared[i].normalized), verify.figures(prepared[j].normalized)
            if not verify.figures_conflict(figures_i, figures_j, DEFAULT_RULES.changed_figures):
                found.add((i, j))
    return found


def smaller_shingles_sample(raws: list[dict[str, Any]], prepared: list[PreparedArticle], out: Path) -> None:
    """The pairs that 4-character shingles add to 5-character ones at θ = 0.5: counted, and 12 drawn to read."""
    config = DetectionConfig()
    four = flagged_pairs(prepared, 4, config.threshold, config.window_seconds)
    five = flagged_pairs(prepared, 5, config.threshold, config.window_seconds)
    extra = sorted(four - five)
    picked = random.Random(0).sample(extra, min(12, len(extra)))
    rows = [[n + 1, raws[i]["url"], raws[j]["url"], raws[i]["source"], raws[j]["source"], ""]
            for n, (i, j) in enumerate(picked)]
    write_tsv(out, ["n", "url_earlier", "url_later", "source_earlier", "source_later", "score"], rows,
              "12 random pairs flagged with 4-character shingles but not with 5 (θ = 0.5, 72 h, figures rule), seed 0")
    print(f"\nflagged pairs within 72 h at θ = {config.threshold}: 4-char shingles {len(four)}, 5-char {len(five)}, "
          f"only 4-char {len(extra)}, only 5-char {len(five - four)}; 12 of the extra drawn to {out.name}")
    verdicts = out.with_name(out.name.replace("-sample", "-verdicts"))
    if verdicts.exists():
        got = Counter(r["verdict"] for r in read_tsv(verdicts))
        print(f"  read: {dict(got)}")
