"""One real Kafka broker per test session; every test gets its own topics and consumer group."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from newsdedup.app.topics import TopicSpec, ensure_topics
from newsdedup.localkafka import KAFKA_VERSION, LocalBroker
from tests.integration.harness import Worker, WorkerEnv, start_broker

_BROKER_KEY = pytest.StashKey[str]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/integration is an integration test."""
    for item in items:
        if "/integration/" in str(item.path):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def kafka_bootstrap(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The broker of this test session: KAFKA_BOOTSTRAP_SERVERS if set, else one started here."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if external:
        request.config.stash[_BROKER_KEY] = f"external broker {external} (KAFKA_BOOTSTRAP_SERVERS)"
        yield external
        return
    broker = LocalBroker(tmp_path_factory.mktemp("kafka"))
    started = time.monotonic()
    bootstrap = start_broker(broker, "the integration tests")
    pid = broker.process.pid if broker.process else -1
    request.config.stash[_BROKER_KEY] = (
        f"Kafka {KAFKA_VERSION} broker started by this session at {bootstrap} "
        f"(pid {pid}, ready in {time.monotonic() - started:.1f} s, data {broker.data_dir})"
    )
    try:
        yield bootstrap
    finally:
        broker.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Say which broker the integration tests ran against."""
    described = config.stash.get(_BROKER_KEY, None)
    if described:
        terminalreporter.write_line(f"integration tests ran against: {described}")


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """Names of topics, groups and app ids that no other test uses."""
    token = uuid.uuid4().hex[:8]
    test = request.node.name.replace("[", "-").replace("]", "")[:40]

    def make(kind: str) -> str:
        return f"t-{test}-{kind}-{token}"

    return make


@pytest.fixture
def new_topic(
    kafka_bootstrap: str, unique_name: Callable[[str], str]
) -> Callable[..., Awaitable[str]]:
    """Create a fresh topic for this test and return its name."""

    async def make(kind: str = "topic", partitions: int = 1) -> str:
        name = unique_name(kind)
        await ensure_topics(kafka_bootstrap, [TopicSpec(name, partitions)])
        return name

    return make


@pytest.fixture
def work_dir(tmp_path: Path) -> Path:
    """A scratch folder for worker state."""
    return tmp_path


@pytest.fixture
def worker_env(kafka_bootstrap: str, unique_name: Callable[[str], str], tmp_path: Path) -> WorkerEnv:
    """Fresh topics, app id and state folder for this test's workers."""
    return WorkerEnv(kafka_bootstrap, unique_name("nd"), tmp_path)


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    """Every worker a test starts is stopped at the end, passed or failed."""
    started: list[Worker] = []
    yield started
    for w in started:
        w.stop()
