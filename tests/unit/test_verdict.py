"""verdict.judge: every reason it gives, and the evidence it carries (hand-written sides, invented words).

The window's term counts hold 60 invented stories that all use the everyday words below, so those are
common and the names (Westmere, Brackley, ...) are rare: the pairs here differ only in what the test is about.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
import pytest

from newsdedup.core import verify
from newsdedup.core.config import DetectionConfig
from newsdedup.core.normalize import normalize_text
from newsdedup.core.signatures import Signer
from newsdedup.core.terms import Rarity, TermCounts, lead, terms, words
from newsdedup.core.verdict import EVIDENCE_TERM_CHARS, EVIDENCE_TERMS, Verdict, judge
from newsdedup.core.verify import DEFAULT_RULES, DedupRules

CONFIG = DetectionConfig()
SIGNER = Signer(CONFIG)
RULES = DEFAULT_RULES  # min_stories 50: the window below holds 60 stories, so names are known

# Two phrasings of everyday words, each held by every background story (so never rare), and no shared
# 5-character runs between the two beyond a few: two texts in the two phrasings share little wording.
PHRASING_A = (
    "the council said on monday that the service would stop after officials found problems with the boats "
    "and that passengers should plan other journeys while engineers carry out repairs over the coming weeks"
)
PHRASING_B = (
    "according to a statement issued yesterday by local authorities crossings are suspended because "
    "inspectors judged vessels unsafe so travellers must arrange alternative routes during maintenance work"
)
COMMON = terms(normalize_text(PHRASING_A + " " + PHRASING_B))
BACKGROUND_STORIES = 60


def _letters(n: int) -> str:
    """An invented word for background story `n` (letters only)."""
    out = ""
    for _ in range(3):
        n, digit = divmod(n, 26)
        out += string.ascii_lowercase[digit]
    return "zq" + out


def window(*stories: str) -> TermCounts:
    """The window's term counts: the background stories plus the given texts (earlier stories)."""
    counts = TermCounts()
    for n in range(BACKGROUND_STORIES):
        counts.add(COMMON | {_letters(3 * n), _letters(3 * n + 1), _letters(3 * n + 2)})
    for text in stories:
        counts.add(terms(normalize_text(text)))
    return counts


@dataclass
class Side:
    """verdict.Side from a text: what the verifier reads of one article."""

    text: str
    source: str = "outlet-a"
    event_time: float = 0.0
    normalized: str = field(init=False)
    shingles: npt.NDArray[np.uint32] = field(init=False)
    size: int = field(init=False)
    figures: frozenset[str] = field(init=False)
    lead_figures: frozenset[str] = field(init=False)
    terms: frozenset[str] = field(init=False)
    lead_words: list[str] = field(init=False)
    term_ids: npt.NDArray[np.int32] = field(init=False)  # set by `held`, in one window's vocabulary
    lead_ids: npt.NDArray[np.int32] = field(init=False)

    def __post_init__(self) -> None:
        self.normalized = normalize_text(self.text)
        self.shingles = SIGNER.shingle_set(self.normalized)
        self.size = int(self.shingles.size)
        self.figures = verify.figures(self.normalized)
        self.lead_figures = verify.figures(lead(self.normalized))
        self.terms = terms(self.normalized)
        self.lead_words = words(lead(self.normalized))

    def held(self, counts: TermCounts) -> Side:
        """This side with its terms held in the window's vocabulary, as the index holds an entry's."""
        self.term_ids = counts.vocab.hold(self.terms)
        self.lead_ids = counts.vocab.ids_of(self.lead_words)
        return self


def judged(new: Side, old: Side, rules: DedupRules = RULES, counts: TermCounts | None = None) -> Verdict:
    """judge(new, old) with the earlier article counted in the window, as it is in the service."""
    counts = counts if counts is not None else window(old.text)
    new, old = new.held(counts), old.held(counts)
    rarity = Rarity.of(counts, None, rules.rare_df, rules.rare_share)
    with counts.arriving(new.term_ids):  # the arriving article counted while it is judged, as in the service
        return judge(new, old, rarity, CONFIG.threshold, rules)


def check(verdict: Verdict, kind: str, reason: str) -> None:
    assert verdict.kind == kind, f"expected {kind} ({reason!r}), got {verdict.kind}: {verdict.reason!r}"
    assert reason in verdict.reason, f"expected reason {reason!r}, got {verdict.reason!r}"
    assert verdict.evidence["reason"] == verdict.reason, "the evidence must name the reason"
    has_lists = {"rare_shared", "rare_only_earlier", "rare_only_later"} <= verdict.evidence.keys()
    assert has_lists == verdict.linked, f"evidence term lists must be present only for linked verdicts: {verdict}"


# A ferry story told twice over, in each phrasing, with its names; and other news with other names.
FERRY_NAMES = "westmere ferry harrowgate quenby ottoline brackley fennick"
FERRY = f"westmere ferry harrowgate quenby ottoline {PHRASING_A} brackley fennick {PHRASING_A}"
FERRY_REWRITE = f"westmere quenby ferry harrowgate {PHRASING_B} ottoline brackley fennick {PHRASING_B}"
FERRY_COPY = FERRY.replace(" coming weeks", " weeks", 1)
OTHER_NEWS = (
    f"carrowby tannerlie mosswick pellagrin dunsfutter ravelhope kestermoor {PHRASING_B} "
    f"yarrowdene lipscombe {PHRASING_B} quillfarrow {PHRASING_B} brennicott {PHRASING_B}"
)


def test_a_copy_is_a_copy_with_its_shared_names_listed() -> None:
    verdict = judged(Side(FERRY_COPY, "outlet-b"), Side(FERRY))
    check(verdict, "copy", "shared wording above the threshold")
    assert verdict.overlap > 0.9
    assert verdict.evidence["rare_shared"] == sorted(FERRY_NAMES.split()), "shared rare names, rarest then a-z"
    assert verdict.evidence["rare_shared_count"] == 7
    assert verdict.evidence["rare_only_earlier"] == []
    assert verdict.evidence["rare_only_later"] == []


def test_a_rewrite_with_the_same_names_is_the_same_story() -> None:
    verdict = judged(Side(FERRY_REWRITE, "outlet-b"), Side(FERRY))
    check(verdict, "same_story", "same rare names and figures in other wording")
    assert verdict.overlap < CONFIG.threshold, "the rewrite must not pass as a copy for this test to mean anything"
    assert verdict.containment == pytest.approx(1.0)
    assert verdict.evidence["containment"] == 1.0
    assert verdict.evidence["lead_cover"] >= RULES.story_lead_cover
    assert verdict.evidence["rare_shared"] == sorted(FERRY_NAMES.split())


def test_texts_sharing_only_everyday_words_are_different() -> None:
    verdict = judged(Side(f"{PHRASING_B} mosswick pellagrin", "outlet-b"), Side(FERRY))
    check(verdict, "different", "too little distinctive content in common")
    assert verdict.evidence["rare_shared_count"] == 0
    assert verdict.containment is None


def test_shared_names_that_are_a_small_part_of_the_smaller_side_are_different() -> None:
    # Three ferry names shared, but most of either side's rare weight is its own: containment under 0.6.
    later = f"westmere quenby ottoline {OTHER_NEWS}"
    verdict = judged(Side(later, "outlet-b"), Side(FERRY))
    check(verdict, "different", "too little distinctive content in common")
    assert verdict.evidence["rare_shared_count"] == 3
    assert verdict.containment is not None
    assert verdict.containment < RULES.story_containment


def figure_evidence(verdict: Verdict) -> tuple[int, int, list[str], list[str]]:
    """(figures changed, kept, only in the earlier, only in the later) from a verdict's evidence."""
    keys = ("figures_changed", "figures_kept", "figures_only_earlier", "figures_only_later")
    changed, kept, earlier, later = (verdict.evidence[key] for key in keys)
    return changed, kept, earlier, later


def test_one_changed_figure_between_two_items_of_one_source_is_another_issue() -> None:
    earlier = f"{FERRY} the fare rises to 45 pence and the season ticket to 120 pounds"
    later = f"{FERRY} the fare rises to 52 pence and the season ticket to 120 pounds"
    verdict = judged(Side(later, "outlet-a"), Side(earlier, "outlet-a"))
    check(verdict, "different", "figures changed (one source")
    assert figure_evidence(verdict) == (1, 1, ["45"], ["52"]), "changed, kept, only earlier, only later"
    other_outlet = judged(Side(later, "outlet-b"), Side(earlier, "outlet-a"))
    check(other_outlet, "copy", "shared wording")  # between outlets one changed figure is a detail


def test_a_later_lead_with_new_figures_from_one_source_is_a_new_event() -> None:
    earlier = f"{FERRY} {PHRASING_B}"
    later = f"westmere ferry 14 boats and 37 crew {FERRY[len('westmere ferry ') :]} {PHRASING_B}"
    verdict = judged(Side(later, "outlet-a"), Side(earlier, "outlet-a"))
    check(verdict, "different", "figures changed (one source")
    assert verdict.evidence["lead_new_figures"] == ["14", "37"]


def test_most_figures_changed_between_outlets_is_another_issue_of_a_template() -> None:
    earlier = f"{FERRY} it carried 12 cars 34 vans and 56 lorries"
    later = f"{FERRY} it carried 78 cars 91 vans and 23 lorries"
    verdict = judged(Side(later, "outlet-b"), Side(earlier, "outlet-a"))
    check(verdict, "different", "most figures changed (another issue of a template)")
    assert figure_evidence(verdict) == (3, 0, ["12", "34", "56"], ["23", "78", "91"]), "changed, kept, only ..."
    assert verdict.overlap > CONFIG.threshold, "a copy in wording, told apart by its figures"


FOLLOW_UP_LEAD = f"ferry talks resume as unions meet carrowby mosswick pellagrin executives {PHRASING_B} "
# The earlier report: the ferry story and its background, which the follow-up repeats under its new lead.
REPORT = (
    f"{FERRY} Built in the nineteen sixties, the crossing links two market towns across the estuary, and "
    "the operator has long complained that its ageing fleet is expensive to keep afloat. Campaigners have "
    "asked for a bridge for decades; a feasibility study commissioned by the regional assembly found the "
    "idea affordable only with national funding, which ministers have so far declined to promise."
)


def test_a_new_lead_over_the_same_sources_earlier_report_is_a_follow_up() -> None:
    earlier, later = Side(REPORT, "outlet-a"), Side(FOLLOW_UP_LEAD + REPORT, "outlet-a")
    verdict = judged(later, earlier)
    check(verdict, "different", "a new lead over the earlier report's text (a follow-up)")
    assert verdict.overlap > CONFIG.threshold, "the follow-up repeats the report: a copy in wording"
    assert verdict.evidence["lead_similarity"] < RULES.follow_up_lead


def test_a_follow_up_is_not_told_before_the_window_knows_enough_stories() -> None:
    earlier, later = Side(REPORT, "outlet-a"), Side(FOLLOW_UP_LEAD + REPORT, "outlet-a")
    rules = replace(RULES, min_stories=BACKGROUND_STORIES + 10)
    check(judged(later, earlier, rules), "copy", "shared wording")


def test_a_new_lead_from_another_outlet_is_not_a_follow_up() -> None:
    verdict = judged(Side(FOLLOW_UP_LEAD + REPORT, "outlet-b"), Side(REPORT, "outlet-a"))
    check(verdict, "copy", "shared wording")


ISSUE = f"westmere council names brackley as harbour treasurer {PHRASING_A} quenby ottoline {PHRASING_A}"


def test_a_name_replaced_in_the_lead_is_another_issue_of_a_template() -> None:
    later = ISSUE.replace("brackley", "fennimore")
    verdict = judged(Side(later, "outlet-b"), Side(ISSUE))
    check(verdict, "different", "names in the lead replaced by others (another issue of a template)")
    assert verdict.overlap > CONFIG.threshold
    assert verdict.evidence["lead_names_swapped"] == ["brackley -> fennimore"]


def test_a_replaced_name_is_not_told_before_the_window_knows_enough_stories() -> None:
    later = ISSUE.replace("brackley", "fennimore")
    rules = replace(RULES, min_stories=BACKGROUND_STORIES + 10)
    check(judged(Side(later, "outlet-b"), Side(ISSUE), rules), "copy", "shared wording")


def test_a_respelled_name_in_the_lead_is_still_a_copy() -> None:
    later = ISSUE.replace("brackley", "brackly")  # a spelling fix, not another name
    verdict = judged(Side(later, "outlet-b"), Side(ISSUE))
    check(verdict, "copy", "shared wording")
    assert "lead_names_swapped" not in verdict.evidence


def test_a_headline_after_its_full_story_is_a_new_flash() -> None:
    headline, story = Side("the council said brackley westmere", "outlet-b"), Side(FERRY)
    assert headline.size < RULES.min_shingles <= story.size
    verdict = judged(headline, story)
    check(verdict, "different", "a headline after the full story (a new flash)")
    assert verdict.overlap == 0.0, "a text under min_shingles is not compared by wording"


def test_a_full_story_after_its_headline_is_the_same_story() -> None:
    headline = Side("the council said brackley westmere", "outlet-b")
    verdict = judged(Side(FERRY), headline, counts=window(headline.text))
    check(verdict, "same_story", "same rare names")
    assert verdict.evidence["rare_shared"] == ["brackley", "westmere"]


def test_a_round_up_that_leads_with_other_news_is_not_the_story_it_carries() -> None:
    roundup = Side(f"{OTHER_NEWS} {FERRY}", "outlet-b")
    verdict = judged(roundup, Side(FERRY))
    check(verdict, "different", "the longer one leads with other news (a round-up or a follow-up)")
    assert verdict.overlap <= CONFIG.threshold, "the round-up must not pass as a copy for this test to mean anything"
    assert verdict.containment == pytest.approx(1.0), "the story is carried whole"
    assert verdict.evidence["lead_cover"] < RULES.story_lead_cover


def test_a_rewrite_too_far_apart_in_time_is_a_follow_up_when_a_bound_is_set() -> None:
    rules = replace(RULES, story_max_hours=6.0)
    later = Side(FERRY_REWRITE, "outlet-b", event_time=10 * 3600.0)
    check(judged(later, Side(FERRY), rules), "different", "too far apart in time")
    near = Side(FERRY_REWRITE, "outlet-b", event_time=5 * 3600.0)
    check(judged(near, Side(FERRY), rules), "same_story", "same rare names")


def test_evidence_lists_are_capped_and_their_terms_cut() -> None:
    long_word = "a" * 200  # a pasted blob: the first in a-z order among the equally rare names
    names = [long_word] + [f"name{_letters(n)}" for n in range(19)]
    text = f"{' '.join(names[:10])} {PHRASING_A} {' '.join(names[10:])} {PHRASING_A}"
    verdict = judged(Side(text.replace(" coming weeks", " weeks", 1), "outlet-b"), Side(text))
    check(verdict, "copy", "shared wording")
    assert verdict.evidence["rare_shared_count"] == 20, "the count must be of all 20 shared rare terms"
    listed = verdict.evidence["rare_shared"]
    assert len(listed) == EVIDENCE_TERMS, f"the list must be capped at {EVIDENCE_TERMS}: {listed}"
    assert listed[0] == long_word[: EVIDENCE_TERM_CHARS - 1] + "…", f"a long term must be cut: {listed[0]!r}"
    assert listed[1:] == sorted(names[1:])[: EVIDENCE_TERMS - 1], "equally rare terms must be listed a-z"


def _edited(rng: np.random.Generator, words: list[str], alphabet: int) -> list[str]:
    """`words` with a few words inserted, dropped or replaced (a copy's lead), or an unrelated sequence."""
    if rng.random() < 0.3:
        return [str(rng.integers(alphabet)) for _ in range(int(rng.integers(0, 70)))]
    edited = list(words)
    for _ in range(int(rng.integers(0, 7))):
        at = int(rng.integers(0, len(edited) + 1))
        kind = int(rng.integers(3))
        if kind == 0 or not edited:
            edited.insert(at, str(rng.integers(alphabet + 3)))
        elif kind == 1:
            del edited[min(at, len(edited) - 1)]
        else:
            edited[min(at, len(edited) - 1)] = str(rng.integers(alphabet + 3))
    return edited


def test_the_lead_alignment_is_difflibs() -> None:
    """The compiled alignment gives difflib's replace opcodes and ratio, ties and repeated words included."""
    from difflib import SequenceMatcher

    from newsdedup.core.verdict import _alignment

    rng = np.random.default_rng(15)
    for _ in range(4000):
        alphabet = int(rng.integers(1, 12))  # few distinct words: many equal-length runs to break ties on
        before = [str(rng.integers(alphabet)) for _ in range(int(rng.integers(0, 70)))]
        after = _edited(rng, before, alphabet)
        matcher = SequenceMatcher(None, before, after, autojunk=False)
        expected = [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag == "replace"]
        assert _alignment(before, after) == (expected, matcher.ratio())


def test_term_membership_is_a_sorted_set_lookup() -> None:
    from newsdedup.core.verdict import _in

    rng = np.random.default_rng(16)
    for _ in range(2000):
        ids = np.unique(rng.integers(0, 60, size=int(rng.integers(0, 25)))).astype(np.int32)
        other = np.unique(rng.integers(0, 60, size=int(rng.integers(0, 25)))).astype(np.int32)
        assert _in(ids, other).tolist() == np.isin(ids, other).tolist()
