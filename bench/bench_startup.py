"""How long `newsdedup scan` takes to give its first article, and `newsdedup --help` its page, from process start.

    python bench/bench_startup.py [--base <commit>] [--head worktree] [--runs 11] [--cpu 0]

Runs `python -m newsdedup scan ONE_LINE_FILE` (the first article of the bundled sample feed) as a user
does, in a new process each time, and measures from just before the process is started to the moment
its first output record can be read from its stdout; then to its exit. Also times `python -m newsdedup
--help` to its exit. Pinned to one core with `taskset` when it is there; with --base the two versions
alternate, so both meet the same machine load. Prints every run and the medians. Nothing is written
into the repository.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_decisions import source_tree
from evalkit import REPO, machine, print_machine

FEED = REPO / "services" / "newsdedup" / "data" / "sample-feed.jsonl"


def command(argv: list[str], cpu: int | None) -> list[str]:
    """`python -m newsdedup ARGV`, pinned to `cpu` when taskset is there."""
    base = [sys.executable, "-m", "newsdedup", *argv]
    return ["taskset", "-c", str(cpu), *base] if cpu is not None and shutil.which("taskset") else base


def first_record(services: Path, one_line: Path, cpu: int | None) -> tuple[float, float]:
    """Seconds from process start to the first output record of a scan of `one_line`, and to its exit."""
    env = {"PYTHONPATH": str(services), "PATH": "/usr/bin:/bin"}
    started = time.monotonic()
    with subprocess.Popen(command(["scan", str(one_line)], cpu), stdout=subprocess.PIPE, env=env) as process:
        assert process.stdout is not None
        line = process.stdout.readline()
        first = time.monotonic() - started
        process.stdout.read()
    ended = time.monotonic() - started
    if process.returncode != 0 or not line.startswith(b"{"):
        raise SystemExit(f"the scan failed (status {process.returncode}, first line {line[:80]!r})")
    return first, ended


def help_page(services: Path, cpu: int | None) -> float:
    """Seconds from process start to the exit of `newsdedup --help`."""
    started = time.monotonic()
    subprocess.run(command(["--help"], cpu), check=True, capture_output=True,
                   env={"PYTHONPATH": str(services), "PATH": "/usr/bin:/bin"})
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    """Run the measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="a commit to compare with (none: only --head)")
    parser.add_argument("--head", default="worktree", help='commit, or "worktree" for this checkout (default)')
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--cpu", type=int, default=0, help="core to pin to (-1: no pinning)")
    args = parser.parse_args(argv)
    print_machine(machine())
    cpu = None if args.cpu < 0 else args.cpu
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        one_line = work / "one.jsonl"
        one_line.write_bytes(FEED.read_bytes().splitlines(keepends=True)[0])
        versions = {"head": args.head} if args.base is None else {"base": args.base, "head": args.head}
        trees = {name: source_tree(version, work) for name, version in versions.items()}
        for services in trees.values():  # warm the numba caches, the byte-code and page caches, not timed
            first_record(services, one_line, cpu)
            help_page(services, cpu)
        figures: dict[str, dict[str, list[float]]] = {name: {"first": [], "exit": [], "help": []} for name in trees}
        for run in range(args.runs):
            for name, services in trees.items():
                first, ended = first_record(services, one_line, cpu)
                shown = help_page(services, cpu)
                for key, value in (("first", first), ("exit", ended), ("help", shown)):
                    figures[name][key].append(value)
                print(f"run {run + 1} {name} ({versions[name]}): first article {first:.3f} s, scan exit {ended:.3f} s, "
                      f"--help {shown:.3f} s")
        for name, series in figures.items():
            print(f"{name} ({versions[name]}): median over {args.runs} runs: first article "
                  f"{statistics.median(series['first']):.3f} s, scan of one line to exit "
                  f"{statistics.median(series['exit']):.3f} s, --help {statistics.median(series['help']):.3f} s")
        subprocess.run(["git", "-C", str(REPO), "worktree", "prune"], check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
