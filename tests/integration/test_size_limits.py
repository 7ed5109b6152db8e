"""Inputs at and past the size limits, and a send the broker refuses, on the real broker (issue: no silent loss)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import random
import time
from collections import Counter
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from newsdedup import schemas
from newsdedup.app.budget import SizeBudget
from newsdedup.app.topics import topic_limits
from tests.integration.harness import Worker, WorkerEnv, article, produce, read_all, start, unrelated_articles

MIB = 1024 * 1024
LIMIT = MIB  # NEWSDEDUP_MAX_MESSAGE_BYTES, the default
BIG_NUMBER = b"1180591620717411303424"  # 2**70
LONG_DECIMAL = b"3.14159265358979323846264"


def exactly(article_id: str, size: int) -> bytes:
    """A valid article of exactly `size` bytes."""
    base = article(article_id, "")
    value = article(article_id, "news " * ((size - len(base)) // 5) + "x" * ((size - len(base)) % 5))
    assert len(value) == size
    return value


def incompressible(article_id: str, size: int, seed: int) -> bytes:
    """A valid article of about `size` bytes of random words in four scripts: text that does not compress."""
    rng = random.Random(seed)
    scripts = [range(0x430, 0x450), range(0x3B1, 0x3C9), range(0x627, 0x64A), range(0x4E00, 0x5E00)]
    letters = [chr(c) for block in scripts for c in block]
    words, total = [], 0
    while total < size - 200:
        word = "".join(rng.choices(letters, k=rng.randint(3, 9)))
        words.append(word)
        total += len(word.encode()) + 1
    return article(article_id, " ".join(words))


def with_big_numbers(article_id: str) -> bytes:
    """An article whose unknown fields hold numbers no double or 64-bit integer keeps exactly."""
    return (b'{"id":"' + article_id.encode() + b'","source":"wire","body":"The port authority reported record '
            b'container volumes for the third quarter, up eleven percent on the year.","count":' + BIG_NUMBER
            + b',"ratio":' + LONG_DECIMAL + b',"nested":{"small":-9223372036854775809}}')


def ordinary(prefix: str, count: int) -> list[tuple[None, bytes]]:
    """`count` short articles, no two alike."""
    return unrelated_articles(prefix, count, seed=ord(prefix))


async def _outputs(env: WorkerEnv, expect: int) -> dict[str, list[dict[str, Any]]]:
    t = env.topics
    return await read_all(env.bootstrap, [t["clean"], t["events"], t["dlq"]], expect=expect, wait=120)


async def _raw_values(env: WorkerEnv, topic: str) -> list[bytes]:
    consumer = AIOKafkaConsumer(bootstrap_servers=env.bootstrap, isolation_level="read_committed",
                                enable_auto_commit=False, max_partition_fetch_bytes=64 * MIB)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        end = (await consumer.end_offsets([tp]))[tp]
        values: list[bytes] = []
        while await consumer.position(tp) < end:
            for records in (await consumer.getmany(tp, timeout_ms=1000)).values():
                values.extend(r.value or b"" for r in records)
        return values
    finally:
        await consumer.stop()


def _health(worker: Worker) -> tuple[int, dict[str, Any]]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{worker.web_port}/health", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_inputs_at_and_past_the_limit_end_on_clean_or_dlq_once_and_survive_a_crash(
    worker_env: WorkerEnv, workers: list[Worker]
) -> None:
    env = worker_env
    t = env.topics
    first = start(env, workers, "first")
    large = {
        "limit-orig": exactly("limit-orig", LIMIT),
        "rand9-orig": incompressible("rand9-orig", 900_000, seed=1),
        "bignum-orig": with_big_numbers("bignum-orig"),
    }
    too_large = {"big3": article("big3", "b" * 3 * MIB), "big20": article("big20", "c" * 20 * MIB)}
    feed = [*ordinary("a", 5), *((None, v) for v in too_large.values()), *((None, v) for v in large.values()),
            *ordinary("b", 5)]
    asyncio.run(produce(env.bootstrap, t["raw"], feed, partition=0))
    asyncio.run(_outputs(env, expect=len(feed)))
    first.kill9()

    second = start(env, workers, "second")
    copies = {
        "limit-copy": exactly("limit-copy", LIMIT),
        "rand9-copy": incompressible("rand9-copy", 900_000, seed=1),
        "bignum-copy": with_big_numbers("bignum-copy"),
    }
    later = [*((None, v) for v in copies.values()), *ordinary("c", 5)]
    asyncio.run(produce(env.bootstrap, t["raw"], later, partition=0))
    out = asyncio.run(_outputs(env, expect=len(feed) + len(later) + len(copies)))

    clean = Counter(r["id"] for r in out[t["clean"]])
    unique_ids = {f"{p}{i}" for p in "abc" for i in range(5)} | set(large)
    assert set(clean) == unique_ids, f"lost {unique_ids - set(clean)}, unexpected {set(clean) - unique_ids}"
    assert max(clean.values()) == 1
    assert len(out[t["dlq"]]) == 2, [d["error"] for d in out[t["dlq"]]]
    for letter in out[t["dlq"]]:
        assert letter["error"]["kind"] == "too_large"
        assert letter["value_truncated"] is True
        original = base64.b64decode(letter["value_b64"])
        whole = next(v for v in too_large.values() if v.startswith(original))
        assert letter["value_size"] == len(whole)
        assert letter["value_sha256"] == hashlib.sha256(whole).hexdigest()
        assert len(original) == LIMIT
    # The restored index held every article decided before the crash: each copy is an exact duplicate.
    found = {e["article_id"]: e for e in out[t["events"]] if e["type"] == "exact_duplicate"}
    for copy_id in copies:
        assert found[copy_id]["duplicate_of"] == copy_id.replace("-copy", "-orig")
    assert _health(second)[1]["index_articles"] == len(unique_ids) + len(copies)
    # Unknown fields pass through exactly, numbers of any size included.
    raw_clean = asyncio.run(_raw_values(env, t["clean"]))
    bignum = next(v for v in raw_clean if b'"bignum-orig"' in v)
    assert b'"count":' + BIG_NUMBER in bignum
    assert b'"ratio":' + LONG_DECIMAL in bignum
    assert b'"small":-9223372036854775809' in bignum
    for topic, schema in ((t["clean"], "clean-article"), (t["events"], "dedup-event"), (t["dlq"], "dead-letter")):
        for record in out[topic]:
            assert not schemas.problems(schema, record), (schema, schemas.problems(schema, record)[:3])


def test_topics_are_created_with_the_size_budget_and_a_shrunk_one_stops_the_worker_at_start(
    worker_env: WorkerEnv, workers: list[Worker]
) -> None:
    env = worker_env
    w = start(env, workers, "budget")
    budget = SizeBudget(LIMIT)
    limits = asyncio.run(_limits(env.bootstrap, list(env.topics.values())))
    assert limits[env.topics["clean"]] == budget.topic_limit(budget.output)
    assert limits[env.topics["dlq"]] == budget.topic_limit(budget.dead_letter)
    assert limits[env.topics["raw"]] == budget.topic_limit(budget.raw)
    assert limits[env.topics["stories"]] == limits[env.topics["stats"]] == budget.topic_limit(budget.output)
    w.stop()
    asyncio.run(_alter_limit(env.bootstrap, env.topics["events"], 300_000))
    again = Worker(env, "again")
    workers.append(again)
    assert again.process.wait(timeout=60) != 0
    log = again.log_path.read_text()
    assert f"topic {env.topics['events']} has max.message.bytes=300000" in log
    assert f"max.message.bytes={budget.topic_limit(budget.output)}" in log


def test_a_send_the_broker_refuses_aborts_commits_nothing_past_it_and_fails_health(
    worker_env: WorkerEnv, workers: list[Worker]
) -> None:
    env = worker_env
    t = env.topics
    w = start(env, workers, "refused")
    before = ordinary("a", 5)
    asyncio.run(produce(env.bootstrap, t["raw"], before, partition=0))
    asyncio.run(read_all(env.bootstrap, [t["clean"]], expect=5, wait=60, settle=0.5))
    _wait_for(lambda: _health(w)[0] == 200, 30, "a healthy worker")
    group = f"{env.prefix}-app-index"
    committed = asyncio.run(_committed(env.bootstrap, group, f"{env.prefix}-app.prepared"))

    # Behind the worker's back: the clean topic now refuses every record the worker writes there.
    asyncio.run(_alter_limit(env.bootstrap, t["clean"], 200))
    during = ordinary("b", 5)
    asyncio.run(produce(env.bootstrap, t["raw"], during, partition=0))
    _wait_for(lambda: _health(w)[0] == 503, 60, "/health to report the failing index stage")
    _status, body = _health(w)
    assert t["clean"] in body["problem"], body
    assert "max.message.bytes" in body["problem"], body
    metrics = w.get("/metrics").decode()
    assert 'newsdedup_stage_stuck{stage="index"} 1.0' in metrics
    assert 'newsdedup_send_failures_total{stage="index"}' in metrics
    time.sleep(3)  # several retries
    assert asyncio.run(_committed(env.bootstrap, group, f"{env.prefix}-app.prepared")) == committed
    out = asyncio.run(read_all(env.bootstrap, [t["clean"], t["events"], t["dlq"]], expect=5, wait=5, settle=1))
    assert {r["id"] for r in out[t["clean"]]} == {f"a{i}" for i in range(5)}, "published past the failure"

    # Repaired: the stuck batch goes through once, and health recovers.
    asyncio.run(_alter_limit(env.bootstrap, t["clean"], SizeBudget(LIMIT).topic_limit(SizeBudget(LIMIT).output)))
    out = asyncio.run(read_all(env.bootstrap, [t["clean"], t["dlq"]], expect=10, wait=90))
    ids = Counter(r["id"] for r in out[t["clean"]])
    assert set(ids) == {f"{p}{i}" for p in "ab" for i in range(5)}
    assert max(ids.values()) == 1
    assert not out[t["dlq"]]
    _wait_for(lambda: _health(w)[0] == 200, 60, "/health to recover")


async def _limits(bootstrap: str, names: list[str]) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return await topic_limits(admin, names)
    finally:
        await admin.close()


async def _alter_limit(bootstrap: str, topic: str, limit: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        resource = ConfigResource(ConfigResourceType.TOPIC, topic, {"max.message.bytes": str(limit)})
        await admin.alter_configs([resource])
    finally:
        await admin.close()


async def _committed(bootstrap: str, group: str, topic: str) -> int | None:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        committed: int | None = await consumer.committed(TopicPartition(topic, 0))
        return committed
    finally:
        await consumer.stop()
