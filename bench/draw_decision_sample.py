"""Draw findings of a `newsdedup scan` at random, to read and label right or wrong.

    newsdedup scan bench/out/reuters-stream.jsonl -o bench/out/reuters-scan.jsonl
    python bench/draw_decision_sample.py bench/out/reuters-scan.jsonl --stream bench/out/reuters-stream.jsonl \\
        --name reuters-copy --status near_duplicate,exact_duplicate --n 50
    python bench/draw_decision_sample.py ... --name reuters-rewrite --status same_story --n 50

From ALL the scan's decisions of the given statuses (one per record line), N are drawn with a fixed seed
(`random.Random(seed).sample`; the same inputs and options give the same sample). Two files:

* `bench/out/sample-NAME.md`, the reading sheet (corpus text: not for the repository): for each finding,
  the two ids, status, similarity, whatever else the record's `dedup` object carries (e.g. `evidence`),
  and for both articles, from the stream file, the title, the first HEAD and the last TAIL characters of
  the body.
* `docs/eval/NAME-sample.tsv`, the template the reader fills (ids and numbers only): n, id (NAME-n, to
  refer to the finding), later_id (the flagged article), earlier (its `duplicate_of`, else its
  `cluster_id` when that names another article), status, similarity, verdict (right | wrong), reason.
  A template that already holds a verdict is never overwritten.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evalkit import REPO, read_tsv, write_tsv

HEADER = ["n", "id", "later_id", "earlier", "status", "similarity", "verdict", "reason"]
SHOWN_KEYS = ("status", "duplicate_of", "cluster_id", "similarity")  # the rest of `dedup` is shown as evidence


@dataclass(frozen=True, slots=True)
class Finding:
    """One decision of the scan with a status that was asked for."""

    line: int
    later: str
    earlier: str | None
    dedup: dict[str, Any]


def read_findings(records: Path, statuses: set[str]) -> tuple[list[Finding], Counter[str]]:
    """Every decision of the given statuses, in record order, and the count of every status seen."""
    found: list[Finding] = []
    seen: Counter[str] = Counter()
    with records.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            record = orjson.loads(raw)
            dedup = record["dedup"]
            status = str(dedup["status"])
            seen[status] += 1
            if status not in statuses:
                continue
            article_id = str(record["id"])
            earlier = dedup.get("duplicate_of")
            if earlier is None and dedup.get("cluster_id") not in (None, article_id):
                earlier = dedup["cluster_id"]
            found.append(Finding(number, article_id, None if earlier is None else str(earlier), dedup))
    return found, seen


def read_articles(stream: Path, wanted: set[str]) -> dict[str, dict[str, Any]]:
    """The input articles of `stream` whose ids are wanted (an id on several lines: its last line)."""
    articles: dict[str, dict[str, Any]] = {}
    with stream.open("rb") as handle:
        for raw in handle:
            if raw.strip():
                article = orjson.loads(raw)
                if article.get("id") in wanted:
                    articles[article["id"]] = article
    return articles


def excerpt(body: str, head: int, tail: int) -> list[str]:
    """The body's first `head` and last `tail` characters (the whole body when it is not longer)."""
    if len(body) <= head + tail:
        return [body]
    return [body[:head], f"[… {len(body) - head - tail:,} characters …]", body[-tail:]]


def quoted(text: str) -> list[str]:
    return [f"> {line}" if line.strip() else ">" for line in text.splitlines()] or [">"]


def article_lines(label: str, article_id: str | None, article: dict[str, Any] | None, head: int, tail: int
                  ) -> list[str]:
    if article_id is None:
        return [f"**{label}**: none (the decision names no other article)", ""]
    if article is None:
        return [f"**{label}** `{article_id}`: not in the stream file", ""]
    body = str(article.get("body") or "")
    out = [f"**{label}** `{article_id}` · {article.get('source')} · {article.get('published_at')} · "
           f"{len(body):,} characters", "", f"Title: {article.get('title') or '(none)'}", ""]
    for part in excerpt(body, head, tail) if body.strip() else ["(empty body)"]:
        out += [*quoted(part), ""]
    return out


def sheet(name: str, drawn: Iterable[tuple[int, Finding]], articles: dict[str, dict[str, Any]], head: int,
          tail: int, intro: list[str]) -> str:
    out = [f"# Reading sheet {name}", "", *intro, "",
           f"Label each finding in docs/eval/{name}-sample.tsv: verdict right | wrong, and a one-line reason "
           "in your own words (no corpus text).", ""]
    for n, finding in drawn:
        dedup = finding.dedup
        similarity = dedup.get("similarity")
        evidence = {key: value for key, value in dedup.items() if key not in SHOWN_KEYS}
        out += [f"## {n}. {finding.later} ← {finding.earlier}", "",
                f"status **{dedup.get('status')}**, similarity "
                f"{'–' if similarity is None else f'{similarity:.3f}'}, duplicate_of `{dedup.get('duplicate_of')}`, "
                f"cluster_id `{dedup.get('cluster_id')}`, record line {finding.line}", ""]
        if evidence:
            out += ["```json", orjson.dumps(evidence, option=orjson.OPT_INDENT_2).decode(), "```", ""]
        out += article_lines("earlier", finding.earlier, articles.get(finding.earlier or ""), head, tail)
        out += article_lines("later", finding.later, articles.get(finding.later), head, tail)
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=Path, help="newsdedup scan output (records JSON Lines)")
    parser.add_argument("--stream", type=Path, required=True, help="the input stream the scan read")
    parser.add_argument("--name", required=True,
                        help="sample name: bench/out/sample-NAME.md, docs/eval/NAME-sample.tsv")
    parser.add_argument("--status", required=True, help="comma-separated statuses to draw from")
    parser.add_argument("--n", type=int, default=50, help="how many findings (default 50)")
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--head", type=int, default=700, help="characters shown from the start of each body")
    parser.add_argument("--tail", type=int, default=300, help="characters shown from the end of each body")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out", help="where the reading sheet goes")
    parser.add_argument("--tsv-dir", type=Path, default=REPO / "docs" / "eval", help="where the template goes")
    args = parser.parse_args(argv)
    statuses = {s.strip() for s in args.status.split(",") if s.strip()}
    template = args.tsv_dir / f"{args.name}-sample.tsv"
    if template.exists() and any((row.get("verdict") or "").strip() for row in read_tsv(template)):
        raise SystemExit(f"{template} already holds verdicts: not overwritten (choose another --name)")
    findings, seen = read_findings(args.records, statuses)
    if not findings:
        raise SystemExit(f"no decision with status {', '.join(sorted(statuses))} in {args.records} "
                         f"(statuses seen: {dict(seen)})")
    picked = sorted(random.Random(args.seed).sample(range(len(findings)), min(args.n, len(findings))))
    drawn = [(n, findings[k]) for n, k in enumerate(picked, start=1)]
    wanted = {key for _, f in drawn for key in (f.later, f.earlier) if key is not None}
    articles = read_articles(args.stream, wanted)
    population = ", ".join(f"{status} {seen[status]:,}" for status in sorted(statuses))
    described = (f"{len(drawn)} of the {len(findings):,} decisions with status {population} in "
                 f"{args.records.name} (scan of {args.stream.name}), drawn with seed {args.seed} "
                 "(bench/draw_decision_sample.py), in record order")
    sheet_path = args.out / f"sample-{args.name}.md"
    sheet_path.parent.mkdir(parents=True, exist_ok=True)
    sheet_path.write_text(sheet(args.name, drawn, articles, args.head, args.tail, [described + "."]), encoding="utf-8")
    rows = [[n, f"{args.name}-{n}", f.later, f.earlier or "", f.dedup.get("status"),
             "" if f.dedup.get("similarity") is None else f"{f.dedup['similarity']:.4f}", "", ""] for n, f in drawn]
    write_tsv(template, HEADER, rows,
              f"{described}.\nRead in bench/out/sample-{args.name}.md (not in the repository: corpus text).\n"
              "later_id: the flagged article; earlier: its duplicate_of, else its cluster_id.\n"
              "verdict: right | wrong (is the status right for this pair?); reason: one line, the reader's own "
              "words, no corpus text.")
    absent = sorted(wanted - articles.keys())
    print(f"{described}\n  sheet: {sheet_path}\n  template: {template}"
          + (f"\n  ids not in the stream: {len(absent)}" if absent else ""))


if __name__ == "__main__":
    main()
