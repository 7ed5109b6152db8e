"""The prepared article: what `prepare` makes of an article and the decision reads, and its bytes between stages.

A leaf of the core: the detection (dedup.py) and the making of it (pipeline.py) both import it, it
imports neither.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from newsdedup.core.packing import unpack_text

_FORMAT = 3  # version of the to_bytes layout (3: binary text and signature, body once)
_LAYOUT = struct.Struct(">BII")  # format, header length, packed-text length; the signature fills the rest


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """An article made ready for the decision: cleaned, normalised, hashed and signed."""

    article_id: str
    source: str
    published_at: float | None  # seconds since the epoch, UTC
    fields: Mapping[str, Any]  # the input as written, unknown fields included
    title: str | None  # cleaned title (titles are not cleaned today: as written)
    body: str  # cleaned body
    repetition: Mapping[str, Any]  # the record's `repetition` object
    language: str
    normalized: str  # the compared text: normalised title and cleaned body
    packed_text: bytes  # `normalized`, packed as the index keeps it (core/packing.py)
    content_hash: str
    size: int  # distinct shingles of `normalized`
    signature: npt.NDArray[np.uint32]
    # The sorted distinct shingle hashes, when prepare made them in this process (not serialised: the
    # index stage recomputes them only for an article that has candidates to verify).
    shingles: npt.NDArray[np.uint32] | None = field(default=None, compare=False, repr=False)

    def event_time(self, arrived_at: datetime) -> float:
        """The time the window measures (seconds): `published_at`, else the arrival time."""
        return self.published_at if self.published_at is not None else arrived_at.timestamp()

    def to_bytes(self, *, with_fields: bool = True) -> bytes:
        """Serialise for the topic between worker stages: a JSON header, then the packed text and signature.

        The cleaned body is written only when cleaning changed it (otherwise it is `fields["body"]`),
        and the packed text and signature go as bytes, not base64. `with_fields=False` leaves the input
        fields out for a reader that has the input itself (`from_bytes(data, fields=...)`): the worker's
        stage-1 message carries the original bytes anyway (docs/WORKER.md).
        """
        header = orjson.dumps(
            {
                "v": _FORMAT,
                "article_id": self.article_id,
                "source": self.source,
                "published_at": self.published_at,
                "fields": self.fields if with_fields else None,
                "title": self.title,
                "body": None if self.body == self.fields.get("body") else self.body,
                "repetition": self.repetition,
                "language": self.language,
                "content_hash": self.content_hash,
                "size": self.size,
            }
        )
        signature = self.signature.astype("<u4").tobytes()
        return _LAYOUT.pack(_FORMAT, len(header), len(self.packed_text)) + header + self.packed_text + signature

    @classmethod
    def from_bytes(cls, data: bytes, fields: Mapping[str, Any] | None = None) -> PreparedArticle:
        """The article `to_bytes` wrote; `fields` supplies the input fields when it was written without them."""
        if len(data) < _LAYOUT.size or data[0] != _FORMAT:
            found = data[0] if data else None
            raise ValueError(f"prepared-article format {found!r} is not {_FORMAT}: upgrade every stage together")
        _, header_len, packed_len = _LAYOUT.unpack_from(data)
        start = _LAYOUT.size
        obj = orjson.loads(data[start : start + header_len])
        packed = data[start + header_len : start + header_len + packed_len]
        signature = np.frombuffer(data, dtype="<u4", offset=start + header_len + packed_len).astype(np.uint32)
        if fields is None:
            fields = obj["fields"]
            if fields is None:
                raise ValueError("the prepared article was written without its input fields: pass them in")
        return cls(
            article_id=obj["article_id"],
            source=obj["source"],
            published_at=obj["published_at"],
            fields=fields,
            title=obj["title"],
            body=fields["body"] if obj["body"] is None else obj["body"],
            repetition=obj["repetition"],
            language=obj["language"],
            normalized=unpack_text(packed),
            packed_text=packed,
            content_hash=obj["content_hash"],
            size=int(obj["size"]),
            signature=signature,
        )
