"""How long the worker takes to recover its index after a restart, for a window of N articles.

    python bench/bench_recovery.py [--articles 100000] [--json bench/out/bench_recovery.json]

Builds N real index entries (core `prepare` over ~3 KB windows of the corpora in ../shared/data, read
in place), writes them to a fresh index-state topic of a real broker (started here, or
KAFKA_BOOTSTRAP_SERVERS), then measures:

* in-process: the index runner's take-over (fence producer + read the state topic + rebuild the
  LSH index), split into reading and rebuilding;
* whole worker: a `newsdedup worker` process started on that state, from process start until its
  /health says it owns the index with N articles in it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import orjson
from aiokafka import AIOKafkaProducer

from evalkit import DATA, load_articles, machine, write_json
from newsdedup.app.index_runner import IndexRunner
from newsdedup.app.stages import RAW_OFFSETS_KEY
from newsdedup.app.topics import Topics, ensure_topics
from newsdedup.app.worker import topic_specs
from newsdedup.core.article import Article
from newsdedup.core.index import IndexEntry
from newsdedup.core.pipeline import prepare
from newsdedup.core.signatures import Signer
from newsdedup.localkafka import KAFKA_VERSION, LocalBroker, free_port
from newsdedup.settings import Settings, load_settings


def build_entries(count: int) -> list[tuple[bytes, bytes]]:
    """N (article id, entry JSON) pairs as the index stage persists them, from real text windows."""
    settings = load_settings()
    config = settings.detection()
    signer = Signer(config)
    base = [text for _, text in load_articles(DATA, min(count, 15_000), 3000, english_share=0.1)]
    out = []
    for i in range(count):
        # Distinct windows: rotate each base text by a different amount on every pass over the base.
        text = base[i % len(base)]
        cut = (i // len(base)) * 211 % max(len(text) - 1, 1)
        body = text[cut:] + " " + text[:cut]
        article = Article(id=f"r{i}", source="bench", body=body, fields={"id": f"r{i}"})
        p = prepare(article, signer, config)
        entry = IndexEntry(
            article_id=p.article_id, source=p.source, event_time=1_764_000_000.0 + i, signature=p.signature,
            size=p.size, content_hash=p.content_hash, text=p.packed_text, status="unique", duplicate_of=None,
            cluster_id=p.article_id, similarity=None, seq=i,
        )
        out.append((p.article_id.encode(), orjson.dumps(entry.to_json())))
    return out


async def write_state(bootstrap: str, topic: str, entries: list[tuple[bytes, bytes]]) -> None:
    """Write the entries (and a raw-offsets record) to the state topic."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20, max_batch_size=1 << 20,
                                compression_type=None)
    await producer.start()
    try:
        futures = [await producer.send(topic, value, key=key) for key, value in entries]
        futures.append(await producer.send(topic, orjson.dumps({}), key=RAW_OFFSETS_KEY))
        await producer.flush()
        for future in futures:
            await future
    finally:
        await producer.stop()


async def in_process(settings: Settings) -> dict[str, float]:
    """Time the index runner's take-over, split into reading the topic and rebuilding the index."""
    runner = IndexRunner(settings, lambda report: None)
    started = time.perf_counter()
    state = await runner._read_state()
    read = time.perf_counter() - started
    started = time.perf_counter()
    runner.stage.restore(state.items())
    rebuild = time.perf_counter() - started
    started = time.perf_counter()
    await runner.take_over()
    total = time.perf_counter() - started
    await runner.release()
    return {"read_s": read, "rebuild_s": rebuild, "take_over_s": total, "entries": float(runner.stage.size)}


def whole_worker(settings: Settings, expect: int, scratch: Path) -> float:
    """Seconds from starting a worker process to its /health reporting the full index."""
    port = free_port()
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
           "NEWSDEDUP_APP_ID": settings.app_id, "NEWSDEDUP_WEB_PORT": str(port),
           "NEWSDEDUP_DATA_DIR": str(scratch / "worker"), "NEWSDEDUP_LOG_LEVEL": "WARNING"}
    started = time.monotonic()
    with open(scratch / "worker.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "newsdedup", "worker"], env=env, stdout=log, stderr=log)
    try:
        while time.monotonic() - started < 600:
            if process.poll() is not None:
                raise SystemExit(f"worker exited; see {scratch / 'worker.log'}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    health = orjson.loads(response.read())
                if health.get("index_owner") and health.get("index_articles") == expect:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("the worker did not recover its index within 600 s")
    finally:
        process.terminate()
        process.wait(timeout=60)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        sys.exit(f"{DATA} is absent: this benchmark reads the corpora in ../shared/data")
    started = time.perf_counter()
    entries = build_entries(args.articles)
    print(f"built {len(entries)} entries in {time.perf_counter() - started:.1f} s "
          f"({sum(len(v) for _, v in entries) / len(entries) / 1024:.2f} KiB each as JSON)", flush=True)
    with tempfile.TemporaryDirectory(prefix="nd-recovery-") as scratch:
        external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        broker = None if external else LocalBroker(Path(scratch) / "kafka", heap="1g")
        bootstrap = external or broker.start()  # type: ignore[union-attr]
        try:
            settings = load_settings(kafka_bootstrap_servers=bootstrap, app_id=f"bench-recovery-{os.getpid()}")
            asyncio.run(ensure_topics(bootstrap, topic_specs(settings)))
            asyncio.run(write_state(bootstrap, Topics.of(settings).state, entries))
            inproc = asyncio.run(in_process(settings))
            worker_s = whole_worker(settings, args.articles, Path(scratch))
        finally:
            if broker is not None:
                broker.stop()
    result: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "command": " ".join(["python", *sys.argv]),
        "machine": machine(), "kafka": KAFKA_VERSION, "platform": platform.platform(),
        "articles": args.articles, **inproc, "worker_start_to_recovered_s": worker_s,
    }
    print(f"recovery of a {args.articles}-article window (Kafka {KAFKA_VERSION}):")
    print(f"  read state topic      {inproc['read_s']:8.2f} s")
    print(f"  rebuild LSH index     {inproc['rebuild_s']:8.2f} s")
    print(f"  runner take-over      {inproc['take_over_s']:8.2f} s  (fence + read + rebuild)")
    print(f"  worker start→ready    {worker_s:8.2f} s  (process start to /health owning {args.articles} articles)")
    write_json(args.json, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
