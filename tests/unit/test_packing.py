"""The index's text packing: LZ4 round trip, and entries saved by earlier versions (zlib) still load."""

from __future__ import annotations

import base64
import zlib

import numpy as np
import orjson
import pytest

from newsdedup.core.index import IndexEntry
from newsdedup.core.packing import CODEC, pack_text, unpack_text

TEXTS = ["", "the central bank held its main rate", "اعلن البنك المركزي ابقاء سعر الفائده دون تغيير", "\x00 \ud7ff"]


@pytest.mark.parametrize("text", TEXTS)
def test_pack_round_trips(text: str) -> None:
    assert unpack_text(pack_text(text)) == text


def test_packing_compresses_repetitive_text() -> None:
    text = "اعلن البنك المركزي ابقاء سعر الفائده دون تغيير " * 40
    assert len(pack_text(text)) < len(text.encode()) / 4


def test_unknown_codec_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown text codec 'brotli'"):
        unpack_text(b"", "brotli")


def _saved(text: bytes, codec: str | None) -> dict[str, object]:
    saved: dict[str, object] = {
        "article_id": "a1",
        "source": "wire",
        "event_time": 10.0,
        "signature": base64.b64encode(np.arange(128, dtype="<u4").tobytes()).decode(),
        "size": 40,
        "content_hash": "h",
        "text": base64.b64encode(text).decode(),
        "status": "unique",
        "duplicate_of": None,
        "cluster_id": "a1",
        "similarity": None,
        "seq": 3,
    }
    if codec is not None:
        saved["codec"] = codec
    return saved


def test_entry_saved_before_lz4_loads_and_is_repacked() -> None:
    text = "the central bank held its main rate"
    entry = IndexEntry.from_json(_saved(zlib.compress(text.encode()), None))
    assert entry.normalized() == text
    assert entry.text == pack_text(text)
    again = IndexEntry.from_json(orjson.loads(orjson.dumps(entry.to_json())))
    assert again.to_json()["codec"] == CODEC
    assert again.normalized() == text
