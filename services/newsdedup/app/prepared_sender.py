"""Stage 1's writer to the prepared topic: every envelope acknowledged, in raw-offset order, before its
input's offset may be committed.

The index stage drops an envelope whose raw offset is below the next one it expects (a replay after a
crash), so the prepared topic must never hold an input after a later input of the same partition
that was sent after it failed: that input would be dropped as a replay, i.e. lost. Sends are
therefore made as whole record batches, one chunk at a time: a Kafka record batch is written
entirely or not at all, and the next chunk goes only once the previous one is acknowledged. A failed
chunk is sent again, with a new producer (an idempotent producer that lost a batch is left with a gap
in its sequence numbers and refuses everything after it), until it is delivered or the worker stops;
meanwhile the agent does not move on, nothing past it is committed, and /health says why.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer

from newsdedup.app.budget import SizeBudget
from newsdedup.errors import EnvelopeTooLarge

log = logging.getLogger("newsdedup.prepare")

Item = tuple[bytes | None, bytes]  # (key, value)
_FIRST_RETRY_SECONDS = 0.2
_MAX_RETRY_SECONDS = 10.0


@dataclass
class SendHealth:
    """What /health and /metrics say about stage 1's sends."""

    failures_in_a_row: int = 0
    failures_total: int = 0
    last_error: str | None = None
    failing_since: float | None = None  # time.time() of the first failure of the current run of failures


class PreparedSender:
    """Deliver envelopes to the one-partition prepared topic in order, as record batches, retrying failures."""

    def __init__(self, bootstrap: str, topic: str, budget: SizeBudget,
                 producer_factory: Callable[[], AIOKafkaProducer] | None = None,
                 client_options: dict[str, Any] | None = None) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.budget = budget
        self.health = SendHealth()
        self.client_options = client_options or {}
        self._factory = producer_factory or self._new_producer
        self._producer: AIOKafkaProducer | None = None

    def _new_producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, acks="all", enable_idempotence=True,
            max_batch_size=self.budget.envelope + 1024, max_request_size=self.budget.producer_request,
            **self.client_options,
        )

    async def stop(self) -> None:
        """Close the producer (what was not acknowledged is sent again by the next run, from the raw topic)."""
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()

    async def send(self, items: Sequence[Item]) -> None:
        """Return once every item is acknowledged by the broker, in order; retry failures until then."""
        delay = _FIRST_RETRY_SECONDS
        while True:
            try:
                await self._send_once(items)
            except asyncio.CancelledError:
                raise
            except EnvelopeTooLarge:
                raise  # a bug upstream: retrying cannot help
            except Exception as exc:
                await self._failed(exc, len(items))
                await asyncio.sleep(delay)
                delay = min(2 * delay, _MAX_RETRY_SECONDS)
                continue
            if self.health.failures_in_a_row:
                log.info("sends to the prepared topic work again",
                         extra={"topic": self.topic, "failed_attempts": self.health.failures_in_a_row})
            self.health.failures_in_a_row = 0
            self.health.failing_since = None
            return

    async def _send_once(self, items: Sequence[Item]) -> None:
        if self._producer is None:
            producer = self._factory()
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        producer = self._producer
        position = 0
        while position < len(items):
            batch = producer.create_batch()
            start = position
            while position < len(items):
                key, value = items[position]
                if batch.append(key=key, value=value, timestamp=None) is None:
                    break
                position += 1
            if position == start:
                raise EnvelopeTooLarge(f"an envelope of {len(items[start][1])} bytes does not fit a record batch")
            # One batch at a time: the next is sent only once this one is written.
            delivery = await producer.send_batch(batch, self.topic, partition=0)
            await delivery

    async def _failed(self, exc: BaseException, count: int) -> None:
        health = self.health
        health.failures_in_a_row += 1
        health.failures_total += 1
        health.last_error = f"{type(exc).__name__}: {exc}"
        if health.failing_since is None:
            health.failing_since = time.time()
        log.error("sending to the prepared topic failed; sending again with a new producer (offsets are not "
                  "committed past it)", extra={"topic": self.topic, "envelopes": count, "error": health.last_error,
                                              "attempt": health.failures_in_a_row})
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await producer.stop()
            except Exception:  # a broken producer may fail to close; it is dropped either way
                log.warning("closing the failed producer failed", exc_info=True)
