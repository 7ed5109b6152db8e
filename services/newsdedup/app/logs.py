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


def logging_config(level: str) -> dict[str, Any]:
    """A dictConfig sending every logger's records to stderr as JSON lines."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "filters": {"transient_coordinator": {"()": TransientCoordinatorErrors}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {"aiokafka": {"level": "WARNING"}, "faust": {"level": level}, "mode": {"level": "WARNING"},
                    # The logger that reports a failed FindCoordinator request (aiokafka 0.13-0.14).
                    "aiokafka.consumer.group_coordinator": {"filters": ["transient_coordinator"]}},
    }
