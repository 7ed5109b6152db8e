"""The exceptions newsdedup raises; each message says what to fix."""

from __future__ import annotations


class NewsdedupError(Exception):
    """Base class of every error newsdedup raises on purpose."""


class InvalidArticle(NewsdedupError):
    """An input message is not a valid article; `kind` names the rule it broke."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class ConfigError(NewsdedupError):
    """A setting is missing or out of range."""


class LocalKafkaError(NewsdedupError):
    """The local development broker could not be set up or started."""
