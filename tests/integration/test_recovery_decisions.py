"""Recovery keeps the decisions: the same feed with a kill -9 midway, or with the index handed over midway,
gets from the workers exactly the decisions an uninterrupted `newsdedup scan` gives it.

test_worker.py shows that nothing is lost or published twice across a crash; these tests show that what
is published is also what would have been published without the crash. The feed (storyfeed.py) spreads
copies of each story far behind it, so decisions after the crash depend on the index the crashed worker
left in the state topic, and its `published_at` grows with its order, so the window never depends on
when an article arrived. With one raw partition the index stage meets the articles in the feed's order,
which is the order the scan reads them in.

A decision is read where the worker publishes it: the clean record's whole `dedup` object (every article
with NEWSDEDUP_FORWARD_DUPLICATES=true, the unique ones otherwise) and the copy finding on the events
topic (type, duplicate_of, cluster_id, similarity and the rest, all but `detected_at`).
"""

from __future__ import annotations

import asyncio
import io
import time
import urllib.error
from collections import Counter
from typing import Any

import orjson
import pytest

from newsdedup.scan import scan_stream
from newsdedup.settings import load_settings
from tests.integration.harness import Worker, WorkerEnv, produce, read_all, start, wait_for_records
from tests.integration.storyfeed import recovery_feed

FEED = recovery_feed()
POSITION: dict[str, int] = {}  # article id -> where the feed first has it
for _n, _a in enumerate(FEED):
    POSITION.setdefault(_a["id"], _n)
WARM_UP = 40  # articles sent before the stream, and decided, so that the stream meets a running worker
HELD_BACK = 150  # the stream's last articles, sent only after the crash or the hand-over has begun

Records = dict[str, dict[str, Any]]  # article id -> its record
Events = dict[tuple[str, str], dict[str, Any]]  # (article id, event type) -> the event, without detected_at
Scan = tuple[Records, Events]


def messages(articles: list[dict[str, Any]]) -> list[tuple[bytes | None, bytes]]:
    """Raw-topic messages of articles, without keys (one raw partition)."""
    return [(None, orjson.dumps(a)) for a in articles]


def run(coro: object) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]


def scan_decisions(worker_env: WorkerEnv) -> Scan:
    """The scan's record per article id and event per (article id, type), with the workers' detection settings."""
    with pytest.MonkeyPatch.context() as env:
        for name, value in worker_env.env("scan").items():
            env.setenv(name, value)
        config = load_settings().detection()  # what the worker reads at start
    records, events = io.BytesIO(), io.BytesIO()
    feed = b"".join(orjson.dumps(a) + b"\n" for a in FEED)
    errors = io.StringIO()
    assert scan_stream(io.BytesIO(feed), records, events, config, errors) == 0, errors.getvalue()
    by_id: Records = {}
    for record in map(orjson.loads, records.getvalue().splitlines()):
        # A redelivery (same id and text) gets its first decision back; the worker publishes nothing for it.
        assert by_id.setdefault(record["id"], record) == record
    by_event: Events = {}
    for event in map(orjson.loads, events.getvalue().splitlines()):
        del event["detected_at"]
        assert by_event.setdefault((event["article_id"], event["type"]), event) == event
    return by_id, by_event


def assert_decisions_of_the_scan(out: dict[str, list[dict[str, Any]]], topics: dict[str, str],
                                 scan: Scan,
                                 forward_duplicates: bool) -> None:
    """Every article decided once, on the path its decision takes, and exactly as the scan decided it."""
    records, events = scan

    def where(article_id: str) -> str:
        return f"{article_id} (feed position {POSITION[article_id]}, {records[article_id]['feed_kind']})"

    problems = []
    for record in out[topics["clean"]]:
        want = records[record["id"]]
        if record["dedup"] != want["dedup"]:
            problems.append(f"{where(record['id'])}: worker {record['dedup']}, scan {want['dedup']}")
        elif record != want:  # beyond the decision, the clean record is the one the scan writes
            problems.append(f"{where(record['id'])}: the record differs from the scan's beyond its decision")
    for event in out[topics["events"]]:
        got = {k: v for k, v in event.items() if k != "detected_at"}
        wanted = events.get((event["article_id"], event["type"]))
        if got != wanted:
            problems.append(f"{where(event['article_id'])} {event['type']} event: worker {got}, scan {wanted}")
    # Decided once: on the clean topic once if the scan says it goes there, else not at all; each finding once.
    clean = Counter(r["id"] for r in out[topics["clean"]])
    on_clean = {i for i, r in records.items() if published(r, forward_duplicates)}
    problems += [f"{where(i)}: on the clean topic {clean[i]} times, expected {int(i in on_clean)}"
                 for i in sorted(records) if clean[i] != (i in on_clean)]
    found = Counter((e["article_id"], e["type"]) for e in out[topics["events"]])
    problems += [f"{where(i)}: {kind} event {found[i, kind]} times, expected {int((i, kind) in events)}"
                 for i, kind in sorted(set(events) | set(found)) if found[i, kind] != ((i, kind) in events)]
    problems += [f"dead letter: {d}" for d in out[topics["dlq"]]]
    assert not problems, (f"{len(problems)} differences from the uninterrupted scan's decisions:\n"
                          + "\n".join(problems[:12]))


def decided_against_earlier_state(records: Records, before: int) -> list[str]:
    """Ids of copies from feed position `before` on whose decision names an article before it."""
    return [
        i for i, r in records.items()
        if POSITION[i] >= before and r["dedup"]["status"] != "unique"
        and min(POSITION[r["dedup"]["duplicate_of"]], POSITION[r["dedup"]["cluster_id"]]) < before
    ]


# What the clean topic holds back by default (NEWSDEDUP_HOLD_BACK): copies; a rewrite (same_story) is published.
HELD_BACK_STATUSES = frozenset({"exact_duplicate", "near_duplicate"})


def published(record: dict[str, Any], forward_duplicates: bool) -> bool:
    """Whether the worker publishes this scan record on the clean topic."""
    return forward_duplicates or record["dedup"]["status"] not in HELD_BACK_STATUSES


def on_clean_count(records: Records, forward_duplicates: bool, ids: set[str] | None = None) -> int:
    """How many of the scan's records (of `ids`, else all) the worker publishes on the clean topic."""
    return sum(1 for i, r in records.items() if (ids is None or i in ids) and published(r, forward_duplicates))


def read_outputs(worker_env: WorkerEnv, scan: Scan,
                 forward_duplicates: bool) -> dict[str, list[dict[str, Any]]]:
    """Everything the workers published, once the expected number of records and events is there."""
    topics = worker_env.topics
    records, events = scan
    out = run(read_all(worker_env.bootstrap, [topics["clean"], topics["events"], topics["dlq"]],
                       expect=on_clean_count(records, forward_duplicates) + len(events), wait=90))
    assert isinstance(out, dict)
    return out


async def warm_up(worker_env: WorkerEnv, records: Records, forward_duplicates: bool) -> None:
    """Send the feed's first articles at once and wait until they are out: the worker has started its stages."""
    first = FEED[:WARM_UP]
    await produce(worker_env.bootstrap, worker_env.topics["raw"], messages(first))
    expect = on_clean_count(records, forward_duplicates, {a["id"] for a in first})
    assert await wait_for_records(worker_env.bootstrap, worker_env.topics["clean"], expect, wait=60) >= expect


def stream_the_rest(worker_env: WorkerEnv, rate: float, until: asyncio.Event) -> asyncio.Task[None]:
    """Send the rest of the feed in order at `rate` articles a second, in the background; the last
    HELD_BACK articles only once `until` is set, so that input still arrives after that moment."""
    rest = messages(FEED[WARM_UP:])

    async def send() -> None:
        await produce(worker_env.bootstrap, worker_env.topics["raw"], rest[:-HELD_BACK], rate=rate)
        await until.wait()
        await produce(worker_env.bootstrap, worker_env.topics["raw"], rest[-HELD_BACK:], rate=rate)

    return asyncio.create_task(send())


def index_owner(candidates: list[Worker], timeout: float = 30.0) -> Worker:
    """The one worker whose index process owns the index (/health), once exactly one says so."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        owners = []
        for w in candidates:
            try:
                state = orjson.loads(w.get("/health"))
            except urllib.error.HTTPError as failing:  # 503 while it joins or restores
                state = orjson.loads(failing.read())
            except OSError:
                state = {}
            if state.get("index_owner"):
                owners.append(w)
        if len(owners) == 1:
            return owners[0]
        time.sleep(0.2)
    raise AssertionError(f"no single index owner after {timeout} s")


def test_kill9_midway_gives_the_decisions_of_an_uninterrupted_run(
    worker_env: WorkerEnv, workers: list[Worker]
) -> None:
    worker_env.raw_partitions = 1
    worker_env.extra["NEWSDEDUP_FORWARD_DUPLICATES"] = "true"  # every decision, copies too, on the clean topic
    topics = worker_env.topics
    scan = scan_decisions(worker_env)
    first = start(worker_env, workers, "first")

    async def crash_midway() -> int:
        await warm_up(worker_env, scan[0], forward_duplicates=True)
        crashed = asyncio.Event()
        producing = stream_the_rest(worker_env, 80.0, until=crashed)
        await wait_for_records(worker_env.bootstrap, topics["clean"], at_least=300, wait=60)
        first.kill9()
        crashed.set()
        # With no worker alive, what is committed stays put: the first worker decided exactly these articles.
        committed = await read_all(worker_env.bootstrap, [topics["clean"]], expect=len(FEED), wait=2.0, settle=0.0)
        await asyncio.to_thread(start, worker_env, workers, "second")
        await producing
        return len(committed[topics["clean"]])

    crash_at = run(crash_midway())
    assert 300 <= crash_at <= len(FEED) - HELD_BACK, f"the crash came after {crash_at} of {len(FEED)} decisions"
    # The feed made the crash matter: many copies decided by the second worker name articles the first one saw.
    assert len(decided_against_earlier_state(scan[0], crash_at)) >= 30
    assert_decisions_of_the_scan(read_outputs(worker_env, scan, True), topics, scan, forward_duplicates=True)


def test_index_handed_over_midway_gives_the_decisions_of_an_uninterrupted_run(
    worker_env: WorkerEnv, workers: list[Worker]
) -> None:
    # A second worker joins while articles stream in (a rebalance during transactions), then the worker that
    # owns the index stops cleanly, also mid-stream: its open transaction is aborted and the other one takes
    # the index over from the state topic. Duplicates are held back from the clean topic, as by default.
    worker_env.raw_partitions = 1
    topics = worker_env.topics
    scan = scan_decisions(worker_env)
    first = start(worker_env, workers, "first")

    async def hand_over_midway() -> None:
        await warm_up(worker_env, scan[0], forward_duplicates=False)
        handing_over = asyncio.Event()
        producing = stream_the_rest(worker_env, 80.0, until=handing_over)
        second = await asyncio.to_thread(start, worker_env, workers, "second")
        owner = await asyncio.to_thread(index_owner, [first, second])
        handing_over.set()
        assert await asyncio.to_thread(owner.stop) == 0, owner.log_tail()
        await producing

    run(hand_over_midway())
    assert_decisions_of_the_scan(read_outputs(worker_env, scan, False), topics, scan, forward_duplicates=False)
