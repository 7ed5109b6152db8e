"""Run real `newsdedup worker` processes against the test broker, feed them, and read what they publish."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from newsdedup.errors import LocalKafkaError
from newsdedup.localkafka import LocalBroker, free_port


def start_broker(broker: LocalBroker, purpose: str) -> str:
    """Start a broker for tests; if it cannot start, fail under CI=true (CI must run them) and skip elsewhere."""
    try:
        return broker.start()
    except LocalKafkaError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the Kafka broker for {purpose} did not start: {exc}", pytrace=False)
        pytest.skip(f"no Kafka broker for {purpose}: {exc}")


@dataclass
class WorkerEnv:
    """The environment of one test's workers: its own app id, topics, consumer group and state folder."""

    bootstrap: str
    prefix: str
    work_dir: Path
    raw_partitions: int = 2
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def topics(self) -> dict[str, str]:
        """The topics of this test: the four of articles and the two summaries (stories, stats)."""
        return {kind: f"{self.prefix}.{kind}" for kind in ("raw", "clean", "events", "dlq", "stories", "stats")}

    def env(self, name: str) -> dict[str, str]:
        """Environment variables for one worker process called `name`."""
        topics = self.topics
        return {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "NEWSDEDUP_APP_ID": f"{self.prefix}-app",
            "NEWSDEDUP_TOPIC_RAW": topics["raw"],
            "NEWSDEDUP_TOPIC_CLEAN": topics["clean"],
            "NEWSDEDUP_TOPIC_EVENTS": topics["events"],
            "NEWSDEDUP_TOPIC_DLQ": topics["dlq"],
            "NEWSDEDUP_TOPIC_STORIES": topics["stories"],
            "NEWSDEDUP_TOPIC_STATS": topics["stats"],
            "NEWSDEDUP_RAW_PARTITIONS": str(self.raw_partitions),
            "NEWSDEDUP_DATA_DIR": str(self.work_dir / name),
            "NEWSDEDUP_WEB_PORT": str(free_port()),
            "NEWSDEDUP_LOG_LEVEL": "INFO",
            **self.extra,
        }


class Worker:
    """One `newsdedup worker` child process."""

    def __init__(self, worker_env: WorkerEnv, name: str) -> None:
        self.env = worker_env.env(name)
        self.web_port = int(self.env["NEWSDEDUP_WEB_PORT"])
        self.log_path = worker_env.work_dir / f"{name}.log"
        worker_env.work_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "newsdedup", "worker"], env=self.env, stdout=log, stderr=log,
                start_new_session=True,
            )

    def get(self, path: str) -> bytes:
        """GET a page of the worker's web server."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.web_port}{path}", timeout=5) as response:
            body: bytes = response.read()
            return body

    def wait_healthy(self, timeout: float = 60.0) -> None:
        """Wait until /health answers 200, or 503 only because the running index process has not joined yet."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                self.get("/health")
                return
            except urllib.error.HTTPError as failing:
                # Some tests act while the index process still starts: the moment it runs is what they wait for.
                if orjson.loads(failing.read()).get("index_process_pid") is not None:
                    return
                time.sleep(0.3)
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"worker not healthy after {timeout} s:\n{self.log_tail()}")

    def kill9(self) -> None:
        """Crash the worker: SIGKILL, no clean-up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, then SIGKILL if it does not stop in time; return the exit code."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        return self.process.returncode

    def log_tail(self, lines: int = 40) -> str:
        """The end of the worker's log."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


# Four short stories, two English and two Arabic, written for these tests.
STORIES = {
    "grain": (
        "The state grain agency bought 120,000 tonnes of wheat on Tuesday for delivery in March, traders said. "
        "The purchase, at an average of 251.40 dollars a tonne including freight, came from Black Sea suppliers. "
        "The agency said the cargoes would arrive at the ports of Jeddah and Dammam over six weeks. "
        "Traders noted that prices were 3 dollars higher than at the last tender held in early February."
    ),
    "storm": (
        "A storm with winds of up to 140 kilometres an hour closed schools in three coastal provinces on Monday. "
        "Civil defence teams evacuated 2,300 residents from low-lying districts before the storm reached land. "
        "The meteorological office warned that heavy rain would continue until Wednesday night. "
        "Flights at the regional airport were suspended and ferries stayed in port for a second day."
    ),
    "museum": (
        "افتتح متحف التاريخ الوطني صباح الأحد جناحا جديدا يضم أكثر من أربعمئة قطعة أثرية من العصور الإسلامية المبكرة. "
        "وقال مدير المتحف إن الجناح استغرق العمل عليه ثلاث سنوات بمشاركة فريق من الباحثين والمرممين. "
        "ويعرض الجناح مخطوطات نادرة وعملات ذهبية وأدوات فلكية استخدمها العلماء في القرن العاشر. "
        "وسيفتح الجناح أبوابه للجمهور مجانا خلال الأسبوع الأول ثم برسوم رمزية."
    ),
    "rail": (
        "أعلنت هيئة النقل عن تشغيل خط قطار جديد يربط المدينة بالمطار الدولي اعتبارا من الشهر المقبل. "
        "ويبلغ طول الخط اثنين وثلاثين كيلومترا ويضم سبع محطات، وتستغرق الرحلة نحو عشرين دقيقة. "
        "وأوضحت الهيئة أن القطارات ستعمل كل عشر دقائق في ساعات الذروة وكل ربع ساعة في باقي الأوقات. "
        "وتوقعت أن ينقل الخط أكثر من خمسين ألف راكب يوميا في عامه الأول."
    ),
}


def lightly_edited(text: str) -> str:
    """A copy with a new last sentence and a changed word, as an outlet would republish it."""
    return text.replace("said", "reported", 1).replace("وقال", "وأفاد", 1) + " (Additional reporting by staff.)"


def start(worker_env: WorkerEnv, workers: list[Worker], name: str) -> Worker:
    """Start a worker called `name`, remember it in `workers` (stopped at the test's end), wait for /health."""
    w = Worker(worker_env, name)
    workers.append(w)
    w.wait_healthy()
    return w


def unrelated_articles(prefix: str, count: int, seed: int) -> list[tuple[None, bytes]]:
    """`count` (key, value) messages of random words, ids `<prefix>0`...: no two are duplicates."""
    rng = random.Random(seed)
    words = ["".join(rng.choices(string.ascii_lowercase, k=7)) for _ in range(5000)]
    return [(None, article(f"{prefix}{i}", " ".join(rng.choices(words, k=80)))) for i in range(count)]


def assert_each_published_once(out: dict[str, list[dict[str, Any]]], topics: dict[str, str],
                               expected: set[str]) -> None:
    """Every expected id on the clean topic exactly once, nothing else there, and no dead letters."""
    ids = Counter(r["id"] for r in out[topics["clean"]])
    assert not out[topics["dlq"]]
    assert set(ids) == expected, f"lost {sorted(expected - set(ids))[:5]}, unexpected {sorted(set(ids) - expected)[:5]}"
    assert max(ids.values()) == 1, f"published twice: {[k for k, n in ids.items() if n > 1][:5]}"


def article(article_id: str, body: str, source: str = "wire", **fields: Any) -> bytes:
    """An input message for the raw topic."""
    return orjson.dumps({"id": article_id, "source": source, "body": body, **fields})


async def produce(bootstrap: str, topic: str, values: Sequence[tuple[bytes | None, bytes]],
                  partition: int | None = None, rate: float = 0.0) -> None:
    """Send (key, value) pairs in order, optionally to one partition and at a steady rate."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                                max_request_size=64 * 1024 * 1024)
    await producer.start()
    try:
        for key, value in values:
            await producer.send_and_wait(topic, value, key=key, partition=partition)
            if rate > 0:
                await asyncio.sleep(1.0 / rate)
    finally:
        await producer.stop()


async def read_all(bootstrap: str, topics: list[str], expect: int, wait: float = 60.0,
                   settle: float = 1.5) -> dict[str, list[dict[str, Any]]]:
    """Read committed records of `topics` from the start until `expect` arrived and `settle` s passed quietly."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, isolation_level="read_committed",
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                max_partition_fetch_bytes=32 * 1024 * 1024)
    await consumer.start()
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in topics}
    try:
        partitions = []
        for topic in topics:
            for p in consumer.partitions_for_topic(topic) or await _partitions(consumer, topic):
                partitions.append(TopicPartition(topic, p))
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        deadline = time.monotonic() + wait
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            if batch:
                quiet_since = time.monotonic()
            for tp, messages in batch.items():
                out[tp.topic].extend(orjson.loads(m.value) for m in messages)
            if sum(len(v) for v in out.values()) >= expect and time.monotonic() - quiet_since >= settle:
                break
    finally:
        await consumer.stop()
    return out


async def wait_for_records(bootstrap: str, topic: str, at_least: int, wait: float) -> int:
    """Count committed records of `topic` until there are `at_least` (or `wait` s passed); return the count."""
    out = await read_all(bootstrap, [topic], expect=at_least, wait=wait, settle=0.0)
    return len(out[topic])


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    for _ in range(50):
        await consumer._client.force_metadata_update()  # the topic may have been created a moment ago
        found = consumer.partitions_for_topic(topic)
        if found:
            return set(found)
        await asyncio.sleep(0.2)
    raise AssertionError(f"topic {topic} has no partitions")
