"""A second generator of in-article repetition, independent of evalset_edits.py, for held-out figures.

It was written apart from the first generator and is not used to tune the repetition rules: its
edits are word insertions, deletions and substitutions (words drawn from the article's own
vocabulary, names and figures included), a swap of two sentences inside a paragraph and a changed
figure, at 5–15 % of the words. The first generator drops, swaps, misspells and re-punctuates words
and never touches names or figures. Run it with a seed that is not used while tuning
(docs/EVALUATION.md gives the one the reported figures come from).

Every kind returns (repeating body, expected cleaned body) or None when the article lacks what the
kind needs; the expected body is the original article: the first copy is kept, the second goes.
"""

from __future__ import annotations

import random
import re

_LINE_BREAKS = re.compile(r"(\s*\n\s*)")
_SENTENCE_GAP = re.compile(r"(?<=[.!?؟])(\s+)(?=\S)")
_FIGURE = re.compile(r"\d")

KINDS = ("line_twice", "block_unchanged", "paragraph_later", "block_edited", "splice_edited", "short_item")
SHORT_ITEM_CHARS = 400  # a short item (table, list, brief) repeated whole is at most this long


def _split(body: str) -> tuple[list[str], list[str]]:
    """The body's non-blank lines and the whitespace between consecutive ones."""
    parts = _LINE_BREAKS.split(body.strip())
    return parts[0::2], parts[1::2]


def _glue(lines: list[str], gaps: list[str]) -> str:
    """Lines joined by their gaps (the inverse of _split)."""
    pieces = [lines[0]]
    for gap, line in zip(gaps, lines[1:], strict=True):
        pieces += [gap, line]
    return "".join(pieces)


def _gap(gaps: list[str]) -> str:
    """The most common gap between lines (a line feed when there is none)."""
    return max(set(gaps), key=gaps.count) if gaps else "\n"


def _swap_sentences(line: str, rng: random.Random) -> str:
    """The line with two neighbouring sentences swapped (unchanged when it has one sentence)."""
    pieces = _SENTENCE_GAP.split(line)
    sentences, spaces = pieces[0::2], pieces[1::2]
    if len(sentences) < 2:
        return line
    k = rng.randrange(len(sentences) - 1)
    sentences[k], sentences[k + 1] = sentences[k + 1], sentences[k]
    out = [sentences[0]]
    for space, sentence in zip(spaces, sentences[1:], strict=True):
        out += [space, sentence]
    return "".join(out)


def _change_figure(text: str, rng: random.Random) -> str:
    """The text with one digit of one figure replaced by another digit (unchanged without figures)."""
    digits = [m.start() for m in _FIGURE.finditer(text)]
    if not digits:
        return text
    at = rng.choice(digits)
    old = text[at]
    base = "٠" if "٠" <= old <= "٩" else "0"
    value = (ord(old) - ord(base) + rng.randrange(1, 10)) % 10
    return text[:at] + chr(ord(base) + value) + text[at + 1 :]


def reword(text: str, rng: random.Random, rate: float, vocabulary: list[str]) -> str:
    """Words inserted, dropped or replaced (by words of `vocabulary`) at `rate`; line breaks kept."""
    tokens = re.split(r"([ \t]+)", text)
    words = [k for k in range(0, len(tokens), 2) if tokens[k] and "\n" not in tokens[k]]
    for k in rng.sample(words, min(len(words), max(1, round(rate * len(words))))):
        op = rng.choice(("insert", "drop", "replace"))
        word = tokens[k]
        # A word carrying a sentence mark or a line break keeps it, so sentences stay where they were.
        core = word.rstrip(".!?؟،,;:\"'”»)")
        tail = word[len(core) :]
        if op == "insert":
            tokens[k] = f"{word} {rng.choice(vocabulary)}"
        elif op == "drop" and core and not tail and 0 < k < len(tokens) - 1:
            tokens[k] = tokens[k + 1] = ""
        elif op == "replace" and core:
            tokens[k] = rng.choice(vocabulary) + tail
    return "".join(tokens)


def edited_copy(lines: list[str], rng: random.Random) -> list[str]:
    """The lines with 5–15 % of their words edited, half the time two sentences of a line swapped and
    half the time one figure changed."""
    vocabulary = [w for w in re.findall(r"\w+", " ".join(lines)) if not w.isdigit()] or ["the"]
    rate = rng.uniform(0.05, 0.15)
    copy = [reword(line, rng, rate, vocabulary) for line in lines]
    if rng.random() < 0.5:
        k = rng.randrange(len(copy))
        copy[k] = _swap_sentences(copy[k], rng)
    if rng.random() < 0.5:
        with_figures = [k for k, line in enumerate(copy) if _FIGURE.search(line)]
        if with_figures:
            k = rng.choice(with_figures)
            copy[k] = _change_figure(copy[k], rng)
    return copy


def line_twice(body: str, rng: random.Random) -> tuple[str, str] | None:
    """A line of 80+ characters printed twice in a row."""
    lines, gaps = _split(body)
    choices = [k for k, line in enumerate(lines) if len(line) >= 80]
    if len(lines) < 2 or not choices:
        return None
    k = rng.choice(choices)
    gap = gaps[k - 1] if k else _gap(gaps)
    return _glue([*lines[: k + 1], *lines[k:]], [*gaps[:k], gap, *gaps[k:]]), _glue(lines, gaps)


def block_unchanged(body: str, rng: random.Random) -> tuple[str, str] | None:
    """Two or three consecutive lines pasted again, unchanged, after a later line."""
    lines, gaps = _split(body)
    size = rng.choice((2, 3))
    if len(lines) < size + 2:
        return None
    k = rng.randrange(len(lines) - size - 1)
    after = rng.randrange(k + size, len(lines))  # the copy goes after line `after` (never inside the block)
    block = lines[k : k + size]
    gap = _gap(gaps)
    new_lines = [*lines[: after + 1], *block, *lines[after + 1 :]]
    new_gaps = [*gaps[:after], gap, *gaps[k : k + size - 1], *gaps[after:]]
    return _glue(new_lines, new_gaps), _glue(lines, gaps)


def paragraph_later(body: str, rng: random.Random) -> tuple[str, str] | None:
    """One line of 80+ characters pasted again two or more lines further down, unchanged."""
    lines, gaps = _split(body)
    choices = [k for k, line in enumerate(lines[:-2]) if len(line) >= 80]
    if not choices:
        return None
    k = rng.choice(choices)
    after = rng.randrange(k + 2, len(lines))
    new_lines = [*lines[: after + 1], lines[k], *lines[after + 1 :]]
    new_gaps = [*gaps[:after], _gap(gaps), *gaps[after:]]
    return _glue(new_lines, new_gaps), _glue(lines, gaps)


def block_edited(body: str, rng: random.Random) -> tuple[str, str] | None:
    """The first three or more lines (or the whole body) repeated at the end, edited."""
    lines, gaps = _split(body)
    if len(lines) < 3:
        return None
    size = rng.randrange(3, len(lines) + 1)
    copy = edited_copy(lines[:size], rng)
    original = _glue(lines, gaps)
    return original + _gap(gaps) + _glue(copy, gaps[: size - 1]), original


def splice_edited(body: str, rng: random.Random) -> tuple[str, str] | None:
    """The body cut inside a word of its last line, an edited second version glued on there, whose
    last line is the unedited original (so that the repaired body is the original)."""
    lines, gaps = _split(body)
    if len(lines) < 3 or len(lines[-1]) < 80:
        return None
    last = lines[-1]
    middle = range(int(0.3 * len(last)), int(0.9 * len(last)))
    inside = [k for k in middle if last[k - 1].isalpha() and last[k].isalpha()]
    if not inside:
        return None
    cut = rng.choice(inside)
    copy = edited_copy(lines[:-1], rng)
    spliced = _glue([*lines[:-1], last[:cut] + copy[0], *copy[1:], last], [*gaps, *gaps[: len(lines) - 2], gaps[-1]])
    return spliced, _glue(lines, gaps)


def short_item(body: str, rng: random.Random) -> tuple[str, str] | None:
    """A short item (a table, a list, a brief: two or more lines, at most 400 characters) printed twice."""
    lines, gaps = _split(body)
    text = _glue(lines, gaps)
    if len(lines) < 2 or len(text) > SHORT_ITEM_CHARS:
        return None
    return text + rng.choice(("\n", "\n\n")) + text, text


def make(kind: str, body: str, rng: random.Random) -> tuple[str, str] | None:
    """The case of `kind` made from `body`, or None when the body lacks what the kind needs."""
    maker = {
        "line_twice": line_twice,
        "block_unchanged": block_unchanged,
        "paragraph_later": paragraph_later,
        "block_edited": block_edited,
        "splice_edited": splice_edited,
        "short_item": short_item,
    }[kind]
    return maker(body, rng)
