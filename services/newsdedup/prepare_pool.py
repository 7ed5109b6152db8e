"""The per-article half of `newsdedup scan` (parse + `prepare`) line by line, here or in worker processes.

`prepare` is pure, so worker processes can run it on chunks of lines while the main process keeps the
one Deduplicator and decides in input order: the output does not depend on the number of workers.
Chunks go out in input order and are read back in the same order; at most `IN_FLIGHT_PER_WORKER`
chunks per worker are out at a time, so memory stays bounded whatever the input's length. A worker
that dies ends the scan with `WorkerCrashed` (the executor notices the dead process: nothing is lost
silently and nothing waits for a result that cannot come).
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

from newsdedup.core.article import Article, decode_json, parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.pipeline import prepare
from newsdedup.core.prepared import PreparedArticle
from newsdedup.core.signatures import Signer
from newsdedup.errors import InvalidArticle, NewsdedupError

# Lines per task: large enough that a task's pickling and hand-over cost little beside its ~60 ms of
# preparation (SaudiNewsNet articles), small enough that the first records come out soon and memory
# stays small.
CHUNK_LINES = 256
# Tasks out per worker: one being prepared and one waiting, so no worker idles while the main process
# decides.
IN_FLIGHT_PER_WORKER = 2

Check = Callable[[Article], None]
# A line's outcome: its number, then the article and its preparation, or the message that reports it.
Prepared = tuple[int, Article, PreparedArticle, None]
Failed = tuple[int, None, None, str]
Outcome = Prepared | Failed


class WorkerCrashed(NewsdedupError):
    """A worker process of `scan --workers N` ended without returning its lines' results."""


def start_method() -> str:
    """How to start the workers: fork while this process runs one thread, else forkserver (or spawn).

    A forked worker starts with the modules and numba kernels this process has loaded (about 0.1 s
    instead of about 1 s to import and load them again: docs/BENCHMARKS.md, "scan --workers"). The
    pool starts its workers before its own thread and before the first decision, so a scan forks a
    small, one-threaded process; a caller that runs threads of its own gets forkserver, since a fork
    copies another thread's locks in whatever state they are.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def failure_message(exc: Exception) -> str:
    """What scan reports for a line whose processing raised `exc`."""
    if isinstance(exc, InvalidArticle):
        return exc.message
    return f"processing failed ({type(exc).__name__}: {exc})"


def prepare_line(number: int, line: bytes, signer: Signer, config: DetectionConfig, check: Check | None) -> Outcome:
    """Parse, check and prepare one line; a line that fails gives the message that reports it."""
    try:
        article = parse_article(decode_json(line))
        if check is not None:
            check(article)
        return number, article, prepare(article, signer, config), None
    except Exception as exc:  # as the worker's boundary does: one bad line must not end the run
        return number, None, None, failure_message(exc)


def prepared_here(
    lines: Iterable[tuple[int, bytes]], signer: Signer, config: DetectionConfig, check: Check | None = None
) -> Iterator[Outcome]:
    """Every line's outcome, prepared in this process, in input order."""
    for number, line in lines:
        yield prepare_line(number, line, signer, config, check)


def prepared_in_workers(
    lines: Iterable[tuple[int, bytes]], config: DetectionConfig, workers: int, chunk_lines: int = CHUNK_LINES
) -> Iterator[Outcome]:
    """Every line's outcome, prepared in `workers` processes, in input order; WorkerCrashed if one dies."""
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(start_method()),
        initializer=_start_worker,
        initargs=(config,),
    )
    pending: deque[Future[list[Outcome]]] = deque()
    source = iter(lines)  # one iterator: each chunk takes up where the last one ended
    chunks = iter(lambda: list(islice(source, chunk_lines)), [])
    try:
        for chunk in chunks:
            pending.append(_submit_or_crash(pool, chunk))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                yield from _result_or_crash(pending.popleft())
            # What is ready goes on at once: a slow input (a pipe) need not fill the pool first.
            while pending and pending[0].done():
                yield from _result_or_crash(pending.popleft())
        while pending:
            yield from _result_or_crash(pending.popleft())
    finally:
        # After a crash or an early stop nothing more is wanted: drop what has not started.
        pool.shutdown(wait=True, cancel_futures=True)


def _submit_or_crash(pool: ProcessPoolExecutor, chunk: list[tuple[int, bytes]]) -> Future[list[Outcome]]:
    try:
        return pool.submit(_prepare_chunk, chunk)
    except BrokenProcessPool as exc:
        raise _crashed(exc) from exc


def _result_or_crash(future: Future[list[Outcome]]) -> list[Outcome]:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise _crashed(exc) from exc


def _crashed(exc: BrokenProcessPool) -> WorkerCrashed:
    return WorkerCrashed(
        f"a worker process ended unexpectedly ({exc}); the output is incomplete: it ends before the first "
        "line whose preparation was lost"
    )


# The worker process's own signer, made once by the pool's initializer (its numba kernels loaded then).
_worker_state: tuple[Signer, DetectionConfig] | None = None


def _start_worker(config: DetectionConfig) -> None:
    global _worker_state
    # Ctrl-C reaches the whole process group: the main process stops the pool, and a worker that
    # raised KeyboardInterrupt itself would only print a traceback and break the pool under it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_state = (Signer(config), config)


def _prepare_chunk(chunk: list[tuple[int, bytes]]) -> list[Outcome]:
    if _worker_state is None:
        raise RuntimeError("the worker process was not initialised")
    signer, config = _worker_state
    return [prepare_line(number, line, signer, config, None) for number, line in chunk]
