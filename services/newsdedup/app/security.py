"""How every Kafka client of the service connects: plaintext, TLS, SASL over either; one place for all of them.

The worker's faust app, its stage-1 sender, the index process's consumers and producer, the broker
watch, topic set-up, replay and demo all take their connection options from here, so that a secured
cluster needs the settings once. The password lives in the settings as a secret string; it is passed
to the client and never logged (the settings' repr hides it).
"""

from __future__ import annotations

import ssl
from typing import Any

from aiokafka.conn import create_conn
from aiokafka.errors import KafkaError
from aiokafka.helpers import create_ssl_context
from faust.auth import SASLCredentials, SSLCredentials
from faust.types.auth import CredentialsT

from newsdedup.errors import ConfigError, KafkaUnreachable
from newsdedup.settings import Settings

_CHECK_SECONDS = 10.0


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The TLS context for SSL and SASL_SSL (CA file, client certificate and key), else None."""
    if settings.kafka_security_protocol not in ("SSL", "SASL_SSL"):
        return None
    password = settings.kafka_ssl_key_password.get_secret_value() if settings.kafka_ssl_key_password else None
    context: ssl.SSLContext = create_ssl_context(
        cafile=str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None,
        certfile=str(settings.kafka_ssl_certfile) if settings.kafka_ssl_certfile else None,
        keyfile=str(settings.kafka_ssl_keyfile) if settings.kafka_ssl_keyfile else None,
        password=password,
    )
    return context


def client_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for every AIOKafka* client constructor (beside bootstrap_servers)."""
    protocol = settings.kafka_security_protocol
    options: dict[str, Any] = {"security_protocol": protocol}
    context = ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    if protocol.startswith("SASL_"):
        assert settings.kafka_sasl_password is not None  # the settings refuse SASL without one
        options.update(sasl_mechanism=settings.kafka_sasl_mechanism, sasl_plain_username=settings.kafka_sasl_username,
                       sasl_plain_password=settings.kafka_sasl_password.get_secret_value())
    return options


def faust_credentials(settings: Settings) -> CredentialsT | None:
    """faust's `broker_credentials` for the same connection, or None for plaintext."""
    protocol = settings.kafka_security_protocol
    if protocol == "SSL":
        return SSLCredentials(ssl_context(settings))
    if protocol.startswith("SASL_"):
        assert settings.kafka_sasl_password is not None
        return SASLCredentials(username=settings.kafka_sasl_username,
                               password=settings.kafka_sasl_password.get_secret_value(),
                               ssl_context=ssl_context(settings), mechanism=settings.kafka_sasl_mechanism)
    return None


async def check_connection(settings: Settings) -> None:
    """Connect once to the first bootstrap broker; raise ConfigError naming the settings it refuses.

    The clients themselves treat a refused TLS handshake like a broker that is down and retry for ever;
    this check makes the worker stop at start with the reason instead. No broker listening raises
    KafkaUnreachable, which the start-up waits out.
    """
    host, _, port = settings.kafka_bootstrap_servers.split(",")[0].rpartition(":")
    options = client_options(settings)
    where = f"the Kafka broker at {host}:{port}"
    try:
        conn = await create_conn(host, int(port), request_timeout_ms=int(_CHECK_SECONDS * 1000), **options)
    except ssl.SSLError as exc:
        raise ConfigError(f"the TLS handshake with {where} failed ({exc.reason or exc}): check KAFKA_SECURITY_PROTOCOL,"
                          " KAFKA_SSL_CAFILE, KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE") from exc
    except (TimeoutError, OSError) as exc:
        raise KafkaUnreachable(settings.kafka_bootstrap_servers) from exc
    except KafkaError as exc:
        if settings.kafka_security_protocol.startswith("SASL_"):
            raise ConfigError(f"{where} refused the SASL login ({type(exc).__name__}): check KAFKA_SASL_USERNAME, "
                              "KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM") from exc
        raise
    conn.close()
