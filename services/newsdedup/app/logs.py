"""Structured logs: one JSON object per line on stderr, for log shippers."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import orjson

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
# Answers a group coordinator gives while it is still being elected or loading its offsets, e.g. on every
# first start against a fresh broker: aiokafka retries them by itself, but logs each one as an ERROR.
_TRANSIENT_COORDINATOR_ERRORS = ("GroupCoordinatorNotAvailableError", "CoordinatorLoadInProgressError",
                                 "NotCoordinatorForGroupError")


class JsonFormatter(logging.Formatter):
    """Format a record as a JSON line with time, level, logger, message and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Render one record."""
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,  # the worker and its index process share one stderr
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(payload, default=str).decode("utf-8")


class TransientCoordinatorErrors(logging.Filter):
    """Log aiokafka's 'coordinator not available yet' errors as INFO: they are retried, and not a failure.

    Only those exact errors are demoted, and only to INFO, so they stay visible; a coordinator that never
    becomes available shows on /health (the index stage never joins its group) and in the worker's own
    log lines, not through these.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Demote the record if it is one of the transient coordinator errors; keep every record."""
        if record.levelno >= logging.ERROR and any(name in record.getMessage()
                                                   for name in _TRANSIENT_COORDINATOR_ERRORS):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


class RepeatedClientErrors(logging.Filter):
    """Let each of aiokafka's warnings and errors through once per REPEAT_WINDOW_SECONDS, with the count of
    the repeats it stood for.

    With the broker gone, every client logs each failed request about ten times a second (16,000 lines
    in a two-minute test with a 60 s outage); the first of each and then one line per window with a
    `repeated` count say the same.
    """

    REPEAT_WINDOW_SECONDS = 10.0

    def __init__(self) -> None:
        super().__init__()
        self._shown: dict[tuple[str, str], tuple[float, int]] = {}  # (logger, message) -> (shown at, repeats since)

    def filter(self, record: logging.LogRecord) -> bool:
        """Pass the record unless it repeats an aiokafka warning or error shown within the window."""
        if record.levelno < logging.WARNING or not record.name.startswith("aiokafka"):
            return True
        key = (record.name, record.getMessage())
        shown_at, repeats = self._shown.get(key, (None, 0))
        if shown_at is not None and record.created - shown_at < self.REPEAT_WINDOW_SECONDS:
            self._shown[key] = (shown_at, repeats + 1)
            return False
        if repeats:
            record.repeated = repeats  # a field of the JSON line: how many were left out since the last one
        self._shown[key] = (record.created, 0)
        if len(self._shown) > 1000:  # messages that carry ids or offsets never repeat: forget the old ones
            horizon = record.created - self.REPEAT_WINDOW_SECONDS
            self._shown = {k: v for k, v in self._shown.items() if v[0] >= horizon}
        return True


def logging_config(level: str) -> dict[str, Any]:
    """A dictConfig sending every logger's records to stderr as JSON lines."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "filters": {"transient_coordinator": {"()": TransientCoordinatorErrors},
                    "repeated_client_errors": {"()": RepeatedClientErrors}},
        # On the handler: a logger's filters do not apply to the records of its child loggers.
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr",
                                "filters": ["repeated_client_errors"]}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {"aiokafka": {"level": "WARNING"}, "faust": {"level": level}, "mode": {"level": "WARNING"},
                    # The logger that reports a failed FindCoordinator request (aiokafka 0.13-0.14).
                    "aiokafka.consumer.group_coordinator": {"filters": ["transient_coordinator"]}},
    }
