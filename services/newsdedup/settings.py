"""The one settings object, read from the environment (KAFKA_BOOTSTRAP_SERVERS and NEWSDEDUP_*)."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from newsdedup.core.config import DetectionConfig
from newsdedup.durations import parse_duration
from newsdedup.errors import ConfigError

MIB = 1024 * 1024
_DETECTION_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(DetectionConfig)}
# What the clean topic holds back by default: copies. A rewrite by another outlet (same_story) is news in
# its own words, published with its annotation; a unique article is never held back.
# The statuses of core.dedup.Status but `unique`, written out so that reading the settings does not import
# the detection (numba, datasketch: most of a second); tests/unit/test_settings.py checks they agree.
HoldableStatus = Literal["exact_duplicate", "near_duplicate", "same_story"]
DEFAULT_HOLD_BACK: frozenset[HoldableStatus] = frozenset({"exact_duplicate", "near_duplicate"})
_HOLDABLE: tuple[str, ...] = get_args(HoldableStatus)


def _kafka(name: str) -> AliasChoices:
    """KAFKA_<NAME>, as the broker address is read, or NEWSDEDUP_KAFKA_<NAME>."""
    return AliasChoices(f"KAFKA_{name.upper()}", f"NEWSDEDUP_KAFKA_{name.upper()}")


class Settings(BaseSettings):
    """Every knob of the service; frozen, typed, validated once at start-up."""

    model_config = SettingsConfigDict(env_prefix="NEWSDEDUP_", frozen=True, extra="ignore")

    # The broker is configured here and only here (Faust's BROKER_URL is derived from it).
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "NEWSDEDUP_KAFKA_BOOTSTRAP_SERVERS"),
    )
    # How every client connects (app/security.py); the password is a secret string, never logged.
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT", validation_alias=_kafka("security_protocol"))
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = Field(
        default="SCRAM-SHA-512", validation_alias=_kafka("sasl_mechanism"))
    kafka_sasl_username: str | None = Field(default=None, validation_alias=_kafka("sasl_username"))
    kafka_sasl_password: SecretStr | None = Field(default=None, validation_alias=_kafka("sasl_password"))
    kafka_ssl_cafile: Path | None = Field(default=None, validation_alias=_kafka("ssl_cafile"))
    kafka_ssl_certfile: Path | None = Field(default=None, validation_alias=_kafka("ssl_certfile"))
    kafka_ssl_keyfile: Path | None = Field(default=None, validation_alias=_kafka("ssl_keyfile"))
    kafka_ssl_key_password: SecretStr | None = Field(default=None, validation_alias=_kafka("ssl_key_password"))
    app_id: str = "newsdedup"

    topic_raw: str = "news.articles.raw"
    topic_clean: str = "news.articles.clean"
    topic_events: str = "news.dedup.events"
    topic_dlq: str = "news.articles.dlq"
    # The index stage's own summaries, both compacted: each story's current state (keyed by story id) and
    # per-minute counts (keyed by minute and source): core/stories.py, core/minute_stats.py.
    topic_stories: str = "news.stories"
    topic_stats: str = "news.dedup.stats"
    # Which article represents a story on the stories topic: the first of these sources (highest first,
    # NEWSDEDUP_STORY_SOURCE_PRIORITY comma-separated, compared without case), then the tie rule among
    # equals: "earliest" (first seen) or "longest" (the most complete copy). Default: the first seen.
    story_source_priority: Annotated[tuple[str, ...], NoDecode] = ()
    story_tie_rule: Literal["earliest", "longest"] = "earliest"
    raw_partitions: int = Field(default=2, ge=1, le=1024)
    output_partitions: int = Field(default=1, ge=1, le=1024)

    # At most 16 MiB: the envelopes derived from it (app/budget.py) stay under a broker's 100 MB request limit.
    max_message_bytes: int = Field(default=MIB, ge=1024, le=16 * MIB)
    # The decision statuses whose articles the clean topic does not carry (they still give their event):
    # NEWSDEDUP_HOLD_BACK, comma-separated; empty holds back nothing.
    hold_back: Annotated[frozenset[HoldableStatus], NoDecode] = DEFAULT_HOLD_BACK
    # Superseded by hold_back: true means "hold back nothing", as NEWSDEDUP_HOLD_BACK= (empty) does.
    forward_duplicates: bool = False
    # How long the index stage keeps one Kafka transaction open to gather more articles into it
    # (each transaction costs the broker several requests and markers: docs/WORKER.md).
    commit_interval_ms: int = Field(default=20, ge=0, le=10_000)
    # After SIGTERM or Ctrl-C the worker exits by itself this much later if a clean stop has not finished.
    shutdown_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    # "child": the index stage runs in a process of its own, on a second core (app/index_process.py);
    # "inline": in the worker's one event loop, for a single core.
    index_process: Literal["child", "inline"] = "child"

    # The detection parameters (core/config.py DetectionConfig holds their defaults and their bounds; a bad
    # value is refused there, naming its variable): read here from NEWSDEDUP_<NAME>, as every setting is.
    num_perm: int = _DETECTION_DEFAULTS["num_perm"]
    seed: int = _DETECTION_DEFAULTS["seed"]
    shingle_size: int = _DETECTION_DEFAULTS["shingle_size"]
    threshold: float = _DETECTION_DEFAULTS["threshold"]
    # The window as a duration (NEWSDEDUP_WINDOW=72h, 30m, 3d, 1h30m: the notation of `scan --window`);
    # NEWSDEDUP_WINDOW_HOURS, a number of hours, is the older spelling. Seconds inside (DetectionConfig).
    window: Annotated[float | None, NoDecode] = None
    window_hours: float | None = Field(default=None, gt=0)
    repetition: bool = _DETECTION_DEFAULTS["repetition"]

    data_dir: Path = Path(".cache/worker-data")
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=6066, ge=0, le=65535)
    # `newsdedup dashboard`: loopback unless asked otherwise (the page has no login).
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int = Field(default=8088, ge=0, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # A test hook, never set in production: the index stage raises when it decides the article with this
    # id, as a bug would (tests/integration/test_poison.py shows it becomes a dead letter, once).
    test_fail_article_id: str | None = None

    @field_validator("kafka_bootstrap_servers")
    @classmethod
    def _bootstrap_has_port(cls, value: str) -> str:
        hosts = [h.strip() for h in value.split(",") if h.strip()]
        if not hosts or any(":" not in h for h in hosts):
            raise ValueError("give host:port pairs separated by commas, e.g. 127.0.0.1:9092")
        return ",".join(hosts)

    @field_validator("hold_back", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> Any:
        """A comma-separated list of statuses that may be held back (never `unique`)."""
        names = [part.strip() for part in value.split(",")] if isinstance(value, str) else list(value)
        names = [name for name in names if name]
        if "unique" in names:
            raise ValueError("unique articles are never held back (the clean topic is their only output): "
                             f"give statuses among {', '.join(_HOLDABLE)}, or nothing")
        unknown = [name for name in names if name not in _HOLDABLE]
        if unknown:
            raise ValueError(f"unknown status {', '.join(map(repr, unknown))}: give statuses among "
                             f"{', '.join(_HOLDABLE)}, separated by commas (or nothing, to hold back none)")
        return frozenset(names)

    @field_validator("window", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        """A duration with its unit (72h, 30m, 3d, 1h30m), as seconds."""
        return parse_duration(value) if isinstance(value, str) else value

    @property
    def window_seconds(self) -> float:
        """The window in seconds: NEWSDEDUP_WINDOW, else NEWSDEDUP_WINDOW_HOURS, else 72 hours."""
        if self.window is not None:
            return self.window
        if self.window_hours is not None:
            return self.window_hours * 3600.0
        default: float = _DETECTION_DEFAULTS["window_seconds"]
        return default

    @model_validator(mode="after")
    def _one_window(self) -> Settings:
        if self.window is not None and self.window_hours is not None:
            raise ValueError("NEWSDEDUP_WINDOW and NEWSDEDUP_WINDOW_HOURS both give the window: keep NEWSDEDUP_WINDOW")
        if self.window is not None and self.window <= 0:
            raise ValueError("NEWSDEDUP_WINDOW must be longer than 0")
        return self

    @field_validator("story_source_priority", mode="before")
    @classmethod
    def _source_list(cls, value: Any) -> Any:
        """A comma-separated list of source names, highest priority first; empty names are dropped."""
        names = value.split(",") if isinstance(value, str) else list(value)
        return tuple(name.strip() for name in names if name.strip())

    @field_validator("kafka_ssl_cafile", "kafka_ssl_certfile", "kafka_ssl_keyfile")
    @classmethod
    def _file_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"{value} is not a readable file")
        return value

    @model_validator(mode="after")
    def _security_is_complete(self) -> Settings:
        protocol = self.kafka_security_protocol
        if protocol.startswith("SASL_") and (not self.kafka_sasl_username or self.kafka_sasl_password is None):
            raise ValueError(f"KAFKA_SECURITY_PROTOCOL={protocol} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")
        if (self.kafka_ssl_certfile is None) != (self.kafka_ssl_keyfile is None):
            raise ValueError("KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE go together: give both or neither")
        if protocol not in ("SSL", "SASL_SSL") and (self.kafka_ssl_cafile or self.kafka_ssl_certfile):
            raise ValueError(f"KAFKA_SSL_* files are given but KAFKA_SECURITY_PROTOCOL={protocol} does not use TLS: "
                             "set it to SSL or SASL_SSL")
        return self

    @model_validator(mode="after")
    def _forward_duplicates_holds_back_nothing(self) -> Settings:
        """The superseded NEWSDEDUP_FORWARD_DUPLICATES=true is NEWSDEDUP_HOLD_BACK= (nothing held back)."""
        if not self.forward_duplicates:
            return self
        if "hold_back" in self.model_fields_set and self.hold_back:
            raise ValueError("NEWSDEDUP_FORWARD_DUPLICATES=true (superseded: it holds back nothing) contradicts "
                             f"NEWSDEDUP_HOLD_BACK={','.join(sorted(self.hold_back))}: give only NEWSDEDUP_HOLD_BACK")
        self.__dict__["hold_back"] = frozenset()  # frozen model: set once, while it is being validated
        return self

    def detection(self) -> DetectionConfig:
        """The detection parameters, identical on every replica that shares these settings."""
        return DetectionConfig(
            num_perm=self.num_perm,
            seed=self.seed,
            shingle_size=self.shingle_size,
            threshold=self.threshold,
            window_seconds=self.window_seconds,
            repetition=self.repetition,
        )


def load_settings(**overrides: object) -> Settings:
    """Read the settings from the environment, or raise ConfigError naming each bad variable."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
        settings.detection()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = "_".join(str(part) for part in error["loc"]).upper()
            variable = name if name.startswith("KAFKA_") else f"NEWSDEDUP_{name}"
            # A model-level check has no location: its message names the variables itself.
            problems.append(f"{variable}: {error['msg']}" if name else error["msg"])
        raise ConfigError("invalid settings:\n  " + "\n  ".join(problems)) from exc
    except ConfigError as exc:  # a detection parameter out of range (core/config.py): name its variable
        if exc.setting is None:
            raise
        variable = _DETECTION_VARIABLES.get(exc.setting, f"NEWSDEDUP_{exc.setting.upper()}")
        raise ConfigError(f"invalid settings:\n  {variable}: {exc}", exc.setting) from exc
    return settings


# DetectionConfig's fields whose variable is not NEWSDEDUP_ + the field's name.
_DETECTION_VARIABLES = {"window_seconds": "NEWSDEDUP_WINDOW"}
