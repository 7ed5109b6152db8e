"""`newsdedup scan`: the broker-free way to run detection over a JSON Lines file of articles.

For every valid input line, in input order, one output record (the worker's clean-topic record);
invalid lines are reported on stderr with their line number and skipped. Exit status 0 when the
input was read to the end, 1 when a worker process of `--workers N` died (the output is then
incomplete), 2 for a missing input or a bad option.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import BinaryIO, TextIO

import orjson

from newsdedup import durations
from newsdedup.core.article import Article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.dedup import Decision, Deduplicator
from newsdedup.core.events import build_events
from newsdedup.core.pipeline import build_record
from newsdedup.core.prepared import PreparedArticle
from newsdedup.core.signatures import Signer
from newsdedup.errors import ConfigError
from newsdedup.gcpolicy import CollectorPolicy
from newsdedup.jsonlines import read_lines
from newsdedup.prepare_pool import Outcome, WorkerCrashed, failure_message, prepared_here, prepared_in_workers

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

def parse_duration(text: str) -> float:
    """Seconds in a duration such as 72h, 30m, 3d, 90s or 1h30m (durations.parse_duration, for argparse)."""
    try:
        return durations.parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def parse_threshold(text: str) -> float:
    """A similarity threshold within the range DetectionConfig accepts."""
    try:
        value = float(text)
        DetectionConfig(threshold=value)
    except (ValueError, ConfigError) as exc:
        raise argparse.ArgumentTypeError(f"invalid threshold {text!r}: {exc}") from exc
    return value


def parse_workers(text: str) -> int:
    """A number of worker processes: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"invalid number of workers {text!r}: use a whole number of at least 1")
    return value


def add_scan_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the `scan` options to a (sub)parser."""
    parser.add_argument("input", metavar="INPUT", help="JSON Lines file of articles, or - for stdin")
    parser.add_argument("-o", "--output", metavar="OUTPUT", help="write records here instead of stdout")
    parser.add_argument("--events", metavar="FILE", help="also write dedup events (JSON Lines) to FILE")
    parser.add_argument(
        "--threshold",
        type=parse_threshold,
        default=None,
        metavar="X",
        help="near-duplicate when two texts share more than X of the larger one's shingles "
        f"(default {DetectionConfig().threshold}; docs/DETECTION.md)",
    )
    parser.add_argument(
        "--window",
        type=parse_duration,
        default=None,
        metavar="DURATION",
        help="event-time window, e.g. 72h, 30m, 3d (default 72h)",
    )
    parser.add_argument(
        "--workers",
        type=parse_workers,
        default=1,
        metavar="N",
        help="processes that parse and prepare articles; the decisions stay in this one, in input order, "
        "so the output is the same for every N (default 1; docs/BENCHMARKS.md has figures)",
    )


def config_from_args(args: argparse.Namespace) -> DetectionConfig:
    """The default DetectionConfig with the --threshold and --window options applied."""
    config = DetectionConfig()
    if args.threshold is not None:
        config = replace(config, threshold=args.threshold)
    if args.window is not None:
        config = replace(config, window_seconds=args.window)
    return config


def run_scan(args: argparse.Namespace) -> int:
    """Run the scan described by parsed `add_scan_arguments` options; return the exit status."""
    config = config_from_args(args)
    with ExitStack() as stack:
        try:
            source = sys.stdin.buffer if args.input == "-" else stack.enter_context(open(args.input, "rb"))
            sink = sys.stdout.buffer if args.output in (None, "-") else stack.enter_context(open(args.output, "wb"))
            events = stack.enter_context(open(args.events, "wb")) if args.events else None
        except OSError as exc:
            print(f"newsdedup scan: cannot open {exc.filename}: {exc.strerror}", file=sys.stderr)
            return EXIT_USAGE
        try:
            scan_stream(source, sink, events, config, sys.stderr, workers=args.workers)
        except WorkerCrashed as exc:
            print(f"newsdedup scan: {exc}", file=sys.stderr)
            return EXIT_FAILED
    return EXIT_OK


def scan_stream(
    source: BinaryIO,
    sink: BinaryIO,
    events: BinaryIO | None,
    config: DetectionConfig,
    errors: TextIO,
    workers: int = 1,
) -> int:
    """Decide every article of `source` in order; write records and events; return the invalid-line count."""
    detector = LineDetector(config, errors, workers=workers)
    for _, _, prepared, decision in detector.decide_lines(source):
        sink.write(orjson.dumps(build_record(prepared, decision)) + b"\n")
        if events is not None:
            for event in build_events(prepared, decision, datetime.now(UTC)):
                events.write(orjson.dumps(event) + b"\n")
    sink.flush()
    return detector.invalid


@dataclass
class LineDetector:
    """The detection over JSON Lines in input order, shared by scan and eval: bad lines reported and counted."""

    config: DetectionConfig
    errors: TextIO
    workers: int = 1  # processes that parse and prepare; 1: this one
    invalid: int = 0

    def decide_lines(
        self, source: BinaryIO, check: Callable[[Article], None] | None = None
    ) -> Iterator[tuple[int, Article, PreparedArticle, Decision]]:
        """(line number, article, prepared, decision) per valid line; `check` may reject more lines (InvalidArticle).

        With more than one worker the lines are parsed and prepared in worker processes (`check`, which
        may keep state across lines, needs one process).
        """
        if check is not None and self.workers > 1:
            raise ValueError("a check of every line needs workers=1")
        signer = Signer(self.config)
        deduplicator = Deduplicator(self.config, signer)
        collector = CollectorPolicy()
        collector.start()
        started = datetime.now(UTC)  # the arrival time of articles without published_at
        outcomes: Iterator[Outcome] = (
            prepared_in_workers(read_lines(source), self.config, self.workers)
            if self.workers > 1
            else prepared_here(read_lines(source), signer, self.config, check)
        )
        for number, article, prepared, failure in outcomes:
            if article is not None and prepared is not None:
                try:
                    decision = deduplicator.decide(prepared, started)
                except Exception as exc:  # as the worker's boundary does: one bad line must not end the run
                    failure = failure_message(exc)
                else:
                    yield number, article, prepared, decision
                    collector.tick()
                    continue
            self.invalid += 1
            print(f"line {number}: {failure}; skipped", file=self.errors)


def main(argv: Sequence[str] | None = None) -> int:
    """`newsdedup scan` on its own (the lead's cli.py wires the same two functions)."""
    parser = argparse.ArgumentParser(prog="newsdedup scan", description=__doc__.splitlines()[0])
    add_scan_arguments(parser)
    return run_scan(parser.parse_args(argv))
