"""Draw the Reuters-21578 pairs to label by reading: stratified by overlap band, every template family present.

    PYTHONPATH=services python bench/draw_reuters_pairs.py [--seed 20261202] [--out docs/eval/reuters-sample.tsv]
    PYTHONPATH=services python bench/draw_reuters_pairs.py --show 0 20   # print rows 0-19 of the sample to read

Items are taken in DATE order and compared as the service compares them: the character-5-gram
Jaccard of `normalized_compared_text(title, body)` (the Signer's shingle sets). Two candidate signals
propose pairs within 72 h of each other:

* `shingle`: every pair with Jaccard >= 0.2, found exactly by the PPJoin of bench/exact_pairs.py run on
  overlapping 6-day blocks of the date order (each pair within 72 h lies inside one block).
* `names`: pairs that share their distinctive terms (words and figures that at most `RARE_DF` items of
  the corpus use; document frequencies learned from the corpus itself), scored by the idf-weighted
  share of the smaller item's distinctive terms found in the other. This one finds rewrites of the
  same story with little shared wording.

Template families are groups of items whose bodies open with the same words of the corpus's common
vocabulary (document frequency >= `COMMON_DF`; figures as "#") and whose members, read 72 h apart,
still share much wording (median Jaccard of sampled member pairs >= `FAMILY_COHESION`, first quartile
>= `FAMILY_FLOOR`): a group too loose at its first word is split by its second, then its third; items
left over are grouped by their title's shape (names as '*', figures as '#'). The sample is `PER_BAND` pairs per
overlap band (band 0-0.2 only from the `names` signal), then pairs of each family until each has
`PER_FAMILY`, all drawn with one seeded generator; the TSV lists ids and numbers only (no corpus text).
"""

from __future__ import annotations

import argparse
import math
import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from evalkit import DEFAULT_SHARED, REPO, ReutersItem, read_tsv, reuters, write_tsv
from exact_pairs import similar_pairs
from newsdedup.core.config import DetectionConfig
from newsdedup.core.pipeline import normalized_compared_text
from newsdedup.core.signatures import Signer, exact_jaccard

OUT = REPO / "docs" / "eval" / "reuters-sample.tsv"
WINDOW = 72 * 3600.0
BLOCK = 3 * 86400.0  # joins run on two consecutive blocks: 6 days, so every pair within 72 h is in one
MIN_JACCARD = 0.2
BANDS = (0.0, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95, 1.0 + 1e-9)
PER_BAND = 40
PER_FAMILY = 4
RARE_DF = 30  # a term used by at most this many items is distinctive
MIN_SHARED_RARE = 3
MIN_CONTAINMENT = 0.5
COMMON_DF = 300
FAMILY_MIN_ITEMS = 30
FAMILY_COHESION = 0.10
FAMILY_FLOOR = 0.05
TITLE_FAMILY_MIN_ITEMS = 10
TITLE_FAMILY_COHESION = 0.15
TITLE_COMMON_DF = 40
FAMILY_PROBE_PAIRS = 200
FAMILY_MAX_WORDS = 3

_TERM = re.compile(r"[a-z][a-z'&.-]*[a-z]|\d[\d,./-]*\d|\d")
_TAGGED = re.compile(r"<[^<>]*>")


@dataclass(slots=True)
class Pair:
    """A candidate pair (indices into the date-ordered items, a < b) and what proposed it."""

    a: int
    b: int
    jaccard: float
    containment: float
    signal: str
    family: str = ""


def terms(text: str) -> set[str]:
    """Lower-cased words and figures of raw text (ticker brackets kept as words)."""
    return set(_TERM.findall(text.lower()))


def blocks(times: npt.NDArray[np.float64]) -> list[npt.NDArray[np.int64]]:
    """Index ranges of consecutive pairs of BLOCK-long time blocks (times sorted ascending)."""
    edges = np.arange(times[0], times[-1] + BLOCK, BLOCK)
    starts = np.searchsorted(times, edges)
    ranges = []
    for k in range(len(edges) - 1):
        end = int(starts[k + 2]) if k + 2 < len(starts) else len(times)
        if end - int(starts[k]) >= 2:
            ranges.append(np.arange(int(starts[k]), end, dtype=np.int64))
    return ranges


def shingle_pairs(sets: list[npt.NDArray[np.uint32]], times: npt.NDArray[np.float64]) -> dict[tuple[int, int], float]:
    """Every pair within WINDOW with Jaccard >= MIN_JACCARD, with its Jaccard (exact)."""
    sizes = np.array([len(s) for s in sets], dtype=np.int64)
    found: dict[tuple[int, int], float] = {}
    for index in blocks(times):
        a, b, inter = similar_pairs([sets[i] for i in index], MIN_JACCARD)
        ga, gb = index[a], index[b]
        for x, y, n in zip(ga.tolist(), gb.tolist(), inter.tolist(), strict=True):
            if abs(times[y] - times[x]) <= WINDOW:
                found[(x, y)] = n / (sizes[x] + sizes[y] - n)
    return found


def name_pairs(items: list[ReutersItem], times: npt.NDArray[np.float64]) -> dict[tuple[int, int], float]:
    """Pairs within WINDOW that share >= MIN_SHARED_RARE distinctive terms, with their weighted containment."""
    item_terms = [terms(f"{item.title}\n{item.body}") for item in items]
    df = Counter(t for ts in item_terms for t in ts)
    idf = {t: math.log(len(items) / n) for t, n in df.items() if 2 <= n <= RARE_DF}
    rare = [sorted(t for t in ts if t in idf) for ts in item_terms]
    weight = [sum(idf[t] for t in ts) for ts in rare]
    postings: dict[str, list[int]] = defaultdict(list)
    for i, ts in enumerate(rare):
        for t in ts:
            postings[t].append(i)
    shared: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0, 0.0])
    for t, docs in postings.items():  # docs are in date order
        for p, x in enumerate(docs):
            for y in docs[p + 1 :]:
                if times[y] - times[x] > WINDOW:
                    break
                entry = shared[(x, y)]
                entry[0] += 1
                entry[1] += idf[t]
    found = {}
    for (x, y), (count, w) in shared.items():
        containment = w / min(weight[x], weight[y])
        if count >= MIN_SHARED_RARE and containment >= MIN_CONTAINMENT:
            found[(x, y)] = containment
    return found


def shape_words(item: ReutersItem, common: set[str]) -> list[str]:
    """The first FAMILY_MAX_WORDS common words of the body (of the title when there is no body); figures as '#'."""
    text = _TAGGED.sub(" ", (item.body or item.title).lower())
    out = []
    for t in _TERM.findall(text):
        word = "#" if t[0].isdigit() else t
        if word == "#" or word in common:
            out.append(word)
            if len(out) == FAMILY_MAX_WORDS:
                break
    return out


def cohesion(
    members: list[int], sets: list[npt.NDArray[np.uint32]], times: npt.NDArray[np.float64], rng: random.Random
) -> float:
    """Median Jaccard of up to FAMILY_PROBE_PAIRS sampled member pairs within WINDOW (members in date order).

    0 when a quarter of the sampled pairs share almost nothing (Jaccard < FAMILY_FLOOR): a mixed group.
    """
    close = [(x, y) for p, x in enumerate(members) for y in members[p + 1 : p + 40] if times[y] - times[x] <= WINDOW]
    probe = rng.sample(close, min(FAMILY_PROBE_PAIRS, len(close)))
    if not probe:
        return 0.0
    scores = [exact_jaccard(sets[x], sets[y]) for x, y in probe]
    return float(np.median(scores)) if np.percentile(scores, 25) >= FAMILY_FLOOR else 0.0


def title_shape(title: str, common: set[str]) -> str:
    """A title with figures as '#' and uncommon words (names) as one '*' per run; ticker brackets dropped."""
    out: list[str] = []
    for t in _TERM.findall(_TAGGED.sub(" ", title.lower())):
        word = "#" if t[0].isdigit() else t if t in common else "*"
        if not (word == "*" and out and out[-1] == "*"):
            out.append(word)
    return " ".join(out)


def families(
    items: list[ReutersItem],
    sets: list[npt.NDArray[np.uint32]],
    times: npt.NDArray[np.float64],
    rng: random.Random,
) -> tuple[list[str], dict[str, tuple[int, float]]]:
    """Each item's template family ('' for none) and, per family, its size and cohesion.

    Body families first (key: the body's first common words, split one word further while too loose),
    then, for items left over, title families (key: the title's shape, prefixed 'title:').
    """
    df = Counter(t for item in items for t in terms(_TAGGED.sub(" ", f"{item.title}\n{item.body}")))
    common = {t for t, n in df.items() if n >= COMMON_DF}
    shapes = [shape_words(item, common) for item in items]
    label = [""] * len(items)
    found: dict[str, tuple[int, float]] = {}
    pending: list[tuple[int, list[int]]] = [(1, list(range(len(items))))]
    while pending:
        depth, group = pending.pop()
        by_key: dict[str, list[int]] = defaultdict(list)
        for i in group:
            if len(shapes[i]) >= depth:
                by_key[" ".join(shapes[i][:depth])].append(i)
        for key in sorted(by_key):
            members = by_key[key]  # in date order
            if len(members) < FAMILY_MIN_ITEMS:
                continue
            score = cohesion(members, sets, times, rng)
            if score >= FAMILY_COHESION:
                found[key] = (len(members), score)
                for i in members:
                    label[i] = key
            elif depth < FAMILY_MAX_WORDS:
                pending.append((depth + 1, members))
    title_df = Counter(t for item in items for t in terms(_TAGGED.sub(" ", item.title)))
    title_common = {t for t, n in title_df.items() if n >= TITLE_COMMON_DF}
    by_title: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        shape = title_shape(item.title, title_common)
        if not label[i] and shape.strip("* "):
            by_title[f"title:{shape}"].append(i)
    for key in sorted(by_title):
        members = by_title[key]
        if len(members) >= TITLE_FAMILY_MIN_ITEMS:
            score = cohesion(members, sets, times, rng)
            if score >= TITLE_FAMILY_COHESION:
                found[key] = (len(members), score)
                for i in members:
                    label[i] = key
    return label, found


def band_of(jaccard: float) -> int:
    """The index of the overlap band that holds `jaccard`."""
    return next(k for k in range(len(BANDS) - 1) if BANDS[k] <= jaccard < BANDS[k + 1])


def band_name(k: int) -> str:
    """A band as 'lo-hi'."""
    return f"{BANDS[k]:.2f}-{min(BANDS[k + 1], 1.0):.2f}"


def show(path: Path, data: Path, first: int, last: int) -> None:
    """Print title, dateline and body of both items of the sample's rows first..last-1, for reading."""
    items = {item.newid: item for item in reuters(data)}
    rows = list(read_tsv(path))
    for k in range(first, min(last, len(rows))):
        row = rows[k]
        print(f"### row {k}: {row['newid_a']} / {row['newid_b']}  overlap {row['overlap']}  family {row['family']!r}")
        for side in ("a", "b"):
            item = items[int(row[f"newid_{side}"])]
            head = f"{item.newid} {item.date:%Y-%m-%d %H:%M} {item.kind}"
            print(f"--- {side.upper()} {head}: {item.title} [{item.dateline}]")
            print(item.body)
        print()


def main() -> None:
    """Build the candidates, find the families, draw the sample and write the TSV."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_SHARED / "data")
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--show", type=int, nargs=2, metavar=("FIRST", "LAST"), help="print sample rows to read")
    args = parser.parse_args()
    if args.show:
        show(args.out, args.data, *args.show)
        return
    started = time.perf_counter()
    rng = random.Random(args.seed)
    items = reuters(args.data)
    times = np.array([item.date.timestamp() for item in items])
    signer = Signer(DetectionConfig())
    sets = [signer.shingle_set(normalized_compared_text(item.title or None, item.body)) for item in items]
    by_shingles = shingle_pairs(sets, times)
    by_names = name_pairs(items, times)
    label, found = families(items, sets, times, rng)
    pairs: list[Pair] = []
    for x, y in sorted(by_shingles.keys() | by_names.keys()):
        jaccard = by_shingles.get((x, y))
        if jaccard is None:
            jaccard = exact_jaccard(sets[x], sets[y])
        containment = by_names.get((x, y), 0.0)
        signal = (
            "both" if (x, y) in by_shingles and (x, y) in by_names else "shingle" if (x, y) in by_shingles else "names"
        )
        family = label[x] if label[x] and label[x] == label[y] else ""
        pairs.append(Pair(x, y, jaccard, containment, signal, family))
    drawn: dict[tuple[int, int], Pair] = {}
    for k in range(len(BANDS) - 1):
        pool = [p for p in pairs if band_of(p.jaccard) == k and (k > 0 or p.signal == "names")]
        for p in rng.sample(pool, min(PER_BAND, len(pool))):
            drawn[(p.a, p.b)] = p
    for key in sorted(found):
        have = sum(p.family == key for p in drawn.values())
        pool = [p for p in pairs if p.family == key and (p.a, p.b) not in drawn]
        for p in rng.sample(pool, min(max(PER_FAMILY - have, 0), len(pool))):
            drawn[(p.a, p.b)] = p
    rows = [
        [
            items[p.a].newid,
            items[p.b].newid,
            items[p.a].date.strftime("%Y-%m-%dT%H:%M:%S"),
            items[p.b].date.strftime("%Y-%m-%dT%H:%M:%S"),
            band_name(band_of(p.jaccard)),
            f"{p.jaccard:.3f}",
            f"{p.containment:.3f}",
            p.family,
            p.signal,
        ]
        for p in sorted(drawn.values(), key=lambda p: (band_of(p.jaccard), p.a, p.b))
    ]
    elapsed = time.perf_counter() - started
    counts = Counter(band_of(p.jaccard) for p in pairs)
    comment = "\n".join(
        [
            "Reuters-21578 pairs within 72 h drawn for labelling by reading: ids (NEWID) and numbers only.",
            f"Drawn by: PYTHONPATH=services python bench/draw_reuters_pairs.py --seed {args.seed}",
            "overlap: character-5-gram Jaccard of the normalised compared text (title and body);",
            "names: idf-weighted containment of distinctive terms (0 when that signal did not propose the pair);",
            "signal: shingle (Jaccard >= 0.2), names (distinctive terms), both.",
            f"{len(items)} items; candidate pairs per band: "
            + ", ".join(f"{band_name(k)} {counts[k]}" for k in range(len(BANDS) - 1)),
            "families (first common words of the body: items, median Jaccard of member pairs): "
            + "; ".join(f"{key!r} {n} {c:.2f}" for key, (n, c) in sorted(found.items(), key=lambda kv: -kv[1][0])),
        ]
    )
    header = ["newid_a", "newid_b", "date_a", "date_b", "band", "overlap", "names", "family", "signal"]
    write_tsv(args.out, header, rows, comment)
    print(comment)
    print(f"{len(rows)} pairs drawn to {args.out} in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
