"""Stage 1 in child processes gives the same envelopes as in the event loop, and survives a dead child."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from newsdedup.app.deadletter import Provenance
from newsdedup.app.envelope import Envelope
from newsdedup.app.prepare_pool import PreparePool
from newsdedup.app.stages import PrepareStage
from newsdedup.settings import Settings

ARRIVED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
BODY = "The central library reopens after two years of works. " * 8
GOOD = orjson.dumps({"id": "a1", "source": "wire", "body": BODY})
INPUTS = [GOOD, b"\xff\xfe not utf-8", b'{"id": "a2"}']


def _provenance(offset: int) -> Provenance:
    return Provenance("news.articles.raw", 0, offset, 1772438400000, b"k")


@pytest.mark.asyncio
async def test_child_processes_prepare_exactly_what_the_loop_would(tmp_path: Path) -> None:
    settings = Settings(prepare_processes=1, data_dir=tmp_path)
    pool = PreparePool(settings)
    inline = PrepareStage(settings)
    try:
        for offset, value in enumerate(INPUTS):
            got = await pool.run(value, _provenance(offset), ARRIVED)
            assert got == inline.run(value, _provenance(offset), ARRIVED).to_bytes()
        assert [Envelope.from_bytes(await pool.run(v, _provenance(i), ARRIVED)).kind for i, v in enumerate(INPUTS)] == [
            "article", "dead", "dead"]
    finally:
        pool.close()


@pytest.mark.asyncio
async def test_a_dead_child_is_replaced_and_its_message_still_prepared(tmp_path: Path) -> None:
    pool = PreparePool(Settings(prepare_processes=1, data_dir=tmp_path))
    try:
        first = await pool.run(GOOD, _provenance(0), ARRIVED)
        executor = pool._executor
        assert executor is not None
        for pid in list(executor._processes):  # the child, killed as the OOM killer would
            os.kill(pid, signal.SIGKILL)
        again = await pool.run(GOOD, _provenance(0), ARRIVED)
        assert again == first
        assert await pool.run(GOOD, _provenance(1), ARRIVED)  # and a new child takes the next one
        assert pool._executor is not None
        assert pool._executor is not executor
    finally:
        pool.close()


@pytest.mark.asyncio
async def test_zero_processes_prepares_in_the_loop(tmp_path: Path) -> None:
    pool = PreparePool(Settings(prepare_processes=0, data_dir=tmp_path))
    assert Envelope.from_bytes(await pool.run(GOOD, _provenance(0), ARRIVED)).kind == "article"
    assert pool._executor is None
