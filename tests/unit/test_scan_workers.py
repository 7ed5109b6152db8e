"""`newsdedup scan --workers N`: the same bytes as one process, in input order, and a dead worker fails the scan."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsdedup.core.config import DetectionConfig
from newsdedup.core.signatures import Signer
from newsdedup.jsonlines import read_lines
from newsdedup.prepare_pool import prepared_here, prepared_in_workers
from tests.conftest import REPO_ROOT

FEED = REPO_ROOT / "services" / "newsdedup" / "data" / "sample-feed.jsonl"
BAD_LINES = [
    b"this is not json",
    b'{"id": "no-source", "body": "text"}',
    b"",
    b'{"id": "latin1", "source": "a", "body": "caf\xe9"}',
    b"[1, 2]",
    b'{"id": "when", "source": "a", "body": "x", "published_at": "yesterday"}',
]


def mixed_stream() -> bytes:
    """The sample feed twelve times over (two chunks of lines and more) with bad lines between its copies."""
    feed = FEED.read_bytes().splitlines()
    lines: list[bytes] = []
    for copy in range(12):
        lines.extend(feed)
        lines.append(BAD_LINES[copy % len(BAD_LINES)])
    return b"\n".join(lines) + b"\n"


def scan(*argv: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """`python -m newsdedup scan ARGV` in a fresh process, as a user runs it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "services"), str(REPO_ROOT)])}
    return subprocess.run(
        [sys.executable, "-m", "newsdedup", "scan", *argv], input=stdin, capture_output=True, env=env, timeout=300,
        check=False,
    )


def test_two_workers_write_the_same_bytes_as_one(tmp_path: Path) -> None:
    stream = tmp_path / "in.jsonl"
    stream.write_bytes(mixed_stream())
    one = scan(str(stream), "--workers", "1")
    two = scan(str(stream), "--workers", "2")
    assert one.returncode == two.returncode == 0
    assert two.stdout == one.stdout
    assert two.stderr == one.stderr  # the bad lines, reported in order with the same numbers
    assert len(one.stdout.splitlines()) == 12 * len(FEED.read_bytes().splitlines())  # every bad line is skipped
    assert one.stderr.decode().count("; skipped\n") == 10  # two blank lines are not reported


def test_workers_return_every_outcome_in_input_order_across_many_chunks() -> None:
    config = DetectionConfig()
    lines = list(read_lines(iter(mixed_stream().splitlines(keepends=True))))  # type: ignore[arg-type]
    here = list(prepared_here(lines, Signer(config), config))
    there = list(prepared_in_workers(lines, config, workers=2, chunk_lines=7))
    assert [(n, f) for n, _, _, f in there] == [(n, f) for n, _, _, f in here]
    assert [p.to_bytes() for _, _, p, _ in there if p] == [p.to_bytes() for _, _, p, _ in here if p]


def test_a_bad_number_of_workers_is_refused() -> None:
    done = scan(str(FEED), "--workers", "0")
    assert done.returncode == 2
    assert b"invalid number of workers '0'" in done.stderr


def children_of(pid: int) -> list[int]:
    """The ids of the processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # gone meanwhile
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker processes through /proc")
def test_a_killed_worker_fails_the_scan_with_a_clear_message(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "services"), str(REPO_ROOT)])}
    out = tmp_path / "out.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "newsdedup", "scan", "-", "-o", str(out), "--workers", "2"],
        stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    assert process.stdin is not None
    try:
        # Two full chunks go to the workers; the scan then waits on stdin for the rest of the third.
        feed = FEED.read_bytes().splitlines(keepends=True)
        process.stdin.write(b"".join(feed * 25))
        process.stdin.flush()
        deadline = time.monotonic() + 120
        while len(workers := children_of(process.pid)) < 2:
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.1)
        os.kill(workers[0], signal.SIGKILL)
        # communicate closes stdin: the last lines go out to a broken pool, and the scan must not hang.
        _, errors = process.communicate(timeout=120)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 1
    assert b"newsdedup scan: a worker process ended unexpectedly" in errors
    assert b"the output is incomplete" in errors
