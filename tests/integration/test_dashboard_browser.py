"""The dashboard against the test broker: where it starts reading, and in a real headless browser while a real
worker decides a replayed feed."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaProducer

from newsdedup.app.topics import TopicSpec, ensure_topics
from newsdedup.localkafka import free_port
from tests.integration.browser import Browser, Page, chromium_or_skip
from tests.integration.dashboard_feed import SAMPLE_FEED, decide_feed
from tests.integration.harness import Worker, WorkerEnv, produce, start

COMPACTED = {"cleanup.policy": "compact"}
Feed = Callable[[], Awaitable[dict[str, Any]]]


@pytest_asyncio.fixture
async def dashboard_topics(kafka_bootstrap: str, unique_name: Callable[[str], str]) -> dict[str, str]:
    """This test's stories, stats (compacted, as the contract has them) and events topics."""
    topics = {role: unique_name(role) for role in ("stories", "stats", "events")}
    await ensure_topics(kafka_bootstrap, [TopicSpec(topics["stories"], 1, COMPACTED),
                                          TopicSpec(topics["stats"], 1, COMPACTED), TopicSpec(topics["events"], 1)])
    return topics


@pytest_asyncio.fixture
async def earlier_records(kafka_bootstrap: str, dashboard_topics: dict[str, str]) -> None:
    """Records written before the dashboard starts: a story, an event of two hours ago and one of now."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        now_ms = int(time.time() * 1000)
        for article_id, at_ms in (("old-copy", now_ms - 2 * 3600 * 1000), ("new-copy", now_ms)):
            finding = {"event_id": article_id, "type": "exact_duplicate", "article_id": article_id, "source": "afp",
                       "cluster_id": "s1", "duplicate_of": "s1", "similarity": 1.0,
                       "detected_at": "2026-12-02T18:00:00Z", "details": {}}
            await producer.send_and_wait(dashboard_topics["events"], orjson.dumps(finding), key=b"s1",
                                         timestamp_ms=at_ms)
        await producer.send_and_wait(dashboard_topics["stories"], None, key=b"gone")  # a tombstone first
        await producer.send_and_wait(dashboard_topics["stories"], b"{}", key=b"bad")
    finally:
        await producer.stop()


def test_compacted_topics_are_read_from_the_start_and_events_from_an_hour_back(
    earlier_records: None, dashboard: str,  # in this order: the records are there before the dashboard starts
) -> None:
    deadline = time.monotonic() + 20
    while True:
        snapshot = orjson.loads(urllib.request.urlopen(dashboard + "api/snapshot", timeout=5).read())
        if (snapshot["findings"] and snapshot["errors"]["stories"]["count"]) or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert [f["article_id"] for f in snapshot["findings"]] == ["new-copy"]
    assert snapshot["errors"]["stories"]["count"] == 1  # the record `{}`, read from the topic's start
    assert snapshot["live_stories"] == 0


@contextmanager
def running_dashboard(bootstrap: str, topics: dict[str, str], log: Path) -> Iterator[str]:
    """`newsdedup dashboard` as a user runs it, on `topics`; yields the page's URL and checks a clean exit."""
    port = free_port()
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
           "NEWSDEDUP_TOPIC_STORIES": topics["stories"], "NEWSDEDUP_TOPIC_STATS": topics["stats"],
           "NEWSDEDUP_TOPIC_EVENTS": topics["events"]}
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "newsdedup", "dashboard", "--port", str(port),
                                    "--tick", "0.5"], env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "health", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the dashboard did not start:\n{log.read_text()}") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        assert process.returncode == 0, log.read_text()


@pytest.fixture
def dashboard(kafka_bootstrap: str, dashboard_topics: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """The dashboard on this test's own topics."""
    with running_dashboard(kafka_bootstrap, dashboard_topics, tmp_path / "dashboard.log") as url:
        yield url


@pytest.fixture
def feed_worker(worker_env: WorkerEnv, workers: list[Worker]) -> WorkerEnv:
    """A real worker on this test's topics (it creates them), publishing stories and stats.

    One raw partition, so that the worker decides the feed in file order, as `decide_feed` does.
    """
    worker_env.raw_partitions = 1
    start(worker_env, workers, "dashboard-feed")
    return worker_env


@pytest.fixture
def worker_dashboard(feed_worker: WorkerEnv, tmp_path: Path) -> Iterator[str]:
    """The dashboard on the worker's stories, stats and events topics."""
    with running_dashboard(feed_worker.bootstrap, feed_worker.topics, tmp_path / "dashboard.log") as url:
        yield url


@pytest.fixture
def dashboard_feed(feed_worker: WorkerEnv) -> Feed:
    """Replays the sample feed into the worker with `newsdedup replay`; returns what the page must show."""

    async def play() -> dict[str, Any]:
        replayed = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "newsdedup", "replay", str(SAMPLE_FEED), "--rate", "0", "--quiet",
            env=feed_worker.env("replay"), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        output, _ = await replayed.communicate()
        assert replayed.returncode == 0, output.decode(errors="replace")[-2000:]
        return decide_feed(SAMPLE_FEED).expected_view()

    return play


@pytest_asyncio.fixture
async def page(worker_dashboard: str, tmp_path: Path) -> AsyncIterator[Page]:
    """The worker's dashboard open in headless Chromium."""
    browser = Browser(chromium_or_skip(), tmp_path / "chromium-profile")
    try:
        opened = await browser.open(worker_dashboard)
        yield opened
    finally:
        await browser.close()


def text_of(selector: str) -> str:
    """A JavaScript expression: the text of the first element matching `selector`, or null."""
    return f"((document.querySelector({json.dumps(selector)}) || {{}}).textContent || null)"


@pytest.mark.asyncio
async def test_the_page_shows_the_feed_as_it_arrives_and_counts_bad_records(
    page: Page, dashboard_feed: Feed, feed_worker: WorkerEnv, tmp_path: Path,
) -> None:
    await page.wait_for(f"{text_of('#status')}?.startsWith('updated')")
    await page.wait_for(f"{text_of('#count-articles')} === '0'", within=5)

    expected = await dashboard_feed()  # the page is open: what follows arrives without a reload

    articles = str(expected["articles"])
    await page.wait_for(f"{text_of('#count-articles')} === {json.dumps(articles)}")
    widest = f"#stories li.story[data-story-id={json.dumps(expected['widest'])}]"
    await page.wait_for(f"!!document.querySelector({json.dumps(widest)})")
    outlets = await page.evaluate(f"[...document.querySelectorAll({json.dumps(widest + ' .outlet')})]"
                                  ".map(o => o.dataset.source).sort()")
    assert outlets == expected["outlets"]
    assert await page.evaluate(f"document.querySelector({json.dumps(widest)}).dataset.outlets") == str(
        len(expected["outlets"]))

    finding = expected["finding"]
    item = f"#findings li.finding[data-article-id={json.dumps(finding['article_id'])}]"
    shown = await page.wait_for(text_of(item))
    assert finding["duplicate_of"] in shown
    assert finding["details"]["evidence"]["reason"] in shown  # its evidence
    original = await page.evaluate(f"document.querySelector({json.dumps(item + ' a.original')}).getAttribute('href')")
    assert original == f"#story-{finding['cluster_id']}"  # the copy links to its original's story
    assert await page.evaluate(text_of("#repetitions li.repetition .after"))  # repetition: before and after

    assert await page.evaluate(text_of("#errors-stats")) == "0"
    await produce(feed_worker.bootstrap, feed_worker.topics["stats"], [(b"bad|", b"{this is not json")])
    await page.wait_for(f"{text_of('#errors-stats')} === '1'")
    assert await page.evaluate(text_of("#count-articles")) == articles  # the rest is still shown
    await page.screenshot(tmp_path / "dashboard.png")
