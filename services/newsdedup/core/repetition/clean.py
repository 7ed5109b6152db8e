"""The cleaned body and its report: removals applied to the original text, nothing else touched.

Cleaning only deletes. The cleaned body is the original body with the report's spans cut out, so
`removed_chars == len(body) - len(cleaned_body) == sum(end - start)` over the spans, and every
character that is kept is byte-for-byte what the article carried. A cut-short segment is "replaced"
by its complete twin by deleting the cut copy and everything up to the complete twin, which is kept
where it stands (see docs/REPETITION.md).

Each removal takes one of the two whitespace gaps around it with it (the one with fewer line
breaks; the one after it on a tie), so a removed paragraph does not leave an extra blank line and a
removed sentence does not leave a double space.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from newsdedup.core.repetition.context import Kept, Removal


@dataclass(frozen=True, slots=True)
class Span:
    """Removed text [start, end) of the original body, its kind, and where the text it repeats starts."""

    start: int
    end: int
    kind: str
    twin_start: int

    def to_json(self) -> dict[str, Any]:
        """The span as it appears in the record's `repetition.spans`."""
        return {"start": self.start, "end": self.end, "kind": self.kind, "twin_start": self.twin_start}


@dataclass(frozen=True, slots=True)
class RepetitionReport:
    """The outcome of the repetition analysis of one body.

    `detected` is true exactly when something was removed (`spans` says what): a finding always comes
    with its spans. `kept` lists the repeats the rules left in place (a template's formula sentences,
    list items), which the record does not carry but evaluations and logs can; `repeats_kept` says
    whether a clear one is among them. `normalized_body` saves the caller a second normalize_text pass
    when it is set.
    """

    cleaned_body: str
    detected: bool
    removed_chars: int
    spans: tuple[Span, ...] = ()
    kept: tuple[Kept, ...] = ()
    # normalize_text(cleaned_body), when the analysis got it for free (see repetition.analyse).
    normalized_body: str | None = None

    def __post_init__(self) -> None:
        if self.detected != bool(self.spans):
            raise ValueError("RepetitionReport.detected must be bool(spans): a finding comes with its spans")

    @property
    def repeats_kept(self) -> bool:
        """True when a clear repeat (exact, or a long near one) was found and deliberately left in place."""
        return any(kept.clear for kept in self.kept)

    def to_json(self) -> dict[str, Any]:
        """The record's `repetition` object: detected, removed_chars, spans (offsets into the original body).

        The record's `detected` means "something was removed, see spans" (the schema's rule): a repeat
        the rules kept in place is not a finding a reader can act on, so it stays out of the record.
        """
        return {
            "detected": bool(self.spans),
            "removed_chars": self.removed_chars,
            "spans": [span.to_json() for span in self.spans],
        }


def unchanged(body: str, normalized_body: str | None = None) -> RepetitionReport:
    """The report of a body with no repetition."""
    return RepetitionReport(cleaned_body=body, detected=False, removed_chars=0, normalized_body=normalized_body)


def _groups(body: str, removals: Sequence[Removal]) -> list[list[Removal]]:
    """Removals in order, clipped so they never overlap, grouped when only whitespace separates them."""
    groups: list[list[Removal]] = []
    end = 0
    for removal in sorted(removals, key=lambda r: (r.start, r.end)):
        start = max(removal.start, end)
        if start >= removal.end:
            continue
        if start != removal.start:
            removal = Removal(start, removal.end, removal.kind, removal.twin_start)
        if groups and not body[end:start].strip():
            groups[-1].append(removal)
        else:
            groups.append([removal])
        end = removal.end
    return groups


def _gaps(body: str, start: int, end: int) -> tuple[int, int]:
    """The new (start, end) of a group after taking one of its surrounding whitespace gaps."""
    before = start
    while before > 0 and body[before - 1].isspace():
        before -= 1
    after = end
    while after < len(body) and body[after].isspace():
        after += 1
    if after == len(body):
        return before, end  # nothing follows: drop the separator before, keep the trailing whitespace
    if before == start or after == end:
        return start, end  # a word touches the removal (a mid-word splice): taking a gap would glue words
    if body.count("\n", before, start) < body.count("\n", end, after):
        return before, end
    return start, after


def cut_removals(
    body: str,
    removals: Sequence[Removal],
    kept: Sequence[Kept] = (),
    normalized_body: str | None = None,
) -> RepetitionReport:
    """Cut the removals (and one whitespace gap each) out of `body` and report the spans.

    `normalized_body` (the normalised body) is kept only when nothing is removed.
    """
    spans: list[Span] = []
    for group in _groups(body, removals):
        start, end = _gaps(body, group[0].start, group[-1].end)
        for index, removal in enumerate(group):
            span_start = start if index == 0 else removal.start
            span_end = end if index == len(group) - 1 else group[index + 1].start
            spans.append(Span(span_start, span_end, removal.kind, removal.twin_start))
    pieces: list[str] = []
    position = 0
    for span in spans:
        pieces.append(body[position : span.start])
        position = span.end
    pieces.append(body[position:])
    return RepetitionReport(
        cleaned_body="".join(pieces),
        detected=bool(spans),
        removed_chars=sum(span.end - span.start for span in spans),
        spans=tuple(spans),
        kept=tuple(kept),
        normalized_body=None if spans else normalized_body,
    )
