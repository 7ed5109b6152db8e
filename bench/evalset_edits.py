"""The known edits that bench/build_evalset.py applies to real articles: copies and in-article repetition.

Every function takes a random.Random so that one seed gives one evaluation set. The boilerplate lines
are written for the project (no corpus text).
"""

from __future__ import annotations

import random
import re
from collections import Counter

_PARAGRAPH_BREAK = re.compile(r"([ \t]*\n\s*)")
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")
_CUT = re.compile(r"(?<=[.!?؟])\s+|[ \t]*\n\s*")
_QUOTES = set("\"«»“”‘’'")
_ARABIC_FORMS = (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ة", "ه"), ("ى", "ي"))
_ENGLISH_FORMS = (("ise", "ize"), ("isa", "iza"), ("our", "or"), ("yse", "yze"), ("tre", "ter"), ("ogue", "og"))

# Lines an outlet adds around the stories it republishes (written for this project).
BOILERPLATE = {
    "ar": [
        ("خاص بالموقع - تابعونا على حساباتنا في وسائل التواصل الاجتماعي لمتابعة آخر الأخبار لحظة بلحظة.",
         "جميع الحقوق محفوظة للصحيفة، ولا يجوز إعادة نشر هذا الخبر أو أجزاء منه دون إذن مكتوب من إدارة التحرير."),
        ("الخبر كما ورد من مصادره، وقد يجري تحديثه عند توفر معلومات إضافية.",
         "للاشتراك في النشرة الإخبارية اليومية أرسل كلمة اشتراك إلى الرقم المخصص، وتطبق الشروط والأحكام."),
        ("متابعات - قسم الأخبار المحلية",
         "اقرأ أيضاً: تغطية شاملة لأبرز الأحداث المحلية والإقليمية والدولية على مدار الساعة في صفحتنا الرئيسية."),
        ("نشر هذا الخبر ضمن خدمة الأخبار العاجلة.",
         "شاركنا رأيك في التعليقات أدناه، مع الالتزام بسياسة النشر وعدم الإساءة إلى الآخرين أو التشهير بهم."),
    ],
    "en": [
        ("From our newswire desk. Follow us on social media for breaking news as it happens.",
         "All rights reserved. This story may not be republished, broadcast or redistributed without permission."),
        ("This story was published as received from the agency and may be updated.",
         "Sign up for our free morning newsletter to get the day's top stories delivered to your inbox."),
        ("Newsroom roundup",
         "Read more: full coverage of the day's local, national and international news on our home page."),
        ("Published as part of our live news service.",
         "Tell us what you think in the comments below. Please keep the discussion civil and on topic."),
    ],
}


def paragraphs(body: str) -> tuple[list[str], list[str]]:
    """The body's non-empty lines and the line breaks between them (len(breaks) == len(lines) - 1)."""
    parts = _PARAGRAPH_BREAK.split(body.strip())
    return parts[0::2], parts[1::2]


def join(lines: list[str], breaks: list[str]) -> str:
    """The inverse of `paragraphs`."""
    out = [lines[0]]
    for line_break, line in zip(breaks, lines[1:], strict=True):
        out += [line_break, line]
    return "".join(out)


def units(body: str) -> list[str]:
    """Paragraphs (three or more) or else sentences, each with the whitespace after it: "".join() == body."""
    lines, breaks = paragraphs(body)
    if len(lines) >= 3:
        return [line + line_break for line, line_break in zip(lines, [*breaks, ""], strict=True)]
    pieces, start = [], 0
    text = body.strip()
    for match in _SENTENCE_END.finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    return [*pieces, text[start:]] if start < len(text) else pieces


def main_break(body: str) -> str:
    """The paragraph break the body uses most (a line feed when it has none)."""
    _, breaks = paragraphs(body)
    return Counter(b.replace(" ", "") for b in breaks).most_common(1)[0][0] if breaks else "\n"


def light_edit(text: str, rng: random.Random, language: str, rate: float = 0.03, least: int = 2) -> str:
    """A copy-editor's pass: a few words dropped, swapped, misspelt or re-punctuated; lines kept."""
    tokens = re.split(r"(\s+)", text)
    words = [k for k in range(0, len(tokens), 2) if tokens[k]]
    count = max(least, round(rate * len(words)))
    # Names (capitalised words) and figures are left as written, as a copy editor leaves them: a name
    # or a figure that differs on each side is what marks a template item, not a copy (docs/REPETITION.md).
    # Only plain words are touched, so sentence marks stay where they were.
    editable = [k for k in words if _editable(tokens[k])]
    for k in rng.sample(editable, min(count, len(editable))):
        word = tokens[k]
        op = rng.choice(("drop", "swap", "typo", "punct", "orth"))
        if op == "drop" and len(words) > 10:
            if k > 0 and "\n" not in tokens[k - 1]:
                tokens[k - 1] = tokens[k] = ""
            elif k + 1 < len(tokens) and "\n" not in tokens[k + 1]:
                tokens[k] = tokens[k + 1] = ""
        elif op == "swap" and k + 2 < len(tokens) and _editable(tokens[k + 2]) and "\n" not in tokens[k + 1]:
            tokens[k], tokens[k + 2] = tokens[k + 2], tokens[k]
        elif op == "typo" and len(word) >= 5:
            cut = rng.randrange(1, len(word) - 1)
            tokens[k] = word[:cut] + word[cut + 1 :]
        elif op == "punct":
            tokens[k] = word + ("،" if language == "ar" else ",")
        elif op == "orth":
            tokens[k] = _orthographic_variant(word, language)
    return "".join(tokens)


def _editable(word: str) -> bool:
    return word.isalpha() and not word[:1].isupper()


def _orthographic_variant(word: str, language: str) -> str:
    # Arabic: spellings that differ on the page but not after normalisation (hamza forms, taa
    # marbuta, alef maqsura). English: British and American spellings.
    forms = _ARABIC_FORMS if language == "ar" else _ENGLISH_FORMS
    for old, new in forms:
        if old in word:
            return word.replace(old, new, 1)
    return word


def truncate(body: str, rng: random.Random) -> tuple[str, float]:
    """The body cut to keep 35–95 % of its characters, after a sentence when one ends near the target,
    else after a word; (text, share kept)."""
    text = body.strip()
    target = rng.uniform(0.35, 0.95) * len(text)
    ends = [m.end() for m in _CUT.finditer(text) if abs(m.end() - target) <= 0.1 * len(text)]
    if not ends:  # no sentence ends near the target: cut between words, as a copy cut for space
        ends = [m.end() for m in re.finditer(r"\s+", text)]
    cut = min(ends, key=lambda end: abs(end - target)) if ends else len(text)
    kept = text[:cut].rstrip()
    return kept, len(kept) / len(text)


def reorder(body: str, rng: random.Random) -> str | None:
    """The paragraphs (or sentences) in another order; None when there are fewer than three."""
    pieces = units(body)
    if len(pieces) < 3:
        return None
    glue = main_break(body) if len(paragraphs(body)[0]) >= 3 else " "
    stripped = [piece.rstrip() for piece in pieces]
    order = list(range(len(stripped)))
    while order == sorted(order):
        rng.shuffle(order)
    return glue.join(stripped[k] for k in order)


def add_boilerplate(body: str, rng: random.Random, language: str, outlet: int) -> str:
    """The outlet's footer after the body, and half the time its header before it."""
    header, footer = BOILERPLATE[language][outlet % len(BOILERPLATE[language])]
    glue = main_break(body)
    parts = [header, body, footer] if rng.random() < 0.5 else [body, footer]
    return glue.join(parts)


# In-article repetition: each returns (repeating body, expected cleaned body) or None when the body
# does not have the paragraphs it needs.


def _plain(line: str, low: int, high: int) -> bool:
    return low <= len(line) <= high and not _QUOTES & set(line)


def repeat_line(body: str, rng: random.Random) -> tuple[str, str] | None:
    """A line printed twice in a row (a paragraph of 80–600 characters without quotation marks)."""
    lines, breaks = paragraphs(body)
    choices = [k for k, line in enumerate(lines) if _plain(line, 80, 600)]
    if len(lines) < 3 or not choices:
        return None
    k = rng.choice(choices)
    line_break = breaks[k] if k < len(breaks) else breaks[-1]
    repeated = join([*lines[: k + 1], lines[k], *lines[k + 1 :]], [*breaks[:k], line_break, *breaks[k:]])
    return repeated, join(lines, breaks)


def repeat_paragraph(body: str, rng: random.Random) -> tuple[str, str] | None:
    """A paragraph pasted again further down (not right after itself)."""
    lines, breaks = paragraphs(body)
    choices = [k for k, line in enumerate(lines[:-2]) if _plain(line, 80, 1200)]
    if len(lines) < 4 or not choices:
        return None
    k = rng.choice(choices)
    after = rng.randrange(k + 2, len(lines))
    line_break = breaks[after - 1]
    new_lines = [*lines[: after + 1], lines[k], *lines[after + 1 :]]
    new_breaks = [*breaks[:after], line_break, *breaks[after:]]
    return join(new_lines, new_breaks), join(lines, breaks)


def repeat_body(body: str, rng: random.Random, language: str, rate: float = 0.03) -> tuple[str, str] | None:
    """The whole body followed by a lightly edited copy of itself (`rate`: share of the words edited)."""
    lines, breaks = paragraphs(body)
    if len(lines) < 3:
        return None
    original = join(lines, breaks)
    return original + main_break(body) + light_edit(original, rng, language, rate=rate), original


def splice(body: str, rng: random.Random, language: str, rate: float = 0.03) -> tuple[str, str] | None:
    """Like the seed: the first version cut inside a word of its last paragraph, then a second version
    glued on, lightly edited except its last paragraph. Expected: the original body, the cut paragraph
    completed by its twin (keeping the last paragraph unedited makes "the cut paragraph replaced by its
    complete twin" and "the cut sentence completed from its twin" the same text)."""
    lines, breaks = paragraphs(body)
    if len(lines) < 3 or len(lines[-1]) < 80:
        return None
    last = lines[-1]
    middle = range(int(0.4 * len(last)), int(0.85 * len(last)))
    inside = [k for k in middle if last[k - 1].isalpha() and last[k].isalpha()]  # a cut inside a word
    if not inside:
        return None
    head = light_edit(join(lines[:-1], breaks[:-1]), rng, language, rate=rate)
    if len(paragraphs(head)[0]) != len(lines) - 1:
        return None
    cut = rng.choice(inside)
    spliced = join([*lines[:-1], last[:cut] + head], breaks) + breaks[-1] + last
    return spliced, join(lines, breaks)
