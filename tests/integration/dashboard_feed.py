"""What the dashboard must show for a feed: decided offline by the core the worker runs.

The browser test replays a feed through a real worker, which publishes the stories, stats and events
topics; `decide_feed` decides the same feed with `scan`'s detector (the same core, the same order), and
`expected_view` says what the page must then show. A worker whose decisions or summaries drifted from
the core's would fail the test.
"""

from __future__ import annotations

import io
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsdedup.core.config import DetectionConfig
from newsdedup.core.events import build_events
from newsdedup.core.pipeline import build_record
from newsdedup.scan import LineDetector

SAMPLE_FEED = Path(__file__).resolve().parents[2] / "services" / "newsdedup" / "data" / "sample-feed.jsonl"


@dataclass
class DecidedFeed:
    """The clean records and events the worker gives for a feed, in order."""

    lines: list[bytes]
    records: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def expected_view(self) -> dict[str, Any]:
        """What the page must show: the article count, the widest story and its outlets, a copy finding."""
        outlets: dict[str, set[str]] = defaultdict(set)
        for record in self.records:
            outlets[record["dedup"]["cluster_id"]].add(record["source"])
        widest = max(outlets, key=lambda story: (len(outlets[story]), story))
        finding = next(e for e in self.events if e["cluster_id"] == widest and e["type"] != "self_repetition")
        return {"articles": len(self.records), "widest": widest, "outlets": sorted(outlets[widest]),
                "finding": finding}


def decide_feed(path: Path = SAMPLE_FEED, when: datetime | None = None) -> DecidedFeed:
    """Decide every article of `path` with the real detection, as the worker would."""
    lines = [line for line in path.read_bytes().splitlines() if line.strip()]
    feed = DecidedFeed(lines)
    moment = when or datetime.now(UTC)
    detector = LineDetector(DetectionConfig(), sys.stderr)
    for _, _, prepared, decision in detector.decide_lines(io.BytesIO(b"\n".join(lines))):
        feed.records.append(build_record(prepared, decision))
        feed.events.extend(build_events(prepared, decision, moment))
    return feed
