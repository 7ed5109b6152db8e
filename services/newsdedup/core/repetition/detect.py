"""Which repeats to remove and which to leave: the rules of rules.py applied to twin sentences.

Two passes. First, a short line printed twice in a row (a tag or dateline) goes. Then the chains of
twins, heaviest first: a chain of copies, or a long chain of reworded twins that each have a single
twin, is a repeated block, and its second copy goes (blocks.py); any other chain is parallel text
(a template, a refrain, list items) and stays, flagged when it holds an exact or long near repeat.
Removals are spans of sentence text; clean.py adds the whitespace around them.
"""

from __future__ import annotations

from newsdedup.core.normalize import normalize_text
from newsdedup.core.repetition.align import best_chain, extend
from newsdedup.core.repetition.blocks import Plan, carry_out, plan
from newsdedup.core.repetition.candidates import Shingles, Twin, overlap
from newsdedup.core.repetition.context import Draft, Findings, Removal
from newsdedup.core.repetition.edits import short_similarity, words
from newsdedup.core.repetition.rules import (
    LIST_ITEM,
    RepetitionRules,
    has_quote_mark,
    introduces_quote,
    private_words,
)
from newsdedup.core.repetition.segment import Segmentation
from newsdedup.core.repetition.trim import copy_start


def _line_keys(article: Draft) -> list[str]:
    """The normalised text of every line (its sentences joined)."""
    keys = [""] * len(article.seg.lines)
    for index, line in enumerate(article.seg.sentence_line):
        text = article.normalized[index]
        keys[line] = f"{keys[line]} {text}" if keys[line] else text
    return keys


def _adjacent_lines(article: Draft) -> None:
    """Remove a line that repeats the line right before it, unless it is a refrain or a list item.

    The pair must stand alone: either both lines are paragraphs of their own, or their paragraph
    holds nothing but copies of the line ("غزة\\nغزة"). A repeated line inside a stanza, a quote or
    a list stays, and so does a short line that recurs anywhere but immediately after itself.
    """
    seg, body = article.seg, article.body
    keys = _line_keys(article)
    lines_of: list[list[int]] = [[] for _ in seg.paragraphs]
    for line, paragraph in enumerate(seg.line_paragraph):
        lines_of[paragraph].append(line)
    # Whether a paragraph is one line repeated: worked out once per paragraph, not once per line of it
    # (a paragraph of 30,000 identical lines would otherwise cost 900 million comparisons).
    one_line_repeated = [len({keys[line] for line in lines}) == 1 for lines in lines_of]
    sentences_of: list[list[int]] = [[] for _ in seg.lines]
    for index, line in enumerate(seg.sentence_line):
        sentences_of[line].append(index)
    first_copy = 0
    for line in range(1, len(seg.lines)):
        if not keys[line] or keys[line] != keys[line - 1]:
            first_copy = line
            continue
        start, end = seg.lines[line]
        if LIST_ITEM.match(body, start) or has_quote_mark(body[start:end]):
            continue
        here, before = seg.line_paragraph[line], seg.line_paragraph[line - 1]
        # Both lines in one paragraph of nothing else, or each a paragraph of its own.
        one_paragraph = here == before
        if (one_paragraph and one_line_repeated[here]) or (
            not one_paragraph and len(lines_of[here]) == 1 and len(lines_of[before]) == 1
        ):
            kind = "paragraph" if seg.paragraphs[here] == (start, end) else "line"
            article.remove(Removal(start, end, kind, seg.lines[first_copy][0]), sentences_of[line])
            article.anchors.update(sentences_of[first_copy])


def _is_template(article: Draft, chain: list[Twin], twins: dict[tuple[int, int], Twin]) -> bool:
    """True when too many first-copy sentences resemble more than one other sentence (formulas)."""
    partners: dict[int, int] = {}
    for twin in twins.values():
        if twin.jaccard >= article.rules.formula_jaccard:
            partners[twin.first] = partners.get(twin.first, 0) + 1
            partners[twin.second] = partners.get(twin.second, 0) + 1
    formulaic = sum(1 for twin in chain if partners.get(twin.first, 0) > 1)
    return formulaic > article.rules.max_formula_share * len(chain)


def _quotes(article: Draft, twin: Twin) -> bool:
    """True when one twin holds the other after a lead of its own that makes it a quotation.

    "Aziz wrote in his column that <sentence>" followed later by the column itself, or the article's
    figures followed by "the economist told us that <the same figures>": removing either copy would
    cut a quotation or its attribution. A first copy embedded in a long sentence of its own is a
    summary quoting the full text even without a reporting word; a second copy after a lead that is
    not a reporting word is a copy with a subtitle glued on (trimmed and removed).
    """
    if twin.containment < article.rules.copy_containment:
        return False
    outer, inner = (twin.first, twin.second)
    if article.size[inner] > article.size[outer]:
        outer, inner = inner, outer
    if article.size[outer] < article.size[inner] + article.rules.min_extra_chars:
        return False  # the same sentence with a word changed, not one sentence inside another
    start = copy_start(article.body, article.span(inner), article.span(outer), skippable=2)
    if start is None:
        return False
    lead = article.body[article.span(outer)[0] : start].strip()
    if not _lead_of_its_own(lead, article.normalized[inner], article.rules.min_quote_lead_words):
        return False
    if outer == twin.first and len(lead) >= article.rules.min_quote_lead_chars:
        return True
    return introduces_quote(lead)


def _lead_of_its_own(lead: str, inner: str, least: int) -> bool:
    """True when `lead` has `least` words that `inner` (normalised) lacks, and they are most of it.

    Otherwise the "lead" is punctuation (an opening quote mark), a word a copy editor dropped
    ("He said"), or the first words of an edited copy, moved or changed: it introduces nothing.
    """
    found = words(normalize_text(lead))
    inside = set(words(inner))
    own = sum(1 for word in found if word not in inside)
    return own >= least and 2 * own >= len(found)


def _region(article: Draft, first: int, last: int) -> str:
    """The normalised text of sentences first..last."""
    return " ".join(article.normalized[first : last + 1])


def _swaps_facts(article: Draft, chain: list[Twin], extra: int) -> bool:
    """True when the chain's twins differ by figures or names as template items do.

    A copy keeps its facts; an editor may still change one figure, or an edit may hit a name here
    and there. So a single changed figure in a chain of several twins, or facts changed in at most a
    third of the twins of a chain of three or more, are edits of a copy, not the next template item.
    """
    swapped = [twin for twin in chain if twin.jaccard < 1.0 and article.swaps_facts(twin)]
    if not swapped:
        return False
    length = len(chain) + extra
    if length >= 3 and 3 * len(swapped) <= length:
        return False
    return not (len(swapped) == 1 and length >= 2 and article.changes_one_figure(swapped[0]))


def _whole_item(article: Draft, chain: list[Twin]) -> bool:
    """True when the body is one item printed twice: every sentence of the first half has its exact
    twin in the second, in order, and nothing else is there (a short table or list repeated whole)."""
    count = len(article.size)
    return (
        len(chain) >= 2
        and 2 * len(chain) == count
        and all(twin.first == k and twin.second == len(chain) + k for k, twin in enumerate(chain))
        and all(article.normalized[twin.first] == article.normalized[twin.second] for twin in chain)
    )


def _template(article: Draft, chain: list[Twin], twins: dict[tuple[int, int], Twin]) -> str | None:
    """The reason a run of similar, not identical, twins is the next item of a template, or None."""
    if _is_template(article, chain, twins):
        return "template (formula sentences with several twins)"
    first = _region(article, chain[0].first, chain[-1].first)
    second = _region(article, chain[0].second, chain[-1].second)
    if private_words(first, second) > article.rules.max_private_words:
        return "template (the second item has names of its own)"
    return None


def _classify(article: Draft, planned: Plan, twins: dict[tuple[int, int], Twin]) -> str | None:
    """The reason to keep the planned second copy, or None when it is a repeat to remove."""
    rules = article.rules
    chain = planned.judged
    if not chain:  # a single sentence, glued to a cut one: its copy after the cut was checked in plan()
        return None
    extra = len(planned.chain) - len(chain)  # a glued head counts as one more twin of the run
    if _swaps_facts(article, chain, extra):
        return "template (figures or names differ)"
    if any(_quotes(article, twin) for twin in chain):
        return "quotation (a summary quotes the full text that follows)"
    copies = all(article.is_copy(twin) for twin in chain)
    if not copies and all(article.is_edited_copy(twin) for twin in chain):
        # The same words in the same order, some edited: a copy, unless it is the next item of a
        # template (whose formula sentences are as close).
        reason = _template(article, chain, twins)
        if reason is not None:
            return reason
        copies = True
    if copies:
        content = sum(article.size[twin.second] for twin in chain if article.is_content(twin.second))
        if content < rules.min_removed_chars and not _whole_item(article, chain):
            return "short repeat, stanza or list item"
        if len(chain) + extra == 1:
            twin = chain[0]
            if twin.jaccard < rules.single_copy_jaccard:
                return "similar sentence, not a copy"
            if not article.is_whole_line(twin.second):
                return "repeated sentence inside a paragraph"
            if has_quote_mark(article.text(twin.second)) and content < rules.min_quoted_chars:
                return "quoted refrain"
        return None
    mean = sum(twin.jaccard for twin in chain) / len(chain)
    if len(chain) + extra < rules.reworded_min_pairs or mean < rules.reworded_mean_jaccard:
        return "parallel text (too short or too different to be a reworded copy)"
    return _template(article, chain, twins)


def detect(
    body: str, seg: Segmentation, shingles: Shingles, twins: dict[tuple[int, int], Twin], rules: RepetitionRules
) -> Findings:
    """Decide, for every repeat among the twins, whether to remove it; removals are sentence-text spans."""
    article = Draft(body, seg, shingles, rules)
    _adjacent_lines(article)

    def usable(twin: Twin) -> bool:
        if twin.first in article.removed or not article.free(twin.second):
            return False
        return twin.jaccard >= rules.twin_jaccard or article.is_copy(twin)

    def weight(twin: Twin) -> float:
        return max(twin.jaccard, 0.5 * twin.containment) * min(article.size[twin.first], article.size[twin.second])

    def compare(first: int, second: int) -> Twin | None:
        twin = twins.get((first, second))
        if twin is None and min(article.size[first], article.size[second]) >= rules.min_compare_chars:
            jaccard, containment = overlap(shingles.of(first), shingles.of(second))
            twin = twins[(first, second)] = Twin(first, second, jaccard, containment)
        elif twin is None and min(article.size[first], article.size[second]) > 0:
            # Sentences too short for shingles (a closing remark, a byline) are compared character by
            # character: only next to a chain, so an edited short sentence at its end still goes with it.
            ratio = short_similarity(article.normalized[first], article.normalized[second], rules.copy_jaccard)
            if ratio >= rules.copy_jaccard:
                twin = twins[(first, second)] = Twin(first, second, ratio, ratio)
        return twin if twin is not None and usable(twin) else None

    pool = {key: twin for key, twin in twins.items() if usable(twin)}
    if len(pool) > rules.max_twins:
        earliest = sorted(pool, key=lambda key: (key[1], key[0]))[: rules.max_twins]
        pool = {key: pool[key] for key in earliest}
    for _ in range(rules.max_chains):
        if not pool:
            break
        chain = extend(best_chain(pool, weight), compare, len(article.size))
        planned = plan(article, chain)
        reason = "extra text glued to the copy" if planned is None else _classify(article, planned, twins)
        if planned is not None and reason is None:
            carry_out(article, planned)
        else:
            for twin in chain:
                if article.is_copy(twin):
                    article.keep(twin, reason or "")
            if reason and reason.startswith(("parallel", "template")):
                article.protected.update(twin.first for twin in chain)
                article.protected.update(twin.second for twin in chain)
        for twin in chain:
            pool.pop((twin.first, twin.second), None)
        pool = {key: twin for key, twin in pool.items() if usable(twin)}
    article.findings.removals.sort(key=lambda removal: removal.start)
    return article.findings
