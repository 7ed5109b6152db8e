"""docker-compose.yml and the Dockerfile: valid Compose, consistent with the settings, paths that exist.

There is no Docker engine here, so these are static checks: the Compose Specification's own JSON
Schema (the copy that check-jsonschema ships, Apache-2.0), and cross-checks against the code.
"""

from __future__ import annotations

import copy
import fnmatch
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from check_jsonschema.builtin_schemas import get_builtin_schema  # type: ignore[import-untyped]
from jsonschema import Draft202012Validator

from newsdedup.cli import COMMANDS
from newsdedup.localkafka.jars import KAFKA_VERSION
from newsdedup.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
NEWSDEDUP_SERVICES = ("worker", "replay", "dashboard")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def compose_validator() -> Draft202012Validator:
    schema = get_builtin_schema("vendor.compose-spec")
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _messages(validator: Draft202012Validator, document: object) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)]


def test_compose_file_follows_the_compose_specification(
    compose: dict[str, Any], compose_validator: Draft202012Validator
) -> None:
    assert _messages(compose_validator, compose) == []


def test_the_specification_check_catches_a_misspelt_key(
    compose: dict[str, Any], compose_validator: Draft202012Validator
) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["worker"]["depend_on"] = broken["services"]["worker"].pop("depends_on")
    assert _messages(compose_validator, broken)


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "write environment as a mapping"
    return {key: str(value) for key, value in env.items()}


def test_kafka_runs_the_pinned_official_image_in_kraft_mode(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]
    # The same broker version as the no-Docker local broker, so both behave alike.
    assert kafka["image"] == f"apache/kafka:{KAFKA_VERSION}"
    assert compose["services"]["topics"]["image"] == kafka["image"]
    env = _environment(kafka)
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    assert "CONTROLLER://:9093" in env["KAFKA_LISTENERS"].split(",")
    assert env["KAFKA_CONTROLLER_LISTENER_NAMES"] == "CONTROLLER"
    protocol_map = dict(item.split(":") for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    listener_names = {item.split("://")[0] for item in env["KAFKA_LISTENERS"].split(",")}
    assert listener_names <= set(protocol_map)
    for name in (
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
    ):
        assert env[name] == "1", name
    assert env["KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"] == "0"
    assert "kafka-topics.sh" in " ".join(kafka["healthcheck"]["test"])


def test_newsdedup_containers_reach_the_advertised_broker(compose: dict[str, Any]) -> None:
    advertised = _environment(compose["services"]["kafka"])["KAFKA_ADVERTISED_LISTENERS"]
    internal = next(a.split("://")[1] for a in advertised.split(",") if a.startswith("PLAINTEXT://"))
    for name in (*NEWSDEDUP_SERVICES, "topics"):
        assert _environment(compose["services"][name])["KAFKA_BOOTSTRAP_SERVERS"] == internal


@pytest.mark.parametrize("name", NEWSDEDUP_SERVICES)
def test_every_newsdedup_variable_is_a_valid_setting(
    compose: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _environment(compose["services"][name])
    fields = {f"NEWSDEDUP_{field.upper()}" for field in Settings.model_fields}
    unknown = sorted(k for k in env if k.startswith("NEWSDEDUP_") and k not in fields)
    assert unknown == [], f"not settings (services/newsdedup/settings.py): {unknown}"
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    defaults = Settings.model_construct()
    # The topics the `topics` service creates are the ones the settings and AsyncAPI describe.
    assert (settings.topic_raw, settings.raw_partitions) == (defaults.topic_raw, defaults.raw_partitions)
    assert settings.output_partitions == defaults.output_partitions


def test_newsdedup_services_are_built_from_the_dockerfile(compose: dict[str, Any]) -> None:
    for name in NEWSDEDUP_SERVICES:
        build = compose["services"][name]["build"]
        assert (REPO_ROOT / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE


def test_the_commands_exist(compose: dict[str, Any]) -> None:
    worker, replay, dashboard = (compose["services"][n]["command"] for n in NEWSDEDUP_SERVICES)
    assert worker == ["newsdedup", "worker"]
    assert replay[:2] == ["newsdedup", "replay"]
    assert dashboard == ["newsdedup", "dashboard"]
    assert {"worker", "replay", "dashboard"} <= set(COMMANDS)
    # The replayed file is the one the Dockerfile copies into the image.
    assert any(dest == replay[2] for _, dest in _copies())


def test_services_start_in_order(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["topics"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    for name in NEWSDEDUP_SERVICES:
        assert services[name]["depends_on"]["topics"]["condition"] == "service_completed_successfully"


# --- the Dockerfile ---------------------------------------------------------------------------------


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def _copies() -> list[tuple[str, str]]:
    """(source, destination) of every COPY/ADD from the build context."""
    pairs = []
    for instruction, args in _instructions():
        if instruction in ("COPY", "ADD"):
            parts = [p for p in shlex.split(args) if not p.startswith("--")]
            assert "--from" not in args, "a multi-stage COPY needs this test extended"
            pairs += [(source, parts[-1]) for source in parts[:-1]]
    return pairs


def _dockerignore() -> list[str]:
    path = REPO_ROOT / ".dockerignore"
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_the_dockerfile_installs_the_package_as_the_brief_says() -> None:
    instructions = _instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    runs = " ".join(args for instruction, args in instructions if instruction == "RUN")
    assert "pip install --constraint constraints.txt ." in runs
    assert instructions[-1] == ("CMD", '["newsdedup", "worker"]')


@pytest.mark.parametrize(("source", "destination"), _copies())
def test_every_path_the_dockerfile_copies_exists(source: str, destination: str) -> None:
    assert (REPO_ROOT / source).exists(), f"COPY {source} {destination}: {source} is not in the repository"
    ignored = [p for p in _dockerignore() if fnmatch.fnmatch(source.rstrip("/"), p.removeprefix("**/"))]
    assert ignored == [], f"COPY {source}: excluded from the build context by .dockerignore {ignored}"
