"""The evaluation summary as Markdown tables (what `newsdedup eval` prints)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# (summary key, column heading) of each table.
PAIR_COLUMNS = (
    ("articles", "articles"),
    ("true_pairs", "labelled pairs"),
    ("predicted_pairs", "predicted pairs"),
    ("correct_pairs", "correct"),
    ("precision", "precision"),
    ("recall", "recall"),
    ("f1", "F1"),
)
COPY_COLUMNS = (
    ("first_of_story", "first of story"),
    ("false_flags", "false flags"),
    ("copies", "copies"),
    ("found", "found"),
    ("wrong_story", "wrong story"),
    ("missed", "missed"),
    ("recall", "recall"),
    ("flag_precision", "flag precision"),
)
REPETITION_COLUMNS = (
    ("repeating", "repeating"),
    ("detected", "detected"),
    ("cleaned", "cleaned"),
    ("detection_rate", "detection rate"),
    ("not_repeating", "not repeating"),
    ("false_positives", "flagged"),
    ("with_removals", "with removals"),
    ("false_positive_rate", "false-positive rate"),
)
BODY_COLUMNS = (
    ("articles", "expected bodies"),
    ("exact", "exactly equal"),
    ("exact_share", "share"),
    ("mean_similarity", "mean similarity"),
    ("extra_chars", "chars kept by mistake"),
    ("missing_chars", "chars removed by mistake"),
)


def _num(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _table(keys: Sequence[str], columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> list[str]:
    """A Markdown table: `keys` name the leading text columns, `columns` the figures of each row's dict."""
    header = [*keys, *(title for _, title in columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(keys) + ["---:"] * len(columns)) + "|"]
    for *names, figures in rows:
        cells = [*names, *(figures[key] for key, _ in columns)]
        lines.append("| " + " | ".join(_num(cell) for cell in cells) + " |")
    return lines


def _settings(run: dict[str, Any]) -> str:
    """The run's settings and speed, as the first line of a report gives them."""
    return (f"threshold {run['threshold']}, window {run['window_hours']:g} h; "
            f"detection {run['seconds']:.1f} s ({run['articles_per_second']:,.0f} articles/s)")


def format_report(summary: dict[str, Any]) -> str:
    """Markdown: the run, story pairs, copies (overall and per edit kind), repetition, cleaned bodies."""
    run = summary["run"]
    out = [
        f"# newsdedup eval {run['input']}",
        "",
        f"{summary['articles']:,} labelled articles ({run['invalid_lines']:,} invalid "
        f"line{'' if run['invalid_lines'] == 1 else 's'} skipped), "
        f"{summary['stories']:,} stories; {_settings(run)}",
        "",
        "## Story pairs (predicted story = cluster_id)",
        "",
    ]
    out += _table(["language"], PAIR_COLUMNS, [[name, s] for name, s in summary["clusters"].items()])
    out += ["", "## Copies (each later article of a story: flagged, with duplicate_of in its story?)", ""]
    out += _table(["language"], COPY_COLUMNS, [[name, s] for name, s in summary["copies"].items()])
    out += ["", "## Copies by edit kind", ""]
    out += _table(["edit", "language"], COPY_COLUMNS, [[e["edit"], e["language"], e] for e in summary["edits"]])
    groups = [*summary["repetition"].items(), *((f"kind {k}", s) for k, s in summary["repetition_kinds"].items())]
    out += ["", "## Repetition (detected = the record's repetition.detected; cleaned = characters removed)", ""]
    out += _table(["group"], REPETITION_COLUMNS, [[name, s] for name, s in groups])
    rows = [
        [name, side, score[key]]
        for name, score in groups
        for side, key in (("repeating", "body_repeating"), ("not repeating", "body_not_repeating"))
        if score[key]["articles"]
    ]
    out += ["", "## Cleaned bodies against the expected ones (trailing whitespace stripped)", ""]
    out += _table(["group", "labelled"], BODY_COLUMNS, rows)
    return "\n".join(out) + "\n"


LINK_COLUMNS = (
    ("pairs", "pairs"),
    ("same", "same"),
    ("different", "different"),
    ("linked", "linked"),
    ("linked_same", "linked same"),
    ("linked_different", "linked different"),
    ("precision", "precision"),
    ("recall", "recall"),
    ("f1", "F1"),
)
STATUS_COLUMNS = (("pairs", "pairs"), ("linked", "linked"))


def format_pair_report(summary: dict[str, Any]) -> str:
    """Markdown for pair mode: the run, link precision/recall per language, the later articles' statuses."""
    run = summary["run"]
    missing = summary["missing"]
    out = [
        f"# newsdedup eval {run['input']} --pairs {run['pairs']}",
        "",
        f"{run['articles']:,} articles decided ({run['distinct_ids']:,} distinct ids, "
        f"{run['repeated_id_lines']:,} lines repeating an id: the last decision stands; "
        f"{run['invalid_lines']:,} invalid line{'' if run['invalid_lines'] == 1 else 's'} skipped); {_settings(run)}",
        "",
        f"{summary['labelled_pairs']:,} labelled pairs, {summary['scored_pairs']:,} scored, "
        f"{len(missing):,} missing (an id not decided in the stream)",
        "",
        "## Labelled pairs (linked = both decisions carry the same cluster_id; language of the later article)",
        "",
    ]
    out += _table(["language"], LINK_COLUMNS, [[name, s] for name, s in summary["links"].items()])
    out += ["", "## How the later article of each pair was decided", ""]
    rows = [
        [name, verdict, status, figures]
        for name, scores in summary["links"].items()
        for verdict, statuses in scores["later_status"].items()
        for status, figures in statuses.items()
    ]
    out += _table(["language", "verdict", "status"], STATUS_COLUMNS, rows)
    if missing:
        out += ["", "## Missing pairs", ""]
        out += [f"* line {m['line']}: {m['id_a']} / {m['id_b']} ({m['verdict']}): "
                f"not decided: {', '.join(m['missing_ids'])}" for m in missing]
    return "\n".join(out) + "\n"
