"""JSON Lines input, read one way by every command that takes a file (scan, eval, replay, demo).

A line is what ends at a newline byte (so a carriage return inside a line stays in it); JSON's
whitespace around it is trimmed, and blank lines are skipped but still counted, so that a line number
in a message is the one an editor shows.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import BinaryIO

from newsdedup.errors import NewsdedupError


def read_lines(source: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) for every non-blank line; a line is what ends at a newline byte."""
    for number, raw in enumerate(source, start=1):
        line = raw.strip(b" \t\r\n")  # JSON's whitespace only: a leading byte-order mark is decode_json's
        if line:
            yield number, line


def read_file(path: Path) -> Generator[tuple[int, bytes], None, None]:
    """read_lines over a file, opened and closed here; NewsdedupError when it cannot be opened."""
    try:
        source = path.open("rb")
    except OSError as exc:
        raise NewsdedupError(f"cannot read {path}: {exc.strerror or exc}") from exc
    with source:
        yield from read_lines(source)


def count_lines(path: Path) -> int:
    """How many non-blank lines read_file gives (a progress bar's total): one pass over the file."""
    return sum(1 for _ in read_file(path))
