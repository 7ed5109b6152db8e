"""Crash soak: a steady replay through two workers, kill -9 at random moments, then account for every input.

    python bench/crash_soak.py [--rate 40] [--worker-kills 10] [--index-kills 10] [--gap 4 12] [--seed 1]
                               [--out DIR] [--json OUT]

One broker of its own (or KAFKA_BOOTSTRAP_SERVERS), fresh topics, two `newsdedup worker` processes with
NEWSDEDUP_HOLD_BACK= (empty), so that every valid input is published on the clean topic (unique or
not). A producer sends inputs at --rate per second for as long as the kills take: unrelated articles,
copies of earlier ones under new ids (exact and edited), and bad inputs (not UTF-8, not JSON, schema,
too deeply nested), each bad input unique. Meanwhile, at random moments --gap seconds apart:

1. --worker-kills times: kill -9 the process group of a worker picked at random (its index process dies
   with it), and start it again at once, as a supervisor would;
2. then --index-kills times: kill -9 the index process of the worker that owns the index (the worker
   starts another by itself).

Then the producer stops, the script waits for the outputs to settle, and reads the clean and dead-letter
topics from the start: every valid input's id must be on the clean topic exactly once, every bad input's
bytes in the dead-letter topic exactly once, nothing else there. It prints the accounting (and writes it
to --json); the exit status is 0 only when nothing is lost or doubled. Worker logs go to --out.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from newsdedup.app.topics import TopicSpec, ensure_topics
from newsdedup.localkafka import LocalBroker, free_port


class Inputs:
    """The soak's inputs, made on demand and remembered for the accounting."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = ["".join(self.rng.choices(string.ascii_lowercase, k=7)) for _ in range(8000)]
        self.valid: list[str] = []  # ids
        self.bad: list[bytes] = []
        self.bodies: list[str] = []

    def next(self, n: int) -> tuple[bytes | None, bytes]:
        """The n-th input: 80 % new articles, 12 % copies under new ids, 8 % bad inputs."""
        roll = self.rng.random()
        if roll < 0.08:
            value = self._bad(n)
            self.bad.append(value)
            return None, value
        article_id = f"soak-{n}"
        if roll < 0.20 and self.bodies:
            body = self.rng.choice(self.bodies[-200:])
            if self.rng.random() < 0.5:
                body = "LONDON (Wire) - " + body + " (Reporting by staff.)"
        else:
            body = " ".join(self.rng.choices(self.words, k=self.rng.randint(60, 400)))
            self.bodies.append(body)
        self.valid.append(article_id)
        value = orjson.dumps({"id": article_id, "source": self.rng.choice(["wire", "herald", "post"]), "body": body})
        return article_id.encode(), value

    def _bad(self, n: int) -> bytes:
        kind = self.rng.randrange(4)
        if kind == 0:
            return b'{"id":"bad-' + str(n).encode() + b'","body":"\xff\xfe"}'
        if kind == 1:
            return f"not json {n}".encode()
        if kind == 2:
            return orjson.dumps({"id": f"bad-{n}", "source": "wire", "body": None})
        return b"[" * 2000 + str(n).encode() + b"]" * 2000


class Worker:
    """One `newsdedup worker` process, restartable."""

    def __init__(self, name: str, env: dict[str, str], logs: Path) -> None:
        self.name, self.logs = name, logs
        self.port = free_port()
        self.env = {**env, "NEWSDEDUP_WEB_PORT": str(self.port), "NEWSDEDUP_DATA_DIR": str(logs / name)}
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        """Start (again), appending to its log."""
        with open(self.logs / f"{self.name}.log", "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "newsdedup", "worker"], env=self.env,
                                            stdout=log, stderr=log, start_new_session=True)
        self.starts += 1

    def health(self) -> dict[str, Any]:
        """The /health body (also when 503), or {} when nothing answers."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=3) as response:
                body: dict[str, Any] = orjson.loads(response.read())
                return body
        except urllib.error.HTTPError as exc:
            failing: dict[str, Any] = orjson.loads(exc.read())
            return failing
        except (OSError, ValueError):
            return {}

    def kill9(self) -> None:
        """kill -9 the worker's process group (its index process dies with it)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after 40 s."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait(timeout=10)


async def produce(bootstrap: str, topic: str, inputs: Inputs, rate: float, stop: threading.Event,
                  sent: list[int]) -> None:
    """Send inputs at `rate` per second until `stop` is set."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                                max_request_size=8 * 1024 * 1024)
    await producer.start()
    started = time.monotonic()
    try:
        n = 0
        while not stop.is_set():
            key, value = inputs.next(n)
            await producer.send(topic, value, key=key)
            n += 1
            sent[0] = n
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        await producer.flush()
    finally:
        await producer.stop()


async def read_topic(bootstrap: str, topic: str) -> list[bytes]:
    """Every committed record of a topic's partitions, from the start to the current end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, isolation_level="read_committed",
                                enable_auto_commit=False, max_partition_fetch_bytes=32 * 1024 * 1024)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or {0})]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        values: list[bytes] = []
        for tp in partitions:
            while await consumer.position(tp) < ends[tp]:
                for records in (await consumer.getmany(tp, timeout_ms=1000)).values():
                    values.extend(r.value or b"" for r in records)
        return values
    finally:
        await consumer.stop()


def account(inputs: Inputs, clean: list[bytes], dlq: list[bytes]) -> dict[str, Any]:
    """Compare what came out with what went in."""
    ids = Counter(orjson.loads(v)["id"] for v in clean)
    letters = Counter(base64.b64decode(orjson.loads(v)["value_b64"]) for v in dlq)
    valid, bad = set(inputs.valid), set(inputs.bad)
    return {
        "inputs": len(inputs.valid) + len(inputs.bad), "valid": len(valid), "bad": len(bad),
        "clean_records": len(clean), "dead_letters": len(dlq),
        "lost": len(valid - set(ids)), "doubled": sum(1 for i in ids if ids[i] > 1),
        "unexpected_on_clean": len(set(ids) - valid),
        "bad_lost": len(bad - set(letters)), "bad_doubled": sum(1 for b in letters if letters[b] > 1),
        "unexpected_dead_letters": len(set(letters) - bad),
        "examples_lost": sorted(valid - set(ids))[:5],
        "examples_doubled": [i for i in ids if ids[i] > 1][:5],
    }


def settle(bootstrap: str, topics: dict[str, str], expected: int, timeout: float,
           supervise: Callable[[], None]) -> tuple[list[bytes], list[bytes]]:
    """Read the outputs until they hold `expected` records and stay so for 10 s, or `timeout` passes."""
    deadline = time.monotonic() + timeout
    last, stable_since = -1, time.monotonic()
    while True:
        supervise()
        clean = asyncio.run(read_topic(bootstrap, topics["clean"]))
        dlq = asyncio.run(read_topic(bootstrap, topics["dlq"]))
        count = len(clean) + len(dlq)
        if count != last:
            last, stable_since = count, time.monotonic()
        if (count >= expected and time.monotonic() - stable_since >= 10) or time.monotonic() > deadline:
            return clean, dlq
        time.sleep(2)


def soak(args: argparse.Namespace, bootstrap: str, logs: Path) -> dict[str, Any]:
    """Run the soak against `bootstrap`; return the accounting and the timeline."""
    rng = random.Random(args.seed)
    prefix = f"soak-{os.getpid()}-{int(time.time())}"
    topics = {k: f"{prefix}.{k}" for k in ("raw", "clean", "events", "dlq")}
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "NEWSDEDUP_APP_ID": f"{prefix}-app",
           "NEWSDEDUP_TOPIC_RAW": topics["raw"], "NEWSDEDUP_TOPIC_CLEAN": topics["clean"],
           "NEWSDEDUP_TOPIC_EVENTS": topics["events"], "NEWSDEDUP_TOPIC_DLQ": topics["dlq"],
           "NEWSDEDUP_HOLD_BACK": "", "NEWSDEDUP_LOG_LEVEL": "INFO"}
    asyncio.run(ensure_topics(bootstrap, [TopicSpec(topics["raw"], 2)]))
    workers = [Worker(f"w{i}", env, logs) for i in (1, 2)]
    for w in workers:
        w.start()
    _wait(lambda: all(w.health().get("status") == "ok" for w in workers), 120, "two healthy workers")
    inputs = Inputs(args.seed)
    stop, sent = threading.Event(), [0]
    producer = threading.Thread(target=lambda: asyncio.run(produce(bootstrap, topics["raw"], inputs, args.rate,
                                                                     stop, sent)))
    started = time.monotonic()
    producer.start()
    timeline: list[dict[str, Any]] = []

    def pause(seconds: float) -> None:
        # The script is also the workers' supervisor: a worker that exits by itself (its index process kept
        # dying, docs/WORKER.md) is started again, as a restart policy would.
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            for w in workers:
                if w.process is not None and w.process.poll() is not None:
                    timeline.append({"t": round(time.monotonic() - started, 1), "restart": w.name,
                                     "exit_code": w.process.returncode})
                    print(f"{timeline[-1]}", flush=True)
                    w.start()
            time.sleep(0.2)

    try:
        for round_ in range(args.worker_kills):
            pause(rng.uniform(*args.gap))
            victim = rng.choice(workers)
            victim.kill9()
            victim.start()
            timeline.append({"t": round(time.monotonic() - started, 1), "kill": f"worker {victim.name}",
                             "round": round_ + 1, "sent": sent[0]})
            print(f"{timeline[-1]}", flush=True)
        for round_ in range(args.index_kills):
            pause(rng.uniform(*args.gap))
            owner = _index_owner(workers, timeout=120, supervise=lambda: pause(0))
            pid = owner.health().get("index_process_pid")
            if pid:
                os.kill(int(pid), signal.SIGKILL)
            timeline.append({"t": round(time.monotonic() - started, 1), "kill": f"index process of {owner.name}",
                             "pid": pid, "round": round_ + 1, "sent": sent[0]})
            print(f"{timeline[-1]}", flush=True)
        pause(rng.uniform(*args.gap))
    finally:
        stop.set()
        producer.join(timeout=120)
    streamed = time.monotonic() - started
    clean, dlq = settle(bootstrap, topics, len(inputs.valid) + len(inputs.bad), timeout=args.settle,
                        supervise=lambda: pause(0))
    drained = time.monotonic() - started - streamed
    codes = [w.stop() for w in workers]
    result = account(inputs, clean, dlq)
    result.update(streamed_seconds=round(streamed, 1), drain_seconds=round(drained, 1), rate=args.rate,
                  worker_kills=args.worker_kills, index_kills=args.index_kills, seed=args.seed,
                  worker_starts={w.name: w.starts for w in workers}, exit_codes=codes, timeline=timeline,
                  index_restarts=sum(_log_count(logs / f"{w.name}.log", "exited unexpectedly") for w in workers),
                  worker_exits_by_itself=sum(1 for event in timeline if "restart" in event))
    return result


def _index_owner(workers: list[Worker], timeout: float, supervise: Callable[[], None]) -> Worker:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        supervise()
        for w in workers:
            health = w.health()
            if health.get("index_owner") and health.get("index_process_pid"):
                return w
        time.sleep(0.5)
    raise RuntimeError(f"no worker owned the index for {timeout} s")


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.5)


def _log_count(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8", errors="replace").count(text) if path.exists() else 0


def main() -> int:
    """Run the soak and print its accounting."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=40.0, help="inputs per second")
    parser.add_argument("--worker-kills", type=int, default=10)
    parser.add_argument("--index-kills", type=int, default=10)
    parser.add_argument("--gap", type=float, nargs=2, default=(4.0, 12.0), help="seconds between kills: min max")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--settle", type=float, default=300.0, help="most seconds to wait for the outputs")
    parser.add_argument("--out", type=Path, default=None, help="folder for the worker logs (default: a temp dir)")
    parser.add_argument("--json", type=Path, default=None, help="write the accounting here")
    args = parser.parse_args()
    logs = args.out or Path(tempfile.mkdtemp(prefix="newsdedup-soak-"))
    logs.mkdir(parents=True, exist_ok=True)
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    broker = None if external else LocalBroker(logs / "kafka")
    try:
        bootstrap = external or broker.start()  # type: ignore[union-attr]
        result = soak(args, bootstrap, logs)
    finally:
        if broker is not None:
            broker.stop()
    summary = {k: v for k, v in result.items() if k != "timeline"}
    print(json.dumps(summary, indent=2))
    print(f"logs: {logs}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    clean = not (result["lost"] or result["doubled"] or result["unexpected_on_clean"] or result["bad_lost"]
                 or result["bad_doubled"] or result["unexpected_dead_letters"])
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
