"""The worker and replay through a SASL_SSL listener: certificates made here, SCRAM users made by the broker's tools."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsdedup.localkafka import LocalBroker, free_port
from newsdedup.localkafka.broker import SecureListener
from tests.integration.harness import STORIES, Worker, WorkerEnv, article, lightly_edited, read_all, start_broker

USER = "newsdedup-svc"
PASSWORD = "s3cret-Pa55-never-logged"
STORE_PASSWORD = "keystore-pass"


def make_certificates(folder: Path) -> tuple[Path, Path]:
    """A test CA and a broker certificate for 127.0.0.1 signed by it; return (CA file, broker PKCS#12 keystore)."""
    folder.mkdir(parents=True, exist_ok=True)

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=newsdedup test CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "broker.key", "-out", "broker.csr",
            "-subj", "/CN=127.0.0.1")
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n", encoding="utf-8")
    openssl("x509", "-req", "-in", "broker.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "broker.pem", "-days", "2", "-extfile", "san.ext")
    openssl("pkcs12", "-export", "-in", "broker.pem", "-inkey", "broker.key", "-out", "broker.p12",
            "-name", "broker", "-passout", f"pass:{STORE_PASSWORD}")
    return folder / "ca.pem", folder / "broker.p12"


def secured(env: dict[str, str], cafile: Path, password: str = PASSWORD, mechanism: str = "SCRAM-SHA-512"
            ) -> dict[str, str]:
    """`env` with the SASL_SSL settings."""
    return {**env, "KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_MECHANISM": mechanism,
            "KAFKA_SASL_USERNAME": USER, "KAFKA_SASL_PASSWORD": password, "KAFKA_SSL_CAFILE": str(cafile)}


def test_the_worker_runs_through_sasl_ssl_and_a_wrong_password_stops_it(tmp_path: Path) -> None:
    cafile, keystore = make_certificates(tmp_path / "tls")
    listener = SecureListener(free_port(), keystore, STORE_PASSWORD, {USER: PASSWORD})
    broker = LocalBroker(tmp_path / "kafka", heap="384m", secure=listener)
    start_broker(broker, "the SASL_SSL test's own broker")
    secure_bootstrap = f"127.0.0.1:{listener.port}"
    env = WorkerEnv(secure_bootstrap, "secure", tmp_path / "work")
    env.extra.update(secured({}, cafile))
    worker = Worker(env, "w1")
    try:
        # A wrong password stops a worker at start, naming the setting, and does not print the password.
        wrong = subprocess.run([sys.executable, "-m", "newsdedup", "worker"], env=secured(env.env("w2"), cafile,
                               password="not-the-password"), capture_output=True, text=True, timeout=60)
        assert wrong.returncode == 2, wrong.stderr[-2000:]
        assert "KAFKA_SASL_PASSWORD" in wrong.stderr
        assert "not-the-password" not in wrong.stderr

        deadline = time.monotonic() + 90
        while b'"status":"ok"' not in _health(worker):
            assert time.monotonic() < deadline, worker.log_tail()
            assert worker.process.poll() is None, worker.log_tail()
            time.sleep(0.3)

        lines = [article("grain-1", STORIES["grain"]), article("grain-2", lightly_edited(STORIES["grain"])),
                 article("rail-1", STORIES["rail"]), b"not json"]
        feed = tmp_path / "feed.jsonl"
        feed.write_bytes(b"\n".join(lines) + b"\n")
        t = env.topics
        for mechanism, rate in (("SCRAM-SHA-512", "0"), ("PLAIN", "0")):  # replay through both mechanisms
            replayed = subprocess.run(
                [sys.executable, "-m", "newsdedup", "replay", str(feed), "--rate", rate, "--quiet",
                 "--topic", t["raw"]],
                env=secured({**os.environ, "KAFKA_BOOTSTRAP_SERVERS": secure_bootstrap}, cafile, mechanism=mechanism),
                capture_output=True, text=True, timeout=60)
            assert replayed.returncode == 0, replayed.stderr[-2000:]
            assert PASSWORD not in replayed.stdout + replayed.stderr

        # Read back over the plaintext listener: what the worker published through the secured one.
        out = asyncio.run(read_all(broker.bootstrap, [t["clean"], t["events"], t["dlq"]], expect=5, wait=60))
        assert sorted(r["id"] for r in out[t["clean"]]) == ["grain-1", "rail-1"]
        assert [e["type"] for e in out[t["events"]]] == ["near_duplicate"]
        assert len(out[t["dlq"]]) == 2  # the bad line, replayed twice: two inputs
        assert PASSWORD not in worker.log_path.read_text(encoding="utf-8")
    finally:
        code = worker.stop(timeout=40)
        broker.stop()
    assert code == 0, worker.log_tail()


def _health(worker: Worker) -> bytes:
    try:
        return worker.get("/health")
    except OSError:
        return b""


pytestmark = pytest.mark.integration
