"""The message between the two worker stages: provenance, arrival time, original bytes, and either the
prepared article or the dead letter that stage 1 made of the input."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import orjson

from newsdedup.app.deadletter import Provenance

_LENGTHS = struct.Struct(">II")  # header length, raw length; the payload fills the rest

Kind = Literal["article", "dead"]


@dataclass(frozen=True, slots=True)
class Envelope:
    """One input on its way to the index stage; dead letters travel the same way so that the index
    stage publishes every output in one transaction and drops stage-1 replays by raw offset."""

    provenance: Provenance
    arrived_at: datetime
    raw: bytes
    payload: bytes  # PreparedArticle.to_bytes() for "article", the dead-letter JSON for "dead"
    kind: Kind = "article"

    def to_bytes(self) -> bytes:
        """Pack as lengths, a JSON header, the original bytes and the payload."""
        p = self.provenance
        header = orjson.dumps(
            {
                "kind": self.kind,
                "topic": p.topic, "partition": p.partition, "offset": p.offset, "timestamp_ms": p.timestamp_ms,
                "key": p.key.decode("latin-1") if p.key is not None else None,
                "arrived_at": self.arrived_at.isoformat(),
            }
        )
        return _LENGTHS.pack(len(header), len(self.raw)) + header + self.raw + self.payload

    @classmethod
    def from_bytes(cls, data: bytes) -> Envelope:
        """Unpack what `to_bytes` wrote."""
        header_len, raw_len = _LENGTHS.unpack_from(data)
        start = _LENGTHS.size
        header = orjson.loads(data[start : start + header_len])
        raw_start = start + header_len
        key = header["key"]
        return cls(
            provenance=Provenance(
                topic=header["topic"], partition=header["partition"], offset=header["offset"],
                timestamp_ms=header["timestamp_ms"], key=key.encode("latin-1") if key is not None else None,
            ),
            arrived_at=datetime.fromisoformat(header["arrived_at"]),
            raw=data[raw_start : raw_start + raw_len],
            payload=data[raw_start + raw_len :],
            kind=header["kind"],
        )
