"""Does removing punctuation change character-shingle Jaccard on real news? (normalisation choice)

    python bench/measure_punctuation.py [--json bench/out/punctuation.json]

Every SaudiNewsNet and BBC article in ../shared/data (read in place) is normalised twice with
normalize_text: with punctuation kept (keep_punctuation=True) and as the pipeline does it, every
Unicode punctuation character (category P*) replaced by a space. Candidate pairs come from a MinHashLSH at threshold 0.3
over each variant (union of both); for every candidate pair the exact Jaccard of the 5-character
shingle sets is computed in both variants. The table shows how many pairs each variant puts at or
above a threshold, how many pairs cross a threshold when punctuation goes, and the size of the change.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evalkit import DATA, bbc_bodies, machine, saudinewsnet_bodies, write_json

_PUNCT = dict.fromkeys(cp for cp in range(0x110000) if unicodedata.category(chr(cp)).startswith("P"))


def main(argv: list[str] | None = None) -> int:
    """Measure and print the effect of punctuation removal on pairwise Jaccard."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--show", type=int, default=0, metavar="N",
                        help="print N random pairs (seeded) that only the stripped variant puts at J >= 0.5")
    args = parser.parse_args(argv)
    from datasketch import MinHashLSH

    from newsdedup.core.config import DetectionConfig
    from newsdedup.core.normalize import normalize_text
    from newsdedup.core.signatures import Signer, exact_jaccard

    if not (DATA / "saudinewsnet").is_dir():
        sys.exit(f"corpora not found in {DATA} (set NEWSDEDUP_SHARED to the folder that holds data/)")
    bodies = [*saudinewsnet_bodies(DATA), *bbc_bodies(DATA)]
    signer = Signer(DetectionConfig())
    t0 = time.perf_counter()
    kept = [normalize_text(b, keep_punctuation=True) for b in bodies]
    t_kept = time.perf_counter() - t0
    t0 = time.perf_counter()
    stripped = [normalize_text(b) for b in bodies]
    t_stripped = time.perf_counter() - t0
    variants = {"kept": kept, "stripped": stripped}

    pairs: set[tuple[int, int]] = set()
    for texts in variants.values():
        lsh = MinHashLSH(threshold=0.3, num_perm=128)
        for i, text in enumerate(texts):
            lean = signer.to_lean_minhash(signer.signature(text))
            pairs.update((j, i) for j in lsh.query(lean))
            lsh.insert(i, lean)
    ordered = sorted(pairs)
    exact = {}
    for name, texts in variants.items():  # one variant's shingle sets in memory at a time
        sets = [signer.shingle_set(t) for t in texts]
        exact[name] = np.array([exact_jaccard(sets[i], sets[j]) for i, j in ordered])
        del sets
    a_kept, a_stripped = exact["kept"], exact["stripped"]
    delta = a_stripped - a_kept

    seed: dict[str, float] = {}
    fixtures = DATA.parent / "fixtures"
    if (fixtures / "seed-version-1.json").is_file():  # the bar: the seed's two versions are a pair
        versions = [orjson.loads((fixtures / f"seed-version-{v}.json").read_bytes())["body"] for v in (1, 2)]
        for name, keep in (("kept", True), ("stripped", False)):
            a, b = (signer.shingle_set(normalize_text(v, keep_punctuation=keep)) for v in versions)
            seed[name] = exact_jaccard(a, b)

    rows: list[dict[str, Any]] = []
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        k, s = a_kept >= t, a_stripped >= t
        rows.append({"threshold": t, "kept": int(k.sum()), "stripped": int(s.sum()),
                     "only_kept": int((k & ~s).sum()), "only_stripped": int((s & ~k).sum())})
    share = float(np.mean([len(t) - len(t.translate(_PUNCT)) for t in kept]))
    host = machine()
    results: dict[str, Any] = {
        "machine": host, "articles": len(bodies), "candidate_pairs": len(pairs),
        "mean_punctuation_chars_per_article": share,
        "mean_chars_per_article": float(np.mean([len(t) for t in kept])),
        "delta_mean": float(delta.mean()), "delta_abs_mean": float(np.abs(delta).mean()),
        "delta_abs_p95": float(np.percentile(np.abs(delta), 95)), "delta_abs_max": float(np.abs(delta).max()),
        "normalize_seconds": {"kept": t_kept, "stripped": t_stripped}, "rows": rows, "seed_pair": seed,
    }
    print(f"{len(bodies)} articles, {len(pairs)} candidate pairs (LSH 0.3 on either variant); "
          f"punctuation is {share:.0f} of {results['mean_chars_per_article']:.0f} characters per article")
    print(f"Jaccard(stripped) - Jaccard(kept): mean {results['delta_mean']:+.4f}, mean |.| "
          f"{results['delta_abs_mean']:.4f}, p95 |.| {results['delta_abs_p95']:.4f}, max |.| "
          f"{results['delta_abs_max']:.4f}")
    if seed:
        print(f"seed-version-1/2 bodies: J kept {seed['kept']:.3f}, stripped {seed['stripped']:.3f}")
    print(f"{'J >=':>5s} {'kept':>8s} {'stripped':>9s} {'only kept':>10s} {'only stripped':>14s}")
    for row in rows:
        print(f"{row['threshold']:5.1f} {row['kept']:8d} {row['stripped']:9d} {row['only_kept']:10d} "
              f"{row['only_stripped']:14d}")
    for key, value in host.items():
        print(f"{key}: {value}")
    flipped = [k for k in range(len(ordered)) if a_stripped[k] >= 0.5 > a_kept[k]]
    for pick in random.Random(1).sample(flipped, min(args.show, len(flipped))):
        i, j = ordered[pick]
        print(f"\n#{pick} J kept {a_kept[pick]:.3f} stripped {a_stripped[pick]:.3f}\n"
              f"  A: {kept[i][:240]}\n  B: {kept[j][:240]}")
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
