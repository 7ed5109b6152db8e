"""Pair mode of `newsdedup eval`: labelled article pairs scored against the decisions of a plain stream.

A pairs file is tab-separated with a header line naming at least `id_a`, `id_b` and `verdict` (`same` or
`different`), optionally `reason`; lines starting with `#` are comments. After the whole stream, a pair
is *linked* when both ids were decided and their decisions carry the same `cluster_id` (the two articles
end in one story). Precision = linked same pairs / linked pairs; recall = linked same pairs / same
pairs. Pairs are grouped by the language of their later article (the one decided later in the stream).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from newsdedup.errors import PairsFileError
from newsdedup.evaluation.scores import ALL, ratio

VERDICTS = ("same", "different")
REQUIRED_COLUMNS = ("id_a", "id_b", "verdict")


@dataclass(frozen=True, slots=True)
class LabelledPair:
    """One line of a pairs file."""

    line: int
    id_a: str
    id_b: str
    verdict: str  # same | different
    reason: str


@dataclass(frozen=True, slots=True)
class Decided:
    """The final decision on one article id of the stream (a repeated id: its last line)."""

    position: int  # order of the decision in the stream (0 = first decided)
    line: int
    language: str
    decision: dict[str, Any]  # Decision.to_json(), whole

    @property
    def status(self) -> str:
        return str(self.decision["status"])

    @property
    def cluster_id(self) -> str:
        return str(self.decision["cluster_id"])


def read_pairs(handle: Iterable[str], name: str = "pairs file") -> list[LabelledPair]:
    """The labelled pairs of a pairs file; PairsFileError naming the line for anything malformed."""
    numbered = ((number, text) for number, text in enumerate(handle, start=1)
                if text.strip() and not text.startswith("#"))
    rows = iter(numbered)
    first = next(rows, None)
    if first is None:
        raise PairsFileError(f"{name}: no header line (columns {', '.join(REQUIRED_COLUMNS)}, optional reason)")
    header_line, header_text = first
    header = [column.strip() for column in header_text.rstrip("\r\n").split("\t")]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise PairsFileError(f"{name}: line {header_line}: the header lacks column(s) {', '.join(missing)} "
                             f"(tab-separated; found {', '.join(repr(c) for c in header)})")
    index = {column: header.index(column) for column in (*REQUIRED_COLUMNS, "reason") if column in header}
    pairs: list[LabelledPair] = []
    seen: dict[frozenset[str], int] = {}
    for number, text in rows:
        cells = next(csv.reader([text.rstrip("\r\n")], delimiter="\t"))  # quoting as evalkit.write_tsv writes it
        if len(cells) < len(header):
            cells += [""] * (len(header) - len(cells))
        id_a, id_b, verdict = (cells[index[column]].strip() for column in REQUIRED_COLUMNS)
        if not id_a or not id_b:
            raise PairsFileError(f"{name}: line {number}: id_a and id_b must both be given")
        if id_a == id_b:
            raise PairsFileError(f"{name}: line {number}: a pair of {id_a!r} with itself")
        if verdict not in VERDICTS:
            raise PairsFileError(f"{name}: line {number}: unknown verdict {verdict!r} (use same or different)")
        key = frozenset((id_a, id_b))
        if key in seen:
            raise PairsFileError(f"{name}: line {number}: the pair {id_a} / {id_b} is already on line {seen[key]}")
        seen[key] = number
        reason = cells[index["reason"]].strip() if "reason" in index else ""
        pairs.append(LabelledPair(number, id_a, id_b, verdict, reason))
    return pairs


@dataclass(frozen=True, slots=True)
class PairOutcome:
    """One labelled pair after the stream: its two final decisions (None: id not in the stream)."""

    pair: LabelledPair
    a: Decided | None
    b: Decided | None

    @property
    def missing(self) -> list[str]:
        return [key for key, side in ((self.pair.id_a, self.a), (self.pair.id_b, self.b)) if side is None]

    @property
    def linked(self) -> bool:
        return self.a is not None and self.b is not None and self.a.cluster_id == self.b.cluster_id

    @property
    def later(self) -> Decided | None:
        if self.a is None or self.b is None:
            return None
        return self.a if self.a.position > self.b.position else self.b

    def to_json(self) -> dict[str, Any]:
        """The --details line of the pair."""
        later = self.later
        return {
            "line": self.pair.line,
            "id_a": self.pair.id_a,
            "id_b": self.pair.id_b,
            "verdict": self.pair.verdict,
            "reason": self.pair.reason,
            "missing": self.missing,
            "linked": self.linked if not self.missing else None,
            "later": None if later is None else (self.pair.id_a if later is self.a else self.pair.id_b),
            "language": None if later is None else later.language,
            "decision_a": None if self.a is None else self.a.decision,
            "decision_b": None if self.b is None else self.b.decision,
        }


def match_pairs(pairs: Sequence[LabelledPair], decided: Mapping[str, Decided]) -> list[PairOutcome]:
    """Each labelled pair with the final decisions of its two ids."""
    return [PairOutcome(pair, decided.get(pair.id_a), decided.get(pair.id_b)) for pair in pairs]


def link_scores(outcomes: Sequence[PairOutcome]) -> dict[str, Any]:
    """Counts, link precision/recall/F1 and the later article's statuses of pairs whose ids were both decided."""
    same = [o for o in outcomes if o.pair.verdict == "same"]
    different = [o for o in outcomes if o.pair.verdict == "different"]
    linked_same = sum(1 for o in same if o.linked)
    linked_different = sum(1 for o in different if o.linked)
    precision = ratio(linked_same, linked_same + linked_different)
    recall = ratio(linked_same, len(same))
    f1 = None
    if precision is not None and recall is not None:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def statuses(group: Sequence[PairOutcome]) -> dict[str, dict[str, int]]:
        counts: Counter[str] = Counter()
        linked: Counter[str] = Counter()
        for outcome in group:
            assert outcome.later is not None
            counts[outcome.later.status] += 1
            linked[outcome.later.status] += outcome.linked
        return {status: {"pairs": counts[status], "linked": linked[status]} for status in sorted(counts)}

    return {
        "pairs": len(outcomes),
        "same": len(same),
        "different": len(different),
        "linked": linked_same + linked_different,
        "linked_same": linked_same,
        "linked_different": linked_different,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "later_status": {"same": statuses(same), "different": statuses(different)},
    }


def summarise_pairs(outcomes: Sequence[PairOutcome]) -> dict[str, Any]:
    """Link figures overall and per language of the later article; missing pairs listed apart."""
    complete = [o for o in outcomes if not o.missing]
    languages = sorted({o.later.language for o in complete if o.later is not None})
    groups = {ALL: complete}
    for language in languages:
        groups[language] = [o for o in complete if o.later is not None and o.later.language == language]
    missing = [
        {"line": o.pair.line, "id_a": o.pair.id_a, "id_b": o.pair.id_b, "verdict": o.pair.verdict,
         "missing_ids": o.missing}
        for o in outcomes if o.missing
    ]
    return {
        "labelled_pairs": len(outcomes),
        "scored_pairs": len(complete),
        "languages": languages,
        "links": {name: link_scores(group) for name, group in groups.items()},
        "missing": missing,
    }


def report_missing(outcomes: Sequence[PairOutcome], errors: TextIO) -> None:
    """One stderr line per pair left out because an id was not decided."""
    for outcome in outcomes:
        if outcome.missing:
            print(f"pairs line {outcome.pair.line}: {', '.join(outcome.missing)} not decided in the stream "
                  "(absent or invalid); pair not scored", file=errors)
