"""The corpora as plain article streams and the labelled pairs of docs/eval as pairs files (`eval --pairs`).

    PYTHONPATH=services python bench/labelled_streams.py       # -> bench/out/{snn,reuters}-stream.jsonl, -pairs.tsv
    newsdedup eval bench/out/reuters-stream.jsonl --pairs bench/out/reuters-pairs.tsv

The streams are exactly what bench/pair_features.py feeds the detector: every SaudiNewsNet article as
`evalkit.as_input` makes it (id = URL), in `evalkit.saudinewsnet` order (date_extracted, ties in the files'
order); every Reuters-21578 item with a title or a body as `evalkit.reuters_input` makes it (id
`reuters-NEWID`), in `evalkit.reuters` order (DATE, ties by NEWID). They hold corpus text, so they go to
bench/out/ (ignored by git).

The pairs: every labelled pair in docs/eval (SaudiNewsNet: snn-labelled-pairs.tsv, snn-labelled-pairs-2.tsv and
the four *-verdicts.tsv; Reuters: reuters-labelled-pairs.tsv). Verdicts as pair_features.py maps them: `same`
stays `same`; `different` and `roundup` become `different` (the reason keeps the reader's verdict in front);
`related` pairs, and pairs read more than once with different verdicts, are left out and counted. The script
checks that the pairs it writes are the ones pair_features.py scores.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evalkit import DEFAULT_SHARED, REPO, as_input, read_tsv, reuters, reuters_input, saudinewsnet, write_tsv

EVAL_DIR = REPO / "docs" / "eval"
OUT = REPO / "bench" / "out"
PAIRS_HEADER = ["id_a", "id_b", "verdict", "reason"]
MAPPED = {"same": "same", "different": "different", "roundup": "different"}

# (file, id column a, id column b, reason column, id prefix) of every file of labelled pairs.
SNN_FILES = [
    ("snn-labelled-pairs.tsv", "url_a", "url_b", "note", ""),
    *((path.name, "url_earlier", "url_later", "note", "") for path in sorted(EVAL_DIR.glob("*verdicts.tsv"))),
    ("snn-labelled-pairs-2.tsv", "url_a", "url_b", "reason", ""),
]
REUTERS_FILES = [("reuters-labelled-pairs.tsv", "newid_a", "newid_b", "reason", "reuters-")]


@dataclass(slots=True)
class Readings:
    """Every reading of one unordered pair, in file order."""

    ids: tuple[str, str]  # as the first reading gives them
    verdicts: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def read_labels(files: Iterable[tuple[str, str, str, str, str]]) -> dict[frozenset[str], Readings]:
    """Every labelled pair of the files, with all its readings (a pair read in two files has two)."""
    pairs: dict[frozenset[str], Readings] = {}
    for name, col_a, col_b, col_reason, prefix in files:
        for row in read_tsv(EVAL_DIR / name):
            ids = (prefix + row[col_a].strip(), prefix + row[col_b].strip())
            readings = pairs.setdefault(frozenset(ids), Readings(ids))
            readings.verdicts.append(row["verdict"].strip())
            readings.reasons.append(" ".join((row.get(col_reason) or "").split()))  # no tabs or newlines
            readings.files.append(name)
    return pairs


def pair_rows(pairs: dict[frozenset[str], Readings]) -> tuple[list[list[str]], Counter[str]]:
    """Rows of the pairs file (id_a, id_b, verdict, reason) and the counts of what was kept and left out."""
    rows: list[list[str]] = []
    counts: Counter[str] = Counter({"left out: read with different verdicts": 0})
    for readings in pairs.values():
        counts["read twice or more"] += len(readings.verdicts) > 1
        if len(set(readings.verdicts)) > 1:
            counts["left out: read with different verdicts"] += 1
            continue
        verdict = readings.verdicts[0]
        if verdict not in MAPPED:
            counts[f"left out: {verdict}"] += 1
            continue
        counts[f"kept: {verdict}"] += 1
        reason = readings.reasons[-1]  # the last reading's words, as pair_features.py keeps them
        rows.append([*readings.ids, MAPPED[verdict], f"{verdict}: {reason}" if reason else verdict])
    return rows, counts


def write_stream(path: Path, articles: Iterable[dict[str, Any]]) -> tuple[int, Counter[str]]:
    """Write input articles as JSON Lines; (how many, how often each id occurs)."""
    ids: Counter[str] = Counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        for article in articles:
            ids[article["id"]] += 1
            handle.write(orjson.dumps(article) + b"\n")
    return sum(ids.values()), ids


def reuters_articles(data: Path, dropped: Counter[str]) -> Iterator[dict[str, Any]]:
    """Every Reuters item with a title or a body as an input article, in DATE order (as pair_features.py)."""
    for item in reuters(data):
        if item.title or item.body:
            yield reuters_input(item)
        else:
            dropped["no title and no body"] += 1


def build(name: str, articles: Iterable[dict[str, Any]], labels: dict[frozenset[str], Readings], out: Path,
          check: list[tuple[str, str, str, str]]) -> None:
    """Write one corpus's stream and pairs file and print what they hold."""
    started = time.perf_counter()
    stream_path, pairs_path = out / f"{name}-stream.jsonl", out / f"{name}-pairs.tsv"
    lines, ids = write_stream(stream_path, articles)
    rows, counts = pair_rows(labels)
    write_tsv(pairs_path, PAIRS_HEADER, rows,
              f"Labelled {name} pairs from docs/eval (bench/labelled_streams.py): ids, verdicts and reasons only.\n"
              "verdict: same | different (the reader's different or roundup, named first in the reason).")
    absent = sum(1 for row in rows if row[0] not in ids or row[1] not in ids)
    repeated = sum(1 for n in ids.values() if n > 1)
    print(f"{name}: {stream_path.relative_to(REPO)}: {lines:,} articles, {len(ids):,} distinct ids "
          f"({repeated:,} ids on more than one line: the detector takes the later lines as redeliveries "
          f"or updates); {time.perf_counter() - started:.1f} s")
    verdicts = Counter(row[2] for row in rows)
    print(f"{name}: {pairs_path.relative_to(REPO)}: {len(rows):,} pairs ({verdicts['same']:,} same, "
          f"{verdicts['different']:,} different) of {len(labels):,} distinct pairs read; "
          f"{absent:,} with an id not in the stream")
    for key, value in sorted(counts.items()):
        print(f"    {key}: {value:,}")
    # The same pairs and verdicts bench/pair_features.py scores (its `attach`: related left out).
    theirs = {(frozenset((a, b)), "same" if v == "same" else "different") for a, b, v, _ in check if v != "related"}
    ours = {(frozenset(row[:2]), row[2]) for row in rows}
    print(f"    same pairs and verdicts as bench/pair_features.py: {'yes' if ours == theirs else 'NO'}"
          + ("" if ours == theirs else f" ({len(ours - theirs)} only here, {len(theirs - ours)} only there)"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_SHARED / "data", help="the shared data folder")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write (default bench/out)")
    parser.add_argument("--corpus", choices=("snn", "reuters", "both"), default="both")
    args = parser.parse_args(argv)
    import pair_features  # the labels as the pair study reads them, for the check

    if args.corpus in ("snn", "both"):
        build("snn", (as_input(raw) for raw in saudinewsnet(args.data)), read_labels(SNN_FILES), args.out,
              pair_features.snn_labels())
    if args.corpus in ("reuters", "both"):
        dropped: Counter[str] = Counter()
        build("reuters", reuters_articles(args.data, dropped), read_labels(REUTERS_FILES), args.out,
              pair_features.reuters_labels())
        print(f"reuters: items left out of the stream: {dict(dropped) or 0}")


if __name__ == "__main__":
    main()
