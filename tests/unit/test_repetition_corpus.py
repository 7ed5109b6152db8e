"""The repetition analysis on the real corpora (read in place; skipped when ../shared/data is absent).

* every URL of saudinewsnet-self-repetition-cases.tsv is found (removed, or kept as a clear repeat);
  the four that repeat themselves lose their second copy, the others (lists, templates, a teaser
  before its full story) keep every character, as read and written down in docs/REPETITION.md;
* no BBC article loses a character and at most 0.5% are flagged.
"""

from __future__ import annotations

import csv
import tarfile
from pathlib import Path

import pytest

from newsdedup.core.normalize import normalize_text
from tests.conftest import saudi_articles
from tests.unit.repetition_texts import clean

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

# The cases that repeat themselves (read one by one: see docs/REPETITION.md); the rest are detected
# but left as written.
CLEANED = {
    "http://www.alweeam.com.sa/347030/أمانة-الرياض-7-جمعيات-خيرية-تشارك-في-اح/",
    "http://www.3alyoum.com/news/a/تدريب-عملي-للإنعاش-القلبي-الرئوي-بالم/",
    "http://www.al-jazirah.com/2015/20150727/ar8.htm",
    "http://www.alyaum.com/article/4081649",
}


@pytest.fixture(scope="module")
def cases(data_dir: Path) -> dict[str, str]:
    """URL -> body of every article listed in the self-repetition cases file."""
    table = data_dir / "saudinewsnet-self-repetition-cases.tsv"
    with table.open(encoding="utf-8") as handle:
        urls = {row["url"] for row in csv.DictReader(handle, delimiter="\t")}
    bodies = {article["url"]: article["content"] for article in saudi_articles(data_dir) if article["url"] in urls}
    assert set(bodies) == urls
    return bodies


def word_grams(text: str, size: int = 8) -> list[tuple[str, ...]]:
    """The word 8-grams of the normalised text, in order (repeats included)."""
    words = normalize_text(text).split()
    return [tuple(words[k : k + size]) for k in range(len(words) - size + 1)]


def test_every_listed_case_is_found(cases: dict[str, str]) -> None:
    # Found: the repeat is removed (detected, with spans) or, for the templates and lists whose repeats
    # belong to the text, listed among the clear repeats kept.
    assert len(cases) == 15  # 18 rows, 15 distinct URLs
    for url, body in cases.items():
        report = clean(body)
        assert report.detected == (url in CLEANED), url
        assert report.detected or report.repeats_kept, url


def test_the_self_repeating_cases_keep_one_copy(cases: dict[str, str]) -> None:
    for url in CLEANED:
        body = cases[url]
        report = clean(body)
        assert report.removed_chars > 0.3 * len(body), url
        before, after = word_grams(body), word_grams(report.cleaned_body)
        # Half the original's word 8-grams are repeats; the cleaned text has (almost) none left ...
        assert len(before) - len(set(before)) > 0.3 * len(before), url
        assert len(after) - len(set(after)) <= 0.02 * len(after), url
        # ... and lost no word but a variant spelling in the removed copy (3alyoum's "اإسعافات").
        lost = set(normalize_text(body).split()) - set(normalize_text(report.cleaned_body).split())
        assert len(lost) <= 1, (url, lost)


def test_the_other_cases_keep_every_character(cases: dict[str, str]) -> None:
    for url, body in cases.items():
        if url not in CLEANED:
            assert clean(body).cleaned_body == body, url


def test_bbc_articles_lose_nothing_and_few_are_flagged(data_dir: Path) -> None:
    flagged = articles = 0
    with tarfile.open(data_dir / "bbc-news-2225.tar.gz") as archive:
        for member in archive.getmembers():
            handle = archive.extractfile(member) if member.isfile() else None
            if handle is None or not member.name.endswith(".txt") or "README" in member.name.upper():
                continue
            body = handle.read().decode("latin-1").partition("\n")[2]
            report = clean(body)
            assert report.removed_chars == 0, member.name
            articles += 1
            flagged += report.detected
    assert articles == 2225
    assert flagged <= 0.005 * articles
