"""Second copies edited word by word, short items repeated whole, and splices the seed does not show."""

from __future__ import annotations

import pytest

from newsdedup.core.repetition.edits import changed_figure, word_similarity
from tests.unit.repetition_texts import AR_STORY, EN_STORY, clean, paragraphs


def edit(text: str, *changes: tuple[str, str]) -> str:
    """`text` with each (old, new) replaced once; every old must be there (the test would lie otherwise)."""
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


# The stories' second copies, edited: words inserted, dropped and replaced, one figure changed.
EN_EDITED = [
    edit(EN_STORY[0], ("spend 4.2", "spend 4.5"), ("on repairing", "on urgently repairing")),
    edit(EN_STORY[1], ("should take", "take"), ("a temporary ferry", "a ferry")),
    edit(EN_STORY[2], ("found cracks", "discovered cracks"), ("immediately", "at once")),
    EN_STORY[3],
    edit(EN_STORY[4], ("a measure that", "a step that"), ("for years", "for many years")),
    edit(EN_STORY[5], ("arguing that", "saying that")),
]
AR_EDITED = [
    edit(AR_STORY[0], ("18 مليون", "19 مليون"), ("يوم الأحد", "الأحد")),
    edit(AR_STORY[1], ("إن الحديقة تضم", "إن الحديقة الجديدة تضم"), ("مخصصة للأسر", "للأسر")),
    edit(AR_STORY[2], ("استغرقت", "استمرت"), ("أكثر من", "نحو")),
    AR_STORY[3],
    edit(AR_STORY[4], ("منذ سنوات", "منذ سنوات طويلة"), ("قريبة من", "بجوار")),
    edit(AR_STORY[5], ("ثلاث حدائق مماثلة", "ثلاث حدائق")),
]
STORIES = pytest.mark.parametrize(("story", "edited"), [(EN_STORY, EN_EDITED), (AR_STORY, AR_EDITED)], ids=["en", "ar"])


def test_word_similarity_counts_words_in_order() -> None:
    assert word_similarity("a b c d", "a b c d") == 1.0
    assert word_similarity("a b c d", "a x c d") == 0.75
    assert word_similarity("a b c d", "d c b a") < 0.5
    assert word_similarity("", "a") == 0.0
    assert word_similarity("وقال الوزير", "قال الوزير") == 1.0  # the conjunction و is not a word of its own


def test_a_changed_figure_is_one_figure_each_side() -> None:
    assert changed_figure("spent 4.2 million in 2024", "spent 4.5 million in 2024")
    assert not changed_figure("spent 4.2 million in 2024", "spent 4.5 million in 2025")
    assert not changed_figure("spent 4.2 million", "spent 4.2 million")


@STORIES
def test_a_copy_edited_word_by_word_is_removed(story: list[str], edited: list[str]) -> None:
    body = paragraphs(*story, *edited)
    report = clean(body)
    assert report.cleaned_body == paragraphs(*story)
    assert report.detected


@STORIES
def test_an_edited_copy_with_two_sentences_swapped_is_removed(story: list[str], edited: list[str]) -> None:
    reordered = [*edited[:3], edited[4], edited[3], edited[5]]
    body = paragraphs(*story, *reordered)
    assert clean(body).cleaned_body == paragraphs(*story)


@STORIES
def test_an_edited_block_pasted_later_is_removed(story: list[str], edited: list[str]) -> None:
    body = paragraphs(*story, *edited[:3])
    assert clean(body).cleaned_body == paragraphs(*story)


@STORIES
def test_a_splice_onto_an_edited_second_version_is_repaired(story: list[str], edited: list[str]) -> None:
    cut = story[5][: story[5].index(" ", 50) - 3]  # inside a word, past the middle of a sentence
    body = paragraphs(*story[:5], cut + edited[0], *edited[1:5], story[5])
    report = clean(body)
    assert report.cleaned_body == paragraphs(*story)
    assert [span.kind for span in report.spans] == ["splice", "block"]


def test_a_splice_cut_near_the_end_of_a_sentence_that_goes_on_is_repaired() -> None:
    last = EN_STORY[5] + " He promised to raise the matter again next year."
    cut = EN_STORY[5][:-4]  # "...again and aga" + the second version
    body = paragraphs(*EN_STORY[:5], cut + EN_EDITED[0], *EN_EDITED[1:5], last)
    assert clean(body).cleaned_body == paragraphs(*EN_STORY[:5], last)


@pytest.mark.parametrize("byline", ["By Anna Lee, Riverton", "عين اليوم - الخبر"])
def test_a_splice_glued_to_a_repeated_byline_is_repaired(byline: str) -> None:
    story, edited = (EN_STORY, EN_EDITED) if byline.startswith("By") else (AR_STORY, AR_EDITED)
    cut = story[5][: story[5].index(" ", 50) - 3]
    body = "\n".join([byline, *story[:5], cut + byline, *edited[:5], story[5]])
    assert clean(body).cleaned_body == "\n".join([byline, *story])


def test_an_edited_short_closing_sentence_goes_with_the_copy() -> None:
    story = [*EN_STORY[:4], "She was still angry.", EN_STORY[4]]
    copy = [*EN_EDITED[:4], "She was angry.", EN_EDITED[4]]
    body = paragraphs(*story, *copy)
    assert clean(body).cleaned_body == paragraphs(*story)


@pytest.mark.parametrize(
    "item",
    [
        "Quarterly results\nRevenue 41.2 mln vs 38.7 mln\nNet profit 3.1 mln vs 2.4 mln\nShare 12 cts vs 9 cts",
        "أسعار اليوم\nالذهب 235 ريالا للغرام\nالفضة 3 ريالات للغرام\nالنفط 78 دولارا للبرميل",
    ],
    ids=["en-table", "ar-list"],
)
@pytest.mark.parametrize("gap", ["\n", "\n\n"])
def test_a_short_item_repeated_whole_is_cleaned(item: str, gap: str) -> None:
    report = clean(item + gap + item)
    assert report.cleaned_body.rstrip() == item
    assert report.detected


def test_a_long_list_item_pasted_again_later_is_removed() -> None:
    item = "- " + EN_STORY[3]  # a paragraph of text that happens to be a list item
    body = paragraphs(EN_STORY[0], item, EN_STORY[1], EN_STORY[2], item, EN_STORY[4])
    assert clean(body).cleaned_body == paragraphs(EN_STORY[0], item, EN_STORY[1], EN_STORY[2], EN_STORY[4])


def test_a_long_quoted_paragraph_pasted_again_later_is_removed() -> None:
    quoted = (
        '"We have waited for this bridge to be fixed for far too long, and every month costs us customers," '
        "one owner said."
    )
    body = paragraphs(EN_STORY[0], quoted, EN_STORY[1], EN_STORY[2], quoted, EN_STORY[4])
    assert clean(body).cleaned_body == paragraphs(EN_STORY[0], quoted, EN_STORY[1], EN_STORY[2], EN_STORY[4])


def test_captions_opening_with_the_same_credit_are_not_a_splice() -> None:
    # Each caption of a gallery opens with the agency credit: a shared opening at a word boundary.
    captions = [
        "PHOTO/Jane Roe A vendor arranges dates on a stall at the old market on the first morning of the festival.",
        "PHOTO/Jane Roe A woman buys bread from a baker at the old market on the first morning of the festival.",
        "PHOTO/Jane Roe A boy carries a crate of oranges through the old market on the first morning of the festival.",
    ]
    body = " ".join(captions)
    assert clean(body).cleaned_body == body


@STORIES
def test_an_edited_copy_whose_first_and_last_sentences_swapped_places_is_removed(
    story: list[str], edited: list[str]
) -> None:
    # Every moved sentence is edited, so none of them is an exact repeat of its twin.
    reordered = [edited[1], edited[0], *edited[2:4], edited[5], edited[4]]
    body = paragraphs(*story, *reordered)
    assert clean(body).cleaned_body == paragraphs(*story)


@STORIES
def test_an_edited_copy_with_two_edited_sentences_swapped_inside_is_removed(
    story: list[str], edited: list[str]
) -> None:
    reordered = [edited[0], edited[2], edited[1], *edited[3:]]
    body = paragraphs(*story, *reordered)
    assert clean(body).cleaned_body == paragraphs(*story)


@pytest.mark.parametrize(
    ("sentence", "copy"),
    [
        # The copy lost "said" (and "long"): its first words then sit after "Officials said" in the
        # original, which reads like a lead introducing a quotation; one word of its own is no lead.
        (
            "Officials said the repairs would begin in September and the ferry would run all winter long.",
            "Officials the repairs would begin in September and the ferry would run all winter.",
        ),
        # The copy lost two words; what stands before its first words in the original is a quote mark.
        (
            '" The repairs will start in September and the ferry will run all winter long," the operators said.',
            '" The repairs will start in September and the ferry will run all winter," the said.',
        ),
    ],
    ids=["dropped-reporting-word", "opening-quote-mark"],
)
def test_what_precedes_an_edited_copy_in_its_twin_is_no_quotation_lead(sentence: str, copy: str) -> None:
    story = [EN_STORY[0], sentence, *EN_STORY[2:5]]
    body = paragraphs(*story, EN_EDITED[0], copy, *EN_EDITED[2:5])
    assert clean(body).cleaned_body == paragraphs(*story)


# Copies whose words were inserted inside sentences (at the head, in the middle and at the tail of the
# copy): longer than their twins, yet no text glued on at either end.
EN_INSERTED = [
    edit(EN_STORY[0], ("repairing the Old Mill", "repairing the historic and much loved Old Mill")),
    EN_STORY[1],
    edit(EN_STORY[2], ("found cracks", "found several deep cracks"), ("last winter", "early last winter")),
    EN_STORY[3],
    edit(EN_STORY[4], ("cycling groups", "local cycling and walking groups")),
]
AR_INSERTED = [
    edit(AR_STORY[0], ("حديقة الواحة الجديدة", "حديقة الواحة الكبيرة الجديدة والمميزة")),
    AR_STORY[1],
    edit(AR_STORY[2], ("أكثر من ألفي شجرة", "أكثر من ألفي شجرة ونخلة وشجيرة")),
    AR_STORY[3],
    edit(AR_STORY[4], ("المراكز التجارية", "المراكز والأسواق التجارية الكبرى")),
]


@pytest.mark.parametrize(("story", "inserted"), [(EN_STORY, EN_INSERTED), (AR_STORY, AR_INSERTED)], ids=["en", "ar"])
def test_a_copy_with_words_inserted_inside_its_sentences_goes_whole(story: list[str], inserted: list[str]) -> None:
    body = paragraphs(*story, *inserted)
    assert clean(body).cleaned_body == paragraphs(*story)


# A copy with one word in six or seven replaced by another word of the story, a name among them.
EN_REPLACED = [
    edit(EN_STORY[0], ("voted", "council"), ("spend", "repairs"), ("heavy", "Mill"), ("since", "bridge")),
    edit(EN_STORY[1], ("Mayor", "Engineers"), ("begin", "ferry"), ("about", "river"), ("carry", "Dane")),
    edit(EN_STORY[2], ("county", "bridge"), ("routine", "winter"), ("recommended", "closing")),
    edit(EN_STORY[3], ("complained", "Street"), ("almost", "sales"), ("ask", "meeting")),
    edit(EN_STORY[4], ("approved", "bridge"), ("measure", "cycle"), ("requested", "repairs")),
]
AR_REPLACED = [
    edit(AR_STORY[0], ("افتتحت", "حديقة"), ("الجديدة", "البحرية"), ("تتجاوز", "مساحة")),
    edit(AR_STORY[1], ("المهندس", "الحديقة"), ("للمشي", "ملاعب"), ("تطل", "البحر")),
    edit(AR_STORY[2], ("استغرقت", "الأمانة"), ("محلية", "شجرة"), ("كميات", "المياه")),
    edit(AR_STORY[3], ("أبوابها", "الحديقة"), ("مجاني", "الزوار")),
]


@pytest.mark.parametrize(("story", "replaced"), [(EN_STORY, EN_REPLACED), (AR_STORY, AR_REPLACED)], ids=["en", "ar"])
def test_a_copy_with_words_replaced_by_words_of_the_story_is_removed(story: list[str], replaced: list[str]) -> None:
    body = paragraphs(*story, *replaced)
    assert clean(body).cleaned_body == paragraphs(*story)


@pytest.mark.parametrize(("story", "replaced"), [(EN_STORY, EN_REPLACED), (AR_STORY, AR_REPLACED)], ids=["en", "ar"])
def test_a_splice_onto_a_copy_with_words_replaced_is_repaired(story: list[str], replaced: list[str]) -> None:
    cut = story[5][: story[5].index(" ", 50) - 3]
    body = paragraphs(*story[:5], cut + replaced[0], *replaced[1:], story[5])
    assert clean(body).cleaned_body == paragraphs(*story)


@pytest.mark.parametrize(
    ("opening", "opening_copy", "closing", "closing_copy"),
    [
        ("By Anna Lee in Riverton", "By Anna Lee from Riverton", "More to follow soon.", "More will follow soon."),
        ("عين اليوم - الخبر", "عين اليوم – محافظة الخبر", "والتفاصيل لاحقا.", "والتفاصيل تأتي لاحقا."),
    ],
    ids=["en", "ar"],
)
def test_short_opening_and_closing_lines_edited_in_the_copy_go_with_it(
    opening: str, opening_copy: str, closing: str, closing_copy: str
) -> None:
    story, edited = (EN_STORY, EN_EDITED) if opening.startswith("By") else (AR_STORY, AR_EDITED)
    first = [opening, *story[:5], closing]
    body = "\n".join([*first, opening_copy, *edited[:5], closing_copy])
    assert clean(body).cleaned_body == "\n".join(first)
