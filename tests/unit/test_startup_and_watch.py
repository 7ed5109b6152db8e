"""Waiting for the broker at start, watching it afterwards, and the one log filter: without a broker."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from newsdedup.app import startup
from newsdedup.app.brokerwatch import BrokerWatch
from newsdedup.app.logs import RepeatedClientErrors, TransientCoordinatorErrors
from newsdedup.errors import ConfigError, KafkaUnreachable
from newsdedup.localkafka import free_port


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_watch_fails_health_while_the_broker_is_silent_and_logs_each_change_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    watch = BrokerWatch("127.0.0.1:9", clock=clock)
    assert watch.problem() is None
    with caplog.at_level(logging.INFO, logger="newsdedup.worker"):
        watch.failed("KafkaConnectionError: refused")
        clock.now += 30
        watch.failed("KafkaConnectionError: refused")
        problem = watch.problem()
        assert problem is not None
        assert "127.0.0.1:9 has not answered for 30 s" in problem
        watch.answered()
        watch.answered()
    assert watch.problem() is None
    messages = [r.getMessage() for r in caplog.records]
    assert messages.count("the Kafka broker does not answer; /health fails until it does, the worker waits for it") == 1
    assert messages.count("the Kafka broker answers again") == 1


def _record(level: int, message: str) -> logging.LogRecord:
    return logging.LogRecord("aiokafka.consumer.group_coordinator", level, __file__, 1, message, (), None)


def test_only_the_transient_coordinator_errors_are_demoted() -> None:
    demote = TransientCoordinatorErrors()
    transient = _record(logging.ERROR, "Group Coordinator Request failed: [Error 15] GroupCoordinatorNotAvailableError")
    assert demote.filter(transient)
    assert transient.levelname == "INFO"
    real = _record(logging.ERROR, "Group Coordinator Request failed: [Error 29] ClusterAuthorizationFailedError")
    assert demote.filter(real)
    assert real.levelname == "ERROR"


def test_repeated_client_errors_show_once_per_window_with_their_count() -> None:
    limit = RepeatedClientErrors()
    lines = []
    for tenth in range(250):  # 25 s of the same error ten times a second
        record = _record(logging.ERROR, "Failed fetch messages from 1: NodeNotReadyError")
        record.created = 1000.0 + tenth / 10
        if limit.filter(record):
            lines.append((record.created, getattr(record, "repeated", 0)))
    assert lines == [(1000.0, 0), (1010.0, 99), (1020.0, 99)]
    other = _record(logging.ERROR, "Unable connect to node with id 1")
    assert limit.filter(other), "another message is shown at once"
    info = _record(logging.INFO, "Failed fetch messages from 1: NodeNotReadyError")
    assert limit.filter(info), "only warnings and errors are limited"


async def _health(port: int) -> tuple[int, dict[str, str]]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/health") as response:
        return response.status, await response.json()


@pytest.mark.asyncio
async def test_start_up_waits_for_the_broker_with_a_503_health_and_gives_up_on_bad_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(startup, "_FIRST_RETRY_SECONDS", 0.01)
    port = free_port()
    seen: list[tuple[int, dict[str, str]]] = []
    attempts = 0

    async def attempt() -> str:
        nonlocal attempts
        attempts += 1
        if attempts > 1:  # the first refusal opened the waiting page
            seen.append(await _health(port))
        if attempts < 3:
            raise KafkaUnreachable("127.0.0.1:9")
        return "topics ready"

    assert await startup.when_broker_answers(attempt, "127.0.0.1:9", "127.0.0.1", port) == "topics ready"
    assert [code for code, _ in seen] == [503, 503]
    assert "waiting for the Kafka broker at 127.0.0.1:9" in seen[0][1]["problem"]

    async def refused() -> str:
        raise ConfigError("the Kafka broker refused the SASL login: check KAFKA_SASL_PASSWORD")

    with pytest.raises(ConfigError):
        await startup.when_broker_answers(refused, "127.0.0.1:9", "127.0.0.1", port)
