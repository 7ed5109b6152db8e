"""The second copy of a repeated block: its exact extent, a splice, and a cut-short first copy.

A chain says which sentences repeat which. Removing its second copy needs four more decisions:

* where the copy starts when its first sentence carries extra text (a subtitle glued on): only the
  repeat goes, found by the twin's first words; if they cannot be found the sentence stays;
* the same at the end;
* a splice: the first copy's last sentence was cut and the second copy glued onto it ("تعأعلن").
  The cut text is the start of the sentence right after the second copy, its complete twin;
* a cut-short first copy without glue: its last sentence is a prefix of the second copy's last.

In the last two cases the complete sentence is kept where it stands and the cut one is removed with
the text between them, which is all repeat: the article then reads as its first copy, completed.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from newsdedup.core.normalize import normalize_text
from newsdedup.core.repetition.candidates import Twin, overlap
from newsdedup.core.repetition.context import Draft, Removal
from newsdedup.core.repetition.edits import short_similarity, word_similarity
from newsdedup.core.repetition.moved import copies_skipped, moved_ends, skipped_firsts
from newsdedup.core.repetition.trim import copy_end, copy_start


@dataclass(frozen=True, slots=True)
class Plan:
    """What to remove for a chain: the chain (ends dropped where extra text could not be located),
    the offsets where the second copy starts and ends, a splice and whether the first copy ends cut
    short."""

    chain: list[Twin]
    start: int
    end: int
    splice: Splice | None
    cut_short: bool

    @property
    def judged(self) -> list[Twin]:
        """The twins the rules judge: without a glued head whose text after the cut copies its twin."""
        if self.splice is not None and self.splice.copies_head:
            return self.chain[1:]
        return self.chain


@dataclass(frozen=True, slots=True)
class Splice:
    """A cut sentence with the second copy glued on: its index, the cut's length, the complete twin."""

    glued: int
    cut: int
    complete: int
    # The glued sentence is the second copy's first twin and its text after the cut is an (edited)
    # copy of that twin: the twin is judged on that text, which the rest of the sentence would hide.
    copies_head: bool = False


def _adjacent(chain: list[Twin]) -> bool:
    """True when the second copy starts with the sentence right after the first copy."""
    return chain[0].second == chain[-1].first + 1


def _shared_prefix(first: str, second: str) -> int:
    """The length of the longest common prefix of two strings (a bisection on slice comparisons, which
    run in C, instead of a Python loop over characters)."""
    low, high = 0, min(len(first), len(second))
    while low < high:
        middle = (low + high + 1) // 2
        if first[:middle] == second[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _inside_word(text: str, position: int) -> bool:
    """True when `position` falls between two letters or digits of `text`."""
    return 0 < position < len(text) and text[position - 1].isalnum() and text[position].isalnum()


def _splice(article: Draft, chain: list[Twin]) -> Splice | None:
    """The cut sentence when the second copy is glued onto it, else None.

    The glued sentence is the second copy's first (the cut, then the copy of the first sentence), or
    the sentence right before the second copy when the copy's first sentence is too short to have a
    twin (a byline: the cut, then the byline, then the copy's second sentence on its own line).
    """
    rules = article.rules
    after = chain[-1].second + 1
    if after >= len(article.size) or not article.free(after):
        return None
    complete = article.text(after)
    for glued_index in (chain[0].second, chain[0].second - 1):
        if glued_index != chain[-1].first + 1 or not article.free(glued_index):
            continue
        glued = article.text(glued_index)
        cut = _shared_prefix(glued, complete)
        rest = glued[cut:]
        if (
            cut < rules.min_splice_chars
            or " " not in glued[:cut].strip()  # at least two words: not a shared opening letter or particle
            or len(complete) <= cut  # the sentence was repeated whole, not cut
            or not (_inside_word(complete, cut) or cut >= rules.min_open_splice_chars)
        ):
            continue
        if glued_index != chain[0].second:
            before = chain[0].first - 1  # the first copy's sentence that the rest should copy (a byline)
            copied = before >= 0 and _resembles(article, article.normalized[before], normalize_text(rest))
            return Splice(glued_index, cut, after) if copied else None
        if len(rest) >= rules.min_compare_chars:
            head = article.normalized[chain[0].first]
            copies = word_similarity(normalize_text(rest), head) >= rules.edited_word_similarity
            return Splice(glued_index, cut, after, copies)
    return None


def plan(article: Draft, chain: list[Twin]) -> Plan | None:
    """Where the second copy of `chain` starts and ends; None when no part of it can be located."""
    splice = _splice(article, chain)
    if splice is None and len(chain) >= 2:
        # The cut sentence may have been aligned with its complete twin as the chain's last pair; the
        # splice is then found on the chain without it.
        found = _splice(article, chain[:-1])
        if found is not None and (found.glued, found.complete) == (chain[-1].first, chain[-1].second):
            chain, splice = chain[:-1], found
    start = article.span(chain[0].second)[0]
    if splice is not None:
        start = article.span(splice.glued)[0] + splice.cut
    elif article.has_extra(chain[0]):
        trimmed = copy_start(article.body, article.span(chain[0].first), article.span(chain[0].second))
        if trimmed is None:
            chain = chain[1:]
            if not chain:
                return None
            start = article.span(chain[0].second)[0]
        else:
            start = trimmed
    tail = chain[-1]
    end = article.span(tail.second)[1]
    cut_short = False
    if article.has_extra(tail):
        if _adjacent(chain) and article.text(tail.second).startswith(article.text(tail.first)):
            cut_short = True
        else:
            trimmed = copy_end(article.body, article.span(tail.first), article.span(tail.second))
            if trimmed is None:
                chain = chain[:-1]
                if not chain:
                    return None
                end = article.span(chain[-1].second)[1]
            else:
                end = trimmed
    return Plan(chain, start, end, splice, cut_short)


def _second_copy(article: Draft, chain: list[Twin], ends: bool) -> list[int]:
    """The sentences of the second copy: the chain's, those between them that repeat the first, and
    (with `ends`) a sentence moved to just before or after it."""
    normalized = article.normalized
    first_side = list(range(chain[0].first, chain[-1].first + 1))
    joined = " ".join(normalized[k] for k in first_side)
    members = {twin.second for twin in chain}
    # Between two twins, a sentence of the second copy is a repeat when it copies part of the first
    # (in a reworded copy, when most of its shingles come from it); otherwise it was added and stays.
    needed = 0.9 if all(article.is_copy(twin) for twin in chain) else 0.7
    reference = None
    copy: list[int] = []
    inside = {twin.second for twin in chain[1:-1] if article.has_extra(twin)}
    counterpart = _counterparts(chain)
    skipped = skipped_firsts(chain)
    for index in range(chain[0].second, chain[-1].second + 1):
        if not article.free(index) or index in inside:
            continue  # a sentence inside the copy that carries text of its own stays whole
        if index in members:
            copy.append(index)
            continue
        if article.size[index] < article.rules.min_compare_chars:
            repeats = normalized[index] in joined
        else:
            if reference is None:
                reference = article.shingles.union(first_side)
            repeats = overlap(article.shingles.of(index), reference)[1] >= needed
        if (
            repeats
            # a short sentence at its twin's place in the copy, edited
            or (index in counterpart and _resembles(article, normalized[counterpart[index]], normalized[index]))
            # a sentence the copy moved (two neighbours swapped)
            or (skipped and copies_skipped(article, skipped, index))
        ):
            copy.append(index)
    if ends and skipped and copy:
        head, tail = moved_ends(article, chain, skipped)
        copy = [chain[0].second - 1] * head + copy + [chain[-1].second + 1] * tail
    return copy


def _counterparts(chain: list[Twin]) -> dict[int, int]:
    """Second-copy sentences between two twins that stand where a first-copy sentence stands: its index.

    The chain steps over a sentence on both sides at once when the pair is too short or too edited to
    be a twin ("I'm still reeling." / "I'm reeling."); such a pair sits at the same place in both copies.
    """
    found = {}
    for before, after in pairwise(chain):
        if after.first - before.first == after.second - before.second == 2:
            found[before.second + 1] = before.first + 1
    return found


def _resembles(article: Draft, first: str, second: str) -> bool:
    """True when two normalised sentences standing at the same place in two copies mostly match in order."""
    threshold = article.rules.counterpart_similarity
    if word_similarity(first, second, threshold) >= threshold:
        return True
    return short_similarity(first, second, threshold) >= threshold


def _runs(indices: list[int]) -> list[list[int]]:
    """Consecutive runs of sentence indices."""
    runs: list[list[int]] = []
    for index in indices:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def carry_out(article: Draft, planned: Plan) -> None:
    """Remove the second copy of a planned chain, with its splice or cut-short repair."""
    chain = planned.chain
    head, tail = chain[0], chain[-1]
    copy = _second_copy(article, chain, ends=planned.splice is None and not planned.cut_short)
    start, end = planned.start, planned.end
    if copy and copy[0] < head.second:
        start = article.span(copy[0])[0]
    if copy and copy[-1] > tail.second:
        end = article.span(copy[-1])[1]
    if planned.splice is not None:
        splice = planned.splice
        glued = article.span(splice.glued)[0]
        article.remove(Removal(glued, glued + splice.cut, "splice", article.span(splice.complete)[0]), [])
        article.anchors.add(splice.complete)
        if splice.glued < head.second:
            copy.insert(0, splice.glued)  # the rest of the glued sentence is the copy's first line
    elif copy and copy[0] == head.second and head.second - 1 > tail.first and article.free(head.second - 1):
        # A short line just before the copy that occurs inside the first copy (a byline) goes with it.
        before = head.second - 1
        joined = " ".join(article.normalized[k] for k in range(head.first, tail.first + 1))
        if (
            article.normalized[before]
            and article.normalized[before] in joined
            and start == article.span(head.second)[0]
        ):
            copy.insert(0, before)
            start = article.span(before)[0]
    if planned.cut_short and copy and copy[-1] == tail.second:
        cut_start, cut_end = article.span(tail.first)
        kind = article.kind(tail.first, tail.first, cut_start, cut_end)
        article.remove(Removal(cut_start, cut_end, kind, article.span(tail.second)[0]), [tail.first])
        article.anchors.add(tail.second)
        copy.pop()
        end = article.span(copy[-1])[1] if copy else start
    twin_of = {twin.second: twin.first for twin in chain}
    for run in _runs(copy):
        run_start = start if run[0] == copy[0] else article.span(run[0])[0]
        run_end = end if run[-1] == copy[-1] else article.span(run[-1])[1]
        if run_end <= run_start:
            continue
        twin = next((twin_of[k] for k in run if k in twin_of), head.first)
        kind = article.kind(run[0], run[-1], run_start, run_end)
        article.remove(Removal(run_start, run_end, kind, article.span(twin)[0]), run)
    article.anchors.update(twin.first for twin in chain if twin.first not in article.removed)
