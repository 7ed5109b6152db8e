"""Run the index stage in a child process of its own, so that it gets a core beside stage 1.

Stage 1 (the faust agent) and stage 2 (the index runner) already talk only through the prepared topic;
in one process they shared one event loop and one core, and the worker's throughput was the sum of
their costs. Here the child runs the unchanged IndexRunner and the parent keeps faust, stage 1 and the
web pages. The pipe between them carries no articles, only what the metrics and /health need
(`IndexReport`) one way and "stop" the other.

Lifetime: the child ignores SIGINT and SIGTERM (a terminal or a supervisor signals the whole process
group) and stops cleanly when the parent asks, during the parent's own clean stop. If the parent dies
without asking (kill -9, the shutdown deadline), the child is killed with it, exactly like a crash of a
one-process worker. If the child dies on its own, the parent logs it and starts another after a pause;
the new child takes the index over from the state topic as after any crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import logging.config
import multiprocessing
import os
import signal
import sys
from collections.abc import Mapping
from multiprocessing.connection import Connection
from typing import Any

from newsdedup.app.index_runner import IndexRunner
from newsdedup.app.logs import logging_config
from newsdedup.app.metrics import IndexReport, WorkerMetrics
from newsdedup.lifelines import die_with_parent
from newsdedup.settings import Settings

log = logging.getLogger("newsdedup.index")

_STOP = "stop"
# Pauses before starting a child again after it died; doubled per quick death, reset after a minute up.
_RESTART_DELAY_SECONDS = (1.0, 30.0)
_STABLE_SECONDS = 60.0
EXIT_PARENT_GONE = 70  # the child's status when its parent vanished without asking it to stop


class IndexView:
    """The parent's view of the index stage: its reports go to the metrics, its state to /health."""

    def __init__(self, metrics: WorkerMetrics) -> None:
        self.metrics = metrics
        self.owner = False
        self.index_size = 0
        self.restore_seconds: float | None = None
        self.pid: int | None = None  # of the index process, while one runs
        self.restarts = 0  # index processes started again after one died

    def apply(self, report: IndexReport) -> None:
        """Take in one report of the index stage."""
        self.metrics.apply(report)
        self.owner = report.owner
        self.index_size = report.index_size
        if report.restore_seconds is not None:
            self.restore_seconds = report.restore_seconds

    def lost(self) -> None:
        """The index stage is gone (its process died): this worker holds no index now."""
        self.apply(IndexReport(owner=False, index_size=0))
        self.pid = None

    def restarting(self) -> None:
        """Count one more start of an index process after one died."""
        self.restarts += 1
        self.metrics.index_restarts.inc()

    def health(self) -> dict[str, object]:
        """What /health says of the index stage."""
        return {"index_owner": self.owner, "index_articles": self.index_size,
                "index_restore_seconds": self.restore_seconds, "index_process_pid": self.pid,
                "index_process_restarts": self.restarts}


async def run_inline(settings: Settings, topics: Mapping[str, str], view: IndexView) -> None:
    """Run the index stage in this process's event loop until cancelled (NEWSDEDUP_INDEX_PROCESS=inline)."""
    await IndexRunner(settings, topics, view.apply).run()


class IndexProcess:
    """The parent's side: start the child, read its reports, stop it cleanly, start another if it dies."""

    def __init__(self, settings: Settings, topics: Mapping[str, str], view: IndexView) -> None:
        self.settings = settings
        self.topics = dict(topics)
        self.view = view

    async def run(self) -> None:
        """Keep one child running until cancelled; on cancellation stop it cleanly."""
        loop = asyncio.get_running_loop()
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no copy of faust's loop or threads
        delay, longest = _RESTART_DELAY_SECONDS
        while True:
            started = loop.time()
            exitcode = await self._run_child(context)
            self.view.lost()
            log.error("index process exited unexpectedly; starting another",
                      extra={"exit_code": exitcode, "restart_in_seconds": delay, "restarts": self.view.restarts + 1})
            await asyncio.sleep(delay)
            self.view.restarting()
            ran_long = loop.time() - started > _STABLE_SECONDS
            delay = _RESTART_DELAY_SECONDS[0] if ran_long else min(2 * delay, longest)

    async def _run_child(self, context: Any) -> int | None:
        loop = asyncio.get_running_loop()
        ours, theirs = context.Pipe()
        process = context.Process(target=child_main, name="newsdedup-index",
                                  args=(self.settings, self.topics, theirs, os.getpid()))
        process.start()
        theirs.close()
        self.view.pid = process.pid
        log.info("index process started", extra={"pid": process.pid})
        ended: asyncio.Future[None] = loop.create_future()

        def on_readable() -> None:
            try:
                while ours.poll():
                    self.view.apply(ours.recv())
            except (EOFError, OSError):  # the child closed its end: it is exiting
                loop.remove_reader(ours.fileno())
                if not ended.done():
                    ended.set_result(None)

        loop.add_reader(ours.fileno(), on_readable)
        try:
            await asyncio.shield(ended)  # shielded: cancelling this task must leave `ended` for _stop to wait on
        except asyncio.CancelledError:
            await self._stop(process, ours, ended)
            raise
        finally:
            if not ours.closed:
                with contextlib.suppress(ValueError, OSError):
                    loop.remove_reader(ours.fileno())
                ours.close()
        await loop.run_in_executor(None, process.join)
        return int(process.exitcode) if process.exitcode is not None else None

    async def _stop(self, process: Any, ours: Connection, ended: asyncio.Future[None]) -> None:
        """Ask the child to stop, keep reading its last reports, and wait for it (the parent's deadline rules)."""
        with contextlib.suppress(OSError):
            ours.send(_STOP)
        timeout = self.settings.shutdown_timeout_seconds
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(ended), timeout)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, process.join, timeout)
        if process.is_alive():
            log.error("index process did not stop in time; killing it", extra={"pid": process.pid})
            process.kill()
            await loop.run_in_executor(None, process.join, 5.0)
        log.info("index process stopped", extra={"exit_code": process.exitcode})


def child_main(settings: Settings, topics: dict[str, str], conn: Connection, parent_pid: int) -> None:
    """The child process: run the index runner, report to the parent, stop when it says so."""
    die_with_parent(signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the line above took effect
        os._exit(EXIT_PARENT_GONE)
    # The parent receives the signals meant for the worker and stops this process through the pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logging.config.dictConfig(logging_config(settings.log_level))
    try:
        asyncio.run(_serve(settings, topics, conn))
    except Exception:
        log.exception("index process failed")
        sys.exit(1)


async def _serve(settings: Settings, topics: dict[str, str], conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    asked_to_stop: asyncio.Future[None] = loop.create_future()

    def on_readable() -> None:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            # The parent is gone without asking us to stop: end as abruptly as it did, like a crash.
            os._exit(EXIT_PARENT_GONE)
        if message == _STOP and not asked_to_stop.done():
            asked_to_stop.set_result(None)

    loop.add_reader(conn.fileno(), on_readable)
    runner = asyncio.create_task(IndexRunner(settings, topics, conn.send).run())
    await asyncio.wait({runner, asked_to_stop}, return_when=asyncio.FIRST_COMPLETED)
    if not runner.done():
        runner.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await runner  # re-raises the runner's own failure: the child then exits non-zero
