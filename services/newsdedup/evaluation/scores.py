"""The figures of an evaluation: story pairs, copy decisions per edit kind, and repetition.

Predicted clustering: articles with the same `cluster_id` (the story the record names; what a
dashboard counts). Clusters are stars around the story's first article, so a copy that drifted too
far from it is flagged (`near_duplicate`) yet starts a cluster of its own; the copy figures, which
look at `duplicate_of`, count it as found while the pair figures count its story pairs as missed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from newsdedup.evaluation.labels import EDIT_KINDS, Label
from newsdedup.evaluation.textmatch import BodyMatch

ALL = "all"

# Per-article outcomes, against the labels, in input order.
NEW = "new"  # first article of its labelled story, published as unique: right
FALSE_FLAG = "false_flag"  # first article of its story, flagged as a copy of another story
FOUND = "found"  # later article of its story, flagged as a copy of an article of the same story
WRONG_STORY = "wrong_story"  # later article of its story, flagged as a copy of another story
MISSED = "missed"  # later article of its story, published as unique


@dataclass(frozen=True, slots=True)
class Scored:
    """One labelled article and what the detection made of it."""

    line: int
    article_id: str
    language: str
    label: Label
    status: str
    duplicate_of: str | None
    cluster_id: str
    similarity: float | None
    detected: bool  # the record's repetition.detected
    removed_chars: int
    body: BodyMatch | None  # None when no expected body is known


def ratio(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pair_scores(stories: Sequence[str], clusters: Sequence[str]) -> dict[str, Any]:
    """Pairwise precision, recall and F1 of a predicted clustering against the labelled stories."""
    true_pairs = sum(_pairs(n) for n in Counter(stories).values())
    predicted = sum(_pairs(n) for n in Counter(clusters).values())
    correct = sum(_pairs(n) for n in Counter(zip(stories, clusters, strict=True)).values())
    precision, recall = ratio(correct, predicted), ratio(correct, true_pairs)
    f1 = None
    if precision is not None and recall is not None:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "articles": len(stories),
        "true_pairs": true_pairs,
        "predicted_pairs": predicted,
        "correct_pairs": correct,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def copy_outcomes(items: Sequence[Scored]) -> list[str]:
    """The outcome of every article, in input order (the first article of a story should be new)."""
    story_of = {item.article_id: item.label.story for item in items}
    seen: set[str] = set()
    outcomes = []
    for item in items:
        flagged = item.status != "unique"
        if item.label.story not in seen:
            seen.add(item.label.story)
            outcomes.append(FALSE_FLAG if flagged else NEW)
        elif not flagged:
            outcomes.append(MISSED)
        elif item.duplicate_of is not None and story_of.get(item.duplicate_of) == item.label.story:
            outcomes.append(FOUND)
        else:
            outcomes.append(WRONG_STORY)
    return outcomes


def copy_scores(outcomes: Iterable[str]) -> dict[str, Any]:
    """Counts of outcomes, copy recall, flag precision and the false-flag rate of first articles."""
    counts = Counter(outcomes)
    expected_new = counts[NEW] + counts[FALSE_FLAG]
    expected_copy = counts[FOUND] + counts[WRONG_STORY] + counts[MISSED]
    flagged = counts[FALSE_FLAG] + counts[FOUND] + counts[WRONG_STORY]
    return {
        "articles": expected_new + expected_copy,
        "first_of_story": expected_new,
        "false_flags": counts[FALSE_FLAG],
        "copies": expected_copy,
        "found": counts[FOUND],
        "wrong_story": counts[WRONG_STORY],
        "missed": counts[MISSED],
        "recall": ratio(counts[FOUND], expected_copy),
        "flag_precision": ratio(counts[FOUND], flagged),
        "false_flag_rate": ratio(counts[FALSE_FLAG], expected_new),
    }


def _body_scores(matches: Sequence[BodyMatch]) -> dict[str, Any]:
    equal = sum(1 for match in matches if match.equal)
    return {
        "articles": len(matches),
        "exact": equal,
        "exact_share": ratio(equal, len(matches)),
        "mean_similarity": sum(match.similarity for match in matches) / len(matches) if matches else None,
        "extra_chars": sum(match.extra_chars for match in matches),
        "missing_chars": sum(match.missing_chars for match in matches),
    }


def repetition_scores(items: Sequence[Scored]) -> dict[str, Any]:
    """Detection rate on repeating articles, false positives on the others, and the cleaned bodies."""
    repeating = [item for item in items if item.label.repeats is True]
    clean = [item for item in items if item.label.repeats is False]
    detected = sum(1 for item in repeating if item.detected)
    flagged = sum(1 for item in clean if item.detected)
    return {
        "repeating": len(repeating),
        "detected": detected,
        "cleaned": sum(1 for item in repeating if item.removed_chars),
        "detection_rate": ratio(detected, len(repeating)),
        "not_repeating": len(clean),
        "false_positives": flagged,
        "with_removals": sum(1 for item in clean if item.removed_chars),
        "false_positive_rate": ratio(flagged, len(clean)),
        "body_repeating": _body_scores([item.body for item in repeating if item.body is not None]),
        "body_not_repeating": _body_scores([item.body for item in clean if item.body is not None]),
    }


def summarise(items: Sequence[Scored]) -> dict[str, Any]:
    """Every figure of the evaluation, overall and per language (and per edit and repetition kind)."""
    outcomes = copy_outcomes(items)
    languages = sorted({item.language for item in items})
    groups: dict[str, list[int]] = {ALL: list(range(len(items)))}
    for language in languages:
        groups[language] = [k for k, item in enumerate(items) if item.language == language]
    clusters = {
        name: pair_scores([items[k].label.story for k in ks], [items[k].cluster_id for k in ks])
        for name, ks in groups.items()
    }
    copies = {name: copy_scores(outcomes[k] for k in ks) for name, ks in groups.items()}
    edits = []
    for edit in sorted({item.label.edit or "(none)" for item in items}, key=_edit_order):
        for name, ks in groups.items():
            chosen = [k for k in ks if (items[k].label.edit or "(none)") == edit]
            if chosen and (name == ALL or len(languages) > 1):
                edits.append({"edit": edit, "language": name, **copy_scores(outcomes[k] for k in chosen)})
    repetition = {name: repetition_scores([items[k] for k in ks]) for name, ks in groups.items()}
    kinds = sorted({item.label.repeat_kind for item in items if item.label.repeat_kind})
    return {
        "articles": len(items),
        "stories": len({item.label.story for item in items}),
        "languages": languages,
        "clusters": clusters,
        "copies": copies,
        "edits": edits,
        "repetition": repetition,
        "repetition_kinds": {
            kind: repetition_scores([item for item in items if item.label.repeat_kind == kind]) for kind in kinds
        },
    }


def _edit_order(edit: str) -> tuple[int, str]:
    return (EDIT_KINDS.index(edit), edit) if edit in EDIT_KINDS else (len(EDIT_KINDS), edit)
