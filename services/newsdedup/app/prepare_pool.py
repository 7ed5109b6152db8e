"""Stage 1's CPU work (decode, clean, normalise, sign) in child processes.

The worker's event loop runs both stages and the Kafka clients; with stage 1 in it, one core bounds the
whole worker (docs/BENCHMARKS.md, "Worker"). `PreparePool` hands each raw message to a child process
that runs the same `PrepareStage` and returns the envelope's bytes, so the loop keeps its core for the
Kafka clients and the index while a second core prepares. The agent still awaits each message in
order, so stage 1's order and its at-least-once offsets are unchanged. Children die with the worker
(PR_SET_PDEATHSIG), and a child that dies is replaced; the message it held is prepared in the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Any

from newsdedup.app.deadletter import Provenance
from newsdedup.app.stages import PrepareStage
from newsdedup.settings import Settings

log = logging.getLogger("newsdedup.prepare")

_child_stage: PrepareStage | None = None  # the PrepareStage of a child process, made by _start_child


def _start_child(settings: dict[str, Any]) -> None:
    global _child_stage
    with contextlib.suppress(OSError):  # Linux: SIGTERM to this child when the worker dies, even by kill -9
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the worker decides
    _child_stage = PrepareStage(Settings(**settings))


def _prepare_in_child(value: bytes | None, provenance: Provenance, arrived_at: datetime) -> bytes:
    assert _child_stage is not None, "the child was started without its PrepareStage"
    return _child_stage.run(value, provenance, arrived_at).to_bytes()


class PreparePool:
    """Runs PrepareStage in `settings.prepare_processes` child processes (0: in the event loop)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stage = PrepareStage(settings)  # for processes=0 and for a message whose child died
        self._executor: ProcessPoolExecutor | None = None

    def _started(self) -> ProcessPoolExecutor | None:
        if self._executor is None and self.settings.prepare_processes > 0:
            self._executor = ProcessPoolExecutor(
                max_workers=self.settings.prepare_processes,
                # spawn: a fork of a running event loop and its Kafka connections is not safe
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_child,
                initargs=(self.settings.model_dump(),),
            )
        return self._executor

    async def run(self, value: bytes | None, provenance: Provenance, arrived_at: datetime) -> bytes:
        """The envelope bytes of one raw message, prepared in a child process."""
        executor = self._started()
        if executor is not None:
            try:
                return await asyncio.get_running_loop().run_in_executor(
                    executor, _prepare_in_child, value, provenance, arrived_at
                )
            except BrokenProcessPool:
                log.error("a prepare process died; starting new ones", extra={"offset": provenance.offset})
                self.close()
        return self.stage.run(value, provenance, arrived_at).to_bytes()

    def close(self) -> None:
        """Stop the child processes (the worker is stopping, or one of them died)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
