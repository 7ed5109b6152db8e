"""Repeated lines and paragraphs, exact or near (after normalisation), in Arabic and English."""

from __future__ import annotations

import pytest

from tests.unit.repetition_texts import AR_STORY, EN_STORY, clean, paragraphs


@pytest.mark.parametrize("story", [EN_STORY, AR_STORY], ids=["en", "ar"])
def test_a_paragraph_pasted_twice_is_removed(story: list[str]) -> None:
    body = paragraphs(story[0], story[1], story[2], story[1], story[3])
    report = clean(body)
    assert report.cleaned_body == paragraphs(story[0], story[1], story[2], story[3])
    [span] = report.spans
    assert span.kind == "paragraph"
    assert body[span.twin_start :].startswith(story[1])
    assert body[span.start : span.end].strip() == story[1]


@pytest.mark.parametrize("story", [EN_STORY, AR_STORY], ids=["en", "ar"])
def test_a_line_repeated_in_single_newline_text_is_removed(story: list[str]) -> None:
    body = "\n".join([story[0], story[1], story[2], story[1], story[3]])
    report = clean(body)
    assert report.cleaned_body == "\n".join([story[0], story[1], story[2], story[3]])
    assert [span.kind for span in report.spans] == ["line"]


def test_a_near_copy_that_differs_only_after_normalisation_is_removed_arabic() -> None:
    # Diacritics, a dropped comma and one synonym: the same paragraph.
    near = AR_STORY[1].replace("تضم", "تشمل").replace("،", "").replace("أمين", "أَمِين")
    body = paragraphs(AR_STORY[0], AR_STORY[1], AR_STORY[2], near, AR_STORY[3])
    report = clean(body)
    assert report.cleaned_body == paragraphs(AR_STORY[0], AR_STORY[1], AR_STORY[2], AR_STORY[3])
    assert report.spans[0].kind == "paragraph"


def test_a_near_copy_that_differs_only_after_normalisation_is_removed_english() -> None:
    near = EN_STORY[1].replace("temporary", "temprary").replace(",", "").upper()
    body = paragraphs(EN_STORY[0], EN_STORY[1], EN_STORY[2], near, EN_STORY[3])
    report = clean(body)
    assert report.cleaned_body == paragraphs(EN_STORY[0], EN_STORY[1], EN_STORY[2], EN_STORY[3])


def test_a_tag_line_printed_twice_in_a_row_is_removed_arabic() -> None:
    body = "العدو الصهيوني\n\nغزة\nغزة\n\n" + paragraphs(*AR_STORY[:3])
    report = clean(body)
    assert report.cleaned_body == "العدو الصهيوني\n\nغزة\n\n" + paragraphs(*AR_STORY[:3])
    [span] = report.spans
    assert span.kind == "line"
    assert body[span.start : span.end] == "\nغزة"
    assert span.twin_start == body.index("غزة")


def test_a_dateline_printed_twice_as_paragraphs_is_removed_english() -> None:
    body = "LONDON\n\nLONDON\n\n" + paragraphs(*EN_STORY[:3])
    report = clean(body)
    assert report.cleaned_body == "LONDON\n\n" + paragraphs(*EN_STORY[:3])
    assert [(span.kind, span.twin_start) for span in report.spans] == [("paragraph", 0)]


def test_a_repeated_line_keeps_the_first_copy_and_points_to_it() -> None:
    body = "\n".join([EN_STORY[0], EN_STORY[4], EN_STORY[2], EN_STORY[4]])
    report = clean(body)
    [span] = report.spans
    assert span.twin_start == body.index(EN_STORY[4])
    assert span.start > span.twin_start


def test_three_copies_leave_one() -> None:
    body = paragraphs(AR_STORY[0], AR_STORY[1], AR_STORY[2], AR_STORY[1], AR_STORY[3], AR_STORY[1])
    report = clean(body)
    assert report.cleaned_body.count(AR_STORY[1]) == 1
    assert report.cleaned_body == paragraphs(AR_STORY[0], AR_STORY[1], AR_STORY[2], AR_STORY[3])
