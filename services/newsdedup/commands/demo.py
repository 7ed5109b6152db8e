"""`newsdedup demo`: broker, topics, worker, the live dashboard, the sample feed replayed, findings printed."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer

from newsdedup.app.security import client_options
from newsdedup.app.topics import ensure_topics
from newsdedup.app.worker import topic_specs
from newsdedup.commands.dashboard import serve
from newsdedup.commands.replay import read_lines, replay
from newsdedup.localkafka import free_port, running_broker
from newsdedup.settings import Settings, load_settings

SAMPLE_FEED = Path(__file__).resolve().parents[1] / "data" / "sample-feed.jsonl"


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the `demo` options."""
    parser.add_argument("--feed", type=Path, default=SAMPLE_FEED, help="JSON Lines feed to replay")
    parser.add_argument("--rate", type=float, default=4.0, help="articles per second to replay")
    parser.add_argument("--dashboard-port", type=int, default=None, metavar="PORT",
                        help="port of the live page (default NEWSDEDUP_DASHBOARD_PORT, 8088; a free one when taken)")
    parser.add_argument("--exit-after", type=float, default=None, metavar="SECONDS",
                        help="stop by itself after this long (default: run until Ctrl-C)")


def seed_article(lines: list[bytes]) -> bytes | None:
    """The seed article from the workplace's shared/fixtures, as one JSON line, when it is there.

    The seed has no publication time, so the worker would date it now: days after the sample feed, which
    would close the window on every sample story at once. It is dated five minutes after the feed's last.
    """
    shared = Path(os.environ.get("NEWSDEDUP_SHARED", Path(__file__).resolve().parents[3].parent / "shared"))
    path = shared / "fixtures" / "seed-article.json"
    if not path.is_file():
        return None
    seed = orjson.loads(path.read_bytes())
    latest = latest_published(lines)
    if "published_at" not in seed and latest is not None:
        seed["published_at"] = (latest + timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    return orjson.dumps(seed)


def latest_published(lines: list[bytes]) -> datetime | None:
    """The latest `published_at` among the feed's lines (in UTC), skipping lines without a readable one."""
    latest: datetime | None = None
    for line in lines:
        try:
            moment = datetime.fromisoformat(orjson.loads(line)["published_at"]).astimezone(UTC)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            continue
        latest = moment if latest is None else max(latest, moment)
    return latest


def describe(topic: str, record: dict[str, Any], settings: Settings) -> str:
    """One human-readable line for a record on an output topic."""
    if topic == settings.topic_clean:
        title = (record.get("title") or record.get("body") or "")[:70].replace("\n", " ")
        status = (record.get("dedup") or {}).get("status", "unique")
        if status != "unique":  # published with its annotation (NEWSDEDUP_HOLD_BACK): its event says more
            return f"  PUBLISHED {record['id']:<22} [{record['source']}] {title} ({status})"
        return f"  NEW       {record['id']:<22} [{record['source']}] {title}"
    if topic == settings.topic_dlq:
        error = record["error"]
        return f"  DLQ       {error['kind']:<22} {error['message'][:90]}"
    kind = record["type"]
    if kind == "self_repetition":
        details = record.get("details") or {}
        kinds = sorted({span["kind"] for span in details.get("spans", [])})
        removed = details.get("removed_chars", "?")
        return f"  REPEAT    {record['article_id']:<22} removed {removed} repeated characters ({', '.join(kinds)})"
    label = {"exact_duplicate": "EXACT", "near_duplicate": "NEAR", "same_story": "STORY"}.get(kind, kind.upper())
    relation = "rewrite of" if kind == "same_story" else "copy of"
    similarity = record.get("similarity")
    score = f" sim={similarity:.2f}" if isinstance(similarity, float) else ""
    story = f"(story {record['cluster_id']})"
    return f"  {label:<9} {record['article_id']:<22} {relation} {record['duplicate_of']} {story}{score}"


async def follow(settings: Settings, bootstrap: str, stop: asyncio.Event) -> None:
    """Print every record of the output topics until `stop` is set."""
    consumer = AIOKafkaConsumer(
        settings.topic_clean, settings.topic_events, settings.topic_dlq,
        bootstrap_servers=bootstrap, group_id=f"newsdedup-demo-viewer-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest", isolation_level="read_committed", **client_options(settings),
    )
    await consumer.start()
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=500)
            for tp, messages in batches.items():
                for message in messages:
                    print(describe(tp.topic, orjson.loads(message.value), settings), flush=True)
    finally:
        await consumer.stop()


@contextlib.contextmanager
def worker_process(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run `newsdedup worker` as a child process; SIGTERM it (then SIGKILL) on the way out."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "newsdedup", "worker"], env=env, stdout=log, stderr=log)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _run(settings: Settings, bootstrap: str, lines: list[bytes], rate: float, exit_after: float | None,
               dashboard_port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    ready = asyncio.Event()
    # One group: if the viewer or the page fails, the demo stops with its error instead of running on
    # without it; on Ctrl-C both end by themselves (they watch `stop`) and the group waits for them.
    async with asyncio.TaskGroup() as group:
        group.create_task(follow(settings, bootstrap, stop))
        group.create_task(_dashboard(settings, dashboard_port, stop, ready))
        await ready.wait()
        await replay(bootstrap, settings.topic_raw, enumerate(lines, start=1), rate,
                     client_options=client_options(settings))
        print(f"replayed {len(lines)} articles; watching for more (Ctrl-C stops)", flush=True)
        if exit_after is not None:
            loop.call_later(exit_after, stop.set)
        await stop.wait()


async def _dashboard(settings: Settings, port: int, stop: asyncio.Event, ready: asyncio.Event) -> None:
    """The live page beside the printed findings; on a port that is taken, on a free one."""

    def show(url: str) -> None:
        print(f"dashboard at {url} (open it in a browser: it updates live)", flush=True)
        ready.set()

    try:
        await serve(settings, settings.dashboard_host, port, 1.0, stop, show)
    except OSError:
        if ready.is_set():
            raise
        await serve(settings, settings.dashboard_host, 0, 1.0, stop, show)


def run_demo(args: argparse.Namespace) -> int:
    """Carry out `newsdedup demo`."""
    # The clients log every refused connection while topics and leaders settle; the demo shows findings.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    lines = read_lines(args.feed)
    seed = seed_article(lines)
    if seed is not None:
        lines.append(seed)
    with tempfile.TemporaryDirectory(prefix="newsdedup-demo-") as scratch, running_broker() as bootstrap:
        web_port = free_port()
        env = {
            **os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "NEWSDEDUP_DATA_DIR": scratch,
            "NEWSDEDUP_WEB_PORT": str(web_port), "NEWSDEDUP_LOG_LEVEL": "WARNING",
        }
        os.environ["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
        settings = load_settings()
        # Created here, before the viewer subscribes; the worker finds them and leaves them as they are.
        asyncio.run(ensure_topics(bootstrap, topic_specs(settings), client_options=client_options(settings)))
        print(f"Kafka at {bootstrap}; worker metrics at http://127.0.0.1:{web_port}/metrics", flush=True)
        log_path = Path(scratch) / "worker.log"
        with worker_process(env, log_path):
            print(f"worker started (log: {log_path}); replaying {len(lines)} articles at {args.rate}/s", flush=True)
            port = args.dashboard_port if args.dashboard_port is not None else settings.dashboard_port
            asyncio.run(_run(settings, bootstrap, lines, args.rate, args.exit_after, port))
    return 0
