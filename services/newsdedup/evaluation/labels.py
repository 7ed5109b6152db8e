"""The `label` object of a labelled article: which story it tells, how it was copied, whether it repeats."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from newsdedup.errors import InvalidLabel

# The edit kinds docs/EVALUATION.md describes; any other non-empty string is accepted and reported
# under its own name, so a corpus can bring kinds of its own (e.g. "reworded").
EDIT_KINDS = ("original", "exact", "light_edit", "truncation", "boilerplate", "reordered", "natural")

_KNOWN = ("story", "edit", "repeats", "expected_body", "repeat_kind")


@dataclass(frozen=True, slots=True)
class Label:
    """What a reader (or the generator of a corpus) knows about one article."""

    story: str
    edit: str | None = None
    repeats: bool | None = None  # None: not known, the article is left out of the repetition figures
    expected_body: str | None = None
    repeat_kind: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)  # other keys, echoed in --details

    def to_json(self) -> dict[str, Any]:
        """The label as --details echoes it (without expected_body, which can be long)."""
        out: dict[str, Any] = {"story": self.story}
        for name in ("edit", "repeats", "repeat_kind"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        out["has_expected_body"] = self.expected_body is not None
        out.update(self.extra)
        return out


def parse_label(line: Mapping[str, Any]) -> Label:
    """The `label` of a decoded line, or InvalidLabel saying what is wrong with it."""
    raw = line.get("label")
    if raw is None:
        raise InvalidLabel("field 'label' is missing: every line of a labelled corpus needs one")
    if not isinstance(raw, Mapping):
        raise InvalidLabel(f"field 'label' must be a JSON object, got {type(raw).__name__}")
    story = raw.get("story")
    if not isinstance(story, str) or not story.strip():
        raise InvalidLabel("label.story must be a non-empty string (the id of the story)")
    for name in ("edit", "repeat_kind"):
        value = raw.get(name)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise InvalidLabel(f"label.{name} must be a non-empty string or null")
    repeats = raw.get("repeats")
    if repeats is not None and not isinstance(repeats, bool):
        raise InvalidLabel(f"label.repeats must be true, false or null, got {repeats!r}")
    expected = raw.get("expected_body")
    if expected is not None and not isinstance(expected, str):
        raise InvalidLabel(f"label.expected_body must be a string, got {type(expected).__name__}")
    return Label(
        story=story,
        edit=raw.get("edit"),
        repeats=repeats,
        expected_body=expected,
        repeat_kind=raw.get("repeat_kind"),
        extra={key: value for key, value in raw.items() if key not in _KNOWN},
    )
