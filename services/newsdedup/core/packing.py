"""How the index keeps an article's compared text: LZ4-compressed UTF-8.

Every indexed article keeps its normalised text so that LSH candidates can be verified on their exact
shingle sets. LZ4 (block format) compresses a 3 KB article in about 11 µs and expands it in 3 µs, to
60% of its UTF-8 size; zlib at level 1 takes 58 µs and 20 µs for 41%. At 2,000 articles/s the time
matters more than the extra kilobyte per entry (docs/DETECTION.md, "Memory"). Entries written by
earlier versions carry zlib text, and `unpack_text` still reads them.
"""

from __future__ import annotations

import zlib
from typing import Literal

import lz4.block

Codec = Literal["lz4", "zlib"]
CODEC: Codec = "lz4"  # what pack_text writes


def pack_text(text: str) -> bytes:
    """The compressed UTF-8 of `text` (codec CODEC; the length is stored in the block)."""
    packed: bytes = lz4.block.compress(text.encode("utf-8"))
    return packed


def unpack_text(data: bytes, codec: str = CODEC) -> str:
    """The text `pack_text` (or, with codec "zlib", an earlier version) compressed."""
    if codec == "lz4":
        raw: bytes = lz4.block.decompress(data)
        return raw.decode("utf-8")
    if codec == "zlib":
        return zlib.decompress(data).decode("utf-8")
    raise ValueError(f"unknown text codec {codec!r}: expected 'lz4' or 'zlib'")
