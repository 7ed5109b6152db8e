"""Choosing the shingle size and threshold on pairs labelled by reading, and printing samples to read."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson

from evalkit import DEFAULT_SHARED, read_tsv
from newsdedup.core import verify
from newsdedup.core.article import parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.pipeline import PreparedArticle, prepare
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
            ok = min(a.size, b.size) >= DEFAULT_RULES.min_shingles and not verify.figures_conflict(
                verify.figures(prepared[i].normalized), verify.figures(prepared[j].normalized),
                DEFAULT_RULES.changed_figures)
            scores.append((verify.exact_overlap(a, b) if ok else 0.0, verdict == "same"))
        seed_score = verify.exact_overlap(*(signer.shingle_set(text) for text in seed))
        cells = []
        for theta in THRESHOLDS:
            tp = sum(1 for s, same in scores if s > theta and same)
            fp = sum(1 for s, same in scores if s > theta and not same)
            fn = sum(1 for s, same in scores if s <= theta and same)
            cells.append(f"{tp / max(tp + fp, 1):.2f}  {tp / max(tp + fn, 1):.2f}  ")
        print(f"{size:>4}  {seed_score:.3f}   " + "  ".join(cells))


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
