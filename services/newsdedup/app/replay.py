"""`newsdedup replay FILE`: produce a JSON Lines file into the raw topic at a chosen rate."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError

from newsdedup.app.security import client_options
from newsdedup.errors import KafkaUnreachable, NewsdedupError
from newsdedup.settings import load_settings


def add_replay_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the `replay` options."""
    parser.add_argument("input", type=Path, help="JSON Lines file, one article per line")
    parser.add_argument("--rate", type=float, default=50.0, help="messages per second (0 = as fast as possible)")
    parser.add_argument("--topic", default=None, help="target topic (default NEWSDEDUP_TOPIC_RAW)")
    parser.add_argument("--loop", type=int, default=1, help="replay the file this many times")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def message_key(line: bytes) -> bytes | None:
    """Key a message by its article id when the line is an object with a string id; else no key."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    article_id = obj.get("id") if isinstance(obj, dict) else None
    return article_id.encode("utf-8") if isinstance(article_id, str) else None


def read_lines(path: Path) -> list[bytes]:
    """The non-blank lines of a file, as bytes exactly as written (bad lines included: the DLQ takes them)."""
    if not path.is_file():
        raise NewsdedupError(f"{path} does not exist or is not a file")
    return [line for line in path.read_bytes().splitlines() if line.strip()]


def _schedule(count: int, rate: float) -> Iterator[float]:
    start = time.monotonic()
    for i in range(count):
        yield start + i / rate if rate > 0 else 0.0


class ProgressBar:
    """A one-line progress bar on a terminal stream."""

    def __init__(self, total: int, stream: TextIO, enabled: bool) -> None:
        self.total, self.stream, self.enabled = total, stream, enabled
        self.started = time.monotonic()

    def update(self, done: int) -> None:
        """Redraw the bar."""
        if not self.enabled:
            return
        width = 30
        filled = width * done // max(self.total, 1)
        rate = done / max(time.monotonic() - self.started, 1e-9)
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} {rate:7.1f} msg/s")
        if done == self.total:
            self.stream.write("\n")
        self.stream.flush()


async def replay(bootstrap: str, topic: str, lines: list[bytes], rate: float, show_progress: bool,
                 client_options: dict[str, Any] | None = None) -> int:
    """Send every line to `topic` at `rate` messages/s; return how many were acknowledged."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, max_request_size=64 * 1024 * 1024,
        **(client_options or {}),
    )
    try:
        await producer.start()
    except KafkaConnectionError as exc:
        await producer.stop()
        raise KafkaUnreachable(bootstrap) from exc
    bar = ProgressBar(len(lines), sys.stderr, show_progress)
    sent = 0
    try:
        for line, due in zip(lines, _schedule(len(lines), rate), strict=True):
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await producer.send(topic, line, key=message_key(line))
            sent += 1
            if sent % 10 == 0 or sent == len(lines):
                bar.update(sent)
        await producer.flush()
    finally:
        await producer.stop()
    return sent


def run_replay(args: argparse.Namespace) -> int:
    """Carry out `newsdedup replay`."""
    settings = load_settings()
    lines = read_lines(args.input) * max(args.loop, 1)
    topic = args.topic or settings.topic_raw
    sent = asyncio.run(replay(settings.kafka_bootstrap_servers, topic, lines, args.rate, not args.quiet,
                              client_options(settings)))
    print(f"replayed {sent} messages into {topic} at {settings.kafka_bootstrap_servers}", file=sys.stderr)
    return 0
