"""`newsdedup worker`: create the topics, then run the faust worker until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.config
import os
import threading
from typing import Any

import faust

from newsdedup.app.logs import logging_config
from newsdedup.app.security import check_connection, client_options
from newsdedup.app.startup import when_broker_answers
from newsdedup.app.topics import ensure_topics
from newsdedup.app.transport import WorkerApp
from newsdedup.app.worker import build_app, topic_specs
from newsdedup.settings import load_settings

log = logging.getLogger("newsdedup.worker")

EXIT_SHUTDOWN_TIMEOUT = 3  # the worker stopped because its shutdown deadline passed


def run_worker(args: argparse.Namespace) -> int:
    """Carry out `newsdedup worker`."""
    settings = load_settings()
    logging.config.dictConfig(logging_config(settings.log_level))

    async def set_up() -> list[str]:
        await check_connection(settings)  # wrong credentials stop the worker here, naming the settings
        return await ensure_topics(settings.kafka_bootstrap_servers, topic_specs(settings),
                                   client_options=client_options(settings))

    created = asyncio.run(when_broker_answers(set_up, settings.kafka_bootstrap_servers, settings.web_host,
                                              settings.web_port))
    log.info("topics ready", extra={"topics_created": created, "bootstrap": settings.kafka_bootstrap_servers})
    app = build_app(settings)
    worker = _Worker(
        app,
        shutdown_timeout=settings.shutdown_timeout_seconds,
        loglevel=settings.log_level,
        logging_config=logging_config(settings.log_level),
        quiet=True,
        override_logging=False,
    )
    worker.execute_from_commandline()  # returns only by raising SystemExit when the worker stops
    return 0


class _Worker(faust.Worker):
    """faust's Worker with a deadline on shutdown.

    A clean stop flushes producers and leaves the consumer group, which waits on the broker; with the
    broker gone it would wait for ever and a supervisor would have to SIGKILL the worker. Past the
    deadline the process exits by itself: transactions and the raw-offset record (docs/WORKER.md) make
    that as safe as a crash, and what was not committed is read again on the next start.
    """

    def __init__(self, app: WorkerApp, *args: Any, shutdown_timeout: float, **kwargs: Any) -> None:
        super().__init__(app, *args, **kwargs)
        # faust's terminal spinner writes a cursor escape to stderr at start-up even when stderr is not a
        # terminal, which broke the first JSON log line for log shippers.
        self.spinner = None
        self._worker_app = app
        self._shutdown_timeout = shutdown_timeout
        self._deadline: threading.Timer | None = None

    def _on_sigterm(self) -> None:
        self._arm_deadline("SIGTERM")
        super()._on_sigterm()

    def _on_sigint(self) -> None:
        self._arm_deadline("SIGINT")
        super()._on_sigint()

    def on_worker_shutdown(self) -> None:
        # Every way out passes here, also a crash (e.g. the index process gave up), whose stop with the
        # broker gone would otherwise hang with no signal to arm the deadline.
        self._arm_deadline("shutdown")
        super().on_worker_shutdown()

    def _arm_deadline(self, reason: str) -> None:
        if self._deadline is None:
            log.info("stopping", extra={"reason": reason, "deadline_seconds": self._shutdown_timeout})
            self._deadline = threading.Timer(self._shutdown_timeout, _exit_now, args=(self._shutdown_timeout,))
            self._deadline.daemon = True
            self._deadline.start()
            deadline = self.loop.time() + self._shutdown_timeout
            for hook in self._worker_app.stop_requested:
                # Scheduled, not called: after a crash this runs while the loop is between runs, and the
                # hooks need it running; the stop that follows runs it.
                self.loop.call_soon(hook, deadline)


def _exit_now(timeout: float) -> None:
    log.error("shutdown did not finish in time; exiting without a clean stop (uncommitted input is read again "
              "on the next start)", extra={"deadline_seconds": timeout})
    logging.shutdown()
    os._exit(EXIT_SHUTDOWN_TIMEOUT)
