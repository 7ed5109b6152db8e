"""The obvious datasketch pipeline over a JSON Lines file, as a command: the baseline of bench_scan.py.

    python bench/datasketch_scan.py FILE > decisions.jsonl

For every line: decode it (orjson), lower-case the title and body and collapse their whitespace, take
the character 5-grams as UTF-8 bytes, MinHash them (datasketch `MinHash.bulk`, 128 permutations, in
batches of 100 lines: its fastest documented path), query a `MinHashLSH(threshold=0.5)` for earlier
articles, insert the article, and write {"id", "duplicate_of"} (the first candidate, if any) as a JSON
line. No normalisation beyond that, no verification, no repetition cleaning, no window: what a user
would write first with datasketch, for the speed comparison only.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE = 5
BATCH = 100
_SPACES = re.compile(r"\s+")


def shingles(text: str) -> list[bytes]:
    """The distinct character 5-grams of a text, as UTF-8 bytes."""
    return list({text[i : i + SHINGLE].encode("utf-8") for i in range(max(1, len(text) - SHINGLE + 1))})


def articles(path: Path) -> Iterator[tuple[str, str]]:
    """(id, lower-cased text with its whitespace collapsed) for every non-blank line."""
    with path.open("rb") as source:
        for line in source:
            if line.strip():
                item = orjson.loads(line)
                text = f"{item.get('title') or ''}\n{item['body']}"
                yield str(item["id"]), _SPACES.sub(" ", text.lower()).strip()


def main(argv: list[str]) -> int:
    """Decide every line of the file named in argv and write the decisions to stdout."""
    lsh = MinHashLSH(threshold=0.5, num_perm=NUM_PERM)
    out = sys.stdout.buffer
    batch: list[tuple[str, str]] = []

    def flush() -> None:
        signatures = MinHash.bulk([shingles(text) for _, text in batch], num_perm=NUM_PERM, seed=1)
        for (article_id, _), signature in zip(batch, signatures, strict=True):
            found = lsh.query(signature)
            lsh.insert(article_id, signature, check_duplication=False)
            out.write(orjson.dumps({"id": article_id, "duplicate_of": found[0] if found else None}) + b"\n")
        batch.clear()

    for article in articles(Path(argv[0])):
        batch.append(article)
        if len(batch) == BATCH:
            flush()
    if batch:
        flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
