"""The message schemas: well-formed, documented, agreeing with their examples, the runtime and AsyncAPI."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from newsdedup import schemas
from newsdedup.app.deadletter import Provenance, dead_letter, decode_article
from newsdedup.core.article import parse_article
from newsdedup.errors import DeadLetterKind, InvalidArticle
from newsdedup.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO_ROOT / "schemas"
EXAMPLES = SCHEMA_DIR / "examples"
PACKAGED_DIR = REPO_ROOT / "services" / "newsdedup" / "_schemas"


def _examples(kind: str, name: str | None = None) -> list[Path]:
    names = [name] if name else list(schemas.SCHEMA_NAMES)
    return sorted(p for n in names for p in (EXAMPLES / kind / n).glob("*.json"))


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _example_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


VALID = _examples("valid")
INVALID = _examples("invalid")


# --- the schema files ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", schemas.SCHEMA_NAMES)
def test_schema_is_a_valid_draft_2020_12_schema(name: str) -> None:
    schema = schemas.load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/" + schemas.schema_file_name(name))
    assert schema["title"]
    assert schema["description"]


_CONDITIONS = {"if", "then", "else", "not"}  # they constrain fields defined elsewhere; no new fields


def _undocumented(node: object, path: str) -> list[str]:
    """Paths of properties that have neither a description nor a $ref to a described definition."""
    found: list[str] = []
    if isinstance(node, dict):
        for prop, sub in node.get("properties", {}).items():
            if isinstance(sub, dict) and "description" not in sub and "$ref" not in sub:
                found.append(f"{path}/properties/{prop}")
        for key, value in node.items():
            if key not in _CONDITIONS:
                found += _undocumented(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _undocumented(value, f"{path}/{i}")
    return found


@pytest.mark.parametrize("name", schemas.SCHEMA_NAMES)
def test_every_field_is_described(name: str) -> None:
    assert _undocumented(schemas.load_schema(name), "#") == []


def test_every_definition_is_described() -> None:
    definitions = schemas.load_schema("clean-article")["$defs"]
    assert all(d.get("description") for d in definitions.values())


# --- the examples -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", schemas.SCHEMA_NAMES)
def test_each_schema_has_several_examples_of_each_kind(name: str) -> None:
    assert len(_examples("valid", name)) >= 4
    assert len(_examples("invalid", name)) >= 8


def test_example_folders_are_named_after_schemas() -> None:
    for kind in ("valid", "invalid"):
        assert sorted(p.name for p in (EXAMPLES / kind).iterdir()) == sorted(schemas.SCHEMA_NAMES)


@pytest.mark.parametrize("path", VALID, ids=_example_id)
def test_valid_example_passes(path: Path) -> None:
    assert schemas.problems(path.parent.name, _load(path)) == []


@pytest.mark.parametrize("path", INVALID, ids=_example_id)
def test_invalid_example_breaks_exactly_one_rule(path: Path) -> None:
    errors = list(schemas.validator(path.parent.name).iter_errors(_load(path)))
    assert errors, f"{path.name} should be invalid"
    # One rule broken: every error (a rule can fail through two keywords) is about one place.
    assert len({tuple(e.absolute_path) for e in errors}) == 1, schemas.problems(path.parent.name, _load(path))


# --- the runtime validator agrees ----------------------------------------------------------------


def _runtime_accepts(obj: object) -> bool:
    try:
        parse_article(obj)
    except InvalidArticle:
        return False
    return True


ARTICLE_CASES = [(p, True) for p in _examples("valid", "article")] + [
    (p, False) for p in _examples("invalid", "article")
]


@pytest.mark.parametrize(("path", "valid"), ARTICLE_CASES, ids=lambda v: _example_id(v) if isinstance(v, Path) else "")
def test_parse_article_agrees_with_the_article_schema(path: Path, valid: bool) -> None:
    assert _runtime_accepts(_load(path)) is valid


@pytest.mark.parametrize("path", _examples("valid", "clean-article"), ids=_example_id)
def test_a_clean_record_is_itself_a_valid_article(path: Path) -> None:
    assert _runtime_accepts(_load(path))


@pytest.mark.parametrize(
    "stamp",
    ["2026-11-25T08:30Z", "20261125T083000Z", "2026-11-25 08:30:00Z", "2026-11-25T08:30:00+0300"],
)
def test_parse_article_refuses_what_the_schema_refuses(stamp: str) -> None:
    article = {"id": "a", "source": "s", "body": "b", "published_at": stamp}
    assert schemas.problems("article", article)
    assert not _runtime_accepts(article)


# --- the real dead-letter builder produces schema-valid records --------------------------------------


def _provenance(key: bytes | None = b"wire-9", timestamp: int | None = 1764057600000) -> Provenance:
    return Provenance(topic="news.articles.raw", partition=1, offset=42, timestamp_ms=timestamp, key=key)


@pytest.mark.parametrize(
    "value",
    [b"\xff\xfe not utf-8", b"<html>not json</html>", b'{"id": "x", "source": "s"}', b"x" * 2048, None],
    ids=["not_utf8", "not_json", "schema", "too_large", "tombstone"],
)
def test_dead_letters_of_the_worker_match_the_schema(value: bytes | None) -> None:
    with pytest.raises(InvalidArticle) as caught:
        decode_article(value, max_bytes=1024)
    record = dead_letter(
        value, _provenance(), caught.value.kind, caught.value.message, datetime.now(UTC), type(caught.value).__name__
    )
    assert schemas.problems("dead-letter", record) == []


def test_a_processing_dead_letter_without_key_or_timestamp_matches_the_schema() -> None:
    record = dead_letter(
        b'{"id": "a", "source": "s", "body": "b"}', _provenance(key=None, timestamp=None), DeadLetterKind.PROCESSING,
        "processing raised: boom", datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
    )
    assert schemas.problems("dead-letter", record) == []


# --- the loader -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", schemas.SCHEMA_NAMES)
def test_the_packaged_copy_equals_the_canonical_schema(name: str) -> None:
    file_name = schemas.schema_file_name(name)
    assert (PACKAGED_DIR / file_name).read_bytes() == (SCHEMA_DIR / file_name).read_bytes(), (
        f"services/newsdedup/_schemas/{file_name} differs from schemas/{file_name}: run scripts/sync-schemas"
    )


def test_the_package_ships_only_the_schema_files() -> None:
    shipped = sorted(p.name for p in PACKAGED_DIR.iterdir() if p.name != "__pycache__")
    assert shipped == sorted(schemas.schema_file_name(n) for n in schemas.SCHEMA_NAMES)


def test_the_package_data_configuration_ships_the_schema_copy() -> None:
    # A non-editable install (a wheel, the Docker image) has only what package-data names.
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["newsdedup"]
    package_dir = PACKAGED_DIR.parent
    shipped = {path for pattern in patterns for path in package_dir.glob(pattern)}
    assert set(PACKAGED_DIR.glob("*.schema.json")) <= shipped, (
        f"pyproject.toml [tool.setuptools.package-data] newsdedup = {patterns} misses _schemas/*.json"
    )
    assert package_dir / "data" / "sample-feed.jsonl" in shipped


def test_a_checkout_reads_the_canonical_folder() -> None:
    assert schemas.repository_schema_dir() == SCHEMA_DIR


def test_the_packaged_copy_is_readable_through_importlib_resources() -> None:
    packaged = schemas.packaged_schema_dir().joinpath("article.schema.json").read_text(encoding="utf-8")
    assert json.loads(packaged) == schemas.load_schema("article")


def test_load_schema_returns_a_copy_and_validators_are_built_once() -> None:
    schemas.load_schema("article")["title"] = "changed"
    assert schemas.load_schema("article")["title"] == "Article"
    assert schemas.validator("dedup-event") is schemas.validator("dedup-event")


def test_an_unknown_schema_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="choose one of article, clean-article"):
        schemas.load_schema("articles")


def test_problems_name_the_place_and_the_rule() -> None:
    bad = {"id": "a", "source": "s", "body": "b", "published_at": "yesterday"}
    assert schemas.problems("article", bad) == [f"$.published_at: 'yesterday' does not match {_pattern()!r}"]


def _pattern() -> str:
    return str(schemas.load_schema("article")["properties"]["published_at"]["pattern"])


# --- the AsyncAPI document ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def asyncapi() -> dict[str, Any]:
    document = yaml.safe_load((SCHEMA_DIR / "asyncapi.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def _resolve_pointer(document: object, pointer: str) -> object:
    node = document
    for token in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
        token = token.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict), f"#{pointer} does not resolve"
        assert token in node, f"#{pointer} does not resolve"
        node = node[token]
    return node


def _resolve(document: dict[str, Any], ref: str) -> object:
    target, _, fragment = ref.partition("#")
    if target:
        path = (SCHEMA_DIR / target).resolve()
        assert path.is_file(), f"$ref {ref!r}: {path} does not exist"
        return _resolve_pointer(_load(path), fragment)
    return _resolve_pointer(document, fragment)


def test_asyncapi_version_and_info(asyncapi: dict[str, Any]) -> None:
    assert asyncapi["asyncapi"] == "3.0.0"
    for field in ("title", "version", "description"):
        assert asyncapi["info"][field], field


def test_every_asyncapi_ref_resolves(asyncapi: dict[str, Any]) -> None:
    refs = _refs(asyncapi)
    assert len(refs) >= 12
    for ref in refs:
        assert _resolve(asyncapi, ref) is not None, ref


def test_every_channel_has_its_message_and_topic(asyncapi: dict[str, Any]) -> None:
    for name, channel in asyncapi["channels"].items():
        assert channel["messages"], f"channel {name} has no message"
        for message in channel["messages"].values():
            assert isinstance(_resolve(asyncapi, message["$ref"]), dict)
        assert channel["bindings"]["kafka"]["topic"] == channel["address"]


def test_each_schema_is_the_payload_of_one_message(asyncapi: dict[str, Any]) -> None:
    payloads = [m["payload"]["schema"]["$ref"] for m in asyncapi["components"]["messages"].values()]
    assert sorted(payloads) == sorted(f"./{schemas.schema_file_name(n)}" for n in schemas.SCHEMA_NAMES)
    for message in asyncapi["components"]["messages"].values():
        assert message["payload"]["schemaFormat"] == "application/schema+json;version=2020-12"
        assert "key" in message["bindings"]["kafka"]


def test_operations_reference_their_channels_and_messages(asyncapi: dict[str, Any]) -> None:
    actions = {}
    for name, operation in asyncapi["operations"].items():
        channel_ref = operation["channel"]["$ref"]
        assert channel_ref.startswith("#/channels/"), name
        channel_name = channel_ref.removeprefix("#/channels/")
        assert channel_name in asyncapi["channels"], f"{name} points at a missing channel"
        for message in operation["messages"]:
            # AsyncAPI 3: an operation's messages must be messages of its own channel.
            assert message["$ref"].startswith(f"{channel_ref}/messages/"), name
            assert _resolve(asyncapi, message["$ref"]) is not None
        actions[asyncapi["channels"][channel_name]["address"]] = operation["action"]
    defaults = Settings.model_construct()  # the defaults, whatever the environment says
    assert actions == {
        defaults.topic_raw: "receive",
        defaults.topic_clean: "send",
        defaults.topic_events: "send",
        defaults.topic_dlq: "send",
        defaults.topic_stories: "send",
        defaults.topic_stats: "send",
    }


def test_channels_carry_the_default_topics_and_partitions(asyncapi: dict[str, Any]) -> None:
    defaults = Settings.model_construct()  # the defaults, whatever the environment says
    partitions = {c["address"]: c["bindings"]["kafka"]["partitions"] for c in asyncapi["channels"].values()}
    assert partitions == {
        defaults.topic_raw: defaults.raw_partitions,
        defaults.topic_clean: defaults.output_partitions,
        defaults.topic_events: defaults.output_partitions,
        defaults.topic_dlq: defaults.output_partitions,
        defaults.topic_stories: defaults.output_partitions,
        defaults.topic_stats: defaults.output_partitions,
    }


def test_the_summary_channels_are_compacted_as_the_worker_creates_them(asyncapi: dict[str, Any]) -> None:
    from newsdedup.app.worker import topic_specs

    defaults = Settings.model_construct()
    created = {spec.name: (spec.config or {}).get("cleanup.policy") for spec in topic_specs(defaults)}
    for channel in asyncapi["channels"].values():
        documented = channel["bindings"]["kafka"].get("topicConfiguration", {}).get("cleanup.policy")
        assert documented == (["compact"] if created[channel["address"]] == "compact" else None), channel["address"]
    assert created[defaults.topic_stories] == created[defaults.topic_stats] == "compact"
