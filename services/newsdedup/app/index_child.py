"""The worker's index process: `python -m newsdedup.app.index_child FD PARENT_PID`, started by index_process.py.

It reads its settings from the connection on file descriptor FD, runs the IndexRunner, sends
`IndexReport`s back (after every transaction, and at least every few seconds), and stops cleanly when
the parent sends "stop". It runs in a process group of its own and ignores SIGINT and SIGTERM, so a
Ctrl-C or a signal to the worker's group reaches only the parent, which decides when this process
stops. If the parent dies without asking, this process is killed with it (or exits on the closed pipe).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import logging.config
import os
import pickle
import signal
import socket
import struct
import sys
import threading
from multiprocessing.connection import Connection

from newsdedup.app.index_runner import IndexRunner
from newsdedup.app.logs import logging_config
from newsdedup.app.metrics import IndexReport
from newsdedup.lifelines import die_with_parent
from newsdedup.settings import Settings

log = logging.getLogger("newsdedup.index")

STOP = "stop"  # the parent's one message after the settings
HEARTBEAT_SECONDS = 5.0
EXIT_PARENT_GONE = 70  # the status when the parent vanished without asking this process to stop


class _ReportSender:
    """Send reports to the parent from a thread, so that a busy parent never blocks the index loop;
    reports that wait for the pipe are merged into one.

    Each report goes in one write of its whole frame (the framing `Connection.recv` reads), so the
    parent, which reads once the socket is readable, never waits in the middle of a report.
    """

    def __init__(self, fd: int) -> None:
        self._socket = socket.socket(fileno=os.dup(fd))
        self._lock = threading.Lock()
        self._pending: IndexReport | None = None
        self._wake = threading.Condition(self._lock)
        self._closing = False
        self._thread = threading.Thread(target=self._send_all, name="index-reports", daemon=True)
        self._thread.start()

    def submit(self, report: IndexReport) -> None:
        """Queue `report` (merged into any report still waiting)."""
        with self._lock:
            self._pending = report if self._pending is None else self._pending.merged(report)
            self._wake.notify()

    def close(self, timeout: float) -> None:
        """Send what waits, then stop the thread (at most `timeout` s)."""
        with self._lock:
            self._closing = True
            self._wake.notify()
        self._thread.join(timeout)

    def _send_all(self) -> None:
        while True:
            with self._lock:
                while self._pending is None and not self._closing:
                    self._wake.wait()
                report, self._pending = self._pending, None
            if report is None:
                return  # closing, and nothing left to send
            payload = pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL)
            try:
                self._socket.sendall(struct.pack("!i", len(payload)) + payload)
            except OSError:
                return  # the parent is gone; this process follows it


async def _heartbeat(runner: IndexRunner, sender: _ReportSender) -> None:
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        sender.submit(runner.status())


async def serve(settings: Settings, conn: Connection) -> None:
    """Run the index runner until the parent says stop (or the runner fails, which is raised)."""
    loop = asyncio.get_running_loop()
    asked_to_stop: asyncio.Future[None] = loop.create_future()

    def on_readable() -> None:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            # The parent is gone without asking us to stop: end as abruptly as it did, like a crash.
            os._exit(EXIT_PARENT_GONE)
        if message == STOP and not asked_to_stop.done():
            asked_to_stop.set_result(None)

    loop.add_reader(conn.fileno(), on_readable)
    sender = _ReportSender(conn.fileno())
    runner = IndexRunner(settings, sender.submit)
    running = asyncio.create_task(runner.run())
    beating = asyncio.create_task(_heartbeat(runner, sender))
    try:
        await asyncio.wait({running, asked_to_stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        beating.cancel()
        running.cancel()
        try:
            with contextlib.suppress(asyncio.CancelledError):
                await running  # re-raises the runner's own failure: the process then exits non-zero
        finally:
            sender.close(timeout=2.0)


def main(argv: list[str]) -> int:
    """Entry point of the index process."""
    fd, parent_pid = int(argv[0]), int(argv[1])
    die_with_parent(signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the line above took effect
        return EXIT_PARENT_GONE
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    conn = Connection(fd)
    try:
        settings = conn.recv()
    except (EOFError, OSError):
        return EXIT_PARENT_GONE
    logging.config.dictConfig(logging_config(settings.log_level))
    try:
        asyncio.run(serve(settings, conn))
    except Exception:
        log.exception("index process failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
