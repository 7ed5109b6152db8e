"""Resolve the Apache Kafka broker jars from Maven Central into a git-ignored cache, once."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

from newsdedup.errors import LocalKafkaError

# Kafka 4.1.x: KRaft only, and the protocol versions aiokafka 0.13+ speaks (checked by the
# integration tests). Its POM carries no logging binding; Kafka 4.1 logs through slf4j 1.7,
# so the log4j2 binding is the slf4j-1 one.
KAFKA_VERSION = "4.1.1"
LOG4J_VERSION = "2.24.3"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.newsdedup</groupId>
  <artifactId>kafka-broker-jars</artifactId>
  <version>{kafka}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId>
      <version>{kafka}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId>
      <version>{log4j}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId>
      <version>{log4j}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId>
      <version>{log4j}</version></dependency>
  </dependencies>
</project>
"""


def default_cache_dir() -> Path:
    """Where jars and local broker data live: NEWSDEDUP_CACHE_DIR, the checkout's .cache/, or ~/.cache."""
    configured = os.environ.get("NEWSDEDUP_CACHE_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "pyproject.toml").is_file() and (checkout / "services" / "newsdedup").is_dir():
        return checkout / ".cache"
    return Path.home() / ".cache" / "newsdedup"


def require_tool(name: str, hint: str) -> str:
    """Return the path of a command on PATH, or raise saying what to install."""
    path = shutil.which(name)
    if path is None:
        raise LocalKafkaError(f"'{name}' was not found on PATH. {hint}")
    return path


def java_command() -> str:
    """The java launcher: $JAVA_HOME/bin/java when set, else java on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    return require_tool(
        "java",
        "The local Kafka broker needs a JDK 17 or newer: install one "
        "(e.g. 'apt-get install openjdk-17-jdk-headless') or set JAVA_HOME.",
    )


def ensure_jars(cache_dir: Path | None = None, version: str = KAFKA_VERSION) -> Path:
    """Return the folder holding the broker's jars, resolving them with Maven on first use."""
    root = (cache_dir or default_cache_dir()) / f"kafka-{version}"
    libs = root / "libs"
    marker = root / ".complete"
    if marker.is_file():
        return libs
    root.mkdir(parents=True, exist_ok=True)
    # A lock, because two test sessions started at once would otherwise both fill libs/.
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file():
            return libs
        mvn = require_tool(
            "mvn",
            "The local Kafka broker's jars are resolved with Maven: install it "
            "(e.g. 'apt-get install maven'), or point KAFKA_BOOTSTRAP_SERVERS at a running broker.",
        )
        java_command()
        pom = root / "pom.xml"
        pom.write_text(_POM.format(kafka=version, log4j=LOG4J_VERSION), encoding="utf-8")
        if libs.exists():
            shutil.rmtree(libs)
        command = [
            mvn, "-q", "-B", "-f", str(pom), f"{DEPENDENCY_PLUGIN}:copy-dependencies",
            "-DincludeScope=runtime", f"-DoutputDirectory={libs}",
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not any(libs.glob(f"kafka_2.13-{version}.jar")):
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
            raise LocalKafkaError(
                f"Maven could not resolve the Kafka {version} broker jars (exit {result.returncode}).\n"
                f"Command: {' '.join(command)}\n{tail}"
            )
        marker.write_text("\n".join(sorted(p.name for p in libs.glob("*.jar"))) + "\n", encoding="utf-8")
    return libs
