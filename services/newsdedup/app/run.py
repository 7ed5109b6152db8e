"""`newsdedup worker`: create the topics, then run the faust worker until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.config

import faust

from newsdedup.app.logs import logging_config
from newsdedup.app.topics import ensure_topics
from newsdedup.app.worker import build_app, topic_specs
from newsdedup.settings import load_settings

log = logging.getLogger("newsdedup.worker")


def run_worker(args: argparse.Namespace) -> int:
    """Carry out `newsdedup worker`."""
    settings = load_settings()
    logging.config.dictConfig(logging_config(settings.log_level))
    created = asyncio.run(ensure_topics(settings.kafka_bootstrap_servers, topic_specs(settings)))
    log.info("topics ready", extra={"topics_created": created, "bootstrap": settings.kafka_bootstrap_servers})
    app = build_app(settings)
    worker = faust.Worker(
        app,
        loglevel=settings.log_level,
        logging_config=logging_config(settings.log_level),
        quiet=True,
        override_logging=False,
    )
    worker.execute_from_commandline()  # returns only by raising SystemExit when the worker stops
    return 0
