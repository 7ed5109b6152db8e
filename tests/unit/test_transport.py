"""The worker's faust app builds its aiokafka consumer with our fetch wait, everything else faust's."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdedup.app.transport import FETCH_MAX_WAIT_MS, ConsumerThread, Transport, WorkerApp
from newsdedup.app.worker import build_app
from newsdedup.settings import Settings


@pytest.mark.asyncio
async def test_worker_consumer_waits_at_most_the_fetch_wait(tmp_path: Path) -> None:
    app = build_app(Settings(app_id="transport-test", kafka_bootstrap_servers="127.0.0.1:1", data_dir=tmp_path))
    assert isinstance(app, WorkerApp)
    assert isinstance(app.transport, Transport)
    thread = getattr(app.consumer, "_thread", None)  # faust's consumer types do not declare it
    assert isinstance(thread, ConsumerThread)
    consumer = thread._create_worker_consumer(app.transport)  # built, not started: no connection made
    try:
        assert consumer._fetch_max_wait_ms == FETCH_MAX_WAIT_MS
        assert consumer._group_id == "transport-test"  # faust's own settings are kept
    finally:
        await consumer._client.close()
