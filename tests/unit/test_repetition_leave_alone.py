"""Repeats that belong to the text, and text without repeats: nothing is removed or changed."""

from __future__ import annotations

import pytest

from newsdedup.core.config import DetectionConfig
from tests.unit.repetition_texts import AR_REWORDED, AR_STORY, EN_REWORDED, EN_STORY, clean, paragraphs


def assert_untouched(body: str) -> None:
    report = clean(body)
    assert report.cleaned_body == body
    assert report.removed_chars == 0
    assert report.spans == ()


@pytest.mark.parametrize("story", [EN_STORY, AR_STORY], ids=["en", "ar"])
def test_an_article_without_repetition_is_not_flagged(story: list[str]) -> None:
    body = paragraphs(*story)
    report = clean(body)
    assert report.cleaned_body == body
    assert not report.detected


def test_a_refrain_in_a_stanza_stays_english() -> None:
    song = "The crowd sang:\nWe will rise again\nWe will rise again\nWe will rise again, my friends"
    assert_untouched(paragraphs(EN_STORY[0], song, EN_STORY[1]))


def test_a_chant_repeated_with_its_lines_stays_arabic() -> None:
    chant = ["يا أزرق يا أزرق", "يا أزرق يا أزرق", "أنت الفخر في كل مكان"]
    assert_untouched("\n".join([AR_STORY[0], "وردد المشجعون:", *chant, AR_STORY[1], *chant]))


def test_a_quoted_line_printed_twice_stays() -> None:
    assert_untouched(paragraphs(EN_STORY[0], '"Free the river!"', '"Free the river!"', EN_STORY[1]))


def test_list_items_that_recur_in_two_lists_stay_english() -> None:
    item = "1. A copy of the passport with at least six months of validity left."
    assert_untouched(
        paragraphs(
            EN_STORY[0],
            f"Documents for the first permit:\n{item}\n2. Two recent colour photographs.",
            f"Documents for the second permit:\n{item}\n2. A letter from the employer.",
        )
    )


def test_list_items_and_headings_that_recur_stay_arabic() -> None:
    item = "1- صورة من الهوية الوطنية سارية المفعول لمدة لا تقل عن ستة أشهر."
    assert_untouched(
        paragraphs(
            AR_STORY[0],
            "متطلبات الوظيفة الأولى:",
            f"{item}\n2- شهادة الخبرة.",
            "متطلبات الوظيفة الثانية:",
            f"{item}\n2- شهادة اللغة.",
        )
    )


def test_a_one_word_line_that_recurs_far_apart_stays() -> None:
    body = paragraphs("Gaza", EN_STORY[0], EN_STORY[1], "Gaza", EN_STORY[2])
    report = clean(body)
    assert report.cleaned_body == body
    assert not report.detected
    assert_untouched(paragraphs("غزة", AR_STORY[0], AR_STORY[1], "غزة", AR_STORY[2]))


def test_two_calls_reported_with_the_same_formula_stay_and_are_kept_not_detected() -> None:
    # A template: the second item has its own names; its formula sentence is an exact repeat.
    body = (
        "تلقى وزير الخارجية اتصالا هاتفيا من نظيره الأردني أيمن الصفدي، بحث خلاله الجانبان العلاقات الثنائية "
        "وسبل تعزيزها في مختلف المجالات.\n"
        "وجرى خلال الاتصال استعراض تطورات الأوضاع في المنطقة والجهود المبذولة بشأنها والقضايا ذات الاهتمام "
        "المشترك.\n"
        "كما تلقى وزير الخارجية اتصالا هاتفيا من نظيره المغربي ناصر بوريطة، بحث خلاله الجانبان العلاقات بين "
        "البلدين وآفاق التعاون.\n"
        "وجرى خلال الاتصال استعراض تطورات الأوضاع في المنطقة والجهود المبذولة بشأنها والقضايا ذات الاهتمام "
        "المشترك."
    )
    report = clean(body)
    assert report.cleaned_body == body
    # Nothing removed, so no finding: the exact formula sentence is listed as a clear repeat kept.
    assert not report.detected
    assert report.spans == ()
    assert report.repeats_kept
    assert report.kept[0].reason.startswith("parallel")


def test_a_near_copy_with_other_names_is_a_template() -> None:
    body = paragraphs(
        "Group winners so far: Ajax, Benfica, Celtic, Porto and Rangers, with one round still to play.",
        "The draw for the next round takes place in Nyon on Friday.",
        "Group runners-up so far: Ajax, Benfica, Celtic, Porto and Valencia, with one round still to play.",
    )
    assert_untouched(body)


def test_a_sentence_repeated_inside_a_paragraph_stays() -> None:
    said = "The repairs would begin in September and should take about eight months, she said."
    body = paragraphs(
        EN_STORY[0],
        f"Mayor Helen Ortiz spoke to reporters after the vote. {said} A ferry will carry commuters.",
        EN_STORY[2],
        f"Residents asked when the work would start. {said} Nobody asked about the ferry.",
    )
    assert_untouched(body)


def test_a_summary_quoting_the_full_text_that_follows_stays() -> None:
    quoted = EN_STORY[3][0].lower() + EN_STORY[3][1:]
    body = paragraphs(
        f"Columnist Sara Malik wrote in today's edition that {quoted}",
        "Here is the full text of her column:",
        EN_STORY[3],
        EN_STORY[4],
    )
    assert_untouched(body)


def test_a_short_reworded_run_is_parallel_text_not_a_copy() -> None:
    # Three reworded paragraphs are too few to tell a second version from parallel items.
    assert_untouched(paragraphs(*AR_STORY[:3], *AR_REWORDED[:3]))
    assert_untouched(paragraphs(*EN_STORY[:3], *EN_REWORDED[:3]))


def test_nothing_is_touched_when_repetition_analysis_is_off() -> None:
    body = paragraphs(*EN_STORY, *EN_STORY)
    report = clean(body, DetectionConfig(repetition=False))
    assert report.cleaned_body == body
    assert not report.detected


@pytest.mark.parametrize("body", ["", " ", "\n\n", "غزة", "One sentence only."])
def test_tiny_bodies(body: str) -> None:
    assert_untouched(body)


def _announcement(name: str, city: str, motive: str) -> list[str]:
    return [
        f"أعلنت وزارة الداخلية اليوم تنفيذ حكم القصاص في الجاني {name} بمدينة {city} بعد اكتمال الإجراءات.",
        f"وأوضحت الوزارة أن الجاني {name} أقدم على قتل مواطن {motive}، وتمكنت الجهات الأمنية من القبض عليه.",
        "وأسفر التحقيق معه عن توجيه الاتهام إليه، وصدر بحقه حكم شرعي أيدته محكمة الاستئناف والمحكمة العليا.",
        "وتؤكد الوزارة حرص الدولة على استتباب الأمن وتحقيق العدل وتنفيذ أحكام الشرع في كل من يعتدي على الآمنين.",
    ]


def test_two_announcements_from_one_template_stay() -> None:
    # Four similar sentences in the same order, as in a reworded copy; but the second item names
    # its own convict, twice, and no name of the first: the next item of a template.
    first = _announcement("سالم بن راشد القحطاني", "أبها", "إثر خلاف بينهما")
    second = _announcement("عبدالله بن ناصر الدوسري", "الدمام", "إثر خلاف بينهما")
    report = clean("\n".join(first + second))
    assert report.cleaned_body == "\n".join(first + second)
    assert any(kept.reason.startswith("template") for kept in report.kept)


def test_a_quotation_that_repeats_the_article_figures_stays() -> None:
    figures = "The kingdom exported 1.59 billion barrels in the first seven months, worth 338 billion riyals."
    body = paragraphs(
        figures,
        EN_STORY[1],
        "Commenting on the exports, economist Dana Reed told us that "
        + figures[0].lower()
        + figures[1:]
        + " She expects prices to recover next year.",
        EN_STORY[2],
    )
    assert_untouched(body)


def test_an_apostrophe_inside_a_word_is_not_a_quotation_mark() -> None:
    from newsdedup.core.repetition.rules import has_quote_mark

    assert not has_quote_mark("The building now has a children's floor, head librarian Sofie Dahl said.")
    assert not has_quote_mark("It won’t reopen before May.")
    assert has_quote_mark("'We will rise again,' they sang.")
    assert has_quote_mark("He called it “a new start”.")
    assert has_quote_mark("قال «سنعود»")
