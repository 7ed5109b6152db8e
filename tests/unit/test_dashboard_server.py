"""The dashboard's web side without Kafka: the page and its assets, the snapshot, the live stream, the command."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from datetime import UTC, datetime

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer

from newsdedup.dashboard.server import ASSETS, Publisher, build_app
from newsdedup.dashboard.state import DashboardState
from newsdedup.localkafka import free_port
from tests.unit.dashboard_records import stats_row

NOW = datetime(2026, 12, 2, 18, 30, tzinfo=UTC)


def test_the_page_loads_nothing_from_elsewhere() -> None:
    for name in ("dashboard.html", "dashboard.js", "dashboard.css"):
        text = (ASSETS / name).read_text(encoding="utf-8")
        # The SVG namespace is a name, not a download.
        found = re.findall(r"(?:https?:)?//[\w.-]+\.\w+[^\s\"'`)]*", text)
        remote = [u for u in found if "www.w3.org/2000/svg" not in u]
        assert remote == [], f"{name} refers to {remote}"
        assert "@import" not in text
        assert "@font-face" not in text


@pytest.mark.asyncio
async def test_the_page_the_snapshot_and_a_pushed_update() -> None:
    state = DashboardState()
    publisher = Publisher(state, lambda: NOW, tick_seconds=0.05)
    async with TestClient(TestServer(build_app(publisher))) as client:
        page = await client.get("/")
        assert "dashboard.js" in await page.text()
        for asset, kind in (("/dashboard.js", "javascript"), ("/dashboard.css", "css")):
            response = await client.get(asset)
            assert response.status == 200
            assert kind in response.headers["Content-Type"]
        assert orjson.loads(await (await client.get("/api/snapshot")).read())["totals"]["articles"] == 0

        ticker = asyncio.create_task(publisher.run())
        try:
            stream = await client.get("/api/stream")
            first = await stream.content.readuntil(b"\n\n")
            assert orjson.loads(first.removeprefix(b"data: "))["totals"]["articles"] == 0
            state.read("stats", *stats_row(NOW, "reuters", 12), NOW)
            second = await asyncio.wait_for(stream.content.readuntil(b"\n\n"), 5)
            assert orjson.loads(second.removeprefix(b"data: "))["totals"]["articles"] == 12
            publisher.close()  # on shutdown: open streams end at once instead of holding the server
            assert await asyncio.wait_for(stream.content.read(), 5) == b""
        finally:
            ticker.cancel()


def test_the_command_says_when_the_broker_is_unreachable() -> None:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}"}
    done = subprocess.run([sys.executable, "-m", "newsdedup", "dashboard", "--port", "0"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "cannot reach Kafka at 127.0.0.1:" in done.stderr
    assert "Traceback" not in done.stderr
