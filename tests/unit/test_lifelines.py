"""A child tied to its parent's life dies with it, even when the parent is killed with -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

# The parent prints the pid of a child that asked to die with it and then sleeps (no event loop, no pipe
# to notice anything by), then sleeps itself until killed.
PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import signal, time\\n"
                          "from newsdedup.lifelines import die_with_parent\\n"
                          "die_with_parent(signal.SIGKILL)\\n"
                          "print('ready', flush=True)\\n"
                          "time.sleep(600)"], stdout=subprocess.PIPE, text=True)
assert child.stdout is not None and child.stdout.readline().strip() == "ready"
print(child.pid, flush=True)
time.sleep(600)
"""


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux parent-death signal")
def test_a_child_dies_with_its_parent_killed_by_sigkill() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert running(child)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while running(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not running(child), "the child outlived its parent"
    finally:
        parent.kill()
