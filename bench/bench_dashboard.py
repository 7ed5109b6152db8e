"""The dashboard under 10,000 live stories and a 1,000 articles/s feed: aggregation, snapshot, HTTP and SSE.

    python bench/bench_dashboard.py [--stories 10000] [--rate 1000] [--seconds 20] [--json OUT]

Records are in the contract's format (tests/unit/dashboard_records.py). Per article of the feed: one
stories record (a live story gains an article, often from a new outlet; half of them go to a few popular
recent stories), for 30% of them a findings event, for 5% a new story and the oldest one's tombstone (10,000 stay
live); every second, one stats row per source (20) and the service row. Kafka is left out: the
figures are the dashboard's own work (parsing, state, snapshot, HTTP), done in one event loop as
`newsdedup dashboard` does it.

1. Aggregation alone: cost per record of each kind; snapshot build (state -> JSON bytes) with the top
   stories kept incrementally, and what ranking all stories every tick would cost instead; memory.
2. Live: the real aiohttp app (Publisher, /api/snapshot, /api/stream, the page) in this process's
   loop, fed at --rate articles/s for --seconds, while a client thread times GET / and GET
   /api/snapshot and a second thread reads the SSE stream.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import os
import platform
import random
import statistics
import sys
import threading
import time
import tracemalloc
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.unit.dashboard_records import event, stats_row, story

from newsdedup.dashboard.server import Publisher, build_app
from newsdedup.dashboard.state import DashboardState
from newsdedup.localkafka import free_port

Record = tuple[str, bytes | None, bytes | None]  # topic role, key, value (None: a tombstone)
SOURCES = [f"outlet-{i:02d}" for i in range(20)]
TITLE = "Halden dockworkers end three-day strike after wage deal, union and port authority say"


class Feed:
    """Records for a growing set of stories, deterministic."""

    def __init__(self, stories: int, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.sources: dict[str, dict[str, int]] = {f"s{i}": {self.rng.choice(SOURCES): 1} for i in range(stories)}
        self.ids = list(self.sources)
        self.articles = 0
        self.stories_made = stories
        self.per_source: dict[str, int] = dict.fromkeys(SOURCES, 0)

    def initial(self, now: datetime) -> list[tuple[bytes, bytes]]:
        """One record per live story."""
        return [(sid.encode(), story(sid, outlets, now, TITLE)) for sid, outlets in self.sources.items()]

    def article(self, now: datetime) -> list[Record]:
        """The records one more article gives: its story's new value, and an event for 30% of articles."""
        self.articles += 1
        # Coverage is skewed, as news is: a few recent stories take most of the copies.
        sid = self.ids[-min(int(self.rng.paretovariate(1.2)), len(self.ids))] if self.rng.random() < 0.5 \
            else self.rng.choice(self.ids)
        source = self.rng.choice(SOURCES)
        self.per_source[source] += 1
        outlets = self.sources[sid]
        outlets[source] = outlets.get(source, 0) + 1
        out: list[Record] = [
            ("stories", sid.encode(), story(sid, outlets, now, TITLE))]
        if self.rng.random() < 0.05:  # a new story joins and the oldest leaves the window (a tombstone)
            self.stories_made += 1
            new, old = f"s{self.stories_made}", self.ids.pop(0)
            del self.sources[old]
            self.sources[new] = {source: 1}
            self.ids.append(new)
            out += [("stories", old.encode(), None), ("stories", new.encode(), story(new, {source: 1}, now, TITLE))]
        if self.rng.random() < 0.3:
            evidence = {"overlap": 0.8, "reason": "shared wording above the threshold",
                        "rare_shared": ["halden", "dockworkers", "wage"], "rare_only_earlier": ["union"]}
            out.append(("events", sid.encode(), event(f"a{self.articles}", "near_duplicate", sid, now, source,
                                                      evidence=evidence)))
        return out

    def stats(self, now: datetime) -> list[Record]:
        """The minute's cumulative rows so far: one per source and the service row."""
        rows: list[Record] = [("stats", *stats_row(now, source, count, near_duplicate=count // 3)) for source, count in
                self.per_source.items()]
        rows.append(("stats", *stats_row(now, None, sum(self.per_source.values()))))
        return rows


def timed(records: list[Record], state: DashboardState, now: datetime) -> dict[str, float]:
    """Apply records; mean microseconds per record of each topic."""
    spent: dict[str, list[float]] = {}
    for topic, key, value in records:
        started = time.perf_counter()
        state.read(topic, key, value, now)
        spent.setdefault(topic, []).append(time.perf_counter() - started)
    return {topic: 1e6 * sum(times) / len(times) for topic, times in spent.items()}


def aggregation(stories: int, rate: int) -> dict[str, Any]:
    """Part 1: the state alone."""
    now = datetime.now(UTC)
    feed = Feed(stories)
    initial = feed.initial(now)
    records: list[Record] = []
    for _ in range(10):  # ten seconds of feed
        for _ in range(rate):
            records.extend(feed.article(now))
        records.extend(feed.stats(now))
    state = DashboardState()
    started = time.perf_counter()
    for story_key, story_value in initial:
        state.read("stories", story_key, story_value, now)
    load_seconds = time.perf_counter() - started
    per_record = timed(records, state, now)
    # What the state holds, measured apart from the timings: allocations made by applying every record again.
    tracemalloc.start()
    measured = DashboardState()
    for story_key, story_value in initial:
        measured.read("stories", story_key, story_value, now)
    for topic, key, value in records:
        measured.read(topic, key, value, now)
    memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del measured
    snapshots = []
    for _ in range(30):
        state.version += 1
        started = time.perf_counter()
        body = orjson.dumps(state.snapshot(now))
        snapshots.append(time.perf_counter() - started)
    full_rank = []
    for _ in range(30):
        started = time.perf_counter()
        heapq.nlargest(state.top_n, state.stories.items(), key=lambda item: item[1].rank)
        full_rank.append(time.perf_counter() - started)
    second_of_feed = (per_record["stories"] * rate + per_record["events"] * rate * 0.3
                      + per_record["stats"] * 21) / 1e6 + statistics.median(snapshots)
    return {
        "stories": len(state.stories), "records": len(records), "load_10k_stories_s": load_seconds,
        "us_per_record": per_record, "snapshot_ms_median": 1e3 * statistics.median(snapshots),
        "snapshot_ms_max": 1e3 * max(snapshots), "snapshot_bytes": len(body),
        "full_rank_ms_median": 1e3 * statistics.median(full_rank), "full_ranks_during_feed": state.top.full_ranks,
        "state_mib": memory / 2**20, "core_share_at_rate": second_of_feed,
    }


def _get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read()
    return time.perf_counter() - started


def _client(base: str, stop: threading.Event, out: dict[str, list[float]]) -> None:
    while not stop.is_set():
        out["page"].append(_get(base))
        out["snapshot"].append(_get(base + "api/snapshot"))
        time.sleep(0.1)


def _reader(base: str, stop: threading.Event, out: dict[str, list[float]]) -> None:
    with urllib.request.urlopen(base + "api/stream", timeout=30) as stream:
        last = time.perf_counter()
        while not stop.is_set():
            line = stream.readline()
            if line.startswith(b"data: "):
                now = time.perf_counter()
                out["sse_gap"].append(now - last)
                last = now


async def live(stories: int, rate: int, seconds: float) -> dict[str, Any]:
    """Part 2: the real app in this loop, fed at `rate` while clients in threads time it."""
    def clock() -> datetime:
        return datetime.now(UTC)

    state = DashboardState()
    feed = Feed(stories, seed=2)
    for story_key, story_value in feed.initial(clock()):
        state.read("stories", story_key, story_value, clock())
    publisher = Publisher(state, clock, 1.0)
    runner = web.AppRunner(build_app(publisher))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    ticker = asyncio.create_task(publisher.run())
    base = f"http://127.0.0.1:{port}/"
    stop = threading.Event()
    out: dict[str, list[float]] = {"page": [], "snapshot": [], "sse_gap": []}
    threads = [threading.Thread(target=_client, args=(base, stop, out)),
               threading.Thread(target=_reader, args=(base, stop, out))]
    for thread in threads:
        thread.start()
    fed = 0
    started = time.perf_counter()
    # Batches of 50 ms, as a consumer's getmany hands them over.
    while (elapsed := time.perf_counter() - started) < seconds:
        due = int(elapsed * rate)
        now = clock()
        for _ in range(due - fed):
            for topic, key, value in feed.article(now):
                state.read(topic, key, value, now)
        if int(elapsed) != int(elapsed - 0.05):
            for topic, key, value in feed.stats(now):
                state.read(topic, key, value, now)
        fed = due
        await asyncio.sleep(0.05)
    achieved = fed / (time.perf_counter() - started)
    stop.set()
    await asyncio.sleep(1.2)  # the SSE reader wakes on the next push
    ticker.cancel()
    await runner.cleanup()
    for thread in threads:
        thread.join(timeout=5)

    def ms(values: list[float], q: float) -> float:
        return 1e3 * sorted(values)[min(len(values) - 1, int(q * len(values)))] if values else float("nan")

    return {
        "articles_per_s": achieved, "stories": len(state.stories), "snapshots_built": publisher.sequence,
        "full_rankings": state.top.full_ranks,
        "page_ms_p50": ms(out["page"], 0.5), "page_ms_p99": ms(out["page"], 0.99),
        "snapshot_ms_p50": ms(out["snapshot"], 0.5), "snapshot_ms_p99": ms(out["snapshot"], 0.99),
        "requests": len(out["page"]) + len(out["snapshot"]),
        "sse_messages": len(out["sse_gap"]), "sse_gap_s_max": max(out["sse_gap"][1:], default=float("nan")),
    }


def machine() -> str:
    """CPU, cores and Python of this run."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return f"{model}, {os.cpu_count()} cores, Linux {platform.release()}, Python {platform.python_version()}"


def main() -> None:
    """Run both parts and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=1000, help="articles per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the live part")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    result = {"machine": machine(), "date": datetime.now(UTC).isoformat(timespec="minutes"),
              "aggregation": aggregation(args.stories, args.rate),
              "live": asyncio.run(live(args.stories, args.rate, args.seconds))}
    text = orjson.dumps(result, option=orjson.OPT_INDENT_2).decode()
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
