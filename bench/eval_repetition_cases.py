"""Synthetic in-article repetition from real articles, cleaned by analyse() and scored per language and kind.

    python bench/eval_repetition_cases.py --generator first   [--seed 1]    [--cases 50] [--negatives 60]
    python bench/eval_repetition_cases.py --generator heldout --seed 2026  [--json OUT] [--misses OUT]

`first` is bench/evalset_edits.py (the generator the rules were tuned on), `heldout` is
bench/evalset_heldout.py (written separately, not used to tune; docs/EVALUATION.md). Bases are real
articles read in place from ../shared/data: Arabic from SaudiNewsNet, English from BBC (and, for the
held-out short items, Reuters-21578), 500–6,000 characters without a repeated word 10-gram (short
items: up to 400 characters), shuffled by the seed. Per language and kind: detected (the record's
`detected`: something removed), cleaned exactly (cleaned body == expected, trailing whitespace aside),
mean similarity (evaluation.textmatch). Untouched articles (--negatives per language, not used as
bases): characters removed, and findings without a span (must be 0).
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # before numba is imported

import argparse
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

import evalset_edits
import evalset_heldout
from build_evalset import repeats_itself
from evalkit import DEFAULT_SHARED, bbc, machine, reuters_bodies, saudinewsnet, write_json
from newsdedup.core.config import DetectionConfig
from newsdedup.core.repetition import analyse
from newsdedup.core.signatures import Signer
from newsdedup.evaluation.textmatch import body_match

Maker = Callable[[str, random.Random, str], "tuple[str, str] | None"]

FIRST: dict[str, Maker] = {
    "repeated_line": lambda body, rng, _language: evalset_edits.repeat_line(body, rng),
    "repeated_paragraph": lambda body, rng, _language: evalset_edits.repeat_paragraph(body, rng),
    "whole_body": evalset_edits.repeat_body,
    "splice": evalset_edits.splice,
    # The same generator's edits at 5-15 % of the words (development cases for edited copies).
    "whole_body_5_15": lambda body, rng, lang: evalset_edits.repeat_body(body, rng, lang, rng.uniform(0.05, 0.15)),
    "splice_5_15": lambda body, rng, lang: evalset_edits.splice(body, rng, lang, rng.uniform(0.05, 0.15)),
}
def _heldout_maker(kind: str) -> Maker:
    """The held-out generator's edit of one kind, as a Maker."""

    def make(body: str, rng: random.Random, _language: str) -> tuple[str, str] | None:
        return evalset_heldout.make(kind, body, rng)

    return make


HELDOUT: dict[str, Maker] = {kind: _heldout_maker(kind) for kind in evalset_heldout.KINDS}


def pools(data: Path, generator: str, rng: random.Random) -> dict[str, tuple[list[str], list[str]]]:
    """Per language, (long bases, short bases), shuffled: real bodies without a repeated word 10-gram."""
    arabic = [raw["content"].strip() for raw in saudinewsnet(data)]
    english = [raw["body"] for raw in bbc(data)]
    english_short = [raw["body"] for raw in reuters_bodies(data)] if generator == "heldout" else []
    out = {}
    for language, texts, short_texts in (("ar", arabic, arabic), ("en", english, english_short)):
        long_ = sorted({t for t in texts if 500 <= len(t) <= 6000 and not repeats_itself(t)})
        short = sorted({t for t in short_texts if 60 <= len(t) <= evalset_heldout.SHORT_ITEM_CHARS
                        and not repeats_itself(t)})
        rng.shuffle(long_)
        rng.shuffle(short)
        out[language] = (long_, short)
    return out


def score(body: str, expected: str, signer: Signer, config: DetectionConfig) -> dict[str, Any]:
    """analyse() on one case against its expected body."""
    report = analyse(body, signer, config)
    match = body_match(report.cleaned_body, expected)
    return {"detected": bool(report.spans), "exact": match.equal, "similarity": match.similarity,
            "removed": report.removed_chars, "extra": match.extra_chars, "missing": match.missing_chars}


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts and shares over scored cases."""
    n = len(rows)
    return {"cases": n, "detected": sum(r["detected"] for r in rows) / n, "exact": sum(r["exact"] for r in rows) / n,
            "similarity": sum(r["similarity"] for r in rows) / n, "kept_by_mistake": sum(r["extra"] for r in rows),
            "removed_by_mistake": sum(r["missing"] for r in rows)}


def main(argv: list[str] | None = None) -> int:
    """Build the cases, clean them, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generator", choices=("first", "heldout"), required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=50, help="cases per kind and language (50)")
    parser.add_argument("--negatives", type=int, default=60, help="untouched articles per language (60)")
    parser.add_argument("--data", type=Path, default=DEFAULT_SHARED / "data")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--misses", type=Path, help="write every case not cleaned exactly here (JSON Lines)")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"{args.data} is absent: point --data (or NEWSDEDUP_SHARED) at the shared folder", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    makers = FIRST if args.generator == "first" else HELDOUT
    config = DetectionConfig()
    signer = Signer(config)
    results: dict[str, Any] = {"machine": machine(), "generator": args.generator, "seed": args.seed}
    misses: list[dict[str, Any]] = []
    print(f"# {args.generator} generator, seed {args.seed}, {args.cases} cases per kind and language")
    print("\n| language | kind | cases | detected | cleaned exactly | mean similarity | kept by mistake "
          "| removed by mistake |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for language, (long_, short) in pools(args.data, args.generator, rng).items():
        used: set[int] = set()
        every: list[dict[str, Any]] = []
        for kind, maker in makers.items():
            bases = short if kind == "short_item" else long_
            rows: list[dict[str, Any]] = []
            for index, base in enumerate(bases):
                if len(rows) == args.cases:
                    break
                if kind != "short_item" and index in used:
                    continue
                made = maker(base, rng, language)
                if made is None:
                    continue
                if kind != "short_item":
                    used.add(index)
                row = score(*made, signer, config)
                rows.append(row)
                if not row["exact"]:
                    misses.append({"language": language, "kind": kind, "body": made[0], "expected": made[1], **row})
            figures = summary(rows)
            results[f"{language}/{kind}"] = figures
            every += rows
            print(_row(language, kind, figures))
        results[f"{language}/all"] = summary(every)
        print(_row(language, "**all**", results[f"{language}/all"]))
        negatives = [base for index, base in enumerate(long_) if index not in used][: args.negatives]
        reports = [analyse(body, signer, config) for body in negatives]
        results[f"{language}/untouched"] = {
            "articles": len(reports),
            "with_removals": sum(1 for r in reports if r.removed_chars),
            "removed_chars": sum(r.removed_chars for r in reports),
            "finding_without_span": sum(1 for r in reports if (r.detected or r.to_json()["detected"]) and not r.spans),
        }
    print("\n| language | untouched articles | with removals | characters removed | findings without a span |")
    print("|---|---:|---:|---:|---:|")
    for language in ("ar", "en"):
        u = results[f"{language}/untouched"]
        print(f"| {language} | {u['articles']} | {u['with_removals']} | {u['removed_chars']} "
              f"| {u['finding_without_span']} |")
    write_json(args.json, results)
    if args.misses is not None:
        args.misses.parent.mkdir(parents=True, exist_ok=True)
        args.misses.write_bytes(b"".join(orjson.dumps(miss) + b"\n" for miss in misses))
    return 0


def _row(language: str, kind: str, f: dict[str, Any]) -> str:
    return (f"| {language} | {kind} | {f['cases']} | {f['detected']:.3f} | {f['exact']:.3f} | {f['similarity']:.4f} "
            f"| {f['kept_by_mistake']} | {f['removed_by_mistake']} |")


if __name__ == "__main__":
    raise SystemExit(main())
