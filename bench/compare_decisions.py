"""Compare the decisions of two versions of newsdedup on whole real streams, through `newsdedup scan`.

    python bench/compare_decisions.py --base <commit> [--head <commit or "worktree">] [--corpus snn reuters]
                                      [--head-workers N]

Writes each corpus once as a JSON Lines stream in date order (SaudiNewsNet: 31,030 articles;
Reuters-21578: the 19,777 items with text), runs `python -m newsdedup scan` on it with the source tree of
each version (a `git worktree` of the commit; "worktree" is this checkout as it is), and compares the
`dedup` decision of every article. Prints the counts per status for each side, the number of articles
decided differently, and the first differences with both decisions; exits 1 when any differ unless
--allow-differences. The streams are written to a temporary folder, never into the repository.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evalkit import DEFAULT_SHARED, REPO, as_input, reuters, reuters_input, saudinewsnet


def write_stream(corpus: str, data: Path, path: Path) -> int:
    """Write one corpus as scan input in date order; return the number of articles."""
    lines: list[bytes] = []
    if corpus == "snn":
        lines = [orjson.dumps(as_input(item)) for item in saudinewsnet(data)]
    else:
        for item in reuters(data):
            if not (item.title or item.body):
                continue
            lines.append(orjson.dumps(reuters_input(item)))
    path.write_bytes(b"\n".join(lines) + b"\n")
    return len(lines)


def source_tree(version: str, workdir: Path) -> Path:
    """The services/ folder of `version`: this checkout for "worktree", else a git worktree of the commit."""
    if version == "worktree":
        return REPO / "services"
    target = workdir / f"tree-{version[:12]}"
    if not target.exists():
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-f", str(target), version],
                       check=True, capture_output=True)
    return target / "services"


def decisions(services: Path, stream: Path, workers: int = 1) -> tuple[dict[str, dict[str, Any]], float]:
    """article id -> dedup decision of `newsdedup scan` run from `services` (with --workers N); and its wall time."""
    started = time.monotonic()
    options = ["--workers", str(workers)] if workers > 1 else []
    result = subprocess.run(
        [sys.executable, "-m", "newsdedup", "scan", str(stream), *options], capture_output=True, check=True,
        env={"PYTHONPATH": str(services), "PATH": "/usr/bin:/bin"},
    )
    elapsed = time.monotonic() - started
    out = {}
    for line in result.stdout.splitlines():
        record = orjson.loads(line)
        out[record["id"]] = record["dedup"]
    return out, elapsed


def main(argv: list[str] | None = None) -> int:
    """Run the comparison; return 0 when every decision is the same (or differences are allowed)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="the commit to compare against")
    parser.add_argument("--head", default="worktree", help='a commit, or "worktree" (default) for this checkout')
    parser.add_argument("--corpus", nargs="+", choices=["snn", "reuters"], default=["snn", "reuters"])
    parser.add_argument("--data", type=Path, default=DEFAULT_SHARED / "data")
    parser.add_argument("--show", type=int, default=15, help="differences to print per corpus")
    parser.add_argument("--allow-differences", action="store_true")
    parser.add_argument("--head-workers", type=int, default=1, metavar="N", help="run the head's scan with --workers N")
    args = parser.parse_args(argv)
    differing = 0
    with tempfile.TemporaryDirectory(prefix="newsdedup-compare-") as tmp:
        workdir = Path(tmp)
        base, head = source_tree(args.base, workdir), source_tree(args.head, workdir)
        for corpus in args.corpus:
            stream = workdir / f"{corpus}.jsonl"
            count = write_stream(corpus, args.data, stream)
            old, old_seconds = decisions(base, stream)
            new, new_seconds = decisions(head, stream, args.head_workers)
            changed = [key for key in old if old[key] != new.get(key)]
            differing += len(changed)
            workers = f" --workers {args.head_workers}" if args.head_workers > 1 else ""
            print(f"{corpus}: {count} articles; base {args.base[:12]} {old_seconds:.1f} s, "
                  f"head {args.head[:12]}{workers} {new_seconds:.1f} s; {len(changed)} decided differently")
            print(f"  base: {dict(Counter(d['status'] for d in old.values()))}")
            print(f"  head: {dict(Counter(d['status'] for d in new.values()))}")
            for key in changed[: args.show]:
                before, after = orjson.dumps(old[key]).decode(), orjson.dumps(new[key]).decode()
                print(f"  {key}\n    base {before}\n    head {after}")
        for tree in workdir.glob("tree-*"):
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], capture_output=True)
    return 0 if differing == 0 or args.allow_differences else 1


if __name__ == "__main__":
    sys.exit(main())
