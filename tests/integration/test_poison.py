"""A poison message, one that makes the index stage raise, becomes a dead letter once and the stream moves on."""

from __future__ import annotations

import asyncio
import base64
import time

import orjson

from newsdedup import schemas
from tests.integration.harness import (
    STORIES,
    Worker,
    WorkerEnv,
    article,
    assert_each_published_once,
    produce,
    read_all,
    start,
    unrelated_articles,
)

POISON = "poison-1"


def test_an_article_that_makes_the_index_stage_raise_is_a_dead_letter_once(
    worker_env: WorkerEnv, workers: list[Worker]
) -> None:
    worker_env.extra["NEWSDEDUP_TEST_FAIL_ARTICLE_ID"] = POISON
    worker = start(worker_env, workers, "w1")
    before = unrelated_articles("before-", 20, seed=1)
    after = unrelated_articles("after-", 20, seed=2)
    poison = article(POISON, STORIES["storm"])
    # The same text under another id: the poison's half-made insertion was undone by the restore, so this
    # is the first of its story and unique, not a copy of an article nobody ever saw published.
    twin = article("storm-twin", STORIES["storm"])
    values = [*before, (POISON.encode(), poison), *after, (b"storm-twin", twin)]
    t = worker_env.topics
    started = time.monotonic()
    asyncio.run(produce(worker_env.bootstrap, t["raw"], values, partition=0))
    out = asyncio.run(read_all(worker_env.bootstrap, [t["clean"], t["dlq"]], expect=len(values), wait=90))
    took = time.monotonic() - started

    [letter] = out[t["dlq"]]
    assert not schemas.problems("dead-letter", letter)
    assert letter["error"]["kind"] == "processing"
    assert letter["error"]["exception"] == "InjectedFailure"
    assert "test hook" in letter["error"]["message"]
    assert base64.b64decode(letter["value_b64"]) == poison
    out[t["dlq"]] = []
    expected = {orjson.loads(v)["id"] for _, v in values} - {POISON}
    assert_each_published_once(out, t, expected)
    twin_record = next(r for r in out[t["clean"]] if r["id"] == "storm-twin")
    assert twin_record["dedup"]["status"] == "unique"

    log = worker.log_path.read_text(encoding="utf-8")
    assert log.count("an article cannot be decided or published") == 1, worker.log_tail()
    health = orjson.loads(worker.get("/health"))
    assert health["status"] == "ok", health
    assert took < 60, f"{took:.0f} s: the poison held the stream up"
