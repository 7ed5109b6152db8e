"""The dashboard's Kafka side: one consumer per topic feeding records into the DashboardState.

No consumer group: the dashboard commits nothing and every replica reads every partition. The
compacted topics (stories, stats) are read from their beginning, which is their current state; the
events topic from an hour back, as far as the page looks. A topic that does not exist yet (a worker
that has not created it) is waited for, so the page shows the other topics meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaConnectionError

from newsdedup.dashboard.state import HOUR_MINUTES, DashboardState
from newsdedup.errors import KafkaUnreachable

log = logging.getLogger(__name__)
_TOPIC_POLL_SECONDS = 2.0
_MAX_FETCH_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class TopicRole:
    """A topic the dashboard reads, its role in the state, and whether it is compacted (read from the start)."""

    name: str
    role: str
    from_start: bool


class TopicFollower:
    """Reads one topic into the state until stopped."""

    def __init__(self, bootstrap: str, topic: TopicRole, state: DashboardState, clock: Callable[[], datetime],
                 options: dict[str, Any]) -> None:
        self.bootstrap, self.topic, self.state, self.clock = bootstrap, topic, state, clock
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
            isolation_level="read_committed", max_partition_fetch_bytes=_MAX_FETCH_BYTES, **options,
        )
        self.records = 0

    async def start(self) -> None:
        """Connect, or raise KafkaUnreachable."""
        try:
            await self.consumer.start()
        except KafkaConnectionError as exc:
            await self.consumer.stop()
            raise KafkaUnreachable(self.bootstrap) from exc

    async def run(self) -> None:
        """Wait for the topic, place the read position, then read every record into the state as it comes."""
        try:
            partitions = await self._wait_for_partitions()
            self.consumer.assign(partitions)
            await self._seek(partitions)
            while True:
                batches = await self.consumer.getmany(timeout_ms=500, max_records=5000)
                now = self.clock()
                for messages in batches.values():
                    for message in messages:
                        self.state.read(self.topic.role, message.key, message.value, now)
                        self.records += 1
        finally:
            await self.consumer.stop()

    async def _wait_for_partitions(self) -> list[TopicPartition]:
        waited = False
        while True:
            found = self.consumer.partitions_for_topic(self.topic.name)
            if not found:
                await self.consumer._client.force_metadata_update()
                found = self.consumer.partitions_for_topic(self.topic.name)
            if found:
                return [TopicPartition(self.topic.name, p) for p in sorted(found)]
            if not waited:
                log.warning("topic %s does not exist yet: its part of the page stays empty until it does",
                            self.topic.name)
                waited = True
            await asyncio.sleep(_TOPIC_POLL_SECONDS)

    async def _seek(self, partitions: list[TopicPartition]) -> None:
        if self.topic.from_start:
            await self.consumer.seek_to_beginning(*partitions)
            return
        since = int((self.clock() - timedelta(minutes=HOUR_MINUTES)).timestamp() * 1000)
        offsets = await self.consumer.offsets_for_times({tp: since for tp in partitions})
        for tp in partitions:
            found = offsets.get(tp)
            if found is None:  # nothing that recent: only what comes from now on
                await self.consumer.seek_to_end(tp)
            else:
                self.consumer.seek(tp, found.offset)
