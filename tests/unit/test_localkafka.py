"""The local broker helper's set-up logic (the broker itself is exercised by the integration tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdedup.errors import LocalKafkaError
from newsdedup.localkafka import default_cache_dir, ensure_jars, free_port
from newsdedup.localkafka.broker import new_cluster_id, server_properties


def test_missing_maven_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(LocalKafkaError, match=r"'mvn' was not found on PATH.*install"):
        ensure_jars(tmp_path / "cache")


def test_missing_java_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_mvn = bin_dir / "mvn"
    fake_mvn.write_text("#!/bin/sh\nexit 0\n")
    fake_mvn.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(LocalKafkaError, match=r"JDK 17"):
        ensure_jars(tmp_path / "cache")


def test_a_completed_cache_is_reused_without_maven(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "cache" / "kafka-9.9.9"
    (root / "libs").mkdir(parents=True)
    (root / ".complete").write_text("kafka_2.13-9.9.9.jar\n")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    assert ensure_jars(tmp_path / "cache", version="9.9.9") == root / "libs"


def test_cache_dir_can_be_overridden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDEDUP_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path.resolve()


def test_server_properties_bind_loopback_only_with_single_replicas(tmp_path: Path) -> None:
    port, controller = free_port(), free_port()
    props = dict(
        line.split("=", 1) for line in server_properties(tmp_path, port, controller).splitlines() if line
    )
    assert props["listeners"] == f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}"
    assert props["process.roles"] == "broker,controller"
    assert props["auto.create.topics.enable"] == "false"
    for key in ("offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "transaction.state.log.min.isr", "share.coordinator.state.topic.replication.factor"):
        assert props[key] == "1"


def test_cluster_ids_never_look_like_options() -> None:
    ids = [new_cluster_id() for _ in range(2000)]
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)
    assert len(set(ids)) == len(ids)
