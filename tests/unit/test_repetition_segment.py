"""Segmentation into sentences, lines and paragraphs, with offsets into the text as written."""

from __future__ import annotations

from newsdedup.core.repetition.segment import Segmentation, segment


def texts(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[start:end] for start, end in spans]


def test_english_sentences_lines_and_paragraphs() -> None:
    text = "First one. Second one! Third?\nA new line.\n\n  A new paragraph…  Its end.  \n"
    seg = segment(text)
    assert texts(text, seg.sentences) == [
        "First one.",
        "Second one!",
        "Third?",
        "A new line.",
        "A new paragraph…",
        "Its end.",
    ]
    assert texts(text, seg.lines) == ["First one. Second one! Third?", "A new line.", "A new paragraph…  Its end."]
    assert seg.sentence_line == [0, 0, 0, 1, 2, 2]
    assert seg.line_paragraph == [0, 0, 1]
    assert texts(text, seg.paragraphs) == ["First one. Second one! Third?\nA new line.", "A new paragraph…  Its end."]


def test_arabic_terminators_split_but_commas_do_not() -> None:
    text = "قال الوزير، في مؤتمر صحفي، إن العمل مستمر. هل انتهى المشروع؟ لا۔ سيستمر العمل؛ حتى العام المقبل!"
    assert texts(text, segment(text).sentences) == [
        "قال الوزير، في مؤتمر صحفي، إن العمل مستمر.",
        "هل انتهى المشروع؟",
        "لا۔",
        "سيستمر العمل؛ حتى العام المقبل!",
    ]


def test_abbreviations_initials_decimals_and_list_numbers_do_not_end_sentences() -> None:
    text = "Mr. Smith met Dr. Jones in the U.S. on Friday. Prices rose 3.5 percent.\n1. First item. Done.\n12. Next"
    assert texts(text, segment(text).sentences) == [
        "Mr. Smith met Dr. Jones in the U.S. on Friday.",
        "Prices rose 3.5 percent.",
        "1. First item.",
        "Done.",
        "12. Next",
    ]


def test_closing_quotes_stay_with_their_sentence() -> None:
    text = 'He said: "We will win." Then he left. وقال: «سنعود». ثم غادر.'
    assert texts(text, segment(text).sentences) == [
        'He said: "We will win."',
        "Then he left.",
        "وقال: «سنعود».",
        "ثم غادر.",
    ]


def test_offsets_survive_crlf_nbsp_and_outer_whitespace() -> None:
    text = "\xa0\xa0 Line one.\r\n\r\n\tLine two\xa0\r\nLine three. \xa0"
    seg = segment(text)
    assert texts(text, seg.sentences) == ["Line one.", "Line two", "Line three."]
    assert texts(text, seg.paragraphs) == ["Line one.", "Line two\xa0\r\nLine three."]
    for start, end in seg.sentences:
        assert not text[start].isspace()
        assert not text[end - 1].isspace()


def test_everything_between_sentences_is_whitespace() -> None:
    text = "One. Two!\n\nThree? غزة\nغزة\n\n  أربعة. خمسة"
    seg = segment(text)
    previous = 0
    for start, end in seg.sentences:
        assert not text[previous:start].strip()
        previous = end
    assert not text[previous:].strip()


def test_empty_and_blank_bodies() -> None:
    for text in ("", "   ", "\n\n \n"):
        assert segment(text) == Segmentation([], [], [], [], [])
    assert texts("x", segment("x").sentences) == ["x"]
