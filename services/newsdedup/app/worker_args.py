"""Options of `newsdedup worker`, kept apart from the worker so the CLI does not import faust to parse."""

from __future__ import annotations

import argparse


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    """`worker` takes its configuration from the environment only (KAFKA_BOOTSTRAP_SERVERS, NEWSDEDUP_*)."""
    parser.epilog = (
        "Configuration comes from the environment: KAFKA_BOOTSTRAP_SERVERS, and NEWSDEDUP_<SETTING> for the "
        "rest (e.g. NEWSDEDUP_TOPIC_RAW, NEWSDEDUP_WINDOW_HOURS, NEWSDEDUP_HOLD_BACK); see the README."
    )
