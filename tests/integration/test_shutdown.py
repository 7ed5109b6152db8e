"""SIGTERM stops the worker even when the broker has gone away: it does not wait for ever."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from newsdedup.localkafka import LocalBroker
from tests.integration.harness import Worker, WorkerEnv, start_broker

pytestmark = pytest.mark.integration

DEADLINE = 5.0


def test_sigterm_with_the_broker_gone_exits_by_the_deadline(tmp_path: Path) -> None:
    # A broker of its own, so that this test can kill it without disturbing the others.
    broker = LocalBroker(tmp_path / "kafka", heap="384m")
    bootstrap = start_broker(broker, "the shutdown test's own broker")
    env = WorkerEnv(bootstrap, "shutdown", tmp_path / "work",
                    extra={"NEWSDEDUP_SHUTDOWN_TIMEOUT_SECONDS": str(DEADLINE)})
    worker = Worker(env, "w1")
    try:
        worker.wait_healthy()
        time.sleep(3)  # joined its groups and owns the index: the state in which a stop talks to the broker
        assert broker.process is not None
        broker.process.kill()
        broker.process.wait(timeout=10)
        started = time.monotonic()
        os.killpg(worker.process.pid, signal.SIGTERM)
        try:
            code = worker.process.wait(timeout=DEADLINE + 20)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the worker was still running {DEADLINE + 20:.0f} s after SIGTERM:\n{worker.log_tail()}")
        took = time.monotonic() - started
        assert code in (0, 3), worker.log_tail()
        if code == 3:  # the clean stop was cut short by the deadline, and said so
            assert took >= DEADLINE - 0.5
            assert "shutdown did not finish in time" in worker.log_path.read_text(encoding="utf-8")
    finally:
        worker.stop(timeout=5)
        broker.stop()
