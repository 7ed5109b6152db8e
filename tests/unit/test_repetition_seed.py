"""The seed article: its body cleans to the expected text, and the spans say exactly what went."""

from __future__ import annotations

import json
from pathlib import Path

from tests.unit.repetition_texts import clean


def test_the_seed_cleans_to_the_expected_body(fixtures_dir: Path) -> None:
    body = json.loads((fixtures_dir / "seed-article.json").read_text(encoding="utf-8"))["body"]
    expected = (fixtures_dir / "seed-article.clean.txt").read_text(encoding="utf-8")
    report = clean(body)
    assert report.detected
    assert report.cleaned_body.rstrip() == expected.rstrip()
    assert report.removed_chars == len(body) - len(report.cleaned_body)


def test_the_seed_spans_name_the_tag_line_the_splice_and_the_reworded_block(fixtures_dir: Path) -> None:
    body = json.loads((fixtures_dir / "seed-article.json").read_text(encoding="utf-8"))["body"]
    line, splice, block = clean(body).spans
    assert (line.kind, body[line.start : line.end], body[line.twin_start : line.twin_start + 3]) == (
        "line",
        "\nغزة",
        "غزة",
    )
    # The first version's last paragraph is cut inside "تعليق" and the second version starts at "أعلن".
    assert splice.kind == "splice"
    assert body[splice.start : splice.end] == "وأدت الحرب بين إسرائيل وحماس إلى تع"
    assert body[splice.end :].startswith("أعلن البيت الأبيض")
    assert body[splice.twin_start :].startswith("وأدت الحرب بين إسرائيل وحماس إلى تعليق")
    # The reworded second version runs from the splice to its complete last paragraph, which is kept.
    assert block.kind == "block"
    assert (block.start, block.end) == (splice.end, splice.twin_start)
    assert body[block.twin_start :].startswith("أعلن المكتب الإعلامي في البيت الأبيض")
