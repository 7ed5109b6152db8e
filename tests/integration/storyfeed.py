"""A deterministic feed of invented news for the recovery tests: stories, their copies and rewrites, templates.

No corpus text: every word is made up from syllables (English-like and Arabic), with a few function
words, so the feed can be rebuilt anywhere from its seed. Articles come in increasing `published_at`
(one every few minutes: a feed of 800 spans more than the default 72-hour window, so the oldest
stories leave it before the end), and the copies of a story are spread behind it, some right after
it and some hundreds of articles later, so that wherever a worker crashes, decisions after the crash
depend on what the index learned before it. What the feed holds:

* stories that nobody copies, and stories that others republish:
* exact copies under another id and outlet;
* a few articles sent again later by their producer, unchanged (a redelivery: the only articles whose
  `published_at` is not later than the one before; the index gives back the stored decision and does
  not move its window);
* light edits: a changed word and a credit line (harness.lightly_edited), a dateline, a dropped or a
  cut-off ending, a few words swapped; and light edits of those edits;
* two viral stories, each republished 18 times over days, in edits of edits;
* rewrites by other outlets: the same invented names, places and figures, other wording (some
  sentences kept, so some rewrites are near-duplicates and some are not);
* template families: one wording, other names and figures in each issue, plus copies of some issues.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.harness import lightly_edited

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
SPACING_SECONDS = 360  # one article every 6 minutes on average: 800 articles span 80 hours

OUTLETS = ["meridian-wire", "harbour-times", "gulf-post", "noon-daily", "east-ledger", "river-courier",
           "capital-star", "dune-herald", "coast-bulletin", "plateau-news"]

_EN_SYLLABLES = ["ka", "lo", "mer", "tan", "vi", "dor", "sel", "ba", "rin", "ost", "fel", "gar", "wen", "ul",
                 "pra", "es", "mon", "tri", "quo", "zan", "ber", "ith", "ald", "nor", "sku", "vel", "om", "pe"]
_EN_GLUE = ["the", "of", "and", "in", "to", "a", "on", "for", "with", "said", "was", "by", "after", "from"]
_AR_SYLLABLES = ["بر", "كا", "مس", "تو", "لي", "دن", "سا", "فو", "قر", "ني", "حم", "طا", "جو", "زي", "شم", "ور",
                 "خل", "ضو", "عا", "يل"]
_AR_GLUE = ["في", "من", "على", "إلى", "أن", "وقال", "مع", "بعد", "عن", "التي", "هذا", "كما"]


@dataclass
class _Language:
    words: list[str]
    glue: list[str]
    names: list[str]
    places: list[str]
    percent: str
    million: str
    months: list[str]

    def filler(self, rng: random.Random, count: int) -> list[str]:
        """`count` tokens of running text: invented words with function words between them."""
        return [rng.choice(self.glue) if rng.random() < 0.3 else rng.choice(self.words) for _ in range(count)]


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _invent(rng: random.Random, syllables: list[str], count: int, low: int, high: int) -> list[str]:
    found: dict[str, None] = {}
    while len(found) < count:
        found["".join(rng.choices(syllables, k=rng.randint(low, high)))] = None
    return list(found)


def _languages(rng: random.Random) -> dict[str, _Language]:
    en_words = _invent(rng, _EN_SYLLABLES, 2600, 2, 4)
    ar_words = _invent(rng, _AR_SYLLABLES, 1800, 2, 3)
    return {
        "en": _Language(en_words[:2200], _EN_GLUE, [w.capitalize() for w in en_words[2200:2400]],
                        [w.capitalize() for w in en_words[2400:]], "percent", "million",
                        ["March", "April", "May", "June", "July"]),
        "ar": _Language(ar_words[:1500], _AR_GLUE, ar_words[1500:1650], ar_words[1650:], "بالمئة", "مليون",
                        ["مارس", "أبريل", "مايو", "يونيو", "يوليو"]),
    }


@dataclass
class _Story:
    """The facts of one story and one outlet's wording of them."""

    language: str
    facts: list[str]  # names, places and figures, each sentence carries some of them
    sentences: list[str]
    title: str
    derived: int = 0  # copies of it made so far

    @property
    def body(self) -> str:
        return " ".join(self.sentences)


@dataclass
class _Item:
    """One article of the feed before its place and time are known."""

    due: float  # where it should appear (feed position), before sorting
    order: int  # creation order, breaks ties
    id: str
    source: str
    title: str
    body: str
    kind: str  # what it was made as (the article's feed_kind)


class _FeedBuilder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.lang = _languages(self.rng)
        self.items: list[_Item] = []
        self.counter = 0

    def add(self, due: float, source: str, title: str, body: str, kind: str, article_id: str | None = None) -> _Item:
        self.counter += 1
        item = _Item(due, self.counter, article_id or f"{source}-{self.counter:04d}", source, title, body, kind)
        self.items.append(item)
        return item

    def sentence(self, language: str, facts: list[str]) -> str:
        """A sentence of 9-15 words carrying the given facts at random places."""
        rng = self.rng
        tokens = self.lang[language].filler(rng, rng.randint(9, 15))
        for fact in facts:
            tokens.insert(rng.randint(0, len(tokens)), fact)
        return _first_upper(" ".join(tokens)) + "."

    def story(self, language: str) -> _Story:
        rng, lang = self.rng, self.lang[language]
        person = f"{rng.choice(lang.names)} {rng.choice(lang.names)}"
        place = rng.choice(lang.places)
        figures = [f"{rng.randint(2, 980)},{rng.randint(100, 999)}", f"{rng.randint(3, 97)} {lang.percent}",
                   f"{rng.randint(2, 28)} {rng.choice(lang.months[:3])}", str(rng.randint(12, 4800))]
        facts = [person, place, *figures]
        sentences = [self.sentence(language, rng.sample(facts, k=rng.randint(1, 2)))
                     for _ in range(rng.randint(6, 9))]
        title = " ".join([place, *lang.filler(rng, rng.randint(4, 7))])
        return _Story(language, facts, sentences, title)

    def rewrite(self, story: _Story) -> _Story:
        """Another outlet's wording of the same facts: each sentence kept or written anew, a new title."""
        rng = self.rng
        keep = rng.uniform(0.15, 0.75)
        sentences = []
        for original in story.sentences:
            if rng.random() < keep:
                sentences.append(original)
            else:
                carried = [fact for fact in story.facts if fact in original]
                sentences.append(self.sentence(story.language, carried or [rng.choice(story.facts)]))
        if rng.random() < 0.5:
            sentences[1:] = rng.sample(sentences[1:], k=len(sentences) - 1)
        title = " ".join([story.facts[1], *self.lang[story.language].filler(rng, 5)])
        return _Story(story.language, story.facts, sentences, title)

    def light_edit(self, story: _Story, source: str) -> _Story:
        """A republished copy: one of the edits outlets make to a wire story."""
        rng = self.rng
        sentences = story.body.split(". ")  # an edit of an edit sees sentences again
        sentences = [s + "." for s in sentences[:-1]] + sentences[-1:]
        how = rng.choice(["harness", "dateline", "drop", "cut", "words"])
        if how == "harness":
            return _Story(story.language, story.facts, [lightly_edited(story.body)], story.title)
        if how == "dateline":
            sentences[0] = f"{story.facts[1].upper()} ({source}) - {sentences[0]}"
        elif how == "drop" and len(sentences) > 2:
            del sentences[rng.randrange(1, len(sentences))]
        elif how == "cut":
            sentences = sentences[: max(4, len(sentences) - rng.randint(1, 2))]
        else:
            words = " ".join(sentences).split(" ")
            for _ in range(rng.randint(2, 5)):
                words[rng.randrange(len(words))] = rng.choice(self.lang[story.language].glue)
            sentences = [" ".join(words)]
        return _Story(story.language, story.facts, sentences, story.title)

    def template_family(self, language: str, issues: int, start: float, spacing: float) -> list[_Item]:
        """`issues` notices of one wording, each with other names and figures."""
        rng, lang = self.rng, self.lang[language]
        fixed = [" ".join(lang.filler(rng, rng.randint(8, 13))) for _ in range(6)]
        source = rng.choice(OUTLETS)
        made = []
        for n in range(issues):
            slots = [f"{rng.choice(lang.names)} {rng.choice(lang.names)}", rng.choice(lang.places),
                     f"{rng.randint(10, 990)} {lang.million}",
                     f"{rng.randint(1, 12)}.{rng.randint(0, 99):02d} {lang.percent}",
                     str(rng.randint(2027, 2045)), f"{rng.randint(1, 28)} {rng.choice(lang.months[3:])}"]
            body = " ".join(f"{_first_upper(part)} {slots[i]}." for i, part in enumerate(fixed))
            title = f"{slots[0]} {fixed[0].split(' ')[0]} {slots[2]}"
            made.append(self.add(start + n * spacing + rng.uniform(0, spacing / 2), source, title, body, "template"))
        return made


def recovery_feed(seed: int = 2026, stories: int = 420) -> list[dict[str, Any]]:
    """The feed as input articles (id, source, title, body, published_at, feed_kind), in published order.

    With the defaults: about 800 articles (see the module's docstring for what they are). Ids are unique
    except for the few redeliveries, which repeat an earlier article exactly.
    """
    b = _FeedBuilder(seed)
    rng = b.rng
    originals: list[tuple[_Item, _Story]] = []
    for n in range(stories):
        language = "ar" if rng.random() < 0.18 else "en"
        story = b.story(language)
        item = b.add(n * 1.9, rng.choice(OUTLETS), story.title, story.body, "story")
        originals.append((item, story))

    def later(item: _Item) -> float:
        # Right after the story, within the next few hundred articles, or much later.
        span = rng.choice([(1, 12), (30, 200), (250, 650)])
        return item.due + rng.uniform(*span)

    def other_outlet(item: _Item) -> str:
        return rng.choice([o for o in OUTLETS if o != item.source])

    for item, story in originals:
        if rng.random() < 0.45:  # this story is republished
            for _ in range(rng.choice([1, 1, 2, 3])):
                kind = rng.choice(["exact", "edit", "edit", "rewrite"])
                source = other_outlet(item)
                if kind == "exact":
                    b.add(later(item), source, item.title, item.body, "exact")
                elif kind == "edit":
                    edited = b.light_edit(story, source)
                    copy = b.add(later(item), source, edited.title, edited.body, "edit")
                    if rng.random() < 0.2:  # someone copies the copy
                        again = b.light_edit(edited, other_outlet(copy))
                        b.add(copy.due + rng.uniform(1, 120), other_outlet(copy), again.title, again.body,
                              "edit_of_edit")
                else:
                    rewritten = b.rewrite(story)
                    b.add(later(item), source, rewritten.title, rewritten.body, "rewrite")

    # Two stories go viral: outlets run light edits of it and of each other's copies for days. Past its first
    # few members the index stops filing a story's copies for search (dedup.py), so which member a later copy
    # is matched with depends on that part of the state too.
    for item, story in rng.sample(originals[10:50], k=2):
        versions = [story]
        for due in sorted(item.due + rng.uniform(1, 650) for _ in range(18)):
            source = other_outlet(item)
            edited = b.light_edit(rng.choice(versions), source)
            versions.append(edited)
            b.add(due, source, edited.title, edited.body, "viral")

    for family in range(6):
        issues = b.template_family("ar" if family == 5 else "en", 12, rng.uniform(0, stories * 1.9 * 0.7), 40.0)
        for issue in rng.sample(issues, k=2):  # a real copy of an issue, among its siblings
            b.add(issue.due + rng.uniform(5, 300), rng.choice(OUTLETS), issue.title,
                  lightly_edited(issue.body) if rng.random() < 0.5 else issue.body, "template_copy")

    # A few producers send an article again, unchanged, much later (a redelivery: decided once).
    for item in rng.sample([i for i in b.items if i.kind in ("story", "exact", "edit")], k=6):
        b.add(item.due + rng.uniform(200, 500), item.source, item.title, item.body, "redelivery",
              article_id=item.id)

    ordered = sorted(b.items, key=lambda i: (i.due, i.order))
    feed: list[dict[str, Any]] = []
    sent: dict[str, dict[str, Any]] = {}
    for position, item in enumerate(ordered):
        if item.kind == "redelivery":  # the same message again, its old published_at included
            feed.append(dict(sent[item.id]))
            continue
        published = START + timedelta(seconds=position * SPACING_SECONDS + rng.randint(0, SPACING_SECONDS - 60))
        feed.append({
            "id": item.id,
            "source": item.source,
            "title": item.title,
            "body": item.body,
            "published_at": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "feed_kind": item.kind,  # passed through to the record untouched: says what a mismatch was made as
        })
        sent[item.id] = feed[-1]
    return feed
