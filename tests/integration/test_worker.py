"""The streaming worker against the real broker: dead letters, global index, crash safety, operations."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from newsdedup import schemas
from tests.integration.harness import (
    STORIES,
    Worker,
    WorkerEnv,
    article,
    assert_each_published_once,
    lightly_edited,
    produce,
    read_all,
    start,
    unrelated_articles,
    wait_for_records,
)


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


def test_bad_input_goes_to_the_dlq_with_its_bytes_and_nothing_is_lost(
    worker_env: WorkerEnv, workers: list[Worker]
) -> None:
    worker_env.extra["NEWSDEDUP_MAX_MESSAGE_BYTES"] = str(64 * 1024)
    w = start(worker_env, workers, "w1")
    topics = worker_env.topics
    bad = {
        "not_utf8": b'{"id": "x1", "source": "s", "body": "\xff\xfe broken"}',
        "not_json": b"this is not json {",
        "schema": orjson.dumps({"id": "x3", "source": "s"}),
        "too_large": article("x4", "word " * 20_000),
    }
    good = [article(f"g{i}", text) for i, text in enumerate(STORIES.values())]
    messages = [(None, v) for v in bad.values()] + [(None, v) for v in good]
    run(produce(worker_env.bootstrap, topics["raw"], messages, partition=0))
    out = run(read_all(worker_env.bootstrap, [topics["clean"], topics["dlq"]], expect=len(messages)))
    assert isinstance(out, dict)
    dead = out[topics["dlq"]]
    assert sorted(d["error"]["kind"] for d in dead) == sorted(bad)
    for record in dead:
        original = bad[record["error"]["kind"]]
        if record["error"]["kind"] == "too_large":  # past the limit: its first bytes, length and hash
            assert record["value_truncated"] is True
            assert record["value_size"] == len(original)
            assert record["value_sha256"] == hashlib.sha256(original).hexdigest()
            original = original[: 64 * 1024]
        assert base64.b64decode(record["value_b64"]) == original
        assert record["source"]["topic"] == topics["raw"]
        assert record["source"]["partition"] == 0
        assert record["error"]["message"]
    offsets = sorted(d["source"]["offset"] for d in dead)
    assert offsets == [0, 1, 2, 3]
    assert sorted(r["id"] for r in out[topics["clean"]]) == [f"g{i}" for i in range(len(good))]
    # The worker's real output honours the published contract.
    for record in out[topics["clean"]]:
        assert not schemas.problems("clean-article", record)
    for record in dead:
        assert not schemas.problems("dead-letter", record)

    metrics = w.get("/metrics").decode()
    assert 'newsdedup_dead_letters_total{kind="too_large"} 1.0' in metrics
    assert "newsdedup_articles_in_total 8.0" in metrics
    assert "newsdedup_processing_latency_seconds_count" in metrics
    health = orjson.loads(w.get("/health"))
    assert health["status"] == "ok"
    assert w.stop() == 0, w.log_tail()


def _inputs_split_over_partitions() -> list[tuple[int, bytes]]:
    """Originals on one partition, their copies on the other, so only a global index can match them."""
    items: list[tuple[int, bytes]] = []
    for i, (name, text) in enumerate(STORIES.items()):
        items.append((i % 2, article(f"{name}-orig", text, source="agency")))
    for i, (name, text) in enumerate(STORIES.items()):
        items.append(((i + 1) % 2, article(f"{name}-exact", text, source="paper-a")))
        items.append(((i + 1) % 2, article(f"{name}-edit", lightly_edited(text), source="paper-b")))
    return items


def _decisions(worker_env: WorkerEnv, inputs: list[tuple[int, bytes]], workers_count: int,
               workers: list[Worker]) -> dict[str, tuple[str, str | None, str]]:
    started = [start(worker_env, workers, f"w{i}") for i in range(workers_count)]
    topics = worker_env.topics
    originals = [(p, v) for p, v in inputs if b"-orig" in v]
    copies = [(p, v) for p, v in inputs if b"-orig" not in v]
    for batch in (originals, copies):
        for partition in (0, 1):
            run(produce(worker_env.bootstrap, topics["raw"], [(None, v) for p, v in batch if p == partition],
                        partition=partition))
        # First-seen order is the order the index partition receives articles: let originals land first.
        run(read_all(worker_env.bootstrap, [topics["events"], topics["clean"]], expect=len(originals), settle=1.0))
    out = run(read_all(worker_env.bootstrap, [topics["clean"], topics["events"]],
                       expect=len(originals) + len(copies)))
    assert isinstance(out, dict)
    decisions: dict[str, tuple[str, str | None, str]] = {}
    for record in out[topics["clean"]]:
        decisions[record["id"]] = (record["dedup"]["status"], record["dedup"]["duplicate_of"],
                                   record["dedup"]["cluster_id"])
    for event in out[topics["events"]]:
        assert not schemas.problems("dedup-event", event)
        if event["type"] != "self_repetition":
            decisions[event["article_id"]] = (event["type"], event["duplicate_of"], event["cluster_id"])
    for w in started:
        assert w.stop() == 0, w.log_tail()
    return decisions


def test_two_workers_decide_like_one_on_a_two_partition_topic(
    kafka_bootstrap: str, unique_name: Callable[[str], str], tmp_path: Path, workers: list[Worker]
) -> None:
    inputs = _inputs_split_over_partitions()
    one = _decisions(WorkerEnv(kafka_bootstrap, unique_name("one"), tmp_path / "one"), inputs, 1, workers)
    two = _decisions(WorkerEnv(kafka_bootstrap, unique_name("two"), tmp_path / "two"), inputs, 2, workers)
    assert one == two
    _assert_story_decisions(one, inputs)


def test_the_index_stage_inline_decides_like_in_its_own_process(
    kafka_bootstrap: str, unique_name: Callable[[str], str], tmp_path: Path, workers: list[Worker]
) -> None:
    # The default runs the index stage in a child process (covered by every other test); the
    # NEWSDEDUP_INDEX_PROCESS=inline setting keeps it in the worker's event loop, for a single core.
    inputs = _inputs_split_over_partitions()
    worker_env = WorkerEnv(kafka_bootstrap, unique_name("inline"), tmp_path,
                           extra={"NEWSDEDUP_INDEX_PROCESS": "inline"})
    decisions = _decisions(worker_env, inputs, 1, workers)
    _assert_story_decisions(decisions, inputs)


def _assert_story_decisions(decisions: dict[str, tuple[str, str | None, str]],
                            inputs: list[tuple[int, bytes]]) -> None:
    assert len(decisions) == len(inputs)
    for name in STORIES:
        assert decisions[f"{name}-orig"] == ("unique", None, f"{name}-orig")
        assert decisions[f"{name}-exact"] == ("exact_duplicate", f"{name}-orig", f"{name}-orig")
        assert decisions[f"{name}-edit"][0] == "near_duplicate"
        assert decisions[f"{name}-edit"][2] == f"{name}-orig"


def test_kill9_mid_stream_loses_nothing_and_publishes_nothing_twice(
    worker_env: WorkerEnv, workers: list[Worker]
) -> None:
    worker_env.raw_partitions = 1
    topics = worker_env.topics
    total = 1000
    # Unrelated random texts: every one of them must come out on the clean topic exactly once.
    messages = unrelated_articles("k", total, seed=7)
    first = start(worker_env, workers, "first")

    async def crash_mid_stream() -> int:
        producing = asyncio.create_task(produce(worker_env.bootstrap, topics["raw"], messages, rate=100.0))
        # Kill the worker once it has published some articles, while articles are still arriving.
        seen = await wait_for_records(worker_env.bootstrap, topics["clean"], at_least=50, wait=60)
        first.kill9()
        await producing
        return seen

    seen = run(crash_mid_stream())
    assert isinstance(seen, int)
    assert 50 <= seen < total, "the crash should come in the middle of the stream"
    start(worker_env, workers, "second")
    out = run(read_all(worker_env.bootstrap, [topics["clean"], topics["dlq"]], expect=total, wait=120))
    assert isinstance(out, dict)
    assert_each_published_once(out, topics, {f"k{i}" for i in range(total)})


def test_the_index_changes_hands_mid_stream_without_loss_or_repeats(
    worker_env: WorkerEnv, workers: list[Worker]
) -> None:
    # A second worker joins while articles stream in (a rebalance of the index group during transactions),
    # then the first stops cleanly (the index moves to the second, also mid-stream).
    worker_env.raw_partitions = 1
    topics = worker_env.topics
    total = 900
    messages = unrelated_articles("h", total, seed=13)
    first = start(worker_env, workers, "first")

    async def hand_over_mid_stream() -> None:
        producing = asyncio.create_task(produce(worker_env.bootstrap, topics["raw"], messages, rate=100.0))
        await wait_for_records(worker_env.bootstrap, topics["clean"], at_least=100, wait=60)
        await asyncio.to_thread(start, worker_env, workers, "second")
        await wait_for_records(worker_env.bootstrap, topics["clean"], at_least=700, wait=60)
        assert await asyncio.to_thread(first.stop) == 0, first.log_tail()
        await producing

    run(hand_over_mid_stream())
    out = run(read_all(worker_env.bootstrap, [topics["clean"], topics["dlq"]], expect=total, wait=120))
    assert isinstance(out, dict)
    assert_each_published_once(out, topics, {f"h{i}" for i in range(total)})


def test_index_survives_a_crash_and_flags_copies_of_articles_seen_before_it(
    worker_env: WorkerEnv, workers: list[Worker]
) -> None:
    topics = worker_env.topics
    first = start(worker_env, workers, "first")
    originals = [(None, article(f"{name}-orig", text)) for name, text in STORIES.items()]
    run(produce(worker_env.bootstrap, topics["raw"], originals))
    run(read_all(worker_env.bootstrap, [topics["clean"]], expect=len(originals)))
    first.kill9()
    started = time.monotonic()
    start(worker_env, workers, "second")
    copies = [(None, article(f"{name}-copy", lightly_edited(text), source="paper"))
              for name, text in STORIES.items()]
    run(produce(worker_env.bootstrap, topics["raw"], copies))
    out = run(read_all(worker_env.bootstrap, [topics["events"]], expect=len(copies), wait=90))
    assert isinstance(out, dict)
    found = {e["article_id"]: e for e in out[topics["events"]]}
    for name in STORIES:
        event = found[f"{name}-copy"]
        assert event["type"] == "near_duplicate"
        assert event["duplicate_of"] == f"{name}-orig"
    assert time.monotonic() - started < 120
