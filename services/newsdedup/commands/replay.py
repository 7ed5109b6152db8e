"""`newsdedup replay FILE`: produce a JSON Lines file into the raw topic at a chosen rate."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError
from tqdm import tqdm

from newsdedup.app.security import client_options
from newsdedup.errors import KafkaUnreachable, NewsdedupError
from newsdedup.jsonlines import count_lines, read_file
from newsdedup.settings import load_settings


def add_replay_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the `replay` options."""
    parser.add_argument("input", type=Path, help="JSON Lines file, one article per line")
    parser.add_argument("--rate", type=float, default=50.0, help="messages per second (0 = as fast as possible)")
    parser.add_argument("--topic", default=None, help="target topic (default NEWSDEDUP_TOPIC_RAW)")
    # Not --loop: faust reads --loop (and -L, --datadir) from the command line of any process importing it.
    parser.add_argument("--times", type=int, default=1, help="replay the file this many times")
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
    """Every non-blank line of a small file (the demo's feed), as jsonlines.read_file gives them."""
    return [line for _, line in read_file(path)]


def _schedule(rate: float) -> Iterator[float]:
    start = time.monotonic()
    for i in itertools.count():
        yield start + i / rate if rate > 0 else 0.0


# At most this many messages are sent and not yet acknowledged: the producer batches them, and a refused
# one is found within this many lines of where it was sent.
MAX_IN_FLIGHT = 1000


class ReplayRefused(NewsdedupError):
    """The broker did not take a line: the replay stops there, saying which line and why."""


async def replay(bootstrap: str, topic: str, lines: Iterable[tuple[int, bytes]], rate: float,
                 progress: tqdm[NoReturn] | None = None, client_options: dict[str, Any] | None = None) -> int:
    """Send every (line number, line) to `topic` at `rate` messages/s; return how many were acknowledged.

    Every send is awaited (a bounded number at a time), in order: a line the broker refuses raises
    ReplayRefused naming it, after the lines before it were acknowledged.
    """
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, max_request_size=64 * 1024 * 1024,
        **(client_options or {}),
    )
    try:
        await producer.start()
    except KafkaConnectionError as exc:
        await producer.stop()
        raise KafkaUnreachable(bootstrap) from exc
    in_flight: deque[tuple[int, asyncio.Future[Any]]] = deque()
    acknowledged = 0

    async def acknowledge_oldest() -> None:
        nonlocal acknowledged
        number, delivery = in_flight.popleft()
        try:
            await delivery
        except Exception as exc:
            raise ReplayRefused(f"line {number} was not taken by {topic} ({type(exc).__name__}: {exc}); the "
                                f"{acknowledged} lines before it were") from exc
        acknowledged += 1
        if progress is not None:
            progress.update(1)

    try:
        for (number, line), due in zip(lines, _schedule(rate), strict=False):
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            in_flight.append((number, await producer.send(topic, line, key=message_key(line))))
            while len(in_flight) > MAX_IN_FLIGHT or (in_flight and in_flight[0][1].done()):
                await acknowledge_oldest()
        while in_flight:
            await acknowledge_oldest()
    finally:
        await producer.stop()  # flushes: what is still in flight is delivered or fails
        await _settle([delivery for _, delivery in in_flight])
    return acknowledged


async def _settle(deliveries: list[asyncio.Future[Any]]) -> None:
    """After a refusal the rest are abandoned: read each outcome, so that none is left unread, and cancel
    any that a stopped producer left pending."""
    if not deliveries:
        return
    done, pending = await asyncio.wait(deliveries, timeout=5.0)
    for delivery in done:
        if not delivery.cancelled():
            delivery.exception()
    for delivery in pending:
        delivery.cancel()


def run_replay(args: argparse.Namespace) -> int:
    """Carry out `newsdedup replay`."""
    settings = load_settings()
    loops = max(args.times, 1)
    # The bar's total costs a pass over the file; a quiet replay skips it. Either way an unreadable file is
    # said before Kafka is reached.
    total = None if args.quiet else count_lines(args.input) * loops
    if total is None:
        with contextlib.closing(read_file(args.input)) as first:
            next(first, None)
    lines = itertools.chain.from_iterable(read_file(args.input) for _ in range(loops))
    topic = args.topic or settings.topic_raw
    with tqdm(total=total, unit="msg", file=sys.stderr, disable=args.quiet, dynamic_ncols=True) as progress:
        sent = asyncio.run(replay(settings.kafka_bootstrap_servers, topic, lines, args.rate, progress,
                                  client_options(settings)))
    print(f"replayed {sent} messages into {topic} at {settings.kafka_bootstrap_servers}", file=sys.stderr)
    return 0
