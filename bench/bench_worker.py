"""End-to-end benchmark of one `newsdedup worker` beside a raw aiokafka pass-through, same broker, same run.

    python bench/bench_worker.py [--articles 10000] [--rate 200] [--seconds 60] [--repeat 3] [--json OUT]
                                 [--profile-worker OUT.prof]

One broker for the whole run: KAFKA_BOOTSTRAP_SERVERS when set, else a local one started here (and stopped
at the end, as are all child processes, also on error or Ctrl-C). Every measurement gets fresh topics.

Messages: ~3 KB articles (UTF-8 body bytes, --body-bytes) cut from the corpora in ../shared/data by
evalkit's loader (bench_core's); every 10th message (--copy-share) is a copy of one of the 200 previous originals,
alternately exact and lightly edited (a dateline before, the last ~5% cut, a credit line after), under a
new id. The same messages go through both systems:

* baseline: a separate process with an aiokafka consumer group on a raw topic (2 partitions) that produces
  each value to an output topic (1 partition), waits for the acks (acks=all) and commits, per batch;
* newsdedup: one `python -m newsdedup worker` process, default settings, raw topic with 2 partitions.

Throughput: the raw topic is preloaded with --articles messages, then the process starts; articles/s
counts from the first output record read (read_committed) to the last of the N inputs' outputs, so start-up
is left out (and reported). For newsdedup each input counts once: a unique article by its clean record, a
copy by its exact/near duplicate event, bad input by its dead letter. Latency: after a warm-up, --rate
messages/s for --seconds; per message, from the producer's send time to the moment the bench's
read_committed consumer holds its output. The bench's producer and reader run in this process, on the
same (shared) cores as the broker and the system under test; CPU seconds per article of each process are
reported beside the wall-clock figures.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import math
import os
import random
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# bench_core pins NUMBA_NUM_THREADS for itself at import; the worker gets the caller's environment.
_CALLER_NUMBA_THREADS = os.environ.get("NUMBA_NUM_THREADS")

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from evalkit import DATA, load_articles, machine, republished

SECOND_TOPICS = ("clean", "events", "dlq")
WARMUP = 20
TICK = os.sysconf("SC_CLK_TCK")


# ---- messages --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Message:
    """One raw-topic message and what it is (original, exact_copy, edited_copy)."""

    id: str
    value: bytes
    kind: str


def utf8_trim(text: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes of `text`, cut at a word boundary."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[:limit].decode("utf-8", errors="ignore")
    return cut.rsplit(None, 1)[0] if " " in cut else cut


def build_messages(count: int, body_bytes: int, copy_share: float, english_share: float) -> list[Message]:
    """`count` messages with unique ids; every round(1/copy_share)-th one a copy of an earlier original."""
    every = round(1 / copy_share) if copy_share > 0 else 0
    copies = count // every if every else 0
    texts = iter(load_articles(DATA, count - copies, body_bytes, english_share))  # exits if data is absent
    rng = random.Random(20261125)
    originals: list[tuple[bool, str, str]] = []
    out: list[Message] = []
    for i in range(count):
        if every and i % every == every - 1 and originals:
            arabic, title, body = rng.choice(originals[-200:])
            kind = "edited_copy" if (i // every) % 2 else "exact_copy"
            if kind == "edited_copy":
                title, body = republished(title, body, arabic)
        else:
            language, text = next(texts)
            arabic, body = language == "ar", utf8_trim(text, body_bytes)
            title = " ".join(body.split()[:10])  # the loader keeps bodies only; a headline-like opening
            originals.append((arabic, title, body))
            kind = "original"
        article_id = f"bench-{i:06d}"
        value = orjson.dumps({"id": article_id, "source": f"outlet-{i % 7}", "title": title, "body": body})
        out.append(Message(article_id, value, kind))
    return out


# ---- processes ----------------------------------------------------------------------------------------

def _die_with_parent() -> None:
    # The child is killed if this process dies, even by kill -9, so nothing is left behind. SIGKILL, not
    # SIGTERM: the broker dies with us too, and a faust worker's graceful stop waits for it forever.
    from newsdedup.lifelines import die_with_parent

    die_with_parent(signal.SIGKILL)


def descendants(pid: int) -> list[int]:
    """The live child processes of `pid`, their children, and so on (Linux /proc)."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found += [int(child), *descendants(int(child))]
    return found


def usage(pid: int | None, tree: bool = False) -> tuple[float, float]:
    """(CPU seconds, seconds runnable but waiting for a CPU) of a live process, with its live descendants when
    `tree` (the worker's index process); zeros when unknown or gone.

    The wait (run-queue delay, summed over the live threads) says how much the process was held back by
    other processes on these shared cores rather than by its own work.
    """
    if pid is None:
        return 0.0, 0.0
    cpu = wait = 0.0
    for one in (pid, *(descendants(pid) if tree else ())):
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            wait_ns = 0
            for task in Path(f"/proc/{one}/task").iterdir():
                with contextlib.suppress(OSError):
                    wait_ns += int((task / "schedstat").read_text().split()[1])
        except OSError:
            continue
        cpu += (int(fields[11]) + int(fields[12])) / TICK
        wait += wait_ns / 1e9
    return cpu, wait


class Child:
    """A child process in its own session, stopped with SIGTERM then SIGKILL."""

    live: list[Child] = []  # noqa: RUF012 - every child still to stop, for the final clean-up

    def __init__(self, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True,
                                            preexec_fn=_die_with_parent)
        self.log_path = log_path
        Child.live.append(self)

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM, then SIGKILL if it is still running after `timeout` s; return the exit code."""
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10.0)):
            if self.process.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=wait)
        if self in Child.live:
            Child.live.remove(self)
        return self.process.poll()

    def check(self) -> None:
        """Raise with the end of its log if the process has exited."""
        if self.process.poll() is not None:
            tail = self.log_path.read_text(errors="replace").splitlines()[-30:]
            raise RuntimeError(f"{self.log_path.stem} exited with {self.process.returncode}:\n" + "\n".join(tail))


# ---- Kafka helpers ---------------------------------------------------------------------------------------

@dataclass
class Run:
    """What every measurement shares: broker, scratch folder, run id, and the broker's pid (if ours)."""

    bootstrap: str
    scratch: Path
    run_id: str
    broker_pid: int | None
    worker_cmd: str | None = None  # python arguments instead of "-m newsdedup worker" (experiments)
    counter: int = 0

    def prefix(self, name: str) -> str:
        """A fresh topic/app prefix for one measurement."""
        self.counter += 1
        return f"bench-{self.run_id}-{self.counter:02d}-{name}"


async def create_topics(bootstrap: str, specs: list[tuple[str, int, dict[str, str] | None]]) -> None:
    """Create topics (name, partitions, config) with newsdedup's own helper."""
    from newsdedup.app.topics import TopicSpec, ensure_topics

    await ensure_topics(bootstrap, [TopicSpec(name, parts, cfg) for name, parts, cfg in specs])


async def delete_topics(bootstrap: str, prefix: str) -> None:
    """Delete every topic of one measurement (the worker's internal ones included)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = [t for t in await admin.list_topics() if t.startswith(prefix)]
        if names:
            await admin.delete_topics(names)
    finally:
        await admin.close()


async def produce_all(bootstrap: str, topic: str, messages: list[Message]) -> None:
    """Preload a topic as fast as the producer goes (keyed by article id)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = [await producer.send(topic, m.value, key=m.id.encode()) for m in messages]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def produce_steady(bootstrap: str, topic: str, messages: list[Message], rate: float) -> dict[str, float]:
    """Send at `rate` messages/s on a fixed schedule; return each message's send time (time.time())."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    await producer.start()
    sent: dict[str, float] = {}
    try:
        futures = []
        start = time.perf_counter()
        for i, m in enumerate(messages):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            now = time.time()
            sent[m.id] = now
            futures.append(await producer.send(topic, m.value, key=m.id.encode(), timestamp_ms=int(now * 1000)))
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return sent


def output_id(kind: str, key: bytes | None, value: bytes | None) -> tuple[str | None, str]:
    """(input article id or None, label) of one output record: label is what the record is."""
    if value is None:
        return None, "tombstone"
    if kind == "passthrough":
        return (key or b"").decode(), "passthrough"
    obj = orjson.loads(value)
    if kind == "clean":
        return obj.get("id"), "clean"
    if kind == "events":
        label = obj.get("type", "?")
        return (obj.get("article_id") if label in ("exact_duplicate", "near_duplicate") else None), label
    raw = obj.get("value_b64")  # a dead letter: the input's id, when the input was JSON
    with contextlib.suppress(ValueError, AttributeError, TypeError):
        return orjson.loads(base64.b64decode(raw)).get("id"), "dlq"
    return f"dlq:{obj.get('source')}", "dlq"


def envelope_id(value: bytes | None) -> str:
    """The article id inside a stage-1 envelope (the prepared topic), or "" when there is none."""
    from newsdedup.app.envelope import Envelope

    with contextlib.suppress(ValueError, TypeError, AttributeError):
        return str(orjson.loads(Envelope.from_bytes(value or b"").raw).get("id", ""))
    return ""


@dataclass
class Reader:
    """A read_committed consumer over output topics that records when each input's output arrived."""

    bootstrap: str
    kinds: dict[str, str]  # topic -> kind ("passthrough", "clean", "events", "dlq", "prepared")
    seen: dict[str, float] = field(default_factory=dict)  # id -> when its output was read (time.time())
    stamped: dict[str, float] = field(default_factory=dict)  # id -> its output record's timestamp (s)
    prepared: dict[str, float] = field(default_factory=dict)  # id -> its envelope's timestamp (stage 1 done)
    labels: Counter[str] = field(default_factory=Counter)
    repeats: Counter[str] = field(default_factory=Counter)  # label -> outputs for an input seen before
    first_batch: int = 0
    consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        """Assign every partition of the topics, from the beginning."""
        self.consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, isolation_level="read_committed",
                                         enable_auto_commit=False, auto_offset_reset="earliest",
                                         fetch_max_wait_ms=50, max_partition_fetch_bytes=16 * 1024 * 1024)
        await self.consumer.start()
        partitions: list[TopicPartition] = []
        for topic in self.kinds:
            found = self.consumer.partitions_for_topic(topic)
            for _ in range(50):
                if found:
                    break
                await self.consumer._client.force_metadata_update()  # just-created topics
                found = self.consumer.partitions_for_topic(topic)
                await asyncio.sleep(0.1)
            partitions.extend(TopicPartition(topic, p) for p in found or ())
        self.consumer.assign(partitions)
        await self.consumer.seek_to_beginning(*partitions)

    async def collect(self, expected: set[str], wait: float, on_first: Callable[[], None] | None = None,
                      alive: Callable[[], None] | None = None) -> None:
        """Read until every expected id has an output (or `wait` s); call `on_first` at the first one."""
        assert self.consumer is not None
        deadline = time.monotonic() + wait
        while not expected <= self.seen.keys() and time.monotonic() < deadline:
            batch = await self.consumer.getmany(timeout_ms=100)
            now = time.time()
            for tp, records in batch.items():
                for record in records:
                    if self.kinds[tp.topic] == "prepared":
                        self.prepared.setdefault(envelope_id(record.value), record.timestamp / 1000)
                        continue
                    ident, label = output_id(self.kinds[tp.topic], record.key, record.value)
                    self.labels[label] += 1
                    if ident is None:
                        continue
                    if ident in self.seen:
                        self.repeats[label] += 1
                    else:
                        self.seen[ident] = now
                        self.stamped[ident] = record.timestamp / 1000
                        if len(self.seen) == 1 and on_first is not None:
                            on_first()
            if batch and not self.first_batch:
                self.first_batch = len(self.seen)
            if alive is not None:
                alive()

    async def stop(self) -> None:
        """Close the consumer."""
        if self.consumer is not None:
            await self.consumer.stop()


# ---- the systems under test ----------------------------------------------------------------------------

def passthrough_main(spec_json: str) -> int:
    """The baseline process: consume the raw topic in a group, produce every value, commit; until SIGTERM."""
    spec = orjson.loads(spec_json)

    async def run() -> dict[str, Any]:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        consumer = AIOKafkaConsumer(spec["raw"], bootstrap_servers=spec["bootstrap"], group_id=spec["group"],
                                    enable_auto_commit=False, auto_offset_reset="earliest")
        producer = AIOKafkaProducer(bootstrap_servers=spec["bootstrap"], acks="all", linger_ms=2)
        await consumer.start()
        await producer.start()
        first = last = None
        count = 0
        try:
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=200, max_records=500)
                if not batch:
                    continue
                first = first or time.time()
                futures = [await producer.send(spec["out"], r.value, key=r.key)
                           for records in batch.values() for r in records]
                await asyncio.gather(*futures)
                last, count = time.time(), count + len(futures)
                await consumer.commit({tp: records[-1].offset + 1 for tp, records in batch.items()})
        finally:
            await producer.stop()
            await consumer.stop()
        return {"first_consumed": first, "last_produced": last, "count": count}

    Path(spec["stats"]).write_bytes(orjson.dumps(asyncio.run(run())))
    return 0


class System:
    """Start/stop one system under test on a fresh set of topics; say where its outputs are."""

    name = ""

    def __init__(self, run: Run, label: str) -> None:
        self.run = run
        self.prefix = run.prefix(f"{self.name}-{label}")
        self.raw = f"{self.prefix}.raw"
        self.child: Child | None = None

    @property
    def outputs(self) -> dict[str, str]:
        """Output topic -> kind."""
        raise NotImplementedError

    @property
    def internal(self) -> dict[str, str]:
        """Internal topics the bench may also read to time the stages (topic -> kind)."""
        return {}

    async def create(self) -> None:
        """Create the topics."""
        raise NotImplementedError

    def start(self, profile: Path | None = None) -> None:
        """Start the process."""
        raise NotImplementedError

    async def ready(self) -> None:
        """Wait until the process is ready to work (beyond what warm-up messages show)."""

    def stop(self) -> dict[str, Any]:
        """Stop the process; return anything it reported."""
        if self.child is not None:
            self.child.stop()
        return {}


class Passthrough(System):
    """The baseline: raw aiokafka consume, produce, commit."""

    name = "passthrough"

    @property
    def outputs(self) -> dict[str, str]:
        """Output topic -> kind."""
        return {f"{self.prefix}.out": "passthrough"}

    async def create(self) -> None:
        """Raw topic with 2 partitions, output with 1, as the worker's defaults."""
        await create_topics(self.run.bootstrap, [(self.raw, 2, None), (f"{self.prefix}.out", 1, None)])

    def start(self, profile: Path | None = None) -> None:
        """Start the pass-through process."""
        self.stats = self.run.scratch / f"{self.prefix}.json"
        spec = {"bootstrap": self.run.bootstrap, "raw": self.raw, "out": f"{self.prefix}.out",
                "group": f"{self.prefix}-group", "stats": str(self.stats)}
        argv = [sys.executable, str(Path(__file__).resolve()), "--passthrough-spec", orjson.dumps(spec).decode()]
        self.child = Child(argv, dict(os.environ), self.run.scratch / f"{self.prefix}.log")

    def stop(self) -> dict[str, Any]:
        """Stop and read the process's own first-consumed/last-produced times."""
        super().stop()
        return orjson.loads(self.stats.read_bytes()) if self.stats.is_file() else {}


class NewsdedupWorker(System):
    """One `newsdedup worker` process with default settings."""

    name = "newsdedup"

    def __init__(self, run: Run, label: str) -> None:
        super().__init__(run, label)
        self.web_port = 0
        self.env = {
            "KAFKA_BOOTSTRAP_SERVERS": run.bootstrap, "NEWSDEDUP_APP_ID": f"{self.prefix}-app",
            "NEWSDEDUP_TOPIC_RAW": self.raw, "NEWSDEDUP_TOPIC_CLEAN": f"{self.prefix}.clean",
            "NEWSDEDUP_TOPIC_EVENTS": f"{self.prefix}.events", "NEWSDEDUP_TOPIC_DLQ": f"{self.prefix}.dlq",
            "NEWSDEDUP_RAW_PARTITIONS": "2", "NEWSDEDUP_DATA_DIR": str(run.scratch / self.prefix),
        }

    @property
    def outputs(self) -> dict[str, str]:
        """Output topic -> kind."""
        return {f"{self.prefix}.{kind}": kind for kind in SECOND_TOPICS}

    @property
    def internal(self) -> dict[str, str]:
        """The stage-1 → index topic."""
        return {f"{self.env['NEWSDEDUP_APP_ID']}.prepared": "prepared"}

    async def create(self) -> None:
        """The worker's own topic specs (it would create the same at start-up)."""
        from newsdedup.app.worker import topic_specs
        from newsdedup.settings import load_settings

        settings = load_settings(**{k.removeprefix("NEWSDEDUP_").lower() if k.startswith("NEWSDEDUP_") else k: v
                               for k, v in self.env.items()})
        await create_topics(self.run.bootstrap, [(s.name, s.partitions, s.config) for s in topic_specs(settings)])

    def start(self, profile: Path | None = None) -> None:
        """Start `python -m newsdedup worker` (under cProfile when `profile` is given)."""
        from newsdedup.localkafka import free_port

        self.web_port = free_port()
        env = {**os.environ, **self.env, "NEWSDEDUP_WEB_PORT": str(self.web_port)}
        if _CALLER_NUMBA_THREADS is None:
            env.pop("NUMBA_NUM_THREADS", None)
        command = shlex.split(self.run.worker_cmd) if self.run.worker_cmd else ["-m", "newsdedup", "worker"]
        argv = [sys.executable, *(["-m", "cProfile", "-o", str(profile)] if profile else []), *command]
        self.child = Child(argv, env, self.run.scratch / f"{self.prefix}.log")

    def get(self, path: str) -> bytes:
        """GET a page of the worker's web server."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.web_port}{path}", timeout=5) as response:
            body: bytes = response.read()
            return body

    async def health(self) -> dict[str, Any]:
        """The /health page, or {} while it does not answer."""
        try:
            return dict(orjson.loads(await asyncio.to_thread(self.get, "/health")))
        except OSError:
            return {}

    async def ready(self) -> None:
        """Wait until /health answers and this worker owns the index partition."""
        deadline = time.monotonic() + 120
        while not (await self.health()).get("index_owner"):
            assert self.child is not None
            self.child.check()
            if time.monotonic() > deadline:
                raise RuntimeError("the worker did not take the index partition within 120 s")
            await asyncio.sleep(0.2)


class NewsdedupInline(NewsdedupWorker):
    """The same worker with its index stage in the worker's own event loop (NEWSDEDUP_INDEX_PROCESS=inline)."""

    name = "newsdedup-inline"

    def __init__(self, run: Run, label: str) -> None:
        super().__init__(run, label)
        self.env["NEWSDEDUP_INDEX_PROCESS"] = "inline"


# ---- measurements --------------------------------------------------------------------------------------

def processes(system: System) -> dict[str, tuple[float, float]]:
    """CPU and run-queue wait so far of the system's process, the broker (if ours) and this bench."""
    pids = {"process": system.child.process.pid if system.child else None, "broker": system.run.broker_pid,
            "bench": os.getpid()}
    return {name: usage(pid, tree=name == "process") for name, pid in pids.items() if pid is not None}


def per_article(before: dict[str, tuple[float, float]], after: dict[str, tuple[float, float]],
                articles: int) -> dict[str, dict[str, float]]:
    """CPU and run-queue wait per article, in µs, of each process between two samples."""
    return {f"{what}_us_per_article": {name: (after[name][i] - before[name][i]) / articles * 1e6 for name in after}
            for i, what in enumerate(("cpu", "wait"))}


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return sorted_values[max(0, math.ceil(p * len(sorted_values)) - 1)] if sorted_values else math.nan


async def throughput(system: System, messages: list[Message], profile: Path | None = None) -> dict[str, Any]:
    """Preload the raw topic, start the system, time its outputs from the first to the last input's."""
    run = system.run
    await system.create()
    await produce_all(run.bootstrap, system.raw, messages)
    reader = Reader(run.bootstrap, system.outputs)
    await reader.start()
    samples: dict[str, dict[str, tuple[float, float]]] = {}

    def sample(name: str) -> None:
        samples[name] = processes(system)

    health_at: float | None = None

    async def watch_health() -> None:
        nonlocal health_at
        while isinstance(system, NewsdedupWorker) and health_at is None:
            if await system.health():
                health_at = time.time()
            await asyncio.sleep(0.1)

    try:
        spawned = time.time()
        system.start(profile)
        watcher = asyncio.create_task(watch_health())
        assert system.child is not None
        await reader.collect({m.id for m in messages}, wait=600 + len(messages) / 50,
                             on_first=lambda: sample("first"), alive=system.child.check)
        sample("last")
        watcher.cancel()
    finally:
        await reader.stop()
        reported = system.stop()
        await delete_topics(run.bootstrap, system.prefix)
    times = sorted(reader.seen[m.id] for m in messages if m.id in reader.seen)
    missing = len(messages) - len(times)
    span = times[-1] - times[0] if times else math.nan
    after_first = len(times) - reader.first_batch
    result: dict[str, Any] = {
        "articles": len(messages), "missing": missing, "seconds": span,
        "articles_per_s": after_first / span if span > 0 else math.nan,
        "first_output_batch": reader.first_batch,
        "startup_to_first_output_s": times[0] - spawned if times else math.nan,
        "startup_to_health_s": health_at - spawned if health_at else None,
        "outputs": dict(reader.labels), "repeated_outputs": dict(reader.repeats),
    }
    if "first" in samples and "last" in samples and after_first > 0:
        result.update(per_article(samples["first"], samples["last"], after_first))
    if reported.get("count"):
        inner = reported["last_produced"] - reported["first_consumed"]
        result["in_process_articles_per_s"] = reported["count"] / inner if inner > 0 else math.nan
    return result


async def latency(system: System, messages: list[Message], warmup: list[Message], rate: float,
                  stage_times: bool = False) -> dict[str, Any]:
    """Start the system, warm it up, then send at `rate`/s and time each message to its output."""
    run = system.run
    await system.create()
    traced = system.internal if stage_times else {}
    reader = Reader(run.bootstrap, {**system.outputs, **traced})
    await reader.start()
    try:
        system.start()
        assert system.child is not None
        await system.ready()
        producer = asyncio.create_task(produce_all(run.bootstrap, system.raw, warmup))
        await reader.collect({m.id for m in warmup}, wait=120, alive=system.child.check)
        await producer
        if not {m.id for m in warmup} <= reader.seen.keys():
            raise RuntimeError(f"{system.name}: the warm-up messages did not come out within 120 s")
        load_before = os.getloadavg()[0]
        before = processes(system)
        sending = asyncio.create_task(produce_steady(run.bootstrap, system.raw, messages, rate))
        await reader.collect({m.id for m in messages}, wait=len(messages) / rate + 60, alive=system.child.check)
        sent = await sending
        after = processes(system)
        histogram = system.get("/metrics").decode() if isinstance(system, NewsdedupWorker) else ""
    finally:
        await reader.stop()
        system.stop()
        await delete_topics(run.bootstrap, system.prefix)
    lat = sorted((reader.seen[i] - t) * 1000 for i, t in sent.items() if i in reader.seen)
    n = len(messages)
    result: dict[str, Any] = {
        "messages": n, "rate": rate, "missing": n - len(lat),
        "p50_ms": percentile(lat, 0.50), "p90_ms": percentile(lat, 0.90), "p99_ms": percentile(lat, 0.99),
        "max_ms": lat[-1] if lat else math.nan, "mean_ms": statistics.fmean(lat) if lat else math.nan,
        "load_1min": load_before,
        **per_article(before, after, n),
        "outputs": dict(reader.labels), "repeated_outputs": dict(reader.repeats),
    }
    result["parts_ms"] = latency_parts(sent, reader)
    # Growing medians mean the system fell behind the rate; flat ones, a steady delay.
    in_order = [(reader.seen[i] - t) * 1000 for i, t in sent.items() if i in reader.seen]
    tenth = max(1, len(in_order) // 10)
    result["p50_by_tenth_ms"] = [statistics.median(in_order[k : k + tenth]) for k in range(0, len(in_order), tenth)]
    if histogram:
        result["worker_histogram"] = {
            line.split('le="')[1].split('"')[0]: float(line.rsplit(" ", 1)[1])
            for line in histogram.splitlines() if line.startswith("newsdedup_processing_latency_seconds_bucket")
        }
    return result


def latency_parts(sent: dict[str, float], reader: Reader) -> dict[str, dict[str, float]]:
    """p50/p99 of the pieces of the latency, from record timestamps (ms resolution, same clock)."""
    pieces: dict[str, list[float]] = {"send→output record stamped": [], "stamped→read (commit, fetch)": []}
    if reader.prepared:
        pieces = {"send→stage-1 envelope stamped": [], "envelope→output stamped": [], **pieces}
    for ident, t_send in sent.items():
        if ident not in reader.seen:
            continue
        stamp, read = reader.stamped[ident], reader.seen[ident]
        pieces["send→output record stamped"].append((stamp - t_send) * 1000)
        pieces["stamped→read (commit, fetch)"].append((read - stamp) * 1000)
        if ident in reader.prepared:
            pieces["send→stage-1 envelope stamped"].append((reader.prepared[ident] - t_send) * 1000)
            pieces["envelope→output stamped"].append((stamp - reader.prepared[ident]) * 1000)
    return {name: {"p50": percentile(sorted(v), 0.5), "p99": percentile(sorted(v), 0.99)}
            for name, v in pieces.items() if v}


# ---- report ------------------------------------------------------------------------------------------------

def median(values: list[float]) -> float:
    """Median of the values that were measured (NaN when none was)."""
    vals = [v for v in values if not math.isnan(v)]
    return statistics.median(vals) if vals else math.nan


def spread(values: list[float]) -> str:
    """median [min–max] of the repeats."""
    vals = [v for v in values if not math.isnan(v)]
    if not vals:
        return "n/a"
    big = max(vals) >= 100

    def fmt(v: float) -> str:
        return f"{v:,.0f}" if big else f"{v:.1f}"

    return fmt(median(vals)) if len(vals) == 1 else f"{fmt(median(vals))} [{fmt(min(vals))}–{fmt(max(vals))}]"


def summarise(results: dict[str, Any]) -> list[tuple[str, ...]]:
    """Table rows: metric, baseline, newsdedup, newsdedup/baseline (medians), and the inline worker if measured."""
    reps = results["repeats"]

    def pick(system: str, phase: str, *path: str) -> list[float]:
        out = []
        for rep in reps:
            value: Any = rep[system][phase]
            for part in path:
                value = value.get(part, math.nan) if isinstance(value, dict) else math.nan
            out.append(float(value) if value is not None else math.nan)
        return out

    rows = []
    metrics = [
        ("throughput, articles/s (first→last output)", "throughput", ("articles_per_s",)),
        ("start-up to first output, s (preloaded)", "throughput", ("startup_to_first_output_s",)),
        ("  CPU µs/article: system process", "throughput", ("cpu_us_per_article", "process")),
        ("  CPU µs/article: broker", "throughput", ("cpu_us_per_article", "broker")),
        ("  CPU µs/article: bench producer+reader", "throughput", ("cpu_us_per_article", "bench")),
        ("  run-queue wait µs/article: system process", "throughput", ("wait_us_per_article", "process")),
        (f"latency p50, ms @ {results['rate']:g}/s", "latency", ("p50_ms",)),
        (f"latency p99, ms @ {results['rate']:g}/s", "latency", ("p99_ms",)),
        (f"latency max, ms @ {results['rate']:g}/s", "latency", ("max_ms",)),
        ("  CPU µs/article: system process", "latency", ("cpu_us_per_article", "process")),
        ("  CPU µs/article: broker", "latency", ("cpu_us_per_article", "broker")),
        ("  run-queue wait µs/article: system process", "latency", ("wait_us_per_article", "process")),
    ]
    inline = (NewsdedupInline.name,) if NewsdedupInline.name in reps[0] else ()
    for label, phase, path in metrics:
        base, nd = pick("passthrough", phase, *path), pick("newsdedup", phase, *path)
        ratio = median(nd) / median(base) if median(base) else math.nan
        rows.append((label, spread(base), spread(nd), f"{ratio:.2f}" if not math.isnan(ratio) else "n/a",
                     *(spread(pick(name, phase, *path)) for name in inline)))
    rows.append(("baseline in-process (first consumed→last produced)", spread(
        pick("passthrough", "throughput", "in_process_articles_per_s")), "", "", *("" for _ in inline)))
    rows.append(("worker start-up to /health, s", "", spread(pick("newsdedup", "throughput", "startup_to_health_s")),
                 "", *(spread(pick(name, "throughput", "startup_to_health_s")) for name in inline)))
    return rows


def print_report(results: dict[str, Any]) -> None:
    """The table, the targets, and where it was measured."""
    mix = results["mix"]
    print(f"\n{results['articles']} articles for throughput, {results['latency_messages']} at "
          f"{results['rate']:g}/s for latency; mean message {results['mean_message_bytes']:.0f} bytes; mix: "
          + ", ".join(f"{k} {v}" for k, v in mix.items()) + f"; {len(results['repeats'])} repeats (median [min–max])")
    rows = summarise(results)
    inline = NewsdedupInline.name in results["repeats"][0]
    print(f"{'metric':52s} {'baseline':>24s} {'newsdedup':>24s} {'ratio':>7s}"
          + (f" {'newsdedup, index inline':>24s}" if inline else ""))
    for label, base, nd, ratio, *more in rows:
        print(f"{label:52s} {base:>24s} {nd:>24s} {ratio:>7s}" + "".join(f" {m:>24s}" for m in more))
    for i, rep in enumerate(results["repeats"], 1):
        t, lat = rep["newsdedup"]["throughput"], rep["newsdedup"]["latency"]
        print(f"repeat {i}: load {rep['load_before']:.2f}→{rep['load_after']:.2f}; newsdedup outputs (throughput) "
              f"{t['outputs']}, missing {t['missing']}, repeated {t['repeated_outputs']}; latency missing "
              f"{lat['missing']}, worker histogram {lat.get('worker_histogram')}")
        for name in ("passthrough", "newsdedup", *((NewsdedupInline.name,) if inline else ())):
            parts = rep[name]["latency"]["parts_ms"]
            tenths = ", ".join(f"{v:.0f}" for v in rep[name]["latency"]["p50_by_tenth_ms"])
            print(f"  {name} latency parts (p50/p99 ms): "
                  + "; ".join(f"{k} {v['p50']:.0f}/{v['p99']:.0f}" for k, v in parts.items())
                  + f"; p50 by tenth of the run: {tenths}")
    tp = statistics.median(r["newsdedup"]["throughput"]["articles_per_s"] for r in results["repeats"])
    p99 = statistics.median(r["newsdedup"]["latency"]["p99_ms"] for r in results["repeats"])
    print(f"target >= 1,000 articles/s on one worker: {'MET' if tp >= 1000 else 'NOT MET'} (median {tp:,.0f})")
    print(f"target p99 < 100 ms at 200 articles/s: {'MET' if p99 < 100 else 'NOT MET'} (median {p99:.1f} ms)")
    for key, value in results["machine"].items():
        print(f"{key}: {value}")


def machine_info(bootstrap: str, started_broker: bool) -> dict[str, Any]:
    """evalkit's machine record plus memory, Kafka and client versions, load."""
    import aiokafka
    import faust

    from newsdedup.localkafka import KAFKA_VERSION

    info = machine()
    mem = next(line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    info.update({"memory": mem, "kafka": KAFKA_VERSION if started_broker else f"external broker {bootstrap}",
                 "aiokafka": aiokafka.__version__, "faust": faust.__version__,
                 "load_avg_at_start": os.getloadavg()})
    return info


async def measure(run: Run, messages: list[Message], args: argparse.Namespace) -> list[dict[str, Any]]:
    """All the repeats: baseline and newsdedup throughput, then latency at the steady rate."""
    n_latency = int(args.rate * args.seconds)
    warmup = messages[-WARMUP:]
    repeats = []
    systems: list[type[System]] = [Passthrough, NewsdedupWorker, *([NewsdedupInline] if args.compare_inline else [])]
    if args.warmup_articles:
        # A fresh broker JVM runs its request paths (transactions included) interpreted at first and gets
        # several times cheaper per request once they are compiled: warm it with both systems, untimed.
        for cls in systems[:2]:
            warm = await throughput(cls(run, "warm"), messages[: args.warmup_articles])
            print(f"broker warm-up, {cls.name} (not counted): {warm['articles_per_s']:.0f} articles/s", flush=True)
    for rep in range(1, args.repeat + 1):
        row: dict[str, Any] = {"load_before": os.getloadavg()[0]}
        for cls in systems:
            row[cls.name] = {"throughput": await throughput(cls(run, f"t{rep}"), messages[: args.articles])}
            t = row[cls.name]["throughput"]
            print(f"repeat {rep} {cls.name} throughput: {t['articles_per_s']:.0f} articles/s, "
                  f"missing {t['missing']}, load {os.getloadavg()[0]:.2f}", flush=True)
        for cls in systems:
            row[cls.name]["latency"] = await latency(cls(run, f"l{rep}"), messages[:n_latency], warmup, args.rate,
                                                     args.stage_times)
            lat = row[cls.name]["latency"]
            print(f"repeat {rep} {cls.name} latency: p50 {lat['p50_ms']:.0f} ms, p99 {lat['p99_ms']:.0f} ms, "
                  f"missing {lat['missing']}, load {os.getloadavg()[0]:.2f}", flush=True)
        row["load_after"] = os.getloadavg()[0]
        repeats.append(row)
    if args.profile_worker:
        profiled = await throughput(NewsdedupWorker(run, "profile"), messages[: args.articles],
                                    profile=args.profile_worker.resolve())
        print(f"profiled throughput run (under cProfile, not counted): {profiled['articles_per_s']:.0f} articles/s; "
              f"profile in {args.profile_worker}", flush=True)
    return repeats


@contextlib.contextmanager
def broker(scratch: Path) -> Iterator[tuple[str, int | None]]:
    """(bootstrap, broker pid): KAFKA_BOOTSTRAP_SERVERS when set, else a local broker stopped at the end."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if external:
        yield external, None
        return
    from newsdedup.localkafka import LocalBroker

    local = LocalBroker(scratch / "kafka")
    try:
        bootstrap = local.start()
        yield bootstrap, local.process.pid if local.process else None
    finally:
        local.stop()


def main(argv: list[str] | None = None) -> int:
    """Build the messages, start the broker, measure both systems, print and save the results."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=10000, help="messages for the throughput run (10000)")
    parser.add_argument("--rate", type=float, default=200.0, help="steady rate for the latency run (200/s)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the latency run (60 s)")
    parser.add_argument("--repeat", type=int, default=3, help="how many times to measure everything (3)")
    parser.add_argument("--body-bytes", type=int, default=3000, help="UTF-8 bytes per article body (3000)")
    parser.add_argument("--copy-share", type=float, default=0.1, help="share of copies, half exact (0.1)")
    parser.add_argument("--english-share", type=float, default=0.25, help="share of BBC originals (0.25)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--profile-worker", type=Path, help="afterwards, one more newsdedup throughput run under "
                        "cProfile (not counted), profile written here")
    parser.add_argument("--warmup-articles", type=int, default=3000, help="untimed pass of each system first, "
                        "to warm the broker's JIT (3000; 0 skips it)")
    parser.add_argument("--stage-times", action="store_true", help="also read the worker's internal prepared "
                        "topic in the latency runs, to split the latency by stage (adds a little load)")
    parser.add_argument("--worker-args", help="python arguments that start the worker instead of "
                        "'-m newsdedup worker', e.g. a script that patches it (for experiments; say so)")
    parser.add_argument("--compare-inline", action="store_true", help="also measure the worker with its index "
                        "stage in its own event loop (NEWSDEDUP_INDEX_PROCESS=inline), in the same run")
    parser.add_argument("--passthrough-spec", help=argparse.SUPPRESS)  # the baseline's own process
    args = parser.parse_args(argv)
    if args.passthrough_spec:
        return passthrough_main(args.passthrough_spec)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up below on SIGTERM too

    total = max(args.articles, int(args.rate * args.seconds)) + WARMUP
    messages = build_messages(total, args.body_bytes, args.copy_share, args.english_share)
    mix = Counter(m.kind for m in messages[: args.articles])
    results: dict[str, Any] = {
        "articles": args.articles, "rate": args.rate, "seconds": args.seconds,
        "latency_messages": int(args.rate * args.seconds), "body_bytes": args.body_bytes,
        "mean_message_bytes": statistics.fmean(len(m.value) for m in messages), "mix": dict(mix),
    }
    with tempfile.TemporaryDirectory(prefix="bench-worker-") as tmp:
        scratch = Path(tmp)
        with broker(scratch) as (bootstrap, broker_pid):
            try:
                results["machine"] = machine_info(bootstrap, broker_pid is not None)
                run = Run(bootstrap, scratch, uuid.uuid4().hex[:8], broker_pid, args.worker_args)
                results["repeats"] = asyncio.run(measure(run, messages, args))
            finally:  # workers before the broker they talk to
                for child in list(Child.live):
                    child.stop(timeout=10)
    results["machine"]["load_avg_at_end"] = os.getloadavg()
    print_report(results)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY))
    return 0


if __name__ == "__main__":
    sys.exit(main())
