"""Plots and breakdowns for docs/EVALUATION.md, from the evaluation set and `newsdedup eval --details`.

    python bench/plot_eval.py [--evalset bench/out/evalset.jsonl] [--details bench/out/eval-details.jsonl]

Writes docs/img/eval-similarity.png (majority overlap of same-story pairs and of different-story pairs
that meet within the window, per language, with the threshold) and docs/img/eval-lsh-scurve.png
(the LSH candidate probability against Jaccard for the bands the threshold gives, with the Jaccard
floor θ/(2−θ)), and prints the figures behind them plus the recall of truncated and lightly edited
copies by how much was changed, and what the decisions made of each docs/eval sample of read pairs.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # before numba is imported

import argparse
import itertools
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
import orjson

from evalkit import REPO, read_tsv
from exact_pairs import similar_pairs
from newsdedup.core.article import parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.pipeline import prepare
from newsdedup.core.signatures import Signer
from newsdedup.core.verify import DEFAULT_RULES, lsh_params

IMG = REPO / "docs" / "img"
WINDOW = 72 * 3600.0
FLOOR_JACCARD = 0.1  # different-story pairs below this share too little to matter (overlap <= 0.18)


def load(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSON Lines file."""
    with path.open("rb") as handle:
        return [orjson.loads(line) for line in handle if line.strip()]


def pair_scores(lines: list[dict[str, Any]], config: DetectionConfig) -> dict[str, dict[str, list[float]]]:
    """Majority overlap of same-story pairs and of different-story pairs within the window, per language."""
    signer = Signer(config)
    sets = [signer.shingle_set(prepare(parse_article(line), signer, config).normalized) for line in lines]
    times = [datetime.fromisoformat(line["published_at"].replace("Z", "+00:00")).timestamp() for line in lines]
    stories: dict[str, list[int]] = {}
    for k, line in enumerate(lines):
        stories.setdefault(line["label"]["story"], []).append(k)
    scores: dict[str, dict[str, list[float]]] = {}
    for members in stories.values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                if abs(times[i] - times[j]) <= WINDOW:
                    side = scores.setdefault(lines[i]["language"], {"same": [], "different": []})
                    side["same"].append(_overlap(sets[i], sets[j]))
    a, b, inter = similar_pairs(sets, FLOOR_JACCARD)
    for i, j, n in zip(a.tolist(), b.tolist(), inter.tolist(), strict=True):
        if lines[i]["label"]["story"] != lines[j]["label"]["story"] and abs(times[i] - times[j]) <= WINDOW:
            side = scores.setdefault(lines[i]["language"], {"same": [], "different": []})
            side["different"].append(n / max(sets[i].size, sets[j].size))
    return scores


def _overlap(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> float:
    larger = max(a.size, b.size)
    return np.intersect1d(a, b, assume_unique=True).size / larger if larger else 0.0


def plot_similarity(scores: dict[str, dict[str, list[float]]], theta: float, path: Path) -> None:
    """Histogram per language: same-story pairs against different-story pairs, threshold marked."""
    languages = sorted(scores)
    fig, axes = plt.subplots(1, len(languages), figsize=(9, 3.3), sharey=True, squeeze=False)
    bins = np.linspace(0, 1, 41)
    for ax, language in zip(axes[0], languages, strict=True):
        side = scores[language]
        # Outlines, not filled bars: the two kinds overlap near the threshold, which is the point.
        ax.hist(side["same"], bins=bins, histtype="stepfilled", color="#4c72b0", alpha=0.25)
        ax.hist(side["same"], bins=bins, histtype="step", color="#4c72b0", linewidth=1.5,
                label=f"same story ({len(side['same']):,})")
        ax.hist(side["different"], bins=bins, histtype="step", color="#c44e52", linewidth=1.5,
                label=f"different stories ({len(side['different']):,})")
        ax.axvline(theta, color="black", linestyle="--", linewidth=1)
        ax.text(theta + 0.01, 0.97, f"θ = {theta}", transform=ax.get_xaxis_transform(), va="top", fontsize=8)
        ax.set_yscale("log")
        ax.set_title({"ar": "Arabic (SaudiNewsNet)", "en": "English (BBC)"}.get(language, language), fontsize=10)
        ax.set_xlabel("majority overlap |A∩B| / max(|A|,|B|), 5-char shingles", fontsize=8)
        ax.legend(fontsize=7, loc="upper left")
        ax.tick_params(labelsize=8)
    axes[0][0].set_ylabel("pairs (log scale)", fontsize=8)
    fig.suptitle("Pairs within 72 h in the evaluation set (different stories: Jaccard ≥ 0.1)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_scurve(config: DetectionConfig, path: Path) -> None:
    """Candidate probability 1-(1-J^r)^b against Jaccard for the chosen threshold (and two others)."""
    jaccard = np.linspace(0, 1, 401)
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    # The banding changes only at some thresholds: 64 x 2 up to 0.45, 42 x 3 to 0.6, 32 x 4 to 0.7.
    for theta, style in ((0.4, ":"), (config.threshold, "-"), (0.7, "--")):
        bands, rows = lsh_params(theta, config.num_perm, DEFAULT_RULES.lsh_floor_probability)
        probability = 1 - (1 - jaccard**rows) ** bands
        ax.plot(jaccard, probability, style, linewidth=2 if theta == config.threshold else 1,
                label=f"θ = {theta}: {bands} bands × {rows} rows")
        if theta == config.threshold:
            floor = theta / (2 - theta)
            at_floor = 1 - (1 - floor**rows) ** bands
            ax.axvline(floor, color="grey", linewidth=0.8)
            ax.plot([floor], [at_floor], "o", color="black")
            ax.annotate(f"Jaccard floor θ/(2−θ) = {floor:.3f}\ncandidate probability {at_floor:.2f}",
                        (floor, at_floor), xytext=(floor + 0.08, at_floor - 0.35), fontsize=8,
                        arrowprops={"arrowstyle": "->", "linewidth": 0.8})
    ax.axhline(DEFAULT_RULES.lsh_floor_probability, color="grey", linestyle=":", linewidth=0.8)
    ax.set_xlabel("Jaccard similarity of the 5-character shingle sets", fontsize=9)
    ax.set_ylabel("probability of becoming a candidate", fontsize=9)
    ax.set_title(f"LSH S-curve, {config.num_perm} permutations", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.tick_params(labelsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def print_scores(scores: dict[str, dict[str, list[float]]], theta: float) -> None:
    """How many pairs of each kind fall on each side of the threshold."""
    print(f"\n## Pairs within 72 h, majority overlap against θ = {theta}")
    print("| language | same-story pairs | at or under θ | different-story pairs (J ≥ 0.1) | over θ |")
    print("|---|---:|---:|---:|---:|")
    for language, side in sorted(scores.items()):
        same, different = np.array(side["same"]), np.array(side["different"])
        print(f"| {language} | {same.size:,} | {int((same <= theta).sum()):,} | {different.size:,} | "
              f"{int((different > theta).sum()):,} |")


def print_recall_by(details: list[dict[str, Any]], edit: str, key: str, edges: list[float]) -> None:
    """Recall of the copies of one edit kind by a numeric label field, in buckets."""
    print(f"\n## {edit}: recall by label.{key}")
    print(f"| {key} | copies | found | recall |")
    print("|---|---:|---:|---:|")
    rows = [d for d in details if d["label"].get("edit") == edit and key in d["label"]]
    for low, high in itertools.pairwise(edges):
        chosen = [d for d in rows if low <= d["label"][key] < high]
        found = sum(1 for d in chosen if d["outcome"] == "found")
        if chosen:
            print(f"| {low:.2f}–{high:.2f} | {len(chosen)} | {found} | {found / len(chosen):.3f} |")


def print_read_pairs(details: list[dict[str, Any]]) -> None:
    """Per docs/eval sample and verdict: read pairs in the set, and how many the decisions linked."""
    by_id = {d["id"]: d for d in details}
    folder = REPO / "docs" / "eval"
    samples = [(path.name, path, "url_earlier", "url_later") for path in sorted(folder.glob("*verdicts.tsv"))]
    samples.append(("snn-labelled-pairs.tsv", folder / "snn-labelled-pairs.tsv", "url_a", "url_b"))
    print("\n## Read pairs (docs/eval) in the set: same cluster, later one flagged as a copy of the earlier")
    print("| sample | verdict | pairs in the set | same cluster | later flagged as copy of earlier | neither |")
    print("|---|---|---:|---:|---:|---:|")
    for name, path, col_a, col_b in samples:
        counts: Counter[tuple[str, str]] = Counter()
        for row in read_tsv(path):
            x, y = by_id.get(row[col_a]), by_id.get(row[col_b])
            if x is None or y is None:
                continue
            x, y = sorted((x, y), key=lambda d: d["line"])
            same = x["cluster_id"] == y["cluster_id"]
            copy = y["duplicate_of"] == x["id"]
            counts[(row["verdict"], "total")] += 1
            counts[(row["verdict"], "same")] += same
            counts[(row["verdict"], "copy")] += copy
            counts[(row["verdict"], "neither")] += not (same or copy)
        for verdict in sorted({v for v, _ in counts}):
            print(f"| {name.removesuffix('.tsv')} | {verdict} | {counts[(verdict, 'total')]} | "
                  f"{counts[(verdict, 'same')]} | {counts[(verdict, 'copy')]} | {counts[(verdict, 'neither')]} |")


def main() -> None:
    """Draw both plots and print the breakdowns."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evalset", type=Path, default=REPO / "bench" / "out" / "evalset.jsonl")
    parser.add_argument("--details", type=Path, default=REPO / "bench" / "out" / "eval-details.jsonl")
    args = parser.parse_args()
    config = DetectionConfig()
    IMG.mkdir(parents=True, exist_ok=True)
    plot_scurve(config, IMG / "eval-lsh-scurve.png")
    scores = pair_scores(load(args.evalset), config)
    plot_similarity(scores, config.threshold, IMG / "eval-similarity.png")
    print_scores(scores, config.threshold)
    if args.details.is_file():
        details = load(args.details)
        print_recall_by(details, "truncation", "kept", [0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9, 1.0])
        print_recall_by(details, "light_edit", "rate", [0.0, 0.05, 0.1, 0.15])
        print_read_pairs(details)
    for name in ("eval-similarity.png", "eval-lsh-scurve.png"):
        print(f"wrote {IMG / name} ({(IMG / name).stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
