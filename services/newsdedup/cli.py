"""The `newsdedup` command line: scan, worker, replay, demo and the local Kafka helper."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from newsdedup.errors import NewsdedupError

Runner = Callable[[argparse.Namespace], int]


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Runner]]:
    """Build the argument parser; subcommand modules are imported here, not at import time of cli."""
    from newsdedup.localkafka.cli import add_kafka_arguments, run_kafka

    parser = argparse.ArgumentParser(prog="newsdedup", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    runners: dict[str, Runner] = {}

    kafka = sub.add_parser("kafka", help="the local Kafka broker (no Docker): fetch jars, start")
    add_kafka_arguments(kafka)
    runners["kafka"] = run_kafka

    return parser, runners


def main(argv: Sequence[str] | None = None) -> None:
    """Run the newsdedup command line."""
    parser, runners = build_parser()
    args = parser.parse_args(argv)
    try:
        code = runners[args.command](args)
    except NewsdedupError as exc:
        print(f"newsdedup {args.command}: {exc}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
