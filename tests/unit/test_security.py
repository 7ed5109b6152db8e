"""The connection settings: validated at start, turned into the same options for every client, secrets hidden."""

from __future__ import annotations

import ssl

import pytest
from faust.auth import SASLCredentials, SSLCredentials

from newsdedup.app.security import client_options, faust_credentials
from newsdedup.errors import ConfigError
from newsdedup.settings import load_settings

SECRET = "pa55-word-that-must-not-show"


def test_plaintext_is_the_default_and_needs_nothing() -> None:
    settings = load_settings()
    assert client_options(settings) == {"security_protocol": "PLAINTEXT"}
    assert faust_credentials(settings) is None


def test_sasl_ssl_gives_every_client_the_same_login_and_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "svc")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", SECRET)
    settings = load_settings()
    options = client_options(settings)
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "svc"
    assert options["sasl_plain_password"] == SECRET
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    credentials = faust_credentials(settings)
    assert isinstance(credentials, SASLCredentials)
    assert credentials.mechanism.value == "SCRAM-SHA-512"
    assert credentials.ssl_context is not None
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings.model_dump())


def test_ssl_alone_and_sasl_plaintext(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SSL")
    assert isinstance(faust_credentials(load_settings()), SSLCredentials)
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", "PLAIN")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "svc")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", SECRET)
    options = client_options(load_settings())
    assert "ssl_context" not in options
    assert options["sasl_mechanism"] == "PLAIN"


@pytest.mark.parametrize(("env", "named"), [
    ({"KAFKA_SECURITY_PROTOCOL": "SASL_SSL"}, "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"),
    ({"KAFKA_SECURITY_PROTOCOL": "TLS"}, "KAFKA_SECURITY_PROTOCOL"),
    ({"KAFKA_SASL_MECHANISM": "GSSAPI"}, "KAFKA_SASL_MECHANISM"),
    ({"KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_CAFILE": "/no/such/ca.pem"}, "KAFKA_SSL_CAFILE"),
    ({"KAFKA_SECURITY_PROTOCOL": "PLAINTEXT", "KAFKA_SSL_CAFILE": __file__}, "does not use TLS"),
    ({"KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_CERTFILE": __file__}, "KAFKA_SSL_KEYFILE"),
])
def test_incomplete_or_wrong_settings_stop_the_start_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    if "SASL_SSL" not in env.values():
        monkeypatch.setenv("KAFKA_SASL_PASSWORD", SECRET)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert named in str(caught.value)
    assert SECRET not in str(caught.value)
