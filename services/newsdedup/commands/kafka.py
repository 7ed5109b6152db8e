"""`newsdedup kafka ...`: fetch the jars, or run a local broker in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from newsdedup.localkafka.broker import LocalBroker
from newsdedup.localkafka.jars import KAFKA_VERSION, default_cache_dir, ensure_jars


def add_kafka_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the `kafka` subcommands."""
    sub = parser.add_subparsers(dest="kafka_command", required=True)
    sub.add_parser("jars", help=f"resolve the Kafka {KAFKA_VERSION} jars into the cache and print their folder")
    start = sub.add_parser("start", help="run a single-node KRaft broker on loopback until Ctrl-C")
    start.add_argument("--port", type=int, default=9092, help="client port on 127.0.0.1 (default 9092)")
    start.add_argument(
        "--data-dir", type=Path, default=None,
        help="where the broker keeps its logs and data (default: <cache>/kafka-data; kept across runs)",
    )


def run_kafka(args: argparse.Namespace) -> int:
    """Carry out a `kafka` subcommand."""
    if args.kafka_command == "jars":
        print(ensure_jars())
        return 0
    broker = LocalBroker(args.data_dir or default_cache_dir() / "kafka-data", port=args.port)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(f"starting Kafka {KAFKA_VERSION} (data in {broker.data_dir}) ...", file=sys.stderr, flush=True)
    bootstrap = broker.start()
    print(bootstrap, flush=True)
    print(f"broker ready at {bootstrap}; Ctrl-C stops it", file=sys.stderr, flush=True)
    try:
        while not stop.wait(1.0):
            if broker.process is None or broker.process.poll() is not None:
                print(f"the broker exited; see {broker.log_file}", file=sys.stderr)
                return 1
    finally:
        broker.stop()
        print("broker stopped", file=sys.stderr)
    return 0
