"""Stage 2's Kafka loop: the single writer of the global index, exactly-once through Kafka transactions.

The prepared topic has one partition; every worker subscribes with the same group, so one worker owns
it and the others stand by. The owner reads committed envelopes in batches and, per batch, in one
transaction: publishes clean records, events and dead letters, writes the index changes to a
compacted state topic, and commits its input offsets. A crash anywhere leaves either all of a batch's
effects or none. On taking the partition, a worker rebuilds the index from the state topic first;
a new owner's producer (same transactional id) fences any zombie owner.

(faust-streaming's exactly_once ties each send to the transaction of the *destination* partition,
which never commits when a stage re-partitions N raw partitions into one: hence this loop.)
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import MessageSizeTooLargeError, RecordListTooLargeError, RecordTooLargeError
from aiokafka.structs import OffsetAndMetadata

from newsdedup.app.budget import SizeBudget
from newsdedup.app.codecs import decode, encode
from newsdedup.app.deadletter import Provenance, bounded_key, dead_letter
from newsdedup.app.metrics import IndexReport
from newsdedup.app.security import client_options
from newsdedup.app.stages import IndexOutput, IndexStage
from newsdedup.app.topics import Role, Topics, partitions_of
from newsdedup.errors import DeadLetterKind
from newsdedup.gcpolicy import CollectorPolicy
from newsdedup.settings import Settings

log = logging.getLogger("newsdedup.index")

# The most articles one transaction carries (also the most one fetch returns).
_MAX_TRANSACTION = 1000
# How long a take-over may go without polling the consumer (aiokafka's default is 5 minutes).
_MAX_RESTORE_MS = 60 * 60 * 1000
# After a failed transaction the next attempt waits this long, doubling up to the maximum.
_FIRST_RETRY_SECONDS = 0.5
_MAX_RETRY_SECONDS = 30.0
# An abort that takes longer than this is abandoned: the replacement producer fences the transaction.
_ABORT_SECONDS = 10.0
_TOO_LARGE = (MessageSizeTooLargeError, RecordListTooLargeError, RecordTooLargeError)
# A take-over reads back the statistics rows published this long before it (the open minutes, with room
# for the clocks of two workers to differ), so that it continues them (core/minute_stats.py).
_STATS_LOOKBACK_MS = 15 * 60 * 1000


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the article at a prepared-topic offset becomes a dead letter when its batch is decided again."""

    kind: DeadLetterKind  # TOO_LARGE or PROCESSING
    reason: str
    exception: str | None = None


class TransactionFailed(Exception):
    """A send of the transaction failed, or deciding an article raised: nothing of it may be committed."""

    def __init__(self, reason: str, refuse: dict[int, Refusal]) -> None:
        super().__init__(reason)
        self.reason = reason
        # prepared-topic offset -> why: articles to make dead letters when the batch is decided again
        self.refuse = refuse


@dataclass(slots=True)
class _Sent:
    """One send of a transaction and what it was for, so that a failure can be traced to its article."""

    future: asyncio.Future[object] | None  # None: the client refused it before sending
    topic: str
    size: int
    limit: int  # the budget's largest record for the topic
    offset: int | None  # of the envelope in the prepared topic
    article: str | None


class _Ownership(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, runner: IndexRunner) -> None:
        self.runner = runner

    # A release waits for the transaction in flight: stopping its producer under it would leave its abort
    # waiting for ever. `revoking` makes that transaction commit what it has at once instead of asking the
    # consumer for more, which during a rebalance waits for the new assignment, i.e. for this callback.
    # The take-over itself runs in IndexRunner.run, not here: aiokafka sends no heartbeats while a
    # listener runs, and restoring a large window takes longer than the session timeout.

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        self.runner.revoking = True
        try:
            async with self.runner.owning:
                self.runner.take_over_pending = False
                await self.runner.release()
        finally:
            self.runner.revoking = False

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        self.runner.take_over_pending = bool(assigned)
        if not self.runner.joined:
            self.runner.joined = True
            log.info("the index stage joined its consumer group", extra={"owner": bool(assigned)})
            if not assigned:
                self.runner.report(self.runner.status())  # standing by: ready now


class IndexRunner:
    """Consume envelopes, decide them with IndexStage, publish and persist transactionally."""

    def __init__(self, settings: Settings, report: Callable[[IndexReport], None]) -> None:
        self.settings = settings
        self.topics = topics = Topics.of(settings)
        self.report = report  # told after each transaction and on every change of ownership
        self.stage = IndexStage(settings)
        self.group_id = f"{settings.app_id}-index"
        self.transactional_id = f"{settings.app_id}-index"
        self.producer: AIOKafkaProducer | None = None
        self.consumer: AIOKafkaConsumer | None = None
        self.restore_seconds: float | None = None
        self.restoring = False
        self.revoking = False  # a revocation waits for the transaction in flight
        self.take_over_pending = False  # the index partition was assigned; run() takes it over
        self.joined = False  # the consumer has had its first assignment (possibly none: standing by)
        self.owning = asyncio.Lock()  # held by a transaction, a take-over or a release: one at a time
        self.collector = CollectorPolicy()
        self.budget = SizeBudget(settings.max_message_bytes)
        self.client_options = client_options(settings)  # built here: an SSL context does not cross the pipe
        self.limits = {topics.clean: self.budget.output, topics.events: self.budget.output,
                       topics.dlq: self.budget.dead_letter, topics.state: self.budget.state,
                       topics.stories: self.budget.output, topics.stats: self.budget.output}
        self.failures_in_a_row = 0
        self.failed_transactions = 0  # since the last report
        self.stuck: str | None = None  # why no transaction has committed lately, for /health
        self.refused: dict[int, Refusal] = {}  # prepared-topic offset -> why its article becomes a dead letter

    @property
    def owner(self) -> bool:
        """True while this worker owns the index partition."""
        return self.producer is not None

    async def run(self) -> None:
        """Run until cancelled."""
        bootstrap = self.settings.kafka_bootstrap_servers
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=self.group_id, isolation_level="read_committed",
            enable_auto_commit=False, auto_offset_reset="earliest",
            max_partition_fetch_bytes=self.budget.fetch,
            # Let the broker gather up to 64 KB (about five envelopes) for at most 10 ms per fetch: under
            # load each fetch then carries several articles instead of one, for at most 10 ms of latency.
            fetch_min_bytes=64 * 1024, fetch_max_wait_ms=10,
            # Restoring a large window (minutes at a million articles) happens between two polls.
            max_poll_interval_ms=_MAX_RESTORE_MS,
            **self.client_options,
        )
        self.consumer.subscribe([self.topics.prepared], listener=_Ownership(self))
        try:
            await self.consumer.start()  # inside: a stop during start-up still closes the consumer
            while True:
                if self.take_over_pending:
                    async with self.owning:
                        if self.take_over_pending:  # not revoked while waiting for the lock
                            self.take_over_pending = False
                            await self._take_over_or_retry()
                batch = await self.consumer.getmany(timeout_ms=200, max_records=_MAX_TRANSACTION)
                if not batch:
                    continue
                if self.owner:
                    await self._transaction(batch)
                else:
                    self._read_again(batch)  # fetched while taking over: read once the index is restored
                    await asyncio.sleep(0.05)
        finally:
            async with self.owning:
                await self.release()
            await self.consumer.stop()

    async def take_over(self) -> None:
        """Become the single writer: fence zombies, rebuild the index from the state topic."""
        await self.release()
        log.info("taking over the index partition")
        producer = AIOKafkaProducer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers, transactional_id=self.transactional_id,
            enable_idempotence=True, acks="all", linger_ms=2,
            # A transaction's first send to a partition waits for the previous transaction's markers;
            # the broker answers CONCURRENT_TRANSACTIONS until then, and aiokafka's default 100 ms
            # back-off turned each such wait into 100 ms of latency.
            retry_backoff_ms=10,
            max_request_size=self.budget.producer_request,
            **self.client_options,
        )
        await producer.start()
        self.restoring = True
        self.report(self.status())
        try:
            started = time.monotonic()
            state = await self._read_state()
            stats_rows = await self._read_recent_stats()
            # In a thread, so that the event loop goes on answering the group coordinator meanwhile.
            await asyncio.to_thread(self.stage.restore, state.items(), stats_rows)
            del state
            self.collector.start()  # the restored index leaves the collector's working set (gcpolicy.py)
            self.restore_seconds = time.monotonic() - started
        except BaseException:
            await producer.stop()
            raise
        finally:
            self.restoring = False
        log.info("index restored", extra={"entries": self.stage.size, "seconds": round(self.restore_seconds, 3)})
        self.producer = producer
        self.report(self.status())

    async def release(self) -> None:
        """Stop writing (partition revoked or shutting down); the state topic stays the truth."""
        producer, self.producer = self.producer, None
        if producer is not None:
            log.info("releasing the index partition")
            self.report(self.status())
            await producer.stop()

    async def _read_state(self) -> dict[bytes, bytes]:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers, isolation_level="read_committed",
            enable_auto_commit=False, max_partition_fetch_bytes=self.budget.fetch, **self.client_options,
        )
        await consumer.start()
        state: dict[bytes, bytes] = {}
        try:
            tp = TopicPartition(self.topics.state, 0)
            consumer.assign([tp])
            await consumer.seek_to_beginning(tp)
            end = (await consumer.end_offsets([tp]))[tp]
            while await consumer.position(tp) < end:
                for records in (await consumer.getmany(tp, timeout_ms=1000, max_records=5000)).values():
                    for record in records:
                        if record.key is None:
                            continue
                        if record.value is None:
                            state.pop(record.key, None)
                        else:
                            state[record.key] = record.value
        finally:
            await consumer.stop()
        return state

    async def _read_recent_stats(self) -> list[dict[str, object]]:
        """The statistics rows published in the last minutes (committed only), the last one per key."""
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers, isolation_level="read_committed",
            enable_auto_commit=False, max_partition_fetch_bytes=self.budget.fetch, **self.client_options,
        )
        await consumer.start()
        rows: dict[bytes, dict[str, object]] = {}
        try:
            topic = self.topics.stats
            partitions = await partitions_of(self.settings.kafka_bootstrap_servers, topic, self.client_options)
            tps = [TopicPartition(topic, p) for p in partitions]
            if not tps:
                return []
            consumer.assign(tps)
            since = int(time.time() * 1000) - _STATS_LOOKBACK_MS
            starts = await consumer.offsets_for_times({tp: since for tp in tps})
            ends = await consumer.end_offsets(tps)
            for tp in tps:
                found = starts.get(tp)
                consumer.seek(tp, found.offset if found is not None else ends[tp])
            while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
                for records in (await consumer.getmany(*tps, timeout_ms=1000, max_records=5000)).values():
                    for record in records:
                        if record.key is not None and record.value is not None:
                            rows[record.key] = decode(record.value)
        finally:
            await consumer.stop()
        return list(rows.values())

    async def _transaction(self, batch: Mapping[TopicPartition, list[ConsumerRecord[bytes, bytes]]]) -> None:
        """Decide `batch` and what follows it in one transaction; after a failed one, restore and retry."""
        async with self.owning:
            failure = await self._transaction_owned(batch)
            if failure is None:
                return
            await self._recover()
        await self._pause_after(failure)

    async def _transaction_owned(
        self, batch: Mapping[TopicPartition, list[ConsumerRecord[bytes, bytes]]]
    ) -> TransactionFailed | None:
        """Decide `batch` and what arrives within the commit interval, and publish it all in one transaction.

        A transaction costs the broker the same handful of requests and markers whether it carries one
        article or hundreds; keeping it open for `commit_interval_ms` (while deciding what is already
        there) lets it carry everything that arrived meanwhile. Every send is awaited before the commit:
        a send that failed aborts the transaction, so offsets are never committed past lost output.
        """
        producer, consumer = self.producer, self.consumer
        if producer is None:
            self._read_again(batch)  # released while this batch waited for the lock: the next owner reads it
            return None
        assert consumer is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.commit_interval_ms / 1000.0
        detected_at = datetime.now(UTC)
        outputs: list[IndexOutput] = []
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        sent: list[_Sent] = []
        try:
            await producer.begin_transaction()
            try:
                while True:
                    for tp, records in batch.items():
                        for record in records:
                            output = self._decide(record, detected_at)
                            outputs.append(output)
                            article = output.article_id
                            for target, key, value in output.messages:
                                await self._send(producer, sent, self.topics[target], key, value, record.offset,
                                                 article)
                            for key, state_value in output.state_updates:
                                await self._send(producer, sent, self.topics.state, key, state_value,
                                                 record.offset, article)
                        offsets[tp] = OffsetAndMetadata(records[-1].offset + 1, "")
                    remaining = deadline - loop.time()
                    if remaining <= 0 or len(outputs) >= _MAX_TRANSACTION or self.revoking:
                        break
                    try:
                        # Bounded: once a rebalance has begun, getmany waits for the next assignment
                        # whatever its own timeout, and that waits for the revocation, which waits for us.
                        async with asyncio.timeout(remaining + 0.05):
                            batch = await consumer.getmany(
                                timeout_ms=max(1, int(remaining * 1000)),
                                max_records=_MAX_TRANSACTION - len(outputs),
                            )
                    except TimeoutError:
                        break
                    if not batch:
                        break
                tp_in = TopicPartition(self.topics.prepared, 0)
                highwater = consumer.highwater(tp_in)
                lag = None if highwater is None or tp_in not in offsets else highwater - offsets[tp_in].offset
                summaries = Counter[str]()
                for target, key, summary in self.stage.summaries(outputs, detected_at, time.time(), lag):
                    await self._send(producer, sent, self.topics[target], key, summary, None, None)
                    summaries[self.topics[target]] += 1
                key, value = self.stage.raw_offsets_state()
                await self._send(producer, sent, self.topics.state, key, value, None, None)
                await self._written(sent)
                await producer.send_offsets_to_transaction(offsets, self.group_id)
                await producer.commit_transaction()
            except BaseException:
                await self._abort(producer)
                raise
        except Exception as exc:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # stopping: the failed abort of a cancelled transaction is not a reason to recover
            failure = exc if isinstance(exc, TransactionFailed) else TransactionFailed(
                f"{type(exc).__name__}: {exc}", {})
            self._failed(failure)
            return failure
        if self.failures_in_a_row:
            log.info("index transactions commit again", extra={"failed_attempts": self.failures_in_a_row})
        self.failures_in_a_row, self.stuck = 0, None
        committed = max((meta.offset for meta in offsets.values()), default=0)
        for offset in [o for o in self.refused if o < committed]:
            del self.refused[offset]  # committed: never read again
        self.report(self._counted(outputs, summaries))
        self.collector.tick(len(outputs))
        return None

    async def _send(self, producer: AIOKafkaProducer, sent: list[_Sent], topic: str, key: bytes | None,
                    value: bytes | None, offset: int | None, article: str | None) -> None:
        """Send one record of the transaction and remember its future; a record refused at once fails it."""
        size = len(value or b"") + len(key or b"")
        limit = self.limits.get(topic, self.budget.output)
        try:
            future = await producer.send(topic, value, key=key)
        except _TOO_LARGE as exc:  # the client's own check (max_request_size): the broker never saw it
            sent.append(_Sent(None, topic, size, limit, offset, article))
            raise self._too_large_failure([(sent[-1], exc)]) from exc
        sent.append(_Sent(future, topic, size, limit, offset, article))

    async def _written(self, sent: list[_Sent]) -> None:
        """Wait until every send is written; raise TransactionFailed naming what failed and why."""
        futures = [s.future for s in sent if s.future is not None]
        await asyncio.gather(*futures, return_exceptions=True)
        failed = [(s, s.future.exception()) for s in sent if s.future is not None and s.future.exception()]
        if not failed:
            return
        raise self._too_large_failure(failed)

    def _too_large_failure(self, failed: list[tuple[_Sent, BaseException | None]]) -> TransactionFailed:
        """Name the failed sends; an article whose own record is over its topic's budget is to be refused."""
        too_large: dict[int, Refusal] = {}
        for item, exc in failed:
            if isinstance(exc, _TOO_LARGE) and item.offset is not None and item.size > item.limit:
                too_large[item.offset] = Refusal(
                    DeadLetterKind.TOO_LARGE, f"its record for {item.topic} is {item.size} bytes, "
                    f"over the limit of {item.limit} bytes derived from "
                    "NEWSDEDUP_MAX_MESSAGE_BYTES")
        first, exc = failed[0]
        reason = (f"writing to {first.topic} failed ({type(exc).__name__}: {exc}) for article {first.article!r}"
                  f" ({first.size} bytes); {len(failed)} of the transaction's records failed")
        if not too_large and any(isinstance(e, _TOO_LARGE) for _, e in failed):
            reason += (f"; the broker refused a record within the service's size budget: check the topic's "
                       f"max.message.bytes (at least {self.budget.topic_limit(first.limit)})")
        return TransactionFailed(reason, too_large)

    async def _abort(self, producer: AIOKafkaProducer) -> None:
        """Abort the open transaction; if that fails or hangs, the replacement producer fences it instead."""
        try:
            async with asyncio.timeout(_ABORT_SECONDS):
                await producer.abort_transaction()
        except Exception as exc:
            log.info("abort did not complete; the replacement producer fences the transaction",
                     extra={"error": f"{type(exc).__name__}: {exc}"})

    def _failed(self, failure: TransactionFailed) -> None:
        """Count a failed transaction and say on /health why the index stage is not moving."""
        self.failures_in_a_row += 1
        self.failed_transactions += 1
        self.refused.update(failure.refuse)
        if failure.refuse:
            log.error("index transaction aborted: an article cannot be decided or published; the index is restored, "
                      "the article becomes a dead letter and the batch is decided again",
                      extra={"reason": failure.reason, "refused": sorted(failure.refuse)})
            return  # not stuck: the retry goes through without it
        self.stuck = (f"index transaction failed {self.failures_in_a_row} time(s) in a row, nothing committed "
                      f"past it; retrying: {failure.reason}")
        log.error("index transaction aborted; restoring from the state topic and retrying",
                  extra={"reason": failure.reason, "attempt": self.failures_in_a_row})

    async def _pause_after(self, failure: TransactionFailed) -> None:
        if failure.refuse:
            return
        self.report(self.status())  # /health hears of it now, not at the next heartbeat
        delay = min(_FIRST_RETRY_SECONDS * 2 ** (self.failures_in_a_row - 1), _MAX_RETRY_SECONDS)
        await asyncio.sleep(delay)

    def _read_again(self, batch: Mapping[TopicPartition, list[ConsumerRecord[bytes, bytes]]]) -> None:
        assert self.consumer is not None
        assigned = self.consumer.assignment()
        for tp, records in batch.items():
            if tp in assigned:  # a partition no longer assigned is read from its committed offset by its owner
                self.consumer.seek(tp, records[0].offset)

    def _decide(self, record: ConsumerRecord[bytes, bytes], detected_at: datetime) -> IndexOutput:
        """Decide one envelope, or make the dead letter a failed earlier attempt asked for.

        An envelope whose decision raises fails the whole transaction (TransactionFailed naming its offset):
        the stage may have changed the index before it raised, and only a restore from the state topic
        undoes that. The retry then makes the article a `processing` dead letter, so a poison message
        costs one restore and never loops.
        """
        refused = self.refused.get(record.offset)
        if refused is None:
            try:
                return self.stage.run(record.value or b"", detected_at)
            except Exception as exc:
                reason = f"deciding the article failed: {type(exc).__name__}: {exc}"
                raise TransactionFailed(f"prepared-topic offset {record.offset}: {reason}",
                                        {record.offset: Refusal(
                                            DeadLetterKind.PROCESSING, reason, type(exc).__name__)}) from exc
        try:
            return self.stage.refuse(record.value or b"", refused.kind, refused.reason, detected_at,
                                     refused.exception)
        except Exception as exc:  # a malformed envelope: only possible if something else wrote the topic
            provenance = Provenance(record.topic, record.partition, record.offset, record.timestamp, record.key)
            letter = dead_letter(record.value, provenance, DeadLetterKind.PROCESSING, f"unreadable envelope: {exc}",
                                 detected_at, type(exc).__name__, self.settings.max_message_bytes)
            return IndexOutput(messages=[(Role.DLQ, bounded_key(record.key), encode(letter))],
                               dead_letter_kind=DeadLetterKind.PROCESSING)

    async def _take_over_or_retry(self) -> bool:
        """Take over; if that fails (the broker went away), say so and leave it to the next round."""
        try:
            await self.take_over()
        except Exception as exc:
            self.failures_in_a_row += 1
            self.stuck = f"taking over the index failed ({type(exc).__name__}: {exc}); retrying"
            log.error("taking over the index failed; retrying", extra={"error": f"{type(exc).__name__}: {exc}"})
            self.report(self.status())
            self.take_over_pending = True
            await asyncio.sleep(min(_FIRST_RETRY_SECONDS * 2 ** (self.failures_in_a_row - 1), _MAX_RETRY_SECONDS))
            return False
        return True

    async def _recover(self) -> None:
        assert self.consumer is not None
        tp = TopicPartition(self.topics.prepared, 0)
        if tp not in self.consumer.assignment():
            return  # revoked meanwhile: whoever is assigned it next restores the index
        if not await self._take_over_or_retry():
            return  # the run loop takes over again; it reads from the committed offset then
        committed = await self.consumer.committed(tp)
        if committed is None:
            await self.consumer.seek_to_beginning(tp)
        else:
            self.consumer.seek(tp, committed)
        await asyncio.sleep(0.5)

    def status(self) -> IndexReport:
        """A report of where the index stands, counting nothing."""
        failed, self.failed_transactions = self.failed_transactions, 0
        return IndexReport(owner=self.owner, index_size=self.stage.size, restore_seconds=self.restore_seconds,
                           restoring=self.restoring, failed_transactions=failed, stuck=self.stuck,
                           joined=self.joined, stories=len(self.stage.stories))

    def _counted(self, outputs: list[IndexOutput], summaries: Counter[str] | None = None) -> IndexReport:
        report = self.status()
        report.published.update(summaries or {})
        now = time.time()
        for output in outputs:
            for target, _, _ in output.messages:
                report.published[self.topics[target]] += 1
            report.findings.update(output.findings)
            if output.dead_letter_kind:
                report.dead_letters[output.dead_letter_kind] += 1
            if output.decision_status and not output.replayed:
                report.decisions[output.decision_status] += 1
            if output.raw_timestamp is not None and not output.replayed:
                report.latencies.append(max(0.0, now - output.raw_timestamp))
        return report
