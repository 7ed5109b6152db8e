"""The README's first command: `newsdedup demo` (what scripts/demo runs) on the test broker, to its end.

It creates the topics, starts a worker and the dashboard, replays the bundled sample feed (and the seed
article when shared/fixtures is beside the repository) and prints what the worker finds; with
--exit-after it stops by itself, and it must stop cleanly.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.request

from newsdedup.localkafka import free_port
from tests.conftest import shared_root
from tests.integration.harness import WorkerEnv


def test_the_demo_prints_each_kind_of_finding_and_stops_cleanly(worker_env: WorkerEnv) -> None:
    env = {**worker_env.env("demo"), "NEWSDEDUP_SHARED": str(shared_root()), "NEWSDEDUP_LOG_LEVEL": "WARNING"}
    port = free_port()
    demo = subprocess.Popen([sys.executable, "-m", "newsdedup", "demo", "--rate", "50", "--exit-after", "25",
                             "--dashboard-port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    assert demo.stdout is not None
    for line in demo.stdout:
        lines.append(line)
        if line.startswith("dashboard at "):
            # The page is served while the demo runs.
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as answer:
                assert answer.status == 200
    assert demo.wait(timeout=120) == 0, "".join(lines)
    printed = "".join(lines)
    kinds = {line.split()[0] for line in lines if line.startswith("  ")}
    assert {"NEW", "EXACT", "NEAR", "REPEAT"} <= kinds, printed
    assert "replayed" in printed
    assert "Traceback" not in printed
