"""faust's aiokafka transport with the one consumer setting faust does not expose: the fetch wait.

faust-streaming 0.15 creates its worker consumer with fetch_max_wait_ms=1500. The worker's consumer is
also assigned faust's assignor-leader topic, which never receives data, and aiokafka keeps one fetch
in flight per broker: a fetch that holds only that idle partition then blocks the raw partitions for
up to 1.5 s, which docs/BENCHMARKS.md measured as 1.4 s jumps in latency. The subclasses below change
that number and nothing else; `WorkerApp` is a faust.App that uses them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka

# How long the broker may hold a fetch that finds no data (aiokafka's own default is 500 ms).
FETCH_MAX_WAIT_MS = 100


class ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    """faust's consumer thread, with FETCH_MAX_WAIT_MS for its aiokafka consumer."""

    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # Read by AIOKafkaConsumer.start() when it builds its fetcher, which has not happened yet.
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer


class Consumer(faust_aiokafka.Consumer):
    """faust's aiokafka consumer, running our ConsumerThread."""

    def _new_consumer_thread(self) -> ConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class Transport(faust_aiokafka.Transport):
    """faust's aiokafka transport with our Consumer."""

    Consumer = Consumer


class WorkerApp(faust.App):
    """A faust.App whose consumer transport is ours (the producer transport stays faust's).

    It also holds `stop_requested`: callables that `newsdedup worker` calls, on the event loop, with the
    worker's shutdown deadline (event-loop clock) as soon as a stop begins, before faust's own stop.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stop_requested: list[Callable[[float], None]] = []

    def _new_transport(self) -> Transport:
        return Transport(self.conf.broker_consumer, self)
