"""`newsdedup replay` as a user runs it, on the real broker: every line acknowledged, in order, or a clear stop.

A line the broker refuses (here: larger than the topic's max.message.bytes) ends the replay with status 2
and a message naming the line; the lines before it are on the topic, each once.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaConsumer

from newsdedup.app.topics import TopicSpec, ensure_topics


def replay(bootstrap: str, topic: str, path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Run the command in a process of its own, as a user does."""
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap}
    return subprocess.run([sys.executable, "-m", "newsdedup", "replay", str(path), "--topic", topic,
                           "--rate", "0", *options], env=env, capture_output=True, text=True, timeout=120)


async def read_values(bootstrap: str, topic: str, expect: int) -> list[bytes]:
    """Every value of a one-partition topic from its start, waiting up to 30 s for `expect` of them."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    await consumer.start()
    values: list[bytes] = []
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while len(values) < expect and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                values.extend(record.value or b"" for record in records)
        await asyncio.sleep(1.0)  # anything beyond `expect` would show now
        for records in (await consumer.getmany(timeout_ms=500)).values():
            values.extend(record.value or b"" for record in records)
    finally:
        await consumer.stop()
    return values


@pytest.fixture
def feed(tmp_path: Path) -> tuple[Path, list[bytes]]:
    """2,500 lines (more than are ever in flight at once), blank lines and a bad line among them."""
    lines = [orjson.dumps({"id": f"r{n}", "source": "wire", "body": f"item {n}"}) for n in range(2500)]
    lines[1200] = b"{not json: the dead-letter topic's business, not replay's"
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b"\n".join(lines[:10]) + b"\n\n  \n" + b"\n".join(lines[10:]) + b"\n")
    return path, lines


def test_every_line_is_acknowledged_in_order_and_repeated(
    kafka_bootstrap: str, unique_name: Callable[[str], str], feed: tuple[Path, list[bytes]]
) -> None:
    path, lines = feed
    topic = unique_name("replay")
    asyncio.run(ensure_topics(kafka_bootstrap, [TopicSpec(topic, 1)]))
    done = replay(kafka_bootstrap, topic, path, "--times", "2", "--quiet")
    assert done.returncode == 0, done.stderr
    assert f"replayed {2 * len(lines)} messages into {topic}" in done.stderr
    assert asyncio.run(read_values(kafka_bootstrap, topic, 2 * len(lines))) == lines + lines


def test_a_refused_line_stops_the_replay_naming_it(
    kafka_bootstrap: str, unique_name: Callable[[str], str], tmp_path: Path
) -> None:
    topic = unique_name("replay-small")
    asyncio.run(ensure_topics(kafka_bootstrap, [TopicSpec(topic, 1, {"max.message.bytes": "2000"})]))
    small = [orjson.dumps({"id": f"s{n}", "source": "wire", "body": "short"}) for n in range(30)]
    large = orjson.dumps({"id": "big", "source": "wire", "body": "x" * 50_000})
    after = [orjson.dumps({"id": f"t{n}", "source": "wire", "body": "short"}) for n in range(30)]
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b"\n".join([*small, large, *after]) + b"\n")
    done = replay(kafka_bootstrap, topic, path)
    assert done.returncode == 2, done.stderr
    assert "line 31 was not taken by" in done.stderr, done.stderr
    assert "the 30 lines before it were" in done.stderr
    assert "never retrieved" not in done.stderr
    # The lines before it, in order, each once; of the lines after it, at most those that were in flight
    # with it, in order and each once.
    values = asyncio.run(read_values(kafka_bootstrap, topic, 30))
    assert values[:30] == small
    assert values[30:] == after[: len(values) - 30]
