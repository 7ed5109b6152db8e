"""Repeated blocks (reworded second versions), splices and cut-short first copies, Arabic and English."""

from __future__ import annotations

import pytest

from tests.unit.repetition_texts import AR_REWORDED, AR_STORY, EN_REWORDED, EN_STORY, clean, paragraphs

VERSIONS = pytest.mark.parametrize(
    ("first", "second"), [(EN_STORY, EN_REWORDED), (AR_STORY, AR_REWORDED)], ids=["en", "ar"]
)


@VERSIONS
def test_a_reworded_second_version_is_removed(first: list[str], second: list[str]) -> None:
    body = paragraphs(*first, *second)
    report = clean(body)
    assert report.cleaned_body == paragraphs(*first)
    [span] = report.spans
    assert (span.kind, span.twin_start) == ("block", 0)
    assert span.end == len(body)


@VERSIONS
def test_a_splice_is_repaired_from_the_complete_twin(first: list[str], second: list[str]) -> None:
    # The first version is cut a third of the way into its last paragraph and the second version
    # glued on there; the second version ends with the complete paragraph (as in the seed).
    cut = first[5][: len(first[5]) // 3]
    body = paragraphs(*first[:5], cut + second[0], *second[1:5], first[5])
    report = clean(body)
    assert report.cleaned_body == paragraphs(*first)
    splice, block = report.spans
    assert (splice.kind, block.kind) == ("splice", "block")
    assert body[splice.start : splice.end] == cut
    assert splice.twin_start == body.rindex(first[5])  # the complete twin, which is kept
    assert block.start == splice.end
    assert block.end == splice.twin_start
    assert block.twin_start == 0


@VERSIONS
def test_a_cut_short_first_copy_is_replaced_by_its_complete_twin(first: list[str], second: list[str]) -> None:
    del second  # the second copy is exact here: only its last paragraph completes the first copy
    body = paragraphs(*first[:5], first[5][:70], *first)
    report = clean(body)
    assert report.cleaned_body == paragraphs(*first)
    cut, rest = report.spans
    assert body[cut.start : cut.end].strip() == first[5][:70]
    assert cut.twin_start == body.rindex(first[5])
    assert rest.start == cut.end
    assert rest.twin_start == 0


@VERSIONS
def test_a_copy_glued_to_a_subtitle_loses_only_the_repeat(first: list[str], second: list[str]) -> None:
    del second
    # One long line: the story, a subtitle without punctuation glued to the copy, the copy, a footer.
    subtitle = "Subtitle of the second part" if first is EN_STORY else "عنوان فرعي للجزء الثاني"
    footer = "Read more on our site" if first is EN_STORY else "رابط الخبر في موقعنا"
    story = " ".join(first[:3])
    body = f"{story} {subtitle} {story} {footer}"
    report = clean(body)
    assert report.cleaned_body == f"{story} {subtitle} {footer}"
    [span] = report.spans
    assert span.kind == "block"


def test_a_block_of_exact_paragraphs_is_removed_whole() -> None:
    body = paragraphs(AR_STORY[0], *EN_STORY[:4], AR_STORY[1], *EN_STORY[:4], AR_STORY[2])
    report = clean(body)
    assert report.cleaned_body == paragraphs(AR_STORY[0], *EN_STORY[:4], AR_STORY[1], AR_STORY[2])
    assert [span.kind for span in report.spans] == ["block"]


def test_a_story_repeated_hundreds_of_times_costs_bounded_work() -> None:
    # The chains decided per article are capped (rules.max_chains): the first repeats go, and the
    # report still accounts for exactly what was removed.
    body = paragraphs(*(EN_STORY * 300))
    report = clean(body)
    assert report.detected
    assert report.cleaned_body.startswith(paragraphs(*EN_STORY))
    assert 0 < len(report.spans) <= 64
