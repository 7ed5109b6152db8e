"""`newsdedup eval LABELLED.jsonl`: run the scan's detection over a labelled corpus and score it.

Every valid line goes through the same core calls as `newsdedup scan`, in file order (prepare, then
Deduplicator.decide); lines that are not valid articles, or whose `label` is missing or malformed,
are reported on stderr with their line number and skipped. The report goes to stdout.

`newsdedup eval STREAM.jsonl --pairs PAIRS.tsv` scores labelled article pairs instead (pairs.py): the
stream's lines need no label, and every valid line is decided exactly as scan decides it.
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import ExitStack
from typing import Any, BinaryIO, TextIO

import orjson

from newsdedup.core.article import Article
from newsdedup.core.config import DetectionConfig
from newsdedup.errors import InvalidLabel
from newsdedup.evaluation.labels import parse_label
from newsdedup.evaluation.pairs import Decided, match_pairs, read_pairs, report_missing, summarise_pairs
from newsdedup.evaluation.report import format_pair_report, format_report
from newsdedup.evaluation.scores import Scored, copy_outcomes, summarise
from newsdedup.evaluation.textmatch import body_match
from newsdedup.scan import EXIT_OK, EXIT_USAGE, LineDetector, config_from_args, parse_duration, parse_threshold


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the `eval` options to a (sub)parser."""
    parser.add_argument("input", metavar="LABELLED",
                        help="labelled JSON Lines corpus (docs/EVALUATION.md), or - ; with --pairs, any article stream")
    parser.add_argument("--pairs", metavar="PAIRS",
                        help="score the labelled pairs of this TSV (id_a, id_b, verdict same|different, reason) "
                        "instead of the lines' labels")
    parser.add_argument("--threshold", type=parse_threshold, default=None, metavar="X",
                        help=f"as for scan (default {DetectionConfig().threshold})")
    parser.add_argument("--window", type=parse_duration, default=None, metavar="DURATION",
                        help="as for scan, e.g. 72h (default 72h)")
    parser.add_argument("--json", metavar="OUT", help="also write every figure as JSON to OUT")
    parser.add_argument("--details", metavar="OUT",
                        help="write one JSON line per article (decision, outcome) to OUT; with --pairs, per pair")


def run_eval(args: argparse.Namespace) -> int:
    """Run the evaluation described by parsed `add_eval_arguments` options; return the exit status."""
    config = config_from_args(args)
    pairs_file = getattr(args, "pairs", None)
    with ExitStack() as stack:
        try:
            pairs = None
            if pairs_file is not None:
                # Read (and check) the pairs before the stream: a bad pairs file fails in a second, not an hour.
                with open(pairs_file, encoding="utf-8") as handle:
                    pairs = read_pairs(handle, pairs_file)
            source = sys.stdin.buffer if args.input == "-" else stack.enter_context(open(args.input, "rb"))
            details = stack.enter_context(open(args.details, "wb")) if args.details else None
            summary_out = stack.enter_context(open(args.json, "wb")) if args.json else None
        except OSError as exc:
            print(f"newsdedup eval: cannot open {exc.filename}: {exc.strerror}", file=sys.stderr)
            return EXIT_USAGE
        if pairs is None:
            summary = evaluate_stream(source, config, sys.stderr, details)
        else:
            decided, summary = decide_stream(source, config, sys.stderr)
            outcomes = match_pairs(pairs, decided)
            report_missing(outcomes, sys.stderr)
            summary.update(summarise_pairs(outcomes))
            summary["run"]["pairs"] = pairs_file
            if details is not None:
                for outcome in outcomes:
                    details.write(orjson.dumps(outcome.to_json()) + b"\n")
        summary["run"]["input"] = args.input
        if summary_out is not None:
            summary_out.write(orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.write(format_report(summary) if pairs is None else format_pair_report(summary))
    return EXIT_OK


def decide_stream(
    source: BinaryIO, config: DetectionConfig, errors: TextIO
) -> tuple[dict[str, Decided], dict[str, Any]]:
    """The final decision on every article id of `source`, decided in file order as scan does; run figures.

    No label is needed (one is ignored). A repeated id is what it is to scan, a redelivery or an update:
    its last decision stands, and the repeats are counted.
    """
    detector = LineDetector(config, errors)
    clock = time.perf_counter()
    decided: dict[str, Decided] = {}
    lines = 0
    for number, article, prepared, decision in detector.decide_lines(source):
        decided[article.id] = Decided(lines, number, prepared.language, decision.to_json())
        lines += 1
    seconds = time.perf_counter() - clock
    run = {
        "input": None,
        "articles": lines,
        "distinct_ids": len(decided),
        "repeated_id_lines": lines - len(decided),
        "invalid_lines": detector.invalid,
        "threshold": config.threshold,
        "window_hours": config.window_seconds / 3600,
        "seconds": seconds,
        "articles_per_second": lines / seconds if seconds > 0 else 0.0,
    }
    return decided, {"run": run}


def evaluate_stream(
    source: BinaryIO, config: DetectionConfig, errors: TextIO, details: BinaryIO | None = None
) -> dict[str, Any]:
    """Decide every labelled article of `source` in order, as scan does, and return the summary."""
    detector = LineDetector(config, errors)
    clock = time.perf_counter()
    items: list[Scored] = []
    seen: set[str] = set()

    def check(article: Article) -> None:
        parse_label(article.fields)
        if article.id in seen:
            # A repeated id is a redelivery or an update to the detector: not a labelled article.
            raise InvalidLabel(f"id {article.id!r} was used on an earlier line; ids must be unique")
        seen.add(article.id)

    for number, article, prepared, decision in detector.decide_lines(source, check):
        label = parse_label(article.fields)
        # Not repeating means nothing should be removed: the expected body is the input body.
        expected = label.expected_body if label.expected_body is not None else (
            article.body if label.repeats is False else None
        )
        items.append(Scored(
            line=number,
            article_id=article.id,
            language=prepared.language,
            label=label,
            status=decision.status,
            duplicate_of=decision.duplicate_of,
            cluster_id=decision.cluster_id,
            similarity=decision.similarity,
            detected=bool(prepared.repetition["detected"]),
            removed_chars=int(prepared.repetition["removed_chars"]),
            body=body_match(prepared.body, expected) if expected is not None else None,
        ))
    seconds = time.perf_counter() - clock
    if details is not None:
        _write_details(details, items)
    summary = summarise(items)
    summary["run"] = {
        "input": None,
        "invalid_lines": detector.invalid,
        "threshold": config.threshold,
        "window_hours": config.window_seconds / 3600,
        "seconds": seconds,
        "articles_per_second": len(items) / seconds if seconds > 0 else 0.0,
    }
    return summary


def _write_details(sink: BinaryIO, items: list[Scored]) -> None:
    story_of = {item.article_id: item.label.story for item in items}
    for item, outcome in zip(items, copy_outcomes(items), strict=True):
        record = {
            "line": item.line,
            "id": item.article_id,
            "language": item.language,
            "label": item.label.to_json(),
            "outcome": outcome,
            "status": item.status,
            "duplicate_of": item.duplicate_of,
            "duplicate_of_story": story_of.get(item.duplicate_of) if item.duplicate_of else None,
            "cluster_id": item.cluster_id,
            "similarity": item.similarity,
            "repetition": {"detected": item.detected, "removed_chars": item.removed_chars},
            "body_match": None if item.body is None else {
                "equal": item.body.equal,
                "similarity": item.body.similarity,
                "extra_chars": item.body.extra_chars,
                "missing_chars": item.body.missing_chars,
            },
        }
        sink.write(orjson.dumps(record) + b"\n")
