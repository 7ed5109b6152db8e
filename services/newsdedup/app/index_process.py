"""Run the index stage in a child process of its own, so that it gets a core beside stage 1.

Stage 1 (the faust agent) and stage 2 (the index runner) already talk only through the prepared topic;
in one process they shared one event loop and one core, and the worker's throughput was the sum of
their costs. Here the child (index_child.py) runs the unchanged IndexRunner and the parent keeps faust,
stage 1 and the web pages. The pipe between them carries no articles, only what the metrics and /health
need (`IndexReport`, at least every few seconds) one way, and the settings then "stop" the other.

Lifetime (docs/WORKER.md): the child runs in a process group of its own and ignores SIGINT and SIGTERM,
so signals meant for the worker reach only the parent, which asks the child to stop at the start of its
own stop. If the parent dies without asking (kill -9, the shutdown deadline), the child is killed with
it, like a crash of a one-process worker. If the child dies on its own, the parent starts another after
a pause; after several quick deaths in a row it gives up and stops the worker, so that its supervisor
sees it.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

from newsdedup.app.index_child import STOP
from newsdedup.app.index_runner import IndexRunner
from newsdedup.app.metrics import IndexReport, WorkerMetrics
from newsdedup.errors import IndexProcessFailed
from newsdedup.settings import Settings

log = logging.getLogger("newsdedup.index")

# Pauses before starting a child again after it died: the shortest after one that ran for a while
# once settled (past its start-up and any restore), doubled per quick death. After this many quick
# deaths in a row the worker stops instead.
_RESTART_DELAY_SECONDS = (1.0, 30.0)
_STABLE_SECONDS = 60.0
_GIVE_UP_AFTER = 5
_SILENCE_LIMIT_SECONDS = 60.0  # longer without a report (and not restoring) and /health fails
_KILL_MARGIN_SECONDS = 2.0  # the child is killed this long before the worker's shutdown deadline


def next_restart_delay(previous: float, uptime: float) -> float:
    """The pause before another index process: the shortest after a first or long-lived one, else twice the last."""
    shortest, longest = _RESTART_DELAY_SECONDS
    if previous <= 0 or uptime >= _STABLE_SECONDS:
        return shortest
    return min(2 * previous, longest)


class IndexView:
    """The parent's view of the index stage: its reports go to the metrics, its state to /health."""

    def __init__(self, metrics: WorkerMetrics, separate_process: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.metrics = metrics
        self.separate_process = separate_process
        self.clock = clock
        self.owner = False
        self.restoring = False
        self.index_size = 0
        self.restore_seconds: float | None = None
        self.pid: int | None = None  # of the index process, while one runs
        self.restarts = 0  # index processes started again after one died
        self.last_heard: float | None = None  # clock time of the child's start or last report
        self.settled_at: float | None = None  # clock time of the child's first report outside a restore
        self.stuck: str | None = None  # the index stage's own word that it cannot make progress
        self.joined = False  # the index stage's consumer has joined its group

    def receive(self, report: IndexReport) -> None:
        """Take in one report of the index stage."""
        self.metrics.count(report)
        self.owner = report.owner
        self.restoring = report.restoring
        self.index_size = report.index_size
        self.stuck = report.stuck
        self.joined = report.joined
        if report.restore_seconds is not None:
            self.restore_seconds = report.restore_seconds
        self.last_heard = self.clock()
        if self.settled_at is None and not report.restoring and self.pid is not None:
            self.settled_at = self.last_heard

    def started(self, pid: int) -> None:
        """A new index process runs."""
        self.pid = pid
        self.last_heard = self.clock()
        self.settled_at = None

    def settled_for(self) -> float:
        """Seconds the index process has run since it settled (standing by, or owning a restored index)."""
        return 0.0 if self.settled_at is None else self.clock() - self.settled_at

    def lost(self) -> None:
        """The index stage is gone (its process ended): this worker holds no index now."""
        self.receive(IndexReport(owner=False, index_size=0))
        self.restore_seconds = None
        self.pid = None

    def restarting(self) -> None:
        """Count one more start of an index process after one died."""
        self.restarts += 1
        self.metrics.index_restarts.inc()

    def problem(self) -> str | None:
        """Why the index stage is unhealthy or cannot process yet, or None."""
        if self.stuck is not None:
            return self.stuck
        if self.separate_process:  # inline, it lives and dies with the event loop that answers /health
            if self.pid is None:
                return "no index process is running"
            silent = self.clock() - (self.last_heard or 0.0)
            if silent > _SILENCE_LIMIT_SECONDS and not self.restoring:
                return f"the index process has not reported for {silent:.0f} s"
        # Not a failure, but nothing is decided until these pass (the health check is a readiness check).
        if not self.joined:
            return "the index stage has not joined its consumer group yet"
        if self.restoring:
            return "the index stage is restoring the index from the state topic"
        return None

    def health(self) -> dict[str, object]:
        """What /health says of the index stage."""
        return {"index_owner": self.owner, "index_restoring": self.restoring, "index_articles": self.index_size,
                "index_restore_seconds": self.restore_seconds, "index_process_pid": self.pid,
                "index_process_restarts": self.restarts}


async def run_inline(settings: Settings, view: IndexView) -> None:
    """Run the index stage in this process's event loop until cancelled (NEWSDEDUP_INDEX_PROCESS=inline)."""
    await IndexRunner(settings, view.receive).run()


class IndexProcess:
    """The parent's side: start the child, read its reports, stop it cleanly, start another if it dies."""

    def __init__(self, settings: Settings, view: IndexView) -> None:
        self.settings = settings
        self.view = view
        self._stopping = False
        self._conn: Connection | None = None
        self._process: asyncio.subprocess.Process | None = None

    def request_stop(self, deadline: float | None = None) -> None:
        """Ask the child to stop now, and kill it if it has not stopped shortly before `deadline`.

        `deadline` is the worker's own (event-loop clock), set when the stop signal arrived; without one,
        the shutdown timeout counts from now. Called from the loop's thread; later calls do nothing.
        """
        if self._stopping:
            return
        self._stopping = True
        self._send_stop()
        loop = asyncio.get_running_loop()
        timeout = self.settings.shutdown_timeout_seconds
        if deadline is None:
            deadline = loop.time() + timeout
        # Kill a little before the deadline so that it is logged; with a very short timeout, halfway.
        kill_at = deadline - min(_KILL_MARGIN_SECONDS, timeout / 2)
        loop.call_at(kill_at, self._kill_late)
        log.info("asking the index process to stop", extra={
            "index_pid": self._process.pid if self._process else None,
            "kill_in_seconds": round(kill_at - loop.time(), 1)})

    async def run(self) -> None:
        """Keep one child running until a stop is requested or this task is cancelled."""
        delay = 0.0
        quick_deaths = 0
        while not self._stopping:
            exitcode = await self._run_child()
            uptime = self.view.settled_for()  # a child that dies restoring has not settled: a quick death
            self.view.lost()
            if self._stopping:
                log.info("index process stopped", extra={"exit_code": exitcode})
                return
            quick_deaths = quick_deaths + 1 if uptime < _STABLE_SECONDS else 0
            if quick_deaths >= _GIVE_UP_AFTER:
                raise IndexProcessFailed(
                    f"the index process died {quick_deaths} times in a row, each before it had run "
                    f"{_STABLE_SECONDS:.0f} s past its start or restore (last exit code {exitcode}); its log lines "
                    "above say why"
                )
            delay = next_restart_delay(delay, uptime)
            log.error("index process exited unexpectedly; starting another", extra={
                "exit_code": exitcode, "settled_seconds": round(uptime, 1), "restart_in_seconds": delay})
            await asyncio.sleep(delay)
            self.view.restarting()

    async def _run_child(self) -> int | None:
        loop = asyncio.get_running_loop()
        ours_socket, theirs_socket = socket.socketpair()
        ours, theirs = Connection(ours_socket.detach()), Connection(theirs_socket.detach())
        try:
            # A fresh interpreter (no copy of faust's loop or threads), in a process group of its own:
            # group signals (Ctrl-C, a supervisor's stop) reach only this process, which stops the child.
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "newsdedup.app.index_child", str(theirs.fileno()), str(os.getpid()),
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, process_group=0,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        # If this process exits without stopping the child (a crash), kill it rather than leave it.
        kill_at_exit = functools.partial(_kill_if_running, process)
        atexit.register(kill_at_exit)
        self._conn, self._process = ours, process
        self.view.started(process.pid)
        log.info("index process started", extra={"index_pid": process.pid})
        ended: asyncio.Future[None] = loop.create_future()

        def finish() -> None:
            loop.remove_reader(ours.fileno())
            if not ended.done():
                ended.set_result(None)

        def on_readable() -> None:
            try:
                while ours.poll():
                    self.view.receive(ours.recv())
            except (EOFError, OSError):  # the child closed its end: it is exiting
                finish()
            except Exception:
                log.exception("unreadable report from the index process; killing it")
                process.kill()
                finish()

        with contextlib.suppress(OSError):  # if the child died at once, its exit status tells
            ours.send(self.settings)
        loop.add_reader(ours.fileno(), on_readable)
        if self._stopping:
            self._send_stop()  # the stop was requested while this child was being started
        try:
            await asyncio.shield(ended)  # shielded: a cancelled task must leave `ended` to wait on
        except asyncio.CancelledError:
            self.request_stop()
            await self._wait_stopped(process, ended)
            if process.returncode is not None:
                atexit.unregister(kill_at_exit)
            raise
        finally:
            if not ended.done():
                finish()
            ours.close()
            self._conn = None
        exitcode = await process.wait()
        atexit.unregister(kill_at_exit)
        self._process = None
        return exitcode

    async def _wait_stopped(self, process: asyncio.subprocess.Process, ended: asyncio.Future[None]) -> None:
        """Wait for a child asked to stop (killed at the deadline by `request_stop`'s timer)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(ended), self.settings.shutdown_timeout_seconds)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 5.0)
        if process.returncode is None:
            self._kill_late()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), 5.0)
        log.info("index process stopped", extra={"exit_code": process.returncode})

    def _send_stop(self) -> None:
        if self._conn is not None and not self._conn.closed:
            with contextlib.suppress(OSError):
                self._conn.send(STOP)

    def _kill_late(self) -> None:
        process = self._process
        if process is not None and process.returncode is None:
            log.error("index process did not stop in time; killing it", extra={"index_pid": process.pid})
            process.kill()


def _kill_if_running(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        with contextlib.suppress(OSError):
            os.kill(process.pid, signal.SIGKILL)
