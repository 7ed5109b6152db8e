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


class KafkaUnreachable(NewsdedupError):
    """No broker answered at the configured bootstrap address."""

    def __init__(self, bootstrap: str) -> None:
        super().__init__(
            f"cannot reach Kafka at {bootstrap}: start a local broker with 'newsdedup kafka start' "
            "or point KAFKA_BOOTSTRAP_SERVERS at a running one"
        )


class KafkaTopicError(NewsdedupError):
    """The broker refused to create a topic, or an existing topic is configured against the service's needs."""


class EnvelopeTooLarge(NewsdedupError):
    """An envelope larger than the budget allows reached the stage-1 sender (stage 1 checks sizes first)."""


class IndexProcessFailed(NewsdedupError):
    """The index process kept dying soon after its start: the worker stops so that its supervisor sees it."""


class PairsFileError(NewsdedupError):
    """The pairs file of `newsdedup eval --pairs` cannot be read as labelled pairs; the message names the line."""


class LocalKafkaError(NewsdedupError):
    """The local development broker could not be set up or started."""
