"""Broker faults: not yet up at start, killed with -9 and restarted mid-stream, gone for 60 s.

The worker keeps its state, says what happens in its log and on /health (503 while it cannot make
progress), resumes by itself, and loses and doubles nothing. And the other way round: a normal start
logs no ERROR, and /health answers 200 only once the worker can process.
"""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.error
from pathlib import Path
from typing import Any

import orjson
import pytest

from newsdedup.localkafka import LocalBroker, free_port
from tests.integration.harness import (
    Worker,
    WorkerEnv,
    assert_each_published_once,
    produce,
    read_all,
    start_broker,
    unrelated_articles,
)

OUTAGE_SECONDS = 60.0


def health(worker: Worker) -> tuple[int, dict[str, Any]]:
    """The status code and body of /health, (0, {}) when nothing answers."""
    try:
        return 200, orjson.loads(worker.get("/health"))
    except urllib.error.HTTPError as exc:
        return exc.code, orjson.loads(exc.read())
    except OSError:
        return 0, {}


def wait_for_status(worker: Worker, code: int, timeout: float, contains: str = "") -> float:
    """Poll /health until it answers `code` (with `contains` in its problem); return the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        got, body = health(worker)
        if got == code and contains in str(body.get("problem", "")):
            return time.monotonic() - started
        assert worker.process.poll() is None, worker.log_tail()
        time.sleep(0.25)
    raise AssertionError(f"/health did not answer {code} ({contains!r}) in {timeout} s: {health(worker)}\n"
                         f"{worker.log_tail()}")


def error_lines(worker: Worker) -> list[str]:
    """The worker's log lines at ERROR."""
    return [line for line in worker.log_path.read_text(encoding="utf-8").splitlines() if '"level":"ERROR"' in line]


def test_a_normal_start_logs_no_error_and_health_waits_for_the_index(
    worker_env: WorkerEnv, workers: list[Worker]
) -> None:
    worker = Worker(worker_env, "w1")
    workers.append(worker)
    seen: list[tuple[int, dict[str, Any]]] = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        code, body = health(worker)
        if code:
            seen.append((code, body))
        if code == 200:
            break
        time.sleep(0.1)
    assert seen, worker.log_tail()
    assert seen[-1][0] == 200, seen[-1]
    # 200 means the index stage can decide: the only worker owns the index, restored.
    assert seen[-1][1]["index_owner"] is True
    assert seen[-1][1]["index_restoring"] is False
    time.sleep(2)
    assert not error_lines(worker), error_lines(worker)


def test_the_worker_rides_out_broker_faults_without_loss_or_repeats(tmp_path: Path) -> None:
    # A broker of its own, on a fixed port, that the test starts late, kills and restarts.
    broker = LocalBroker(tmp_path / "kafka", port=free_port(), heap="384m")
    env = WorkerEnv(broker.bootstrap, "faults", tmp_path / "work")
    worker = Worker(env, "w1")
    figures: dict[str, float] = {}
    try:
        # 1. No broker yet: the worker waits, and says so.
        wait_for_status(worker, 503, 60, contains="waiting for the Kafka broker")
        started = time.monotonic()
        start_broker(broker, "the broker-fault test's own broker")
        figures["start: broker ready to /health 200"] = wait_for_status(worker, 200, 90)
        figures["start: broker start to /health 200"] = time.monotonic() - started

        t = env.topics
        batches = [unrelated_articles(f"b{i}-", 150, seed=i) for i in range(3)]
        # 2. kill -9 mid-stream (while articles arrive and are decided), restarted 3 s later; the
        # producer's own retries carry its unsent articles over the gap.
        feeding = threading.Thread(target=lambda: asyncio.run(produce(env.bootstrap, t["raw"], batches[0], rate=50)))
        feeding.start()
        time.sleep(1.5)
        assert broker.process is not None
        broker.process.kill()
        broker.process.wait(timeout=10)
        broker.process = None
        time.sleep(3)
        restarted = time.monotonic()
        start_broker(broker, "the restarted broker")
        figures["kill -9: broker ready to /health 200"] = wait_for_status(worker, 200, 120)
        feeding.join(timeout=120)
        assert not feeding.is_alive()
        asyncio.run(produce(env.bootstrap, t["raw"], batches[1], rate=200))
        out = asyncio.run(read_all(env.bootstrap, [t["clean"]], expect=300, wait=120, settle=0))
        figures["kill -9: restart to 300 published"] = time.monotonic() - restarted

        # 3. Gone for 60 s: /health says so within seconds, and the worker is still there after it.
        gone = time.monotonic()
        broker.stop()
        figures["outage: /health 503 after"] = wait_for_status(worker, 503, 30, contains="Kafka broker")
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - gone)))
        code, body = health(worker)
        assert code == 503, body
        back = time.monotonic()
        start_broker(broker, "the broker back after 60 s")
        figures["outage: broker ready to /health 200"] = wait_for_status(worker, 200, 120)
        asyncio.run(produce(env.bootstrap, t["raw"], batches[2], rate=200))
        out = asyncio.run(read_all(env.bootstrap, [t["clean"], t["dlq"]], expect=450, wait=180))
        figures["outage: back to all 450 published"] = time.monotonic() - back

        expected = {orjson.loads(v)["id"] for batch in batches for _, v in batch}
        assert_each_published_once(out, t, expected)
        log = worker.log_path.read_text(encoding="utf-8")
        assert "the Kafka broker does not answer yet; the worker waits for it" in log
        assert "the Kafka broker does not answer; /health fails" in log
        assert "the Kafka broker answers again" in log
        assert worker.process.poll() is None
    finally:
        print("broker-fault figures (s):", {k: round(v, 1) for k, v in figures.items()})
        code = worker.stop(timeout=40)
        broker.stop()
    assert code in (0, 3), code


@pytest.fixture(autouse=True)
def _show_figures(capsys: pytest.CaptureFixture[str]) -> Any:
    yield
    with capsys.disabled():
        for line in capsys.readouterr().out.splitlines():
            if line.startswith("broker-fault figures"):
                print("\n" + line)
