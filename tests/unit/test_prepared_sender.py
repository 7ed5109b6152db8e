"""Stage 1's sender: in order, whole batches, a failed one sent again by a new producer before anything later."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka.errors import KafkaTimeoutError

from newsdedup.app.budget import SizeBudget
from newsdedup.app.prepared_sender import PreparedSender
from newsdedup.errors import EnvelopeTooLarge


class _Batch:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[tuple[bytes | None, bytes]] = []

    def append(self, *, key: bytes | None, value: bytes, timestamp: float | None) -> object | None:
        size = sum(len(v) for _, v in self.items) + len(value)
        if (self.items and size > self.limit) or len(value) > self.limit:
            return None
        self.items.append((key, value))
        return object()


class _Log:
    """What a fake broker partition holds, and the producers the sender made."""

    def __init__(self, fail_deliveries: int, batch_limit: int = 1000) -> None:
        self.written: list[bytes] = []
        self.fail_deliveries = fail_deliveries
        self.batch_limit = batch_limit
        self.producers: list[_Producer] = []


class _Producer:
    def __init__(self, log: _Log) -> None:
        self.log = log
        self.started = self.stopped = False
        log.producers.append(self)

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    def create_batch(self) -> _Batch:
        return _Batch(self.log.batch_limit)

    async def send_batch(self, batch: _Batch, topic: str, *, partition: int) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.log.fail_deliveries > 0:
            self.log.fail_deliveries -= 1
            future.set_exception(KafkaTimeoutError("batch expired"))
        else:
            self.log.written.extend(value for _, value in batch.items)
            future.set_result(None)
        return future


def _sender(log: _Log) -> PreparedSender:
    return PreparedSender("127.0.0.1:1", "prepared", SizeBudget(1024 * 1024), producer_factory=lambda: _Producer(log))


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("newsdedup.app.prepared_sender._FIRST_RETRY_SECONDS", 0.001)


def test_a_failed_chunk_is_sent_again_by_a_new_producer_and_nothing_overtakes_it() -> None:
    log = _Log(fail_deliveries=2)
    sender = _sender(log)
    items = [(None, f"envelope {i}".encode()) for i in range(5)]
    asyncio.run(sender.send(items))
    asyncio.run(sender.send([(None, b"later")]))
    assert log.written == [value for _, value in items] + [b"later"]
    assert len(log.producers) == 3  # two failed, each replaced
    assert all(p.stopped for p in log.producers[:2])
    assert sender.health.failures_total == 2
    assert sender.health.failures_in_a_row == 0
    assert sender.health.failing_since is None


def test_health_says_why_while_it_fails() -> None:
    log = _Log(fail_deliveries=10**6)
    sender = _sender(log)

    async def run() -> None:
        task = asyncio.create_task(sender.send([(None, b"x")]))
        await asyncio.sleep(0.05)
        assert sender.health.failures_in_a_row >= 2
        assert sender.health.last_error is not None
        assert "KafkaTimeoutError" in sender.health.last_error
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    assert log.written == []


def test_a_chunk_larger_than_a_batch_goes_as_several_batches_in_order() -> None:
    log = _Log(fail_deliveries=0, batch_limit=20)
    sender = _sender(log)
    items = [(None, f"envelope-{i:02d}".encode()) for i in range(7)]
    asyncio.run(sender.send(items))
    assert log.written == [value for _, value in items]


def test_an_envelope_no_batch_can_hold_is_a_bug_not_a_retry() -> None:
    sender = _sender(_Log(fail_deliveries=0, batch_limit=4))
    with pytest.raises(EnvelopeTooLarge):
        asyncio.run(sender.send([(None, b"too long")]))


def test_the_index_stage_tells_a_record_over_its_budget_from_a_topic_that_shrank() -> None:
    """A refused record over the budget becomes its article's dead letter; one within it is the topic's fault."""
    from aiokafka.errors import MessageSizeTooLargeError

    from newsdedup.app.index_runner import IndexRunner, _Sent
    from newsdedup.settings import load_settings

    runner = IndexRunner(load_settings(topic_clean="c"), lambda report: None)
    limit = runner.budget.output
    over = _Sent(None, "c", limit + 1, limit, 41, "huge")
    within = _Sent(None, "c", 900, limit, 42, "small")
    failure = runner._too_large_failure([(over, MessageSizeTooLargeError()), (within, MessageSizeTooLargeError())])
    assert list(failure.refuse) == [41]
    assert "huge" in failure.reason
    shrunk = runner._too_large_failure([(within, MessageSizeTooLargeError())])
    assert not shrunk.refuse
    assert "max.message.bytes" in shrunk.reason
    assert "'small'" in shrunk.reason
    runner._failed(shrunk)
    assert runner.stuck is not None
    assert runner.status().stuck == runner.stuck
    assert runner.status().failed_transactions == 0  # counted once, in the first report
