"""The verification rules: the overlap measure, the figures check, LSH banding."""

from __future__ import annotations

import numpy as np
import pytest

from newsdedup.core import verify


def test_figures_read_thousands_separators_and_keep_two_leading_digits() -> None:
    assert verify.figures("439,491 and 439.491 and 439 491 and 439491") == frozenset({"43"})
    assert verify.figures("14 الف and 14000") == frozenset({"14"})
    assert verify.figures("at 8.30 or 8:30, 007") == frozenset({"8", "30", "7"})
    assert verify.figures("no numbers here") == frozenset()


def test_figures_conflict_needs_several_changes_and_more_changed_than_kept() -> None:
    monday = frozenset({"57", "96", "53", "29", "31", "74"})
    tuesday = frozenset({"56", "71", "52", "16", "22", "72"})
    assert verify.figures_conflict(monday, tuesday, 3)
    assert not verify.figures_conflict(monday, monday | {"15"}, 3)  # an extended copy adds figures
    assert not verify.figures_conflict(monday, frozenset({"57", "96"}), 3)  # a truncated copy loses some
    corrected = (monday - {"29"}) | {"34"}
    assert not verify.figures_conflict(monday, corrected, 3)  # a correction changes one
    hijri = verify.figures("25/10/1436")
    both = verify.figures("26 شوال 1436 الموافق 11 اغسطس 2015")
    assert not verify.figures_conflict(hijri, both, 3)  # a date written in two calendars


def test_overlap_is_shared_share_of_the_larger_set() -> None:
    a = np.arange(0, 100, dtype=np.uint32)
    b = np.arange(50, 250, dtype=np.uint32)
    assert verify.intersection_size(a, b) == 50
    assert verify.exact_overlap(a, b) == pytest.approx(50 / 200)
    jaccard = 50 / 250
    assert verify.overlap_from_jaccard(jaccard, 100, 200) == pytest.approx(0.25)
    assert verify.exact_overlap(np.zeros(0, np.uint32), a) == 0.0


def test_lsh_params_catch_the_lowest_jaccard_that_can_reach_the_threshold() -> None:
    for threshold in (0.5, 0.6, 0.7, 0.8):
        bands, rows = verify.lsh_params(threshold, 128, 0.75)
        assert bands * rows <= 128
        assert verify.candidate_probability(threshold / (2 - threshold), bands, rows) >= 0.75
        # one more row per band would miss the edge too often
        assert verify.candidate_probability(threshold / (2 - threshold), 128 // (rows + 1), rows + 1) < 0.75
    assert verify.lsh_params(0.5, 128, 0.75) == (42, 3)


def test_dates_are_left_out_of_figures() -> None:
    text = "الموافق 15 10 1436ه و 26 شوال 1436 ه الموافق 11 اغسطس 2015 م، 2015 08 11، 3 july 2015"
    assert verify.figures(text) == frozenset()
    assert verify.figures("انتهي 16 07 ت م، الساعه 9 30 ص") == frozenset()  # clock times too
    assert verify.figures("قتل 27 شخصا في 3 قرى عام 2015") == frozenset({"27", "3"})


def test_a_bond_notice_template_with_few_figures_conflicts() -> None:
    first = verify.figures("صكوك بقيمة 500 مليون ريال بعائد 5.4 في المئة")
    second = verify.figures("صكوك بقيمة 750 مليون ريال بعائد 1.6 في المئة والحد الادني 500 الف")
    assert verify.figures_conflict(first, second, verify.DEFAULT_RULES.changed_figures_short)
    assert not verify.figures_conflict(first, first | {"12"}, verify.DEFAULT_RULES.changed_figures_short)
    assert not verify.figures_conflict(first, second, verify.DEFAULT_RULES.changed_figures)  # in a long report


def test_month_alternation_matches_each_name_whole_and_nothing_shorter() -> None:
    import re

    words = verify._MONTH_WORDS
    pattern = re.compile(rf"(?:{verify._alternation(words)})\b")
    for word in words:
        assert pattern.fullmatch(word), word
    for prefix in ("ju", "se", "ربيع", "كانون", "جمادي ال"):
        assert not pattern.fullmatch(prefix), prefix
    found = pattern.match("sept 2015")
    assert found is not None
    assert found.group() == "sept"  # the longer name, though "sep" is listed first


def test_dates_are_taken_out_of_the_figures() -> None:
    text = "في 26 شوال 1436 الموافق 11 اغسطس 2015 بلغ العدد 439,491 و 12 september 2015 at 16 07 pm 53"
    assert verify.figures(text) == frozenset({"43", "53"})


def test_the_figures_kernel_agrees_with_the_regular_expressions() -> None:
    """Compiled figures equal the three regexes': dates in every form, separators, zeros, boundaries, ties."""
    import random

    from newsdedup.core.verify import _MONTH_WORDS, figures, figures_by_regex

    pieces = [
        "1", "2", "0", "3", "4", "9", "13", "14", "19", "20", "1436", "2015", "1999", "٣", "00", "007",
        " ", " ", " ", ",", ".", "\u066b", "\u066c", "\u00a0", "\u202f", "ه", "م", "ت", "غ", "ص", "am", "pm",
        "gmt", "a", "_", "x", "-", "،", "😀",
        *_MONTH_WORDS, *(name[:-1] for name in _MONTH_WORDS), *(name + "x" for name in _MONTH_WORDS[:10]),
    ]
    rng = random.Random(12)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert figures(text) == figures_by_regex(text), text
    text = "في 26 شوال 1436 الموافق 11 اغسطس 2015 بلغ 7.038.700.000 و 439,491 عند 16 07 ت م و 0 و 007"
    assert figures(text) == figures_by_regex(text) == {"70", "43", "0", "7"}
