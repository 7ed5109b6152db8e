"""Text normalisation for comparing news text (Arabic and English first), and a cheap language guess.

The normalised form is only for comparing articles (shingles, signatures, content hash); it is never
published. The rules are per script, not per declared language, so an Arabic quotation inside an
English article (or a wrong `language` field) normalises the same way everywhere.

Punctuation (Unicode categories P*) becomes a space: outlets re-punctuate the copy they take
(« » for "", commas, dashes around datelines), and measured on SaudiNewsNet this moves pairs of the
same story across the threshold far more often than it merges different stories
(bench/measure_punctuation.py, docs/DETECTION.md). Symbols ($ + = ©) and digits stay; "%" and "#" are
punctuation to Unicode (Po) and go.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from newsdedup.core import _kernels

# Markup left by scrapers. Script/style bodies and comments go with their tags: they are code, not
# news text. No pattern crosses U+0000, the separator of normalize_many, so segments never merge.
_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^>\x00]*>[^\x00]*?</\1\s*>", re.IGNORECASE)
_COMMENT = re.compile(r"<!--[^\x00]*?-->")
# A tag-shaped span: "<" or "</", a name, then nothing, "/", or whitespace and anything up to ">".
# "a < b and c > d" is not one. Such a span is markup (removed, as a space) only when
#   * its name is an HTML element name (the HTML standard's own list, current and obsolete), and
#   * what follows the name is nothing, "/", or attributes: name=value (value bare or quoted), or a
#     bare name only when it is one of the standard's valueless (boolean) attributes.
# Anything else keeps its words and loses its brackets: Reuters writes companies as <Wardley Ltd> or
# <Texaco>, and names that start with an element name stay too, because the words after the name
# are not attributes: <Time Inc>, <A and P>, <Mark Resources Inc>. A bare ticker that is an element
# name (Reuters' <DD>, <U>, <S>) cannot be told from a tag and goes as markup.
# Namespaced and custom names (<o:p>, <my-widget>) are not HTML element names: their words stay.
_HTML_ELEMENT_NAMES = (
    # Current elements (the standard's index of elements, with the MathML and SVG roots) ...
    "a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite "
    "code col colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend li link "
    "main map mark math menu meta meter nav noscript object ol optgroup option output p picture pre progress "
    "q rp rt ruby s samp script search section select selectedcontent slot small source span strong style "
    "sub summary sup svg table tbody td template textarea tfoot th thead time title tr track u ul var video "
    "wbr "
    # ... and the obsolete ones (its section "Non-conforming features"), still common in scraped pages.
    "acronym applet basefont bgsound big blink center dir font frame frameset image isindex keygen listing "
    "marquee menuitem multicol nextid nobr noembed noframes param plaintext rb rtc spacer strike tt xmp"
)
_BOOLEAN_ATTRIBUTE_NAMES = (
    "allowfullscreen async autofocus autoplay checked controls default defer disabled formnovalidate hidden "
    "inert ismap itemscope loop multiple muted nomodule novalidate open playsinline readonly required "
    "reversed selected shadowrootclonable shadowrootdelegatesfocus shadowrootserializable "
    "compact declare nohref noresize noshade nowrap"  # obsolete presentational ones
)
_HTML_ELEMENTS = frozenset(_HTML_ELEMENT_NAMES.split())
_ATTRIBUTES = (
    r"""(?:(?:\s+|(?<=["']))"""  # attributes are whitespace apart (or none after a quoted value)
    r"""(?:[^\s"'<>/=\x00]+\s*=\s*(?:"[^"<>\x00]*"|'[^'<>\x00]*'|[^\s"'=<>`\x00]+)"""  # name=value
    rf"""|(?=[A-Za-z])(?ai:{"|".join(_BOOLEAN_ATTRIBUTE_NAMES.split())})(?![^\s/>])))*\s*/?"""  # valueless
)
# Group 1 is the name when what follows it is attributes, None when it is something else.
_TAG = re.compile(rf"</?(?:([A-Za-z][A-Za-z0-9:-]*){_ATTRIBUTES}>|[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>\x00]*)?/?>)")

_ZERO_WIDTH_AND_BIDI = [
    *range(0x200B, 0x2010),  # zero-width space/joiners, LRM, RLM
    *range(0x202A, 0x202F),  # bidi embeddings and overrides
    *range(0x2066, 0x206A),  # bidi isolates
    0xFEFF,  # byte order mark / zero-width no-break space
    0x00AD,  # soft hyphen
]
_ARABIC_MARKS = [
    *range(0x064B, 0x0660),  # tashkeel: tanween, harakat, shadda, sukun, and the other combining marks
    0x0670,  # superscript (dagger) alef
    0x0640,  # tatweel (kashida): a stretching glyph, not a letter
]
_ARABIC_LETTERS = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",  # alef maqsura written for yaa (and the reverse) is the commonest spelling variant
    "ة": "ه",  # taa marbuta written without dots at the end of a word
    # Persian keyboard forms that Arabic sites often carry: same letters, other code points.
    "ی": "ي",
    "ک": "ك",
}


def _fold_table(keep_punctuation: bool) -> npt.NDArray[np.int32]:
    """One table over the BMP for case folding and every per-character rule, applied by `fold`.

    str.casefold + str.translate with the same rules cost 170 µs on 3,000 Arabic characters (a dict
    lookup per character); the compiled pass, with the UTF-32 round trip, about 10 µs.
    """
    rules: dict[int, int] = {cp: _kernels.DELETE for cp in (*_ZERO_WIDTH_AND_BIDI, *_ARABIC_MARKS)}
    rules.update({ord(src): ord(dst) for src, dst in _ARABIC_LETTERS.items()})
    for digit in range(10):
        rules[0x0660 + digit] = ord("0") + digit  # Arabic-Indic digits
        rules[0x06F0 + digit] = ord("0") + digit  # Eastern Arabic-Indic (Persian/Urdu) digits
    table = np.empty(0x10000, dtype=np.int32)
    for cp in range(0x10000):
        folded = chr(cp).casefold()
        if len(folded) != 1:
            table[cp] = _kernels.COMPLEX
            continue
        char = folded  # the rules apply to the case-folded character, as after str.casefold()
        if char.isspace() or (not keep_punctuation and unicodedata.category(char).startswith("P")):
            table[cp] = _kernels.SPACE
        else:
            table[cp] = rules.get(ord(char), ord(char))
    table.setflags(write=False)
    return table


# Constants, built once at import (about 30 ms each).
_FOLD = _fold_table(keep_punctuation=False)
_FOLD_KEEPING_PUNCTUATION = _fold_table(keep_punctuation=True)

# detect_language: the first characters decide (articles do not switch script midway), on bytes.
_SAMPLE = 2000
_MIN_LETTERS = 3
_DELETE_BUT_ARABIC_LEAD = bytes(c for c in range(256) if not 0xD8 <= c <= 0xDB)
_DELETE_BUT_ASCII_LETTERS = bytes(c for c in range(256) if not (0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A))
_DELETE_BUT_LEAD = bytes(range(0xC0))


def _markup_or_words(match: re.Match[str]) -> str:
    """A space for an HTML tag; the words inside, between spaces, for any other tag-shaped span."""
    name = match.group(1)
    if name is not None and name.lower() in _HTML_ELEMENTS:
        return " "
    return f" {match.group(0)[1:-1]} "


def _strip_tags(text: str) -> str:
    """`text` with HTML tags replaced by spaces, and the brackets of other tag-shaped spans (see _TAG)."""
    parts = _TAG.split(text)  # text, name or None, text, name or None, ..., text
    names = parts[1::2]
    if None not in names and _HTML_ELEMENTS.issuperset(map(str.lower, names)):
        return " ".join(parts[::2])  # every span is an HTML tag, the common case: no Python call per tag
    return _TAG.sub(_markup_or_words, text)


def _strip_markup(text: str) -> str:
    """Remove tags (as spaces, so words on both sides of a block tag stay apart) and decode entities.

    Tag-shaped spans that are not HTML tags keep their words; their brackets become spaces.
    """
    if "<" in text:
        text = _SCRIPT_STYLE.sub(" ", text)
        text = _COMMENT.sub(" ", text)
        text = _strip_tags(text)
    if "&" in text:
        text = html.unescape(text)
    return text


def _utf32(text: str) -> npt.NDArray[np.uint32]:
    """The code points of `text`; a lone surrogate (JSON allows "\\ud800") passes through as itself."""
    return np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)


def _nfkc(text: str) -> str:
    """unicodedata NFKC, applied only to the lines that need it.

    One article in six carries a no-break space, an ellipsis or an Arabic presentation form, and
    NFKC of a whole 3,000-character article then costs 150 µs. A line feed never composes with its
    neighbours, so normalising line by line gives the same text, and most lines pass the quick check.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    text = text.replace("\u00a0", " ")  # the commonest offender; NFKC maps it to U+0020 as well
    return "\n".join(
        line if unicodedata.is_normalized("NFKC", line) else unicodedata.normalize("NFKC", line)
        for line in text.split("\n")
    )


def normalize_text(text: str, language: str | None = None, *, keep_punctuation: bool = False) -> str:
    """Return the comparison form of `text`: no markup, NFKC, casefolded, Arabic unified, spaces collapsed.

    `language` is accepted for the article contract, but the rules do not depend on it (see the module
    docstring). `keep_punctuation=True` is the variant measured against (not used by the pipeline).
    Characters the rules do not name pass through; U+0000 also drops the whitespace next to it.
    """
    del language  # the rules are per script; see the module docstring
    text = _strip_markup(text)
    # NFKC first: it composes alef + hamza/madda sequences and unfolds presentation forms and the
    # lam-alef ligature, so the table sees the base letters.
    text = _nfkc(text)
    table = _FOLD_KEEPING_PUNCTUATION if keep_punctuation else _FOLD
    folded, complete = _kernels.fold(_utf32(text), table)
    if not complete:  # a character whose case folding the table cannot hold ("ß", non-BMP letters)
        folded, _ = _kernels.fold(_utf32(text.casefold()), table)
    return folded.tobytes().decode("utf-32-le", errors="surrogatepass")


def normalize_many(texts: Sequence[str]) -> list[str]:
    """normalize_text of every text, in one pass over their U+0000-joined concatenation.

    Equal to `[normalize_text(t) for t in texts]` (no rule crosses U+0000; see `fold`), about 5x
    faster on sentence-sized texts; texts that contain U+0000 themselves fall back to one call each.
    """
    if any("\x00" in text for text in texts):
        return [normalize_text(text) for text in texts]
    return normalize_text("\x00".join(texts)).split("\x00") if texts else []


def detect_language(text: str) -> str:
    """Guess "ar", "en" or "und" from the share of Arabic-script letters among the letters of `text`."""
    # Counted on UTF-8 bytes with bytes.translate (C loops, ~7 µs for 2,000 characters; a Python loop
    # over characters costs 150 µs): U+0600-U+06FF are the characters whose lead byte is 0xD8-0xDB,
    # and every non-ASCII character has exactly one lead byte (0xC0-0xFF).
    sample = text[:_SAMPLE].encode("utf-8", errors="surrogatepass")
    arabic = len(sample.translate(None, _DELETE_BUT_ARABIC_LEAD))
    latin = len(sample.translate(None, _DELETE_BUT_ASCII_LETTERS))
    letters = latin + len(sample.translate(None, _DELETE_BUT_LEAD))  # non-ASCII characters count as letters
    if letters < _MIN_LETTERS:
        return "und"
    if arabic >= 0.5 * letters:
        return "ar"
    if latin >= 0.9 * letters:
        return "en"
    return "und"
