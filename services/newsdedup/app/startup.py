"""Start-up before faust runs: wait for the broker and create the topics, answering /health meanwhile.

A worker started before its broker (a Compose file, a machine booting) waits for it instead of
exiting: it says so in its log at each attempt, and /health answers 503 with the reason, until the
broker answers and the topics exist. A broker that refuses the worker's credentials is not waited for.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiohttp import web
from aiokafka.errors import KafkaError

from newsdedup.errors import KafkaUnreachable

log = logging.getLogger("newsdedup.worker")
T = TypeVar("T")

_FIRST_RETRY_SECONDS = 1.0
_MAX_RETRY_SECONDS = 5.0


def _retriable(exc: BaseException) -> bool:
    """A failure that waiting can cure: no broker yet, or one still starting."""
    if isinstance(exc, KafkaUnreachable | TimeoutError):
        return True
    return isinstance(exc, KafkaError) and bool(getattr(exc, "retriable", False))


async def when_broker_answers(attempt: Callable[[], Awaitable[T]], bootstrap: str, host: str, port: int) -> T:
    """Run `attempt` until it succeeds or fails for a reason waiting cannot cure; serve a 503 /health meanwhile."""
    started = time.monotonic()
    delay = _FIRST_RETRY_SECONDS
    problem = ""
    runner: web.AppRunner | None = None

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "starting", "problem": problem}, status=503)

    try:
        while True:
            try:
                result = await attempt()
            except Exception as exc:
                if not _retriable(exc):
                    raise
                waited = time.monotonic() - started
                problem = (f"waiting for the Kafka broker at {bootstrap} ({waited:.0f} s so far): "
                           f"{type(exc).__name__}: {exc}")
                log.warning("the Kafka broker does not answer yet; the worker waits for it", extra={
                    "bootstrap": bootstrap, "error": f"{type(exc).__name__}: {exc}", "waited_seconds": round(waited, 1),
                    "retry_in_seconds": delay})
            else:
                if runner is not None:
                    log.info("the Kafka broker answers; starting",
                             extra={"waited_seconds": round(time.monotonic() - started, 1)})
                return result
            if runner is None:
                app = web.Application()
                app.router.add_get("/health", health)
                runner = web.AppRunner(app, access_log=None)
                await runner.setup()
                await web.TCPSite(runner, host, port, reuse_address=True).start()
            await asyncio.sleep(delay)
            delay = min(2 * delay, _MAX_RETRY_SECONDS)
    finally:
        if runner is not None:
            await runner.cleanup()  # the port is faust's from here on
