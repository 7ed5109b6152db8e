"""Segmentation of an article body into lines, paragraphs and sentences, with exact offsets.

Every offset is a Python str index into the body as received. Segments are stored without their
surrounding whitespace, so everything between two consecutive sentences is whitespace: removing a
run of sentences never cuts a word of the text around it.

Sentences end at . ! ? … and their Arabic/Urdu/full-width forms (؟ ۔ ‼ ⁇ ⁈ ⁉ 。 ！ ？), followed by
optional closing quotes or brackets and whitespace, and at every line break. The Arabic comma (،)
and semicolon (؛ ;) do not end a sentence: Arabic news chains clauses with them the way English
uses commas, and cutting there leaves fragments too short to compare and splits a reworded copy
differently from its original (a rewording moves clauses, rarely sentences).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from newsdedup.core.repetition import _kernels

_TERMINATORS = _kernels.char_table(".!?…؟۔‼⁇⁈⁉。！？")
_CLOSERS = _kernels.char_table("\"'”’»)]}›」』")
_SPACES = _kernels.space_table()
# A period after these does not end a sentence: "Mr. Smith", "U.S. officials" (initials and list
# numbers such as "1. " are recognised by the kernel itself).
_ABBREVIATIONS = np.array(
    [
        _kernels.word_key(word)
        for word in [
            "mr",
            "mrs",
            "ms",
            "dr",
            "prof",
            "st",
            "jr",
            "sr",
            "gen",
            "col",
            "lt",
            "sgt",
            "capt",
            "gov",
            "sen",
            "rep",
            "rev",
            "mt",
            "no",
            "vs",
            "etc",
            "inc",
            "ltd",
            "co",
            "corp",
            "jan",
            "feb",
            "mar",
            "apr",
            "jun",
            "jul",
            "aug",
            "sep",
            "sept",
            "oct",
            "nov",
            "dec",
        ]
    ],
    dtype=np.int64,
)


@dataclass(frozen=True, slots=True)
class Segmentation:
    """The body cut three ways; spans are (start, end) without surrounding whitespace.

    `sentences` are the units the detector compares; `sentence_line[i]` is the line holding sentence i
    and `line_paragraph[k]` the paragraph holding line k (paragraphs are separated by blank lines).
    """

    sentences: list[tuple[int, int]]
    sentence_line: list[int]
    lines: list[tuple[int, int]]
    line_paragraph: list[int]
    paragraphs: list[tuple[int, int]]


def segment(text: str) -> Segmentation:
    """Cut `text` into paragraphs, their non-blank lines, and the sentences of those lines."""
    code_points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    sentences, lines, paragraphs = _kernels.scan(code_points, _SPACES, _TERMINATORS, _CLOSERS, _ABBREVIATIONS)
    return Segmentation(
        sentences=list(zip(sentences[:, 0].tolist(), sentences[:, 1].tolist(), strict=True)),
        sentence_line=sentences[:, 2].tolist(),
        lines=list(zip(lines[:, 0].tolist(), lines[:, 1].tolist(), strict=True)),
        line_paragraph=lines[:, 2].tolist(),
        paragraphs=list(zip(paragraphs[:, 0].tolist(), paragraphs[:, 1].tolist(), strict=True)),
    )
