"""What `newsdedup scan` and `newsdedup --help` import: only their own code, never the worker's stack.

Not timed: the modules loaded are the cause of a slow start (docs/BENCHMARKS.md, "Start-up"), and a
module count does not depend on the machine's load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

FEED = REPO_ROOT / "services" / "newsdedup" / "data" / "sample-feed.jsonl"

# Runs the command line in a fresh interpreter and prints the names of the modules loaded at its exit.
_WRAPPER = """
import json, sys
from newsdedup.cli import main
try:
    main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""

# The worker's stack and the other commands' code: a scan or a help screen has no use for any of them.
NOT_FOR_SCAN = (
    "aiokafka",
    "faust",
    "mode",
    "aiohttp",
    "prometheus_client",
    "newsdedup.app",
    "newsdedup.app.security",
    "newsdedup.settings",
    "newsdedup.dashboard",
    "newsdedup.evaluation",
    "newsdedup.localkafka",
)


def loaded_by(*argv: str) -> tuple[int, set[str]]:
    """The exit status of `newsdedup ARGV` and the modules it had loaded when it ended."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "services"), str(REPO_ROOT)])}
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *argv], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


def test_scan_of_one_line_loads_none_of_the_worker_stack(tmp_path: Path) -> None:
    one = tmp_path / "one.jsonl"
    one.write_bytes(FEED.read_bytes().splitlines(keepends=True)[0])
    code, modules = loaded_by("scan", str(one), "-o", str(tmp_path / "out.jsonl"))
    assert code == 0
    assert "newsdedup.scan" in modules  # the wrapper did run the command
    assert sorted(modules.intersection(NOT_FOR_SCAN)) == []


def test_help_loads_no_command_module() -> None:
    code, modules = loaded_by("--help")
    assert code == 0
    assert sorted(name for name in modules if name.startswith(("newsdedup.", "numpy", "numba", "datasketch"))) == [
        "newsdedup.cli",
        "newsdedup.errors",
    ]
