"""Create the service's topics with their configured partition counts (Faust creates none of them)."""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from newsdedup.errors import NewsdedupError


class KafkaUnreachable(NewsdedupError):
    """No broker answered at the configured bootstrap address."""

    def __init__(self, bootstrap: str) -> None:
        super().__init__(
            f"cannot reach Kafka at {bootstrap}: start a local broker with 'newsdedup kafka start' "
            "or point KAFKA_BOOTSTRAP_SERVERS at a running one"
        )


class KafkaTopicError(NewsdedupError):
    """The broker refused to create a topic."""


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic to create when missing."""

    name: str
    partitions: int
    config: dict[str, str] | None = None


async def ensure_topics(bootstrap: str, specs: list[TopicSpec], replication: int = 1) -> list[str]:
    """Create each missing topic; return the names created. Existing topics are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        await admin.start()
    except KafkaConnectionError as exc:
        raise KafkaUnreachable(bootstrap) from exc
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if not missing:
            return []
        new = [
            NewTopic(name=s.name, num_partitions=s.partitions, replication_factor=replication,
                     topic_configs=s.config or {})
            for s in missing
        ]
        response = await admin.create_topics(new, validate_only=False)
        failures = []
        for error in response.topic_errors:
            name, code = error[0], error[1]
            # Another replica may create the topic between our list and create: the goal is met.
            if code not in (0, TopicAlreadyExistsError.errno):
                message = error[2] if len(error) > 2 else ""
                failures.append(f"{name}: error {code} {message or ''}".strip())
        if failures:
            raise KafkaTopicError("could not create topics: " + "; ".join(failures))
        return [s.name for s in missing]
    finally:
        await admin.close()
