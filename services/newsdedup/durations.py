"""Durations as people write them (72h, 30m, 3d, 90s, 1h30m): the one notation of the window everywhere.

`scan --window`, `eval --window` and NEWSDEDUP_WINDOW read it; inside, the window is seconds
(DetectionConfig.window_seconds).
"""

from __future__ import annotations

import re

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNIT_SECONDS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str) -> float:
    """Seconds in a duration such as 72h, 30m, 3d, 90s or 1h30m; ValueError saying how to write one."""
    compact = text.strip().lower()
    parts = _DURATION_PART.findall(compact)
    if not compact or "".join(number + unit for number, unit in parts) != compact:
        raise ValueError(f"invalid duration {text!r}: use a number and a unit s, m, h or d (e.g. 72h, 30m, 3d, 1h30m)")
    seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    if seconds <= 0:
        raise ValueError(f"invalid duration {text!r}: the window must be longer than 0")
    return seconds
