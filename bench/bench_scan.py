"""`newsdedup scan` as a user runs it, two versions side by side: process start, JSON I/O and all.

    python bench/bench_scan.py --base <commit> [--head worktree] [--articles 10000] [--repeats 3] [--cpu 0]
                               [--workers N] [--datasketch]
                               [--workers N]

Writes the first N SaudiNewsNet articles of more than 500 characters (date order) as a JSON Lines file in a
temporary folder, then runs `python -m newsdedup scan FILE -o /dev/null` from each version's source tree
(compare_decisions.source_tree), pinned to one core with `taskset` when it is there, alternating base and
head so both meet the same machine load. With --workers N, a third side runs the head with `--workers N`,
pinned to N cores (the --cpu one and those after it). Prints each run's wall time and articles per
second, and the median of each side. Nothing is written into the repository.
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

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare_decisions import source_tree
from evalkit import DEFAULT_SHARED, as_input, machine, print_machine, saudinewsnet


def write_articles(data: Path, path: Path, count: int) -> int:
    """The first `count` SaudiNewsNet articles with more than 500 characters of body, in date order."""
    lines = [orjson.dumps(as_input(item)) for item in saudinewsnet(data) if len(item["content"]) > 500][:count]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return len(lines)


def run_scan(services: Path, stream: Path, cpu: int | None, workers: int = 1) -> float:
    """Wall seconds of one `newsdedup scan` of `stream` run from the `services` tree, on cores cpu.. cpu+workers-1."""
    command = [sys.executable, "-m", "newsdedup", "scan", str(stream), "-o", "/dev/null"]
    if workers > 1:
        command += ["--workers", str(workers)]
    if cpu is not None and shutil.which("taskset"):
        command = ["taskset", "-c", f"{cpu}-{cpu + workers - 1}" if workers > 1 else str(cpu), *command]
    started = time.monotonic()
    subprocess.run(command, check=True, env={"PYTHONPATH": str(services), "PATH": "/usr/bin:/bin"})
    return time.monotonic() - started


def run_datasketch(stream: Path, cpu: int | None) -> float:
    """Wall seconds of the obvious datasketch pipeline (datasketch_scan.py) over `stream`, as a command."""
    command = [sys.executable, str(Path(__file__).with_name("datasketch_scan.py")), str(stream)]
    if cpu is not None and shutil.which("taskset"):
        command = ["taskset", "-c", str(cpu), *command]
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="commit to compare with")
    parser.add_argument("--head", default="worktree", help='commit, or "worktree" for this checkout (default)')
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cpu", type=int, default=0, help="core to pin to (-1: no pinning)")
    parser.add_argument("--data", type=Path, default=DEFAULT_SHARED / "data")
    parser.add_argument("--workers", type=int, default=1, help="also run the head with --workers N on N cores")
    parser.add_argument("--datasketch", action="store_true",
                        help="also run the obvious datasketch pipeline (datasketch_scan.py) as the baseline")
    args = parser.parse_args(argv)
    print_machine(machine())
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        stream = work / "snn.jsonl"
        count = write_articles(args.data, stream, args.articles)
        head = source_tree(args.head, work)
        # name -> (source tree, workers, what it runs)
        sides = {"base": (source_tree(args.base, work), 1, args.base), "head": (head, 1, args.head)}
        if args.workers > 1:
            sides[f"head --workers {args.workers}"] = (head, args.workers, args.head)
        cpu = None if args.cpu < 0 else args.cpu
        for services, workers, _ in sides.values():  # warm the numba caches and the page cache, not timed
            run_scan(services, stream, cpu, workers)
        times: dict[str, list[float]] = {name: [] for name in sides}
        if args.datasketch:
            times["datasketch"] = []
        for repeat in range(args.repeats):
            for name, (services, workers, version) in sides.items():
                seconds = run_scan(services, stream, cpu, workers)
                times[name].append(seconds)
                print(f"run {repeat + 1} {name} ({version}): {seconds:.2f} s, {count / seconds:,.0f} articles/s")
            if args.datasketch:
                seconds = run_datasketch(stream, cpu)
                times["datasketch"].append(seconds)
                print(f"run {repeat + 1} datasketch baseline: {seconds:.2f} s, {count / seconds:,.0f} articles/s")
        for name, runs in times.items():
            median = statistics.median(runs)
            print(f"{name}: median {median:.2f} s over {len(runs)} runs, {count / median:,.0f} articles/s "
                  f"({count:,} articles, process start included)")
        ratio = statistics.median(times["head"]) / statistics.median(times["base"])
        print(f"head / base wall time: {ratio:.2f}")
        if args.workers > 1:
            ratio = statistics.median(times[f"head --workers {args.workers}"]) / statistics.median(times["head"])
            print(f"head --workers {args.workers} / head wall time: {ratio:.2f}")
        if args.datasketch:
            ratio = statistics.median(times["datasketch"]) / statistics.median(times["head"])
            print(f"head, one core: {ratio:.2f}x the datasketch baseline's speed (its wall time / the head's)")
        subprocess.run(["git", "worktree", "prune"], check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
