"""Create the service's topics with their configured partition counts (Faust creates none of them)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from newsdedup.errors import KafkaTopicError, KafkaUnreachable
from newsdedup.settings import Settings


class Role(StrEnum):
    """What a topic is for; the index stage names the target of each record it writes by its role."""

    RAW = "raw"
    PREPARED = "prepared"  # stage 1 to stage 2
    STATE = "state"  # the index's changelog
    CLEAN = "clean"
    EVENTS = "events"
    DLQ = "dlq"
    STORIES = "stories"
    STATS = "stats"


@dataclass(frozen=True, slots=True)
class Topics:
    """Every topic of the worker by role: made from the settings in one place (`Topics.of`)."""

    raw: str
    prepared: str
    state: str
    clean: str
    events: str
    dlq: str
    stories: str
    stats: str

    @classmethod
    def of(cls, settings: Settings) -> Topics:
        """The topics the settings name; the two between the stages are named after the app id."""
        return cls(raw=settings.topic_raw, prepared=f"{settings.app_id}.prepared",
                   state=f"{settings.app_id}.index-state", clean=settings.topic_clean,
                   events=settings.topic_events, dlq=settings.topic_dlq, stories=settings.topic_stories,
                   stats=settings.topic_stats)

    def __getitem__(self, role: Role) -> str:
        name: str = getattr(self, role.value)
        return name


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic to create when missing."""

    name: str
    partitions: int
    config: dict[str, str] | None = None
    # False for a topic whose smaller max.message.bytes only makes the broker refuse large inputs to their
    # producer (the raw topic): nothing of the service's is lost then, so it is not an error.
    must_fit: bool = True


async def ensure_topics(bootstrap: str, specs: list[TopicSpec], replication: int = 1,
                        client_options: dict[str, Any] | None = None) -> list[str]:
    """Create each missing topic; check the size limit of existing ones; return the names created.

    An existing topic whose `max.message.bytes` is below the spec's raises KafkaTopicError naming the
    topic and the value it needs: records the service must write would be refused at run time.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **(client_options or {}))
    try:
        await admin.start()
    except KafkaConnectionError as exc:
        raise KafkaUnreachable(bootstrap) from exc
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        await _check_limits(admin, [s for s in specs if s.name in existing])
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


async def partitions_of(bootstrap: str, topic: str, client_options: dict[str, Any] | None = None) -> list[int]:
    """The partition numbers of `topic` as the broker describes it (none if it does not exist)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **(client_options or {}))
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return sorted(p["partition"] for t in described if t["topic"] == topic and t["error_code"] == 0
                  for p in t["partitions"])


async def topic_limits(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, int]:
    """The effective `max.message.bytes` of each named topic (its own setting or the broker's default)."""
    if not names:
        return {}
    resources = [ConfigResource(ConfigResourceType.TOPIC, name, {"max.message.bytes": None}) for name in names]
    limits: dict[str, int] = {}
    for response in await admin.describe_configs(resources):
        for resource in response.resources:
            error_code, name, entries = resource[0], resource[3], resource[4]
            if error_code != 0:
                raise KafkaTopicError(f"could not read the configuration of topic {name}: error {error_code}")
            for entry in entries:
                if entry[0] == "max.message.bytes" and entry[1] is not None:
                    limits[name] = int(entry[1])
    return limits


async def _check_limits(admin: AIOKafkaAdminClient, specs: list[TopicSpec]) -> None:
    wanted = {s.name: s for s in specs if s.must_fit and s.config and "max.message.bytes" in s.config}
    found = await topic_limits(admin, list(wanted))
    problems = []
    for name, spec in wanted.items():
        need = int((spec.config or {})["max.message.bytes"])
        if name in found and found[name] < need:
            problems.append(f"topic {name} has max.message.bytes={found[name]}, but the worker writes records of "
                            f"up to {need} bytes there: raise it (kafka-configs --alter --entity-type topics "
                            f"--entity-name {name} --add-config max.message.bytes={need}) or lower "
                            "NEWSDEDUP_MAX_MESSAGE_BYTES")
    if problems:
        raise KafkaTopicError("; ".join(problems))
