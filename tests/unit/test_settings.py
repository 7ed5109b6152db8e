"""The settings object: environment names, defaults, and messages that say what to fix."""

from __future__ import annotations

import re
from typing import get_args

import pytest

from newsdedup.core.dedup import STATUSES
from newsdedup.errors import ConfigError
from newsdedup.settings import HoldableStatus, load_settings


def refusal(monkeypatch: pytest.MonkeyPatch, **environment: str) -> str:
    """The message of the ConfigError that loading the settings with these variables set raises."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    return str(info.value)


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
    assert settings.hold_back == frozenset()  # the superseded setting holds back nothing
    assert settings.detection().window_seconds == 24 * 3600


def test_bad_values_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    text = refusal(monkeypatch, KAFKA_BOOTSTRAP_SERVERS="no-port-here", NEWSDEDUP_RAW_PARTITIONS="0")
    assert "KAFKA_BOOTSTRAP_SERVERS" in text
    assert "NEWSDEDUP_RAW_PARTITIONS" in text


@pytest.mark.parametrize(("variable", "value"), [("NEWSDEDUP_THRESHOLD", "1.5"), ("NEWSDEDUP_NUM_PERM", "8"),
                                                 ("NEWSDEDUP_SEED", "-1"), ("NEWSDEDUP_SHINGLE_SIZE", "40")])
def test_detection_parameters_are_checked_and_name_their_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=f"{variable}: .*got {value}"):
        load_settings()


def test_the_clean_topic_holds_back_copies_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSDEDUP_HOLD_BACK", raising=False)
    monkeypatch.delenv("NEWSDEDUP_FORWARD_DUPLICATES", raising=False)
    assert load_settings().hold_back == {"exact_duplicate", "near_duplicate"}  # same_story is published


@pytest.mark.parametrize(
    ("value", "held"),
    [
        ("exact_duplicate,near_duplicate,same_story", {"exact_duplicate", "near_duplicate", "same_story"}),
        (" same_story , exact_duplicate ", {"same_story", "exact_duplicate"}),
        ("near_duplicate,", {"near_duplicate"}),
        ("", set()),
    ],
)
def test_hold_back_reads_statuses_separated_by_commas(
    monkeypatch: pytest.MonkeyPatch, value: str, held: set[str]
) -> None:
    monkeypatch.setenv("NEWSDEDUP_HOLD_BACK", value)
    assert load_settings().hold_back == held


def test_unique_articles_can_never_be_held_back(monkeypatch: pytest.MonkeyPatch) -> None:
    text = refusal(monkeypatch, NEWSDEDUP_HOLD_BACK="exact_duplicate,unique")
    assert "NEWSDEDUP_HOLD_BACK" in text
    assert "unique articles are never held back" in text


def test_an_unknown_status_is_refused_naming_the_valid_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    text = refusal(monkeypatch, NEWSDEDUP_HOLD_BACK="exact_duplicate,near_duplicates")
    assert "NEWSDEDUP_HOLD_BACK" in text
    assert "'near_duplicates'" in text
    assert "exact_duplicate, near_duplicate, same_story" in text


def test_forward_duplicates_with_a_hold_back_list_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    text = refusal(monkeypatch, NEWSDEDUP_FORWARD_DUPLICATES="true", NEWSDEDUP_HOLD_BACK="same_story")
    assert "NEWSDEDUP_FORWARD_DUPLICATES" in text
    assert "NEWSDEDUP_HOLD_BACK" in text
    monkeypatch.setenv("NEWSDEDUP_HOLD_BACK", "")  # the two agree: nothing held back
    assert load_settings().hold_back == frozenset()


def test_the_statuses_that_may_be_held_back_are_the_detections_but_unique() -> None:
    assert set(get_args(HoldableStatus)) == set(STATUSES) - {"unique"}


@pytest.mark.parametrize(("environment", "seconds"), [
    ({}, 72 * 3600.0),
    ({"NEWSDEDUP_WINDOW": "30m"}, 1800.0),
    ({"NEWSDEDUP_WINDOW": "1h30m"}, 5400.0),
    ({"NEWSDEDUP_WINDOW": "3d"}, 3 * 86400.0),
    ({"NEWSDEDUP_WINDOW_HOURS": "24"}, 86400.0),  # the older spelling, a number of hours
])
def test_the_window_is_a_duration_with_its_unit(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], seconds: float
) -> None:
    monkeypatch.delenv("NEWSDEDUP_WINDOW", raising=False)
    monkeypatch.delenv("NEWSDEDUP_WINDOW_HOURS", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert load_settings().detection().window_seconds == seconds


@pytest.mark.parametrize(("environment", "message"), [
    ({"NEWSDEDUP_WINDOW": "72"}, "NEWSDEDUP_WINDOW: .*a number and a unit"),
    ({"NEWSDEDUP_WINDOW": "0h"}, "NEWSDEDUP_WINDOW: .*longer than 0"),
    ({"NEWSDEDUP_WINDOW": "2h", "NEWSDEDUP_WINDOW_HOURS": "2"}, "keep NEWSDEDUP_WINDOW"),
])
def test_a_bad_window_says_how_to_write_one(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], message: str
) -> None:
    monkeypatch.delenv("NEWSDEDUP_WINDOW_HOURS", raising=False)
    assert re.search(message, refusal(monkeypatch, **environment))


def test_the_detection_defaults_are_the_cores() -> None:
    from newsdedup.core.config import DetectionConfig
    from newsdedup.settings import Settings

    assert Settings.model_construct().detection() == DetectionConfig()  # one place holds them: core/config.py
