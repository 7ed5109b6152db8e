"""One JSON Lines reader for every command: line numbers as an editor shows them, a line ends at a newline byte."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from newsdedup.errors import NewsdedupError
from newsdedup.jsonlines import count_lines, read_file, read_lines


def test_blank_lines_are_skipped_but_counted_and_json_whitespace_trimmed() -> None:
    data = b'{"a": 1}\r\n\n   \n\t{"b": 2}  \n{"c":\r3}\n{"d": 4}'  # a carriage return inside a line stays
    assert list(read_lines(io.BytesIO(data))) == [(1, b'{"a": 1}'), (4, b'{"b": 2}'), (5, b'{"c":\r3}'),
                                                  (6, b'{"d": 4}')]


def test_a_file_is_read_and_counted_alike(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b"\xef\xbb\xbf{}\n\nnot json\n")  # a byte-order mark is the decoder's business, not the reader's
    assert list(read_file(path)) == [(1, b"\xef\xbb\xbf{}"), (3, b"not json")]
    assert count_lines(path) == 2


def test_a_missing_file_says_which(tmp_path: Path) -> None:
    with pytest.raises(NewsdedupError, match=r"cannot read .*absent\.jsonl"):
        count_lines(tmp_path / "absent.jsonl")
