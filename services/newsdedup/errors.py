"""The exceptions newsdedup raises; each message says what to fix."""

from __future__ import annotations

from enum import StrEnum


class NewsdedupError(Exception):
    """Base class of every error newsdedup raises on purpose."""


class DeadLetterKind(StrEnum):
    """Why an input became a dead letter: the dead-letter schema's `error.kind` (a test holds them equal)."""

    NOT_UTF8 = "not_utf8"
    NOT_JSON = "not_json"
    SCHEMA = "schema"  # JSON, but not an article: a field missing or of the wrong type
    TOO_LARGE = "too_large"  # the input, or a record it would produce, over its size budget
    PROCESSING = "processing"  # a valid article whose detection failed


class InvalidArticle(NewsdedupError):
    """An input message is not a valid article; `kind` names the rule it broke."""

    def __init__(self, kind: DeadLetterKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class InvalidLabel(InvalidArticle):
    """A line of a labelled corpus (`newsdedup eval`) has a missing or malformed label."""

    def __init__(self, message: str) -> None:
        super().__init__(DeadLetterKind.SCHEMA, message)


class ConfigError(NewsdedupError):
    """A setting is missing or out of range; `setting` names the field, when one field is at fault."""

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


class LocalKafkaError(NewsdedupError):
    """The local development broker could not be set up or started."""
