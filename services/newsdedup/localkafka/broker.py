"""A single-node KRaft Kafka broker on loopback, run from the cached jars, for tests and local runs."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from newsdedup.errors import LocalKafkaError
from newsdedup.lifelines import die_with_parent
from newsdedup.localkafka.jars import ensure_jars, java_command

_LOG4J2 = """status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.apache.name = org.apache.kafka
logger.apache.level = WARN
"""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class SecureListener:
    """A SASL_SSL listener beside the plaintext one: TLS with a PKCS#12 keystore, SCRAM-SHA-512 and PLAIN logins.

    The SCRAM users are written into the storage when it is formatted (the storage tool's --add-scram),
    the PLAIN users into the listener's login module; both get the same passwords.
    """

    port: int
    keystore: Path  # PKCS#12 holding the broker's key and certificate (for 127.0.0.1)
    keystore_password: str
    users: dict[str, str] = field(default_factory=dict)  # name -> password

    def properties(self) -> list[str]:
        """The broker settings of this listener."""
        plain_users = " ".join(f'user_{name}="{password}"' for name, password in self.users.items())
        prefix = "listener.name.sasl_ssl"
        return [
            "sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN",
            f"{prefix}.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
            "required;",
            f"{prefix}.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
            f"{plain_users};",
            "ssl.keystore.type=PKCS12",
            f"ssl.keystore.location={self.keystore}",
            f"ssl.keystore.password={self.keystore_password}",
            "ssl.client.auth=none",
        ]

    def scram_arguments(self) -> list[str]:
        """The storage tool's arguments that create the SCRAM users."""
        arguments = []
        for name, password in self.users.items():
            arguments += ["--add-scram", f"SCRAM-SHA-512=[name={name},password={password}]"]
        return arguments


def server_properties(data_dir: Path, port: int, controller_port: int, secure: SecureListener | None = None) -> str:
    """The broker's configuration: one node in KRaft combined mode, loopback only, replication 1."""
    listeners = f"PLAINTEXT://127.0.0.1:{port}"
    protocols = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
    if secure is not None:
        listeners += f",SASL_SSL://127.0.0.1:{secure.port}"
        protocols += ",SASL_SSL:SASL_SSL"
    return "\n".join(
        [
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.voters=1@127.0.0.1:{controller_port}",
            f"listeners={listeners},CONTROLLER://127.0.0.1:{controller_port}",
            f"advertised.listeners={listeners}",
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            f"listener.security.protocol.map={protocols}",
            *(secure.properties() if secure is not None else []),
            f"log.dirs={data_dir / 'log'}",
            "num.partitions=1",
            # Topics are created explicitly with their partition counts (see the worker's topic setup).
            "auto.create.topics.enable=false",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=4",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=4",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "",
        ]
    )


def new_cluster_id() -> str:
    """A random Kafka cluster id (22 URL-safe base64 characters) that the storage tool cannot take for an option."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):  # "-abc..." would be parsed as a flag
            return cluster_id


def _die_with_parent() -> None:
    # The broker gets SIGTERM if the Python process that started it dies (even by kill -9),
    # so a crashed test session leaves no broker behind.
    die_with_parent(signal.SIGTERM)


class LocalBroker:
    """Start, wait for and stop a Kafka broker whose files all live in `data_dir`."""

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        heap: str = "768m",
        cache_dir: Path | None = None,
        secure: SecureListener | None = None,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port or free_port()
        self.controller_port = free_port()
        self.heap = heap
        self.cache_dir = cache_dir
        self.secure = secure
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        """The bootstrap address clients connect to."""
        return f"127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        """The broker's own log (kept for post-mortems)."""
        return self.data_dir / "broker.log"

    def _java(self, libs: Path, main: str, *args: str) -> list[str]:
        return [
            java_command(), f"-Xms{self.heap}", f"-Xmx{self.heap}", "-XX:+UseG1GC",
            "-Djava.awt.headless=true", f"-Dlog4j2.configurationFile=file:{self.data_dir / 'log4j2.properties'}",
            "-cp", f"{libs}/*", main, *args,
        ]

    def start(self, timeout: float = 60.0) -> str:
        """Format storage if new, start the broker, wait until an admin call succeeds; return bootstrap."""
        libs = ensure_jars(self.cache_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        props = self.data_dir / "server.properties"
        props.write_text(server_properties(self.data_dir, self.port, self.controller_port, self.secure),
                         encoding="utf-8")
        (self.data_dir / "log4j2.properties").write_text(_LOG4J2.format(log=self.log_file), encoding="utf-8")
        if not (self.data_dir / "log" / "meta.properties").is_file():
            cluster_id = new_cluster_id()
            fmt = subprocess.run(
                self._java(libs, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(props),
                           *(self.secure.scram_arguments() if self.secure is not None else [])),
                capture_output=True, text=True, check=False,
            )
            if fmt.returncode != 0:
                raise LocalKafkaError(f"formatting Kafka storage failed:\n{fmt.stdout}{fmt.stderr}")
        stdout = open(self.data_dir / "broker.stdout", "ab")  # noqa: SIM115 - owned by the child
        self.process = subprocess.Popen(
            self._java(libs, "kafka.Kafka", str(props)),
            stdout=stdout, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=_die_with_parent,
        )
        stdout.close()
        try:
            self.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self.bootstrap

    def wait_ready(self, timeout: float) -> None:
        """Block until the broker answers an admin call, or raise with the end of its log."""
        deadline = time.monotonic() + timeout
        # The client logs every refused connection while the broker boots; that is expected here.
        quiet = logging.getLogger("aiokafka")
        level = quiet.level
        quiet.setLevel(logging.CRITICAL)
        try:
            self._poll_ready(deadline)
        finally:
            quiet.setLevel(level)

    def _poll_ready(self, deadline: float) -> None:
        last_error = "no attempt made"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise LocalKafkaError(
                    f"the Kafka broker exited with code {self.process.returncode} while starting.\n"
                    + self._log_tail()
                )
            try:
                asyncio.run(probe_broker(self.bootstrap, request_timeout=5.0))
                return
            except Exception as exc:  # any failure means "not ready yet"; the deadline bounds it
                last_error = f"{type(exc).__name__}: {exc}"
                time.sleep(0.3)
        raise LocalKafkaError(
            f"the Kafka broker at {self.bootstrap} was not ready in time ({last_error}).\n"
            + self._log_tail()
        )

    def _log_tail(self, lines: int = 30) -> str:
        texts = []
        for path in (self.data_dir / "broker.stdout", self.log_file):
            if path.is_file():
                texts.extend(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        return "\n".join(texts)

    def stop(self, grace: float = 20.0) -> None:
        """Stop the broker: SIGTERM to its process group, then SIGKILL after `grace` seconds."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            try:
                process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def __enter__(self) -> LocalBroker:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


async def probe_broker(bootstrap: str, request_timeout: float = 5.0) -> int:
    """Ask the broker for its cluster metadata; return the number of brokers, or raise."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(request_timeout * 1000))
    await asyncio.wait_for(admin.start(), request_timeout)
    try:
        cluster = await asyncio.wait_for(admin.describe_cluster(), request_timeout)
        return len(cluster.get("brokers", []))
    finally:
        await admin.close()
