"""Normalisation rules, one test per rule, with Arabic and English sentences written for these tests."""

from __future__ import annotations

import random
import unicodedata

import pytest

from newsdedup.core.normalize import detect_language, normalize_many, normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The ﬁrst ﬂight", "the first flight"),  # fi/fl ligatures
        ("ＦＵＬＬ width ２０２５", "full width 2025"),
        ("ﻣﺮﺣﺒﺎ ﺑﻜﻢ", "مرحبا بكم"),  # Arabic presentation forms
        ("ﻻ تراجع", "لا تراجع"),  # lam-alef ligature
    ],
)
def test_nfkc(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The Central BANK Raised Rates", "the central bank raised rates"),
        ("Die Straße", "die strasse"),
        ("ÉCOLE Publique", "école publique"),
    ],
)
def test_casefold(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>The <b>market</b> rose</p><p>Then it fell</p>", "the market rose then it fell"),
        ('<div class="x">ارتفع <a href="/s">السوق</a></div>', "ارتفع السوق"),
        ("before<script>var x = '<p>';</script>after", "before after"),
        ("a<!-- hidden -->b", "a b"),
        ("if a < b and c > d then", "if a < b and c > d then"),  # comparison signs are not tags
    ],
)
def test_html_tags(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>Shares rose</p>", "shares rose"),
        ('<a href="x">the report</a>', "the report"),
        ("end of item</div>", "end of item"),
        ("one<br/>two<br />three", "one two three"),
        ("<IMG SRC=chart.gif ALT='prices'>prices rose", "prices rose"),
        ("<TD NOWRAP>oil<option selected>gas", "oil gas"),  # valueless attributes of the standard
        ('<input type=checkbox checked><a href="x"class="y">on', "on"),
        ('</a >and<time datetime="1987-03-02">then', "and then"),
    ],
)
def test_html_tags_are_markup(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<Wardley Ltd> said it", "wardley ltd said it"),
        ("Texaco Inc <Texaco> rose", "texaco inc texaco rose"),
        ("sold to <Time Inc>", "sold to time inc"),  # "time" is an element, "Inc" is no attribute
        ("<A and P> stores", "a and p stores"),  # "a" is an element, "and", "P" are no attributes
        ("<Mark Resources\nInc.>", "mark resources inc"),
        ("</Wardley Ltd>", "wardley ltd"),
        ('<p class="lead"><Wardley Ltd> said</p>', "wardley ltd said"),  # tags and a name in one text
        ("<o:p>a</o:p><my-tag>", "o p a o p my tag"),  # not HTML element names
        ("if a < b and c > d then", "if a < b and c > d then"),
    ],
)
def test_bracketed_names_keep_their_words(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected
    assert normalize_many([raw, raw]) == [expected, expected]


def test_all_tags_shortcut_equals_the_rule_per_span() -> None:
    # _strip_tags skips the per-span call when every span is an HTML tag; the result must not change.
    from newsdedup.core.normalize import _TAG, _markup_or_words, _strip_tags

    rng = random.Random(11)
    pieces = ["<p>", "</p>", '<a href="x">', "<br/>", "<td nowrap>", "<Texaco>", "<Time Inc>", "< b >", "<", ">",
              "word", " ", "\x00", "<i", "=", '"']
    for _ in range(500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert _strip_tags(text) == _TAG.sub(_markup_or_words, text)


def test_element_name_alone_is_markup() -> None:
    # The rule cannot tell a bare ticker that is an element name from the tag: both go.
    assert normalize_text("Du Pont Co <DD> said") == normalize_text("Du Pont Co <dd> said") == "du pont co said"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Profits &amp; losses &lt;rose&gt;", "profits losses <rose>"),
        ("prices&nbsp;fell", "prices fell"),
        ("الأسهم&nbsp;السعودية", "الاسهم السعوديه"),
        ("&#1605;&#1589;&#1585;", "مصر"),
    ],
)
def test_html_entities(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("news\u200bpaper", "newspaper"),
        ("co\u00adoperation", "cooperation"),
        ("\ufeffHeadline", "headline"),
        ("\u202bالرياض\u202c اليوم", "الرياض اليوم"),
        ("\u200fالخبر\u200e \u2067عاجل\u2069", "الخبر عاجل"),
    ],
)
def test_zero_width_and_bidi(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  The\tminister \n\n said\r\n yes  ", "the minister said yes"),
        ("\n\nقال\u00a0 الوزير\u3000\n اليوم \t", "قال الوزير اليوم"),
        ("one\u2028two\u2029three\x85four", "one two three four"),
        ("   \n\t ", ""),
        ("", ""),
    ],
)
def test_whitespace(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_tashkeel_and_dagger_alef_removed() -> None:
    assert normalize_text("ذَهَبَ الطُّلَّابُ إِلَى المَدْرَسَةِ") == "ذهب الطلاب الي المدرسه"
    assert normalize_text("كتابًا جديدٌ") == "كتابا جديد"
    assert normalize_text("هٰذا الرَّحْمٰن") == "هذا الرحمن"


def test_tatweel_removed() -> None:
    assert normalize_text("الـــعـــالم الــعــربي") == "العالم العربي"


def test_alef_forms_unified() -> None:
    assert normalize_text("أحمد وإبراهيم وآمال وٱلسلام") == "احمد وابراهيم وامال والسلام"
    # Decomposed alef + hamza/madda marks are composed by NFKC first, then unified.
    assert normalize_text("ا\u0654حمد ا\u0653مال") == "احمد امال"


def test_alef_maqsura_to_yaa() -> None:
    assert normalize_text("مشى إلى المستشفى") == "مشي الي المستشفي"


def test_taa_marbuta_to_haa() -> None:
    assert normalize_text("المدرسة الجديدة") == "المدرسه الجديده"


def test_arabic_digits_to_ascii() -> None:
    assert normalize_text("عام ٢٠١٥ و٣٥") == "عام 2015 و35"
    assert normalize_text("سنة ۱۴۰۴") == "سنه 1404"
    assert normalize_text("In 2015, 3 of 4") == "in 2015 3 of 4"


def test_persian_keyboard_letters_unified() -> None:
    assert normalize_text("کتاب علی") == normalize_text("كتاب علي")


def test_punctuation_becomes_space() -> None:
    # A measured choice (docs/DETECTION.md): outlets re-punctuate the copy they take.
    assert normalize_text("U.S. rates rose 3.5%, analysts said.") == "u s rates rose 3 5 analysts said"
    assert normalize_text("قال: «نعم»، ثم غادر؟") == "قال نعم ثم غادر"
    assert normalize_text('"Yes," he said - and left.') == normalize_text("«yes» he said – and left")
    assert normalize_text("cost $5 + tax = £7 ©") == "cost $5 + tax = £7 ©"  # symbols stay


def test_punctuation_can_be_kept_for_measurement() -> None:
    text = "U.S. rates rose 3.5%, analysts said: «نعم»، ٢٠٢٥."
    assert normalize_text(text, keep_punctuation=True) == "u.s. rates rose 3.5%, analysts said: «نعم»، 2025."


def test_nul_is_a_segment_boundary() -> None:
    # The repetition cleaner joins sentences with U+0000 and splits the normalised text on it.
    assert normalize_text("First one. \x00 ثانية\x00") == "first one\x00ثانيه\x00"
    assert normalize_text("a\x01b") == "a\x01b"  # other control characters pass through


def test_normalize_many_equals_one_call_per_text() -> None:
    rng = random.Random(5)
    pieces = ["<b>", "</b>", "<!--", "-->", "&amp;", "&", " ", ". ", "«", "أ", "ـ", "\u064e", "\u0654", "ﻻ",
              "word", "كلمة", "٣", "\u200b", "\n", "<script>", "</script>", "ß", "Ａ",
              "<Time Inc>", "<A and P>", "<a href='x'>"]
    for _ in range(200):
        texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) for _ in range(rng.randint(0, 6))]
        assert normalize_many(texts) == [normalize_text(t) for t in texts]
    assert normalize_many(["a\x00b", "c"]) == [normalize_text("a\x00b"), "c"]
    assert normalize_many([]) == []


def test_language_argument_does_not_change_the_rules() -> None:
    text = "The minister (الوزير) said: ٢٠٢٥"
    assert normalize_text(text, "en") == normalize_text(text, "ar") == normalize_text(text)


def _reference(text: str) -> str:
    """The same rules written plainly with str.translate, to check the compiled table pass."""
    table: dict[int, int | None] = {cp: None for cp in [*range(0x200B, 0x2010), *range(0x202A, 0x202F)]}
    table.update({cp: None for cp in [*range(0x2066, 0x206A), 0xFEFF, 0xAD, *range(0x064B, 0x0660)]})
    table.update({0x0670: None, 0x0640: None})
    table.update({ord(c): ord("ا") for c in "أإآٱ"})
    table.update({ord("ى"): ord("ي"), ord("ة"): ord("ه"), ord("ی"): ord("ي"), ord("ک"): ord("ك")})
    table.update({0x0660 + d: 0x30 + d for d in range(10)})
    table.update({0x06F0 + d: 0x30 + d for d in range(10)})
    table.update({cp: 0x20 for cp in range(0x10000) if unicodedata.category(chr(cp)).startswith("P")})
    folded = unicodedata.normalize("NFKC", text).casefold().translate(table)
    return "\x00".join(" ".join(part.split()) for part in folded.split("\x00"))


def test_compiled_pass_matches_reference_on_random_text() -> None:
    rng = random.Random(7)
    pool = "abcXYZ 019.,!؟«»-%$\x00\t\n\u00a0\u2003\u200b\u200f\u202b\u2066\ufeff\u00ad" + "".join(
        chr(c) for c in [*range(0x0621, 0x064B), *range(0x064B, 0x0672), 0x0640, *range(0x06F0, 0x06FA)]
    ) + "ﻻﻣ😀ßİΣБ𐐀…ﷲ\n\n"
    for _ in range(300):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 60)))
        assert normalize_text(text) == _reference(text)


def test_idempotent() -> None:
    text = "<b>Breaking</b>: أَعْلَنَ الوزيـــر ﻻ ٢٠٢٥ &amp; ﬁnal\u200b  NEWS"
    once = normalize_text(text)
    assert normalize_text(once) == once


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The central bank raised its rates again on Tuesday.", "en"),
        ("رفع البنك المركزي أسعار الفائدة مرة أخرى يوم الثلاثاء.", "ar"),
        ("قال الوزير إن شركة Apple ستفتتح مكتبا في الرياض", "ar"),
        ("Центральный банк повысил ставку", "und"),
        ("2025-01-01 12:00", "und"),
        ("", "und"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected
