"""The local Kafka broker helper: real Apache Kafka from Maven Central's jars, no Docker."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newsdedup.localkafka.broker import LocalBroker, free_port, probe_broker
from newsdedup.localkafka.jars import KAFKA_VERSION, default_cache_dir, ensure_jars

__all__ = [
    "KAFKA_VERSION", "LocalBroker", "default_cache_dir", "ensure_jars", "free_port", "probe_broker",
    "running_broker",
]


@contextmanager
def running_broker(data_dir: Path | None = None, port: int | None = None) -> Iterator[str]:
    """Yield a bootstrap address: KAFKA_BOOTSTRAP_SERVERS when set, else a broker started here and stopped after."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if external:
        yield external
        return
    with tempfile.TemporaryDirectory(prefix="newsdedup-kafka-") as scratch:
        broker = LocalBroker(data_dir or Path(scratch), port=port)
        try:
            yield broker.start()
        finally:
            broker.stop()
