"""The worker's index process against the real broker: it dies with the worker, and the worker outlives it."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import urllib.error
from pathlib import Path

import orjson

from tests.integration.harness import (
    STORIES,
    Worker,
    WorkerEnv,
    article,
    assert_each_published_once,
    lightly_edited,
    produce,
    read_all,
    start,
    unrelated_articles,
    wait_for_records,
)


def health(worker: Worker) -> dict[str, object]:
    """/health, also when it answers 503 (no index process, or a silent one); {} while it does not answer."""
    try:
        return dict(orjson.loads(worker.get("/health")))
    except urllib.error.HTTPError as failing:  # before URLError, its base class
        if failing.code != 503:
            raise
        return dict(orjson.loads(failing.read()))
    except (urllib.error.URLError, ConnectionError):
        return {}


def wait_for_owner(worker: Worker, timeout: float = 60.0, not_pid: int | None = None) -> dict[str, object]:
    """Wait until the worker's index process (other than `not_pid`) owns the index; return /health."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = health(worker)
        if state["index_owner"] and state["index_process_pid"] not in (None, not_pid):
            return state
        time.sleep(0.2)
    raise AssertionError(f"no index owner after {timeout} s: {health(worker)}\n{worker.log_tail()}")


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting to be reaped does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_killed_index_process_is_replaced_and_loses_nothing(worker_env: WorkerEnv, workers: list[Worker]) -> None:
    worker_env.raw_partitions = 1
    topics = worker_env.topics
    w = start(worker_env, workers, "w")
    first = wait_for_owner(w)
    originals = [(None, article(f"{name}-orig", text)) for name, text in STORIES.items()]
    asyncio.run(produce(worker_env.bootstrap, topics["raw"], originals))
    asyncio.run(read_all(worker_env.bootstrap, [topics["clean"]], expect=len(originals)))

    stream = unrelated_articles("k", 600, seed=11)

    async def kill_mid_stream() -> None:
        producing = asyncio.create_task(produce(worker_env.bootstrap, topics["raw"], stream, rate=100.0))
        await wait_for_records(worker_env.bootstrap, topics["clean"], at_least=len(originals) + 50, wait=60)
        os.kill(int(str(first["index_process_pid"])), signal.SIGKILL)
        await producing

    asyncio.run(kill_mid_stream())
    second = wait_for_owner(w, timeout=90, not_pid=int(str(first["index_process_pid"])))
    assert second["index_process_restarts"] == 1
    assert w.process.poll() is None, "the worker itself keeps running"

    # The new index process rebuilt the window: copies of articles decided before the kill are flagged.
    copies = [(None, article(f"{name}-copy", lightly_edited(text), source="paper")) for name, text in STORIES.items()]
    asyncio.run(produce(worker_env.bootstrap, topics["raw"], copies))
    expect = len(originals) + len(stream) + len(copies)
    out = asyncio.run(read_all(worker_env.bootstrap, [topics["clean"], topics["events"], topics["dlq"]],
                               expect=expect, wait=120))
    originals_and_stream = {f"{name}-orig" for name in STORIES} | {f"k{i}" for i in range(len(stream))}
    assert_each_published_once(out, topics, originals_and_stream)
    flagged = {e["article_id"]: e["duplicate_of"] for e in out[topics["events"]] if e["type"] == "near_duplicate"}
    assert flagged == {f"{name}-copy": f"{name}-orig" for name in STORIES}
    metrics = w.get("/metrics").decode()
    assert "newsdedup_index_process_restarts_total 1.0" in metrics
    assert w.stop() == 0, w.log_tail()


def test_killing_the_worker_takes_its_index_process_with_it(worker_env: WorkerEnv, workers: list[Worker]) -> None:
    w = start(worker_env, workers, "w")
    child = int(str(wait_for_owner(w)["index_process_pid"]))
    assert alive(child)
    os.kill(w.process.pid, signal.SIGKILL)  # the worker alone, not its process group
    w.process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(child), "the index process outlived its worker"


def test_a_clean_stop_stops_the_index_process_cleanly(worker_env: WorkerEnv, workers: list[Worker]) -> None:
    w = start(worker_env, workers, "w")
    child = int(str(wait_for_owner(w)["index_process_pid"]))
    assert w.stop() == 0, w.log_tail()
    assert not alive(child)
    assert_stopped_once_cleanly(w)


def test_a_stop_while_the_index_process_starts_is_clean(worker_env: WorkerEnv, workers: list[Worker]) -> None:
    # SIGTERM to the whole process group as soon as the web page answers: the index process is then still
    # importing or joining its group. It must not die of the signal, nor be started again.
    w = start(worker_env, workers, "w")
    assert w.stop() == 0, w.log_tail()
    assert_stopped_once_cleanly(w)


def assert_stopped_once_cleanly(w: Worker) -> None:
    # Every line of both processes is one JSON object, as log shippers expect (no terminal escapes).
    lines = [orjson.loads(line) for line in w.log_path.read_text().splitlines()]
    messages = [line.get("message") for line in lines]
    assert "index process exited unexpectedly; starting another" not in messages, w.log_tail()
    assert messages.count("index process started") == 1, w.log_tail()
    stopped = [line for line in lines if line.get("message") == "index process stopped"]
    assert [line["exit_code"] for line in stopped] == [0], w.log_tail()
    # Asked once, at the start of the worker's stop (before faust's own), not by the fallback after it.
    assert messages.count("asking the index process to stop") == 1, w.log_tail()
    assert messages.index("asking the index process to stop") < messages.index("[^_Worker]: Stopping..."), w.log_tail()


def test_an_index_process_that_keeps_dying_stops_the_worker(worker_env: WorkerEnv, workers: list[Worker]) -> None:
    # Five deaths in a row, each before the index process settled: the worker gives up and exits with an
    # error by itself, so that its supervisor restarts it and someone sees it, instead of looping quietly.
    w = start(worker_env, workers, "w")
    killed: set[int] = set()
    deadline = time.monotonic() + 120
    while w.process.poll() is None and time.monotonic() < deadline:
        pid = health(w).get("index_process_pid") if w.process.poll() is None else None
        if isinstance(pid, int) and pid not in killed:
            os.kill(pid, signal.SIGKILL)
            killed.add(pid)
        time.sleep(0.1)
    assert w.process.poll() not in (None, 0), w.log_tail()
    assert len(killed) == 5
    log_text = w.log_path.read_text()
    assert "died 5 times in a row" in log_text, w.log_tail()
    assert "Closing event loop" in log_text, "the worker did not go through its stop:\n" + w.log_tail()
