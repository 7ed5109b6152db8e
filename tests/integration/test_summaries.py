"""The stories and statistics topics agree with the clean and events topics, on the real broker, across a kill -9
of the worker that owns the index and a take-over by another.

The feed (storyfeed.py: stories republished by ten outlets, copies, rewrites, redeliveries) is streamed with
a few bad inputs among it. The worker that owns the index is killed with -9 early on, two workers start
(one takes the index over from the state topic, the other stands by), and once the second half of the feed
streams in, the owner stops cleanly, so that the other takes over while articles still arrive. Everything is
read back read_committed, the last value per key of the compacted topics, and checked against the
decisions on the clean and events topics:

* per story: its members by status and by outlet equal the decided articles of that cluster (a member
  counted twice, or lost, across a crash would show), and the representative is the best member under the
  source priority (a copy from a preferred outlet that arrived later took over, and said so);
* per minute and source: the counts of each finding equal the events of that minute, and over all minutes
  every status and dead letter per source equals what was decided (a minute lost or doubled would show).
"""

from __future__ import annotations

import asyncio
import base64
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from newsdedup import schemas
from newsdedup.app.stages import source_of
from newsdedup.app.topics import partitions_of
from newsdedup.core.minute_stats import COUNTERS, UNKNOWN_SOURCE, minute_of
from newsdedup.core.stories import Member, Policy, representative
from tests.integration.harness import (
    STORIES,
    Worker,
    WorkerEnv,
    article,
    lightly_edited,
    produce,
    read_all,
    start,
    wait_for_records,
)
from tests.integration.storyfeed import recovery_feed
from tests.integration.test_recovery_decisions import index_owner

FEED = recovery_feed()
PRIORITY = ("plateau-news", "coast-bulletin")  # two of the feed's outlets: their later copies take stories over
STATUSES = ("unique", "exact_duplicate", "near_duplicate", "same_story")
Keyed = dict[str, dict[str, Any] | None]


def inputs() -> list[tuple[bytes | None, bytes]]:
    """The feed in order, with a bad input after every 80th article: unreadable, or without a body."""
    out: list[tuple[bytes | None, bytes]] = []
    for n, item in enumerate(FEED):
        out.append((None, orjson.dumps(item)))
        if n % 80 == 40:
            bad = b"{not json" if n % 160 == 40 else orjson.dumps({"id": f"bad-{n}", "source": "gulf-post"})
            out.append((None, bad))
    return out


async def read_keyed(bootstrap: str, topic: str) -> tuple[Keyed, list[dict[str, Any]]]:
    """The last value per key of a topic (None: a tombstone), read_committed up to its end as of now, and every
    record in order. Call it once the outputs it is compared with are there: they were committed together."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, isolation_level="read_committed",
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    last: Keyed = {}
    every: list[dict[str, Any]] = []
    try:
        tps = [TopicPartition(topic, p) for p in await partitions_of(bootstrap, topic)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            for records in (await consumer.getmany(*tps, timeout_ms=1000)).values():
                for record in records:
                    value = None if record.value is None else orjson.loads(record.value)
                    last[(record.key or b"").decode()] = value
                    if value is not None:
                        every.append(value)
    finally:
        await consumer.stop()
    return last, every


def decisions(out: dict[str, list[dict[str, Any]]], topics: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Article id -> (status, cluster, source, detected minute or None) as the clean and events topics say."""
    found: dict[str, dict[str, Any]] = {}
    for record in out[topics["clean"]]:
        dedup = record["dedup"]
        assert record["id"] not in found, f"{record['id']} published twice"
        found[record["id"]] = {"status": dedup["status"], "cluster": dedup["cluster_id"], "source": record["source"]}
    for event in out[topics["events"]]:
        if event["type"] in ("exact_duplicate", "near_duplicate"):  # held back: their event is their only output
            assert event["article_id"] not in found, f"{event['article_id']} decided twice"
            found[event["article_id"]] = {"status": event["type"], "cluster": event["cluster_id"],
                                          "source": event["source"]}
    return found


def test_stories_and_stats_agree_with_the_outputs_across_a_kill9_and_a_take_over(
    worker_env: WorkerEnv, workers: list[Worker]
) -> None:
    worker_env.raw_partitions = 1
    worker_env.extra["NEWSDEDUP_WINDOW_HOURS"] = "100000"  # nothing leaves: every decided article is a member
    worker_env.extra["NEWSDEDUP_STORY_SOURCE_PRIORITY"] = ",".join(PRIORITY)
    topics = worker_env.topics
    messages = inputs()
    first = start(worker_env, workers, "first")

    async def stream_with_crash_and_take_over() -> None:
        go_on = asyncio.Event()  # the second half of the feed waits for the workers that take over

        async def send() -> None:
            cut = len(messages) // 2
            await produce(worker_env.bootstrap, topics["raw"], messages[:cut], rate=60.0)
            await go_on.wait()
            await produce(worker_env.bootstrap, topics["raw"], messages[cut:], rate=60.0)

        producing = asyncio.create_task(send())
        await wait_for_records(worker_env.bootstrap, topics["clean"], at_least=120, wait=90)
        first.kill9()
        second, third = await asyncio.gather(asyncio.to_thread(start, worker_env, workers, "second"),
                                             asyncio.to_thread(start, worker_env, workers, "third"))
        owner = await asyncio.to_thread(index_owner, [second, third])
        seen = await wait_for_records(worker_env.bootstrap, topics["clean"], at_least=0, wait=1)
        go_on.set()
        await wait_for_records(worker_env.bootstrap, topics["clean"], at_least=seen + 25, wait=90)
        assert not producing.done(), "the hand-over should come while articles still arrive"
        assert await asyncio.to_thread(owner.stop) == 0, owner.log_tail()
        await producing

    asyncio.run(stream_with_crash_and_take_over())
    bad = len(messages) - len(FEED)
    out = asyncio.run(read_all(worker_env.bootstrap, [topics["clean"], topics["events"], topics["dlq"]],
                               expect=len(FEED), wait=120, settle=3.0))
    decided = decisions(out, topics)
    assert set(decided) == {a["id"] for a in FEED}
    assert len(out[topics["dlq"]]) == bad
    stories, story_records = asyncio.run(read_keyed(worker_env.bootstrap, topics["stories"]))
    stats, _ = asyncio.run(read_keyed(worker_env.bootstrap, topics["stats"]))
    assert_stories_agree(stories, story_records, decided)
    assert_stats_agree(stats, decided, out, topics)


def assert_stories_agree(stories: Keyed, records: list[dict[str, Any]], decided: dict[str, dict[str, Any]]) -> None:
    members: dict[str, list[str]] = defaultdict(list)
    for article_id, d in decided.items():
        members[d["cluster"]].append(article_id)
    assert set(stories) == set(members)
    first_seen: dict[str, int] = {}
    for n, item in enumerate(FEED):
        first_seen.setdefault(item["id"], n)
    policy = Policy(PRIORITY)
    problems = []
    for story_id, ids in members.items():
        story = stories[story_id]
        assert story is not None, f"story {story_id} has a tombstone"
        want_status = Counter(decided[i]["status"] for i in ids)
        want = {"members": len(ids), "by_status": {s: want_status[s] for s in STATUSES},
                "sources": dict(Counter(decided[i]["source"] for i in ids))}
        got = {"members": story["members"], "by_status": story["by_status"], "sources": story["sources"]}
        if got != want:
            problems.append(f"{story_id}: stories topic {got}, decisions {want}")
        best = representative((Member(i, decided[i]["source"], decided[i]["status"], 0.0, first_seen[i], 0)
                               for i in ids), policy)
        if story["representative"]["article_id"] != best.article_id:
            problems.append(f"{story_id}: representative {story['representative']['article_id']}, "
                            f"policy says {best.article_id}")
        if story["latest"]["article_id"] not in ids:
            problems.append(f"{story_id}: latest {story['latest']['article_id']} is not a member")
    assert not problems, f"{len(problems)} stories disagree:\n" + "\n".join(problems[:10])
    for record in records:
        assert not schemas.problems("story", record), schemas.problems("story", record)[:3]
    # The policy mattered: preferred outlets' later copies took stories over, and those records said so.
    changed = [r for r in records if r["representative_changed"]]
    assert len(changed) >= 5
    assert all(r["representative"]["source"] in PRIORITY for r in changed)
    assert sum(1 for s in stories.values() if s and s["representative"]["article_id"] != s["story_id"]) >= 5


def assert_stats_agree(stats: Keyed, decided: dict[str, dict[str, Any]], out: dict[str, list[dict[str, Any]]],
                       topics: dict[str, str]) -> None:
    rows = [row for row in stats.values() if row is not None]
    for row in rows:
        assert not schemas.problems("stats", row), schemas.problems("stats", row)[:3]
    by_source = [row for row in rows if row["source"] is not None]
    service = {row["minute"]: row for row in rows if row["source"] is None}
    # Every status per source, over all minutes: each decision counted once.
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    for row in by_source:
        totals[row["source"]].update({c: row[c] for c in COUNTERS})
    want: dict[str, Counter[str]] = defaultdict(Counter)
    for d in decided.values():
        want[d["source"]].update({"articles": 1, d["status"]: 1})
    for letter in out[topics["dlq"]]:
        want[source_of(base64.b64decode(letter["value_b64"])) or UNKNOWN_SOURCE]["dead_letters"] += 1
    for source, counts in want.items():
        for counter in ("articles", *STATUSES, "dead_letters"):
            assert totals[source][counter] == counts[counter], (source, counter, totals[source][counter], counts)
    # Per minute: the findings of each source equal the events detected in that minute.
    events: Counter[tuple[str, str, str]] = Counter()
    for event in out[topics["events"]]:
        when = minute_of(datetime.fromisoformat(event["detected_at"].replace("Z", "+00:00")))
        events[when, event["source"], event["type"]] += 1
    for row in by_source:
        for kind in ("exact_duplicate", "near_duplicate", "same_story", "self_repetition"):
            assert row[kind] == events[row["minute"], row["source"], kind], (row, kind)
    # The service row of each minute sums its sources and measured every input it counted.
    for minute, row in service.items():
        of_minute = [r for r in by_source if r["minute"] == minute]
        for counter in COUNTERS:
            assert row[counter] == sum(r[counter] for r in of_minute), (minute, counter)
        assert row["latency_ms"]["count"] == row["articles"] + row["dead_letters"]
        assert row["latency_ms"]["p50"] <= row["latency_ms"]["p99"] <= row["latency_ms"]["max"]
    assert len(service) >= 1


def test_a_copy_from_a_preferred_source_takes_the_story_over_and_nothing_is_republished(
    worker_env: WorkerEnv, workers: list[Worker]
) -> None:
    worker_env.extra["NEWSDEDUP_STORY_SOURCE_PRIORITY"] = "Reuters"
    topics = worker_env.topics
    start(worker_env, workers, "w")

    def events_after(count: int) -> list[dict[str, Any]]:
        return asyncio.run(read_all(worker_env.bootstrap, [topics["events"]], expect=count, wait=90))[topics["events"]]

    text = STORIES["storm"]
    sent = [(None, article("storm-local", text, source="local-paper", title="Storm closes schools")),
            (None, article("storm-blog", lightly_edited(text), source="blog", title="Storm"))]
    asyncio.run(produce(worker_env.bootstrap, topics["raw"], sent))
    assert len(events_after(1)) == 1
    later = [(None, article("storm-reuters", lightly_edited(text).replace("Monday", "Monday morning"),
                            source="reuters", title="Storm shuts coastal schools", url="https://reuters.example/s"))]
    asyncio.run(produce(worker_env.bootstrap, topics["raw"], later))
    assert len(events_after(2)) == 2
    last, records = asyncio.run(read_keyed(worker_env.bootstrap, topics["stories"]))
    story = last["storm-local"]
    assert story is not None
    assert story["representative"] == {"article_id": "storm-reuters", "source": "reuters",
                                       "title": "Storm shuts coastal schools", "url": "https://reuters.example/s"}
    assert story["representative_changed"] is True
    assert story["members"] == 3
    assert [r["representative"]["article_id"] for r in records[:-1]] == ["storm-local"] * (len(records) - 1)
    assert not any(r["representative_changed"] for r in records[:-1])
    clean = asyncio.run(read_all(worker_env.bootstrap, [topics["clean"]], expect=1, wait=10))[topics["clean"]]
    assert [r["id"] for r in clean] == ["storm-local"]  # the copies stay held back: nothing republished
