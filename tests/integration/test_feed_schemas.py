"""A whole replayed feed through a real worker: every output record validates against the published schemas."""

from __future__ import annotations

import asyncio
import csv
from collections import Counter
from datetime import UTC, datetime, timedelta

import orjson

from newsdedup import schemas
from tests.conftest import REPO_ROOT, saudi_articles, shared_root
from tests.integration.harness import Worker, WorkerEnv, produce, read_all, start
from tests.integration.test_summaries import read_keyed

SAMPLE_FEED = REPO_ROOT / "services" / "newsdedup" / "data" / "sample-feed.jsonl"
# Real articles when the corpora are beside the repository (CI has them): the first ones of the
# SaudiNewsNet archive, plus every article of the self-repetition case list (repeats found and kept,
# repeats removed), which is where a record's repetition annotation has the most to get right.
SAUDI_ARTICLES = 1200
LONG_AGO = datetime.now(UTC) - timedelta(hours=73)  # before the window of articles that arrive now


def _feed() -> list[bytes]:
    values = [line for line in SAMPLE_FEED.read_bytes().splitlines() if line.strip()]
    data = shared_root() / "data"
    if not (data / "saudinewsnet").is_dir():
        return values
    with (data / "saudinewsnet-self-repetition-cases.tsv").open(encoding="utf-8") as handle:
        cases = {row[0] for row in csv.reader(handle, delimiter="\t") if row and row[0].startswith("http")}
    for n, item in enumerate(saudi_articles(data)):
        if n < SAUDI_ARTICLES or item["url"] in cases:
            values.append(orjson.dumps({"id": item["url"], "source": item["source"], "title": item["title"],
                                        "body": item["content"], "url": item["url"]}))
    return values


def test_every_record_of_a_replayed_feed_validates(worker_env: WorkerEnv, workers: list[Worker]) -> None:
    env = worker_env
    env.extra["NEWSDEDUP_HOLD_BACK"] = ""  # hold back nothing: every record is checked
    t = env.topics
    start(env, workers, "feed")
    feed = _feed()
    ids = Counter(orjson.loads(value)["id"] for value in feed)
    asyncio.run(produce(env.bootstrap, t["raw"], [(None, value) for value in feed]))
    out = asyncio.run(read_all(env.bootstrap, [t["clean"], t["events"], t["dlq"]], expect=len(feed), wait=300))

    # Every input once on the clean topic (duplicates are forwarded); an id sent twice is decided once.
    published = Counter(record["id"] for record in out[t["clean"]])
    assert set(published) == set(ids)
    assert not out[t["dlq"]]
    repeating = 0
    for topic, schema in ((t["clean"], "clean-article"), (t["events"], "dedup-event")):
        for record in out[topic]:
            problems = schemas.problems(schema, record)
            assert not problems, (schema, record.get("id") or record.get("article_id"), problems[:3])
    for record in out[t["clean"]]:
        repetition = record["repetition"]
        assert repetition["detected"] == bool(repetition["spans"])  # no finding without its spans
        repeating += repetition["detected"]
    if len(feed) > SAUDI_ARTICLES:
        assert repeating >= 4  # the case list's articles that repeat themselves are cleaned
    # The summaries of the same feed: every story record and statistics row validates, and they count
    # every decided article once.
    stories, story_records = asyncio.run(read_keyed(env.bootstrap, t["stories"]))
    stats, _ = asyncio.run(read_keyed(env.bootstrap, t["stats"]))
    for schema, records in (("story", story_records), ("stats", [r for r in stats.values() if r is not None])):
        for record in records:
            problems = schemas.problems(schema, record)
            assert not problems, (schema, problems[:3])
    # The sample feed's articles are days old, the corpus's have no date (their arrival is their time): once
    # the corpus has arrived, the sample's stories have left the 72-hour window, with a tombstone each
    # (without the corpus nothing is newer than the sample, and nothing leaves).
    corpus = len(feed) > SAUDI_ARTICLES
    left = {item["id"] for item in map(orjson.loads, feed)
            if corpus and item.get("published_at") and datetime.fromisoformat(item["published_at"]) < LONG_AGO}
    assert sum(story["members"] for story in stories.values() if story is not None) == len(ids) - len(left)
    assert any(story is None for story in stories.values()) == bool(left)
    service_rows = [row for key, row in stats.items() if key.endswith("|") and row is not None]
    assert sum(row["articles"] for row in service_rows) == len(ids)
