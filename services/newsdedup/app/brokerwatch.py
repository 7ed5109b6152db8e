"""Whether the Kafka broker answers: asked every few seconds, so that /health says so while it does not.

With the broker gone, the worker's clients wait and retry by themselves, and an idle worker would look
healthy: nothing it does fails until an article arrives. A metadata request every WATCH_SECONDS tells
/health (503, with the reason) and the log (once when the broker goes, once when it is back) what is
happening, from the moment it happens.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from aiokafka.client import AIOKafkaClient

log = logging.getLogger("newsdedup.worker")

WATCH_SECONDS = 2.0
_REQUEST_SECONDS = 5.0


class BrokerWatch:
    """Ask the broker for its metadata every WATCH_SECONDS; remember since when it has not answered."""

    def __init__(self, bootstrap: str, client_options: dict[str, Any] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.bootstrap = bootstrap
        self.client_options = client_options or {}
        self.clock = clock
        self.unreachable_since: float | None = None
        self.last_error: str | None = None

    def problem(self) -> str | None:
        """Why the broker counts as unreachable now, or None."""
        if self.unreachable_since is None:
            return None
        seconds = self.clock() - self.unreachable_since
        return (f"the Kafka broker at {self.bootstrap} has not answered for {seconds:.0f} s ({self.last_error}); "
                "the worker keeps its state and resumes by itself when it is back")

    def answered(self) -> None:
        """The broker answered a request."""
        if self.unreachable_since is not None:
            log.warning("the Kafka broker answers again", extra={
                "bootstrap": self.bootstrap, "unreachable_seconds": round(self.clock() - self.unreachable_since, 1)})
        self.unreachable_since, self.last_error = None, None

    def failed(self, error: str) -> None:
        """A request to the broker failed or timed out."""
        self.last_error = error
        if self.unreachable_since is None:
            self.unreachable_since = self.clock()
            log.error("the Kafka broker does not answer; /health fails until it does, the worker waits for it",
                      extra={"bootstrap": self.bootstrap, "error": error})

    async def run(self) -> None:
        """Watch until cancelled."""
        client: AIOKafkaClient | None = None
        try:
            while True:
                try:
                    if client is None:
                        client = AIOKafkaClient(bootstrap_servers=self.bootstrap,
                                                request_timeout_ms=int(_REQUEST_SECONDS * 1000),
                                                **self.client_options)
                        async with asyncio.timeout(_REQUEST_SECONDS):
                            await client.bootstrap()
                    async with asyncio.timeout(_REQUEST_SECONDS):
                        await client.fetch_all_metadata()
                except Exception as exc:
                    self.failed(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
                    broken, client = client, None
                    if broken is not None:
                        with contextlib.suppress(Exception):  # a broken client may fail to close; dropped anyway
                            await broken.close()
                else:
                    self.answered()
                await asyncio.sleep(WATCH_SECONDS)
        finally:
            if client is not None:
                await client.close()
