"""The settings object: environment names, defaults, and messages that say what to fix."""

from __future__ import annotations

import pytest

from newsdedup.errors import ConfigError
from newsdedup.settings import load_settings


def test_defaults_work_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    settings = load_settings()
    assert settings.kafka_bootstrap_servers == "127.0.0.1:9092"
    assert settings.topic_raw == "news.articles.raw"
    assert settings.web_host == "127.0.0.1"
    assert settings.detection().window_seconds == 72 * 3600


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka-a:9092, kafka-b:9092")
    monkeypatch.setenv("NEWSDEDUP_TOPIC_RAW", "wire.in")
    monkeypatch.setenv("NEWSDEDUP_WINDOW_HOURS", "24")
    monkeypatch.setenv("NEWSDEDUP_FORWARD_DUPLICATES", "true")
    settings = load_settings()
    assert settings.kafka_bootstrap_servers == "kafka-a:9092,kafka-b:9092"
    assert settings.topic_raw == "wire.in"
    assert settings.forward_duplicates is True
    assert settings.detection().window_seconds == 24 * 3600


def test_bad_values_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "no-port-here")
    monkeypatch.setenv("NEWSDEDUP_RAW_PARTITIONS", "0")
    with pytest.raises(ConfigError) as info:
        load_settings()
    text = str(info.value)
    assert "KAFKA_BOOTSTRAP_SERVERS" in text
    assert "NEWSDEDUP_RAW_PARTITIONS" in text


def test_detection_parameters_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDEDUP_THRESHOLD", "1.5")
    with pytest.raises(ConfigError, match="threshold"):
        load_settings()
