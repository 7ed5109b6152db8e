"""The dashboard's web side: one page, its script and style from package data, a snapshot, a live stream.

The page loads everything from this server (no CDN, no web fonts). Updates are Server-Sent Events:
once per tick, when the state moved (or the minute turned, which moves the charts), the whole bounded
snapshot is built once and sent to every open page. A whole snapshot rather than deltas: it is a few
tens of kB whatever the feed's size (top stories, the last findings, one hour of minutes), and a page
that missed a message is right again at the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import orjson
from aiohttp import web

from newsdedup.dashboard.records import epoch_minute
from newsdedup.dashboard.state import DashboardState

ASSETS = Path(__file__).resolve().parents[1] / "data"
_PAGES = {
    "/": ("dashboard.html", "text/html"),
    "/dashboard.js": ("dashboard.js", "text/javascript"),
    "/dashboard.css": ("dashboard.css", "text/css"),
}
# A comment line keeps idle connections open through proxies and lets a closed page be noticed.
_KEEPALIVE_SECONDS = 15.0


class Publisher:
    """Builds the snapshot once per tick and hands the same bytes to every page."""

    def __init__(self, state: DashboardState, clock: Callable[[], datetime], tick_seconds: float = 1.0) -> None:
        self.state, self.clock, self.tick_seconds = state, clock, tick_seconds
        self.latest = b""
        self.sequence = 0
        self._built_for: tuple[int, int] | None = None  # (state version, minute) of `latest`
        # Set, and replaced by a fresh one, whenever `latest` changes: every waiting page wakes once.
        self._published = asyncio.Event()
        self.closed = False

    def build(self) -> bytes:
        """The current snapshot as JSON bytes (rebuilt only when the state or the minute moved)."""
        now = self.clock()
        mark = (self.state.version, epoch_minute(now))
        if mark != self._built_for:
            self.latest = orjson.dumps(self.state.snapshot(now))
            self._built_for = mark
            self.sequence += 1
            published, self._published = self._published, asyncio.Event()
            published.set()
        return self.latest

    def current(self) -> bytes:
        """The snapshot of the last tick: many pages and requests cost one build per tick, not one each."""
        return self.latest or self.build()

    async def run(self) -> None:
        """Rebuild (and so publish) the snapshot each tick in which something changed."""
        while True:
            self.build()
            await asyncio.sleep(self.tick_seconds)

    def close(self) -> None:
        """Wake every open stream so that it ends: the server can then stop at once."""
        self.closed = True
        self._published.set()

    async def next_after(self, sequence: int, within: float) -> int:
        """Wait until a snapshot newer than `sequence` exists (or `within` s passed); return the newest sequence."""
        if self.sequence <= sequence and not self.closed:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(within):
                    await self._published.wait()
        return self.sequence


def build_app(publisher: Publisher) -> web.Application:
    """The aiohttp application: page, assets, /api/snapshot and /api/stream."""
    app = web.Application()

    async def asset(request: web.Request) -> web.Response:
        name, content_type = _PAGES[request.path]
        return web.Response(body=(ASSETS / name).read_bytes(), content_type=content_type,
                            headers={"Cache-Control": "no-cache"})

    async def snapshot(request: web.Request) -> web.Response:
        return web.Response(body=publisher.current(), content_type="application/json")

    async def stream(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)
        latest = publisher.current()
        sequence = publisher.sequence
        await response.write(b"data: " + latest + b"\n\n")
        with contextlib.suppress(ConnectionResetError):
            while not publisher.closed:
                newest = await publisher.next_after(sequence, _KEEPALIVE_SECONDS)
                if publisher.closed:
                    break
                if newest == sequence:
                    await response.write(b": keep-alive\n\n")
                    continue
                sequence = newest
                await response.write(b"data: " + publisher.latest + b"\n\n")
        return response

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "version": publisher.state.version})

    for path in _PAGES:
        app.router.add_get(path, asset)
    app.router.add_get("/api/snapshot", snapshot)
    app.router.add_get("/api/stream", stream)
    app.router.add_get("/health", health)
    return app
