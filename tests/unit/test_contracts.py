"""The names the code and the published contracts share: each enum equals its schema's, each topic is documented.

Adding a topic role, a dead-letter kind or a decision status without its schema, example or AsyncAPI
channel fails here, not in production.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from newsdedup import schemas
from newsdedup.app.topics import Role, Topics
from newsdedup.core.dedup import STATUSES
from newsdedup.errors import DeadLetterKind
from newsdedup.settings import Settings
from tests.conftest import REPO_ROOT

SCHEMA_DIR = REPO_ROOT / "schemas"
# The schema of every topic outside the service (the other two carry the service's own envelopes and state).
SCHEMA_OF_ROLE = {Role.RAW: "article", Role.CLEAN: "clean-article", Role.EVENTS: "dedup-event",
                  Role.DLQ: "dead-letter", Role.STORIES: "story", Role.STATS: "stats"}
INTERNAL = {Role.PREPARED, Role.STATE}


def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMA_DIR / schemas.schema_file_name(name)).read_text(encoding="utf-8"))
    return loaded


def _valid_examples(name: str) -> list[dict[str, Any]]:
    folder = SCHEMA_DIR / "examples" / "valid" / name
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def test_dead_letter_kinds_are_the_schemas() -> None:
    kinds = _schema("dead-letter")["properties"]["error"]["properties"]["kind"]["enum"]
    assert [kind.value for kind in DeadLetterKind] == kinds


@pytest.mark.parametrize("kind", list(DeadLetterKind))
def test_every_dead_letter_kind_has_a_valid_example(kind: DeadLetterKind) -> None:
    examples = [e for e in _valid_examples("dead-letter") if e["error"]["kind"] == kind.value]
    assert examples, f"schemas/examples/valid/dead-letter has no example of kind {kind.value!r}"
    for example in examples:
        assert not schemas.problems("dead-letter", example)


def test_decision_statuses_are_the_schemas() -> None:
    assert list(STATUSES) == _schema("clean-article")["$defs"]["dedup"]["properties"]["status"]["enum"]
    # An event is a finding: every status but `unique`, and the repetition found inside one article.
    events = _schema("dedup-event")["properties"]["type"]["enum"]
    assert events == [status for status in STATUSES if status != "unique"] + ["self_repetition"]


def test_every_topic_outside_the_service_has_a_schema_and_an_asyncapi_channel() -> None:
    assert set(Role) == set(SCHEMA_OF_ROLE) | INTERNAL, "a new role needs its schema here, or is internal"
    asyncapi = yaml.safe_load((SCHEMA_DIR / "asyncapi.yaml").read_text(encoding="utf-8"))
    channels = {channel["address"]: channel for channel in asyncapi["channels"].values()}
    topics = Topics.of(Settings.model_construct())  # the defaults, whatever the environment says
    for role, schema in SCHEMA_OF_ROLE.items():
        channel = channels.get(topics[role])
        assert channel is not None, f"no AsyncAPI channel for the {role.value} topic {topics[role]}"
        payloads = {m["payload"]["schema"]["$ref"] for m in asyncapi["components"]["messages"].values()}
        assert any(ref.endswith(schemas.schema_file_name(schema)) for ref in payloads), schema
    assert set(channels) == {topics[role] for role in SCHEMA_OF_ROLE}, "a channel without a role"


def test_topics_by_role_and_by_name_agree() -> None:
    topics = Topics.of(Settings.model_construct(app_id="desk"))
    assert topics[Role.PREPARED] == topics.prepared == "desk.prepared"
    assert topics[Role.STATE] == "desk.index-state"
    assert len({topics[role] for role in Role}) == len(Role)  # no two roles share a topic by default
