"""One article under analysis: its sentences, their sizes, and the decisions taken so far."""

from __future__ import annotations

from dataclasses import dataclass, field

from newsdedup.core.repetition.candidates import Shingles, Twin
from newsdedup.core.repetition.edits import changed_figure, extra_at_an_end, word_list_similarity, words
from newsdedup.core.repetition.rules import LIST_ITEM, Facts, RepetitionRules, facts, swaps_facts, swaps_names
from newsdedup.core.repetition.segment import Segmentation


@dataclass(frozen=True, slots=True)
class Removal:
    """Text to remove, [start, end) in the body, its kind, and where the text it repeats starts."""

    start: int
    end: int
    kind: str
    twin_start: int


@dataclass(frozen=True, slots=True)
class Kept:
    """A repeat found and deliberately left in place, with the rule that kept it.

    `clear` marks an exact repeat or a long near one: the body does repeat itself there, though the
    rules keep the text (a template's formula sentence, the same item in two lists).
    """

    start: int
    end: int
    twin_start: int
    reason: str
    clear: bool = False


@dataclass(slots=True)
class Findings:
    """What the detector decided for one article: text to remove and repeats left in place."""

    removals: list[Removal] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)


class Draft:
    """The article being cleaned: its segmentation and normalised sentences, and what is decided so far.

    `removed` sentences are gone; `anchors` are kept sentences that removed text points back to (they
    can no longer be removed); `protected` sentences belong to parallel text and stay.
    """

    def __init__(self, body: str, seg: Segmentation, shingles: Shingles, rules: RepetitionRules) -> None:
        self.body = body
        self.seg = seg
        self.shingles = shingles
        self.normalized = shingles.normalized
        self.rules = rules
        self.size = [len(text) for text in shingles.normalized]
        self.listed = [LIST_ITEM.match(body, start) is not None for start, _ in seg.sentences]
        self.removed: set[int] = set()
        self.anchors: set[int] = set()
        self.protected: set[int] = set()
        self.findings = Findings()
        self._word_similarity: dict[tuple[int, int], float] = {}
        self._words: dict[int, list[str]] = {}
        self._facts: dict[int, Facts] = {}

    def span(self, index: int) -> tuple[int, int]:
        """The (start, end) of sentence `index` in the body."""
        return self.seg.sentences[index]

    def text(self, index: int) -> str:
        """Sentence `index` as written."""
        start, end = self.seg.sentences[index]
        return self.body[start:end]

    def free(self, index: int) -> bool:
        """True when sentence `index` may still be removed."""
        return index not in self.removed and index not in self.anchors and index not in self.protected

    def is_content(self, index: int) -> bool:
        """True for a sentence that counts as text on its own: long enough and not a short list item."""
        if self.listed[index]:
            return self.size[index] >= self.rules.min_listed_content_chars
        return self.size[index] >= self.rules.min_content_chars

    def is_whole_line(self, index: int) -> bool:
        """True when sentence `index` is a line by itself."""
        return self.seg.lines[self.seg.sentence_line[index]] == self.seg.sentences[index]

    def is_copy(self, twin: Twin) -> bool:
        """True when the twins are the same text, exactly or nearly (extra text glued on allowed)."""
        sizes = sorted((self.size[twin.first], self.size[twin.second]))
        return self.rules.is_copy(twin.jaccard, twin.containment, sizes[0], sizes[1])

    def words(self, index: int) -> list[str]:
        """The words of sentence `index` (edits.words of its normalised form), computed once."""
        found = self._words.get(index)
        if found is None:
            found = self._words[index] = words(self.normalized[index])
        return found

    def word_similarity(self, first: int, second: int) -> float:
        """Two sentences' words matched in order (edits.word_list_similarity), computed once per pair.

        Under rules.edited_word_similarity the value is only an upper bound; sizes too far apart for
        an edited copy (one word in five edited keeps them within a fifth of each other) give 0.
        """
        key = (first, second)
        found = self._word_similarity.get(key)
        if found is None:
            shorter, longer = sorted((self.size[first], self.size[second]))
            floor = self.rules.edited_word_similarity
            found = 0.0
            if 2 * shorter >= 0.7 * (shorter + longer):
                found = word_list_similarity(self.words(first), self.words(second), floor)
            self._word_similarity[key] = found
        return found

    def is_edited_copy(self, twin: Twin) -> bool:
        """True when the twins are a copy, or the same words in the same order with a few edited."""
        if self.is_copy(twin):
            return True
        # One word in five edited still leaves about half of the 5-grams.
        if twin.jaccard < self.rules.edited_min_jaccard:
            return False
        return self.word_similarity(twin.first, twin.second) >= self.rules.edited_word_similarity

    def changes_one_figure(self, twin: Twin) -> bool:
        """True when the twins are an edited copy whose only change of fact is one figure."""
        first, second = self.normalized[twin.first], self.normalized[twin.second]
        return self.is_edited_copy(twin) and changed_figure(first, second) and not self.swaps_names(twin)

    def swaps_names(self, twin: Twin) -> bool:
        """True when each twin has a capitalised Latin name the other lacks."""
        return swaps_names(self.facts(twin.first), self.facts(twin.second))

    def has_extra(self, twin: Twin) -> bool:
        """True when the second twin holds the first and text of its own before or after it.

        Words inserted among the twin's own words are edits of a copy, not text of its own: the copy
        goes whole.
        """
        return (
            twin.containment >= self.rules.copy_containment
            and self.size[twin.second] >= self.size[twin.first] + self.rules.min_extra_chars
            and extra_at_an_end(
                self.normalized[twin.first], self.normalized[twin.second], self.rules.min_extra_words
            )
        )

    def swaps_facts(self, twin: Twin) -> bool:
        """True when the twins differ by figures or names (a template item, not a copy)."""
        return swaps_facts(self.facts(twin.first), self.facts(twin.second))

    def facts(self, index: int) -> Facts:
        """The figures and names of sentence `index` (rules.facts), computed once."""
        found = self._facts.get(index)
        if found is None:
            found = self._facts[index] = facts(self.text(index), self.normalized[index])
        return found

    def keep(self, twin: Twin, reason: str) -> None:
        """Record a repeat left in place (an exact one, or a long near one, is marked clear)."""
        size = min(self.size[twin.first], self.size[twin.second])
        if size < self.rules.min_report_chars:
            return
        start, end = self.span(twin.second)
        exact = self.normalized[twin.first] == self.normalized[twin.second]
        clear = exact or (twin.jaccard >= self.rules.copy_jaccard and size >= self.rules.min_report_near_chars)
        self.findings.kept.append(Kept(start, end, self.span(twin.first)[0], reason, clear))

    def remove(self, removal: Removal, sentences: list[int]) -> None:
        """Record a removal and the sentences it takes."""
        self.findings.removals.append(removal)
        self.removed.update(sentences)
        self.anchors.difference_update(sentences)

    def kind(self, first: int, last: int, start: int, end: int) -> str:
        """line / paragraph when [start, end) is exactly whole lines of one paragraph, else block."""
        seg = self.seg
        line_a, line_b = seg.sentence_line[first], seg.sentence_line[last]
        if start != seg.lines[line_a][0] or end != seg.lines[line_b][1]:
            return "block"
        if seg.paragraphs[seg.line_paragraph[line_a]] == (start, end):
            return "paragraph"
        return "line" if line_a == line_b else "block"
