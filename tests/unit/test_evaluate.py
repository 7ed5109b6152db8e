"""`newsdedup eval`: metrics computed by hand, labels, bad lines, the command end to end, and an
evaluation set built from the shared corpora (read in place; skipped when ../shared/data is absent)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest

from newsdedup import cli
from newsdedup.commands.eval import add_eval_arguments, evaluate_stream
from newsdedup.core.article import parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.errors import InvalidArticle
from newsdedup.evaluation.labels import Label, parse_label
from newsdedup.evaluation.scores import (
    FALSE_FLAG,
    FOUND,
    MISSED,
    NEW,
    WRONG_STORY,
    Scored,
    copy_outcomes,
    copy_scores,
    pair_scores,
)
from newsdedup.evaluation.textmatch import body_match
from tests.conftest import REPO_ROOT

# Texts written for these tests. A library story, an exact copy, a copy with three words changed,
# the same story told in other words (too different to be caught: majority overlap well under 0.5)
# and an unrelated ferry story.
EN_LIBRARY = (
    "The central library in Westbury reopened on Saturday after an eighteen-month renovation that added a "
    "children's wing, a rooftop reading terrace and a workshop with sewing machines and laser cutters. "
    "Hundreds of residents queued before the doors opened, and the mayor cut a ribbon made of old catalogue "
    "cards. The head librarian, Margaret Oyelaran, said the building now has twice as many study desks and "
    "will stay open until nine in the evening on weekdays. The works were paid for by the town council and a "
    "national heritage grant, and the original stone facade from the last century was cleaned and kept."
)
EN_LIBRARY_EDIT = (
    EN_LIBRARY.replace("renovation that added", "renovation which added")
    .replace("ribbon made of", "ribbon made from")
    .replace("cards. The head librarian, Margaret Oyelaran, said", "cards. Head librarian Margaret Oyelaran said")
)
EN_LIBRARY_REWRITE = (
    "Westbury residents got their library back at the weekend. Closed for a year and a half, the main branch "
    "now boasts a section for young readers, a terrace on its roof where visitors may sit with a book, and a "
    "room full of tools such as laser cutters. Long lines formed outside ahead of opening time. According to "
    "Margaret Oyelaran, who runs it, desk space for students has doubled and weekday hours stretch into the "
    "late evening. Money came from local government plus a heritage fund; builders preserved the historic "
    "stone frontage."
)
EN_FERRY = (
    "Ferry services between Portmore and the Calder islands were cancelled for a second day on Tuesday as "
    "gales of up to seventy miles an hour swept the coast. The operator said crossings would resume once the "
    "swell dropped, probably on Thursday morning, and that passengers holding tickets could travel on any "
    "later sailing without charge. Shops on the islands reported shortages of fresh milk and bread, and the "
    "regional health board arranged for a helicopter to carry medicines to the clinic on the largest island."
)
# Two congratulation cables from one template to two different bodies: different stories whose text
# differs only in names, which the detector cannot tell apart (docs/DETECTION.md).
AR_CABLE_A = (
    "بعث أمير المنطقة الشرقية برقية تهنئة إلى رئيس مجلس إدارة الغرفة التجارية في مدينة الخبر بمناسبة "
    "افتتاح المقر الجديد للغرفة، أعرب فيها عن أطيب التهاني وأصدق التمنيات بدوام التوفيق والنجاح. وأشاد "
    "الأمير في برقيته بالجهود التي يبذلها أعضاء مجلس الإدارة ومنسوبو الغرفة في خدمة رجال الأعمال وتنمية "
    "الاقتصاد المحلي، متمنيا للغرفة مزيدا من التقدم والازدهار في ظل الدعم الذي تلقاه من القيادة الرشيدة."
)
AR_CABLE_B = (
    "بعث أمير المنطقة الشرقية برقية تهنئة إلى رئيس مجلس إدارة الجمعية الخيرية في محافظة القطيف بمناسبة "
    "افتتاح المقر الجديد للجمعية، أعرب فيها عن أطيب التهاني وأصدق التمنيات بدوام التوفيق والنجاح. وأشاد "
    "الأمير في برقيته بالجهود التي يبذلها أعضاء مجلس الإدارة ومنسوبو الجمعية في خدمة الأسر المحتاجة وتنمية "
    "المجتمع المحلي، متمنيا للجمعية مزيدا من التقدم والازدهار في ظل الدعم الذي تلقاه من القيادة الرشيدة."
)
# A story in four paragraphs (its copy drops the last one) and a clinic story whose first paragraph is
# pasted again at the end.
AR_WELLS = (
    "أعلنت وزارة البيئة والمياه والزراعة الانتهاء من حفر خمس آبار جديدة في محافظة الأفلاج لتأمين مياه الشرب "
    "لعدد من القرى التي عانت من انقطاع الإمدادات خلال الصيف الماضي.\n\n"
    "وأوضح مدير فرع الوزارة في المحافظة أن الآبار ربطت بشبكة أنابيب تمتد إلى خزانات رئيسية في أطراف القرى، "
    "وأن فرق الصيانة ستتابع جودة المياه أسبوعيا بالتعاون مع مختبرات الوزارة في الرياض.\n\n"
    "وأضاف أن المرحلة الثانية من المشروع تشمل إنشاء محطة تحلية صغيرة تعمل بالطاقة الشمسية، متوقعا أن تبدأ "
    "أعمالها مطلع العام المقبل بعد استكمال الدراسات الفنية وطرح المنافسة على المقاولين.\n\n"
    "ودعا المدير الأهالي إلى ترشيد الاستهلاك والإبلاغ عن أي تسربات في الشبكة عبر الرقم المجاني للوزارة، "
    "مؤكدا أن الفرق الميدانية جاهزة للاستجابة على مدار الساعة."
)
AR_WELLS_CUT = AR_WELLS.rsplit("\n\n", 1)[0]
AR_CLINIC = (
    "افتتحت المديرية العامة للشؤون الصحية مركزا صحيا جديدا في حي الروضة يقدم خدمات طب الأسرة ورعاية الأمومة "
    "والطفولة والتطعيمات، ويعمل على فترتين صباحية ومسائية طوال أيام الأسبوع عدا الجمعة.\n\n"
    "وقال مدير المركز إن المبنى صمم ليستوعب أكثر من مئتي مراجع يوميا، ويضم عيادة للأسنان ومختبرا وصيدلية، "
    "إضافة إلى قاعة للتثقيف الصحي تعقد فيها محاضرات دورية عن التغذية والأمراض المزمنة.\n\n"
    "وأشار إلى أن المواعيد تحجز عبر التطبيق الإلكتروني للوزارة، وأن الحالات الطارئة تستقبل دون موعد مسبق "
    "وتحول عند الحاجة إلى المستشفى العام القريب بسيارات الإسعاف التابعة للمركز."
)
AR_CLINIC_REPEATING = AR_CLINIC + "\n\n" + AR_CLINIC.split("\n\n")[0]


def line(article_id: str, body: str, story: str, edit: str, **label: Any) -> dict[str, Any]:
    """One labelled input line (every article of these tests: repeats false unless given)."""
    return {"id": article_id, "source": f"outlet-{article_id}", "body": body,
            "label": {"story": story, "edit": edit, "repeats": False, **label}}


def corpus() -> list[dict[str, Any]]:
    """Ten labelled articles; what the detector makes of each is asserted in the end-to-end test."""
    return [
        line("e1", EN_LIBRARY, "library", "original"),
        line("e2", EN_LIBRARY, "library", "exact"),
        line("e3", EN_LIBRARY_EDIT, "library", "light_edit"),
        line("e4", EN_LIBRARY_REWRITE, "library", "natural"),
        line("e5", EN_FERRY, "ferry", "original"),
        line("a1", AR_CABLE_A, "cable-khobar", "original"),
        line("a2", AR_CABLE_B, "cable-qatif", "original"),
        line("a3", AR_WELLS, "wells", "original"),
        line("a4", AR_WELLS_CUT, "wells", "truncation"),
        line("a5", AR_CLINIC_REPEATING, "clinic", "original", repeats=True, repeat_kind="repeated_paragraph",
             expected_body=AR_CLINIC),
    ]


def jsonl(*objs: object) -> bytes:
    return b"".join(orjson.dumps(obj) + b"\n" for obj in objs)


def run_eval(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, *options: str
) -> tuple[int, dict[str, Any], list[dict[str, Any]], str, str]:
    """`newsdedup eval` through the command line: exit code, JSON summary, details, stdout, stderr."""
    source, summary, details = tmp_path / "in.jsonl", tmp_path / "summary.json", tmp_path / "details.jsonl"
    source.write_bytes(data)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["eval", str(source), "--json", str(summary), "--details", str(details), *options])
    code = exit_info.value.code
    assert isinstance(code, int)
    captured = capsys.readouterr()
    rows = [orjson.loads(row) for row in details.read_bytes().splitlines()]
    return code, orjson.loads(summary.read_bytes()), rows, captured.out, captured.err


# --- metrics by hand -------------------------------------------------------------------------------


def test_pair_scores_by_hand() -> None:
    # Stories a a a b b c; predicted clusters x x x x y z.
    # Labelled pairs: a 3 + b 1 = 4. Predicted pairs: x C(4,2) = 6. Correct: (a, x) 3 = 3.
    # Precision 3/6, recall 3/4, F1 2 * 0.5 * 0.75 / 1.25 = 0.6.
    scores = pair_scores(list("aaabbc"), list("xxxxyz"))
    assert scores == {"articles": 6, "true_pairs": 4, "predicted_pairs": 6, "correct_pairs": 3,
                      "precision": 0.5, "recall": 0.75, "f1": pytest.approx(0.6)}


def test_pair_scores_are_undefined_without_pairs() -> None:
    scores = pair_scores(["a", "b"], ["x", "y"])
    assert (scores["precision"], scores["recall"], scores["f1"]) == (None, None, None)
    # Pairs predicted, none labelled: precision 0, recall undefined.
    assert pair_scores(["a", "b"], ["x", "x"])["precision"] == 0.0
    assert pair_scores(["a", "b"], ["x", "x"])["recall"] is None


def scored(article_id: str, story: str, status: str, duplicate_of: str | None = None) -> Scored:
    return Scored(line=0, article_id=article_id, language="en", label=Label(story=story), status=status,
                  duplicate_of=duplicate_of, cluster_id=duplicate_of or article_id, similarity=None,
                  detected=False, removed_chars=0, body=None)


def test_copy_outcomes_follow_input_order() -> None:
    items = [
        scored("1", "s", "unique"),  # first of s
        scored("2", "s", "near_duplicate", "1"),  # copy of s, matched to s
        scored("3", "t", "near_duplicate", "1"),  # first of t, flagged: a false flag
        scored("4", "t", "unique"),  # copy of t, missed
        scored("5", "t", "exact_duplicate", "2"),  # copy of t, matched to an article of s
        scored("6", "u", "unique"),
    ]
    assert copy_outcomes(items) == [NEW, FOUND, FALSE_FLAG, MISSED, WRONG_STORY, NEW]
    # 3 first articles (1 false flag); 3 copies: 1 found, 1 wrong story, 1 missed; flags: 3, 1 right.
    assert copy_scores(copy_outcomes(items)) == {
        "articles": 6, "first_of_story": 3, "false_flags": 1, "copies": 3, "found": 1, "wrong_story": 1,
        "missed": 1, "recall": pytest.approx(1 / 3), "flag_precision": pytest.approx(1 / 3),
        "false_flag_rate": pytest.approx(1 / 3),
    }


def test_body_match_equal_after_trailing_whitespace() -> None:
    match = body_match("One line.\nTwo lines.\n\n  ", "One line.\nTwo lines.")
    assert (match.equal, match.similarity, match.extra_chars, match.missing_chars) == (True, 1.0, 0, 0)
    assert not body_match("  One line.", "One line.").equal  # leading whitespace counts


def test_body_match_counts_characters_kept_and_removed_by_mistake() -> None:
    # Kept by mistake: "abc\ndef" against "abc": 3 characters match, 4 extra; 2 * 3 / (7 + 3) = 0.6.
    kept = body_match("abc\ndef", "abc")
    assert (kept.equal, kept.similarity, kept.extra_chars, kept.missing_chars) == (False, 0.6, 4, 0)
    # Removed by mistake: " Two." is missing; 11 characters match; 2 * 11 / (11 + 16).
    removed = body_match("One. Three.", "One. Two. Three.")
    assert (removed.extra_chars, removed.missing_chars) == (0, 5)
    assert removed.similarity == pytest.approx(22 / 27)
    # Arabic: a repeated paragraph left in place.
    left = body_match(AR_CLINIC_REPEATING, AR_CLINIC)
    assert left.extra_chars == len(AR_CLINIC_REPEATING) - len(AR_CLINIC)
    assert left.missing_chars == 0


# --- labels ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "message"),
    [
        (None, "'label' is missing"),
        ("story-1", "must be a JSON object"),
        ({"edit": "exact"}, "label.story must be a non-empty string"),
        ({"story": "  "}, "label.story must be a non-empty string"),
        ({"story": "s", "repeats": "yes"}, "label.repeats must be true, false or null"),
        ({"story": "s", "expected_body": 3}, "label.expected_body must be a string"),
        ({"story": "s", "edit": ""}, "label.edit must be a non-empty string"),
    ],
)
def test_bad_labels_are_refused(label: object, message: str) -> None:
    obj: dict[str, Any] = {"id": "1", "source": "a", "body": "text"}
    if label is not None:
        obj["label"] = label
    with pytest.raises(InvalidArticle, match=message):
        parse_label(obj)


def test_label_keeps_unknown_keys_for_the_details() -> None:
    label = parse_label({"label": {"story": "s", "edit": "truncation", "kept": 0.62, "expected_body": "x"}})
    assert label == Label(story="s", edit="truncation", expected_body="x")
    assert label.to_json() == {"story": "s", "edit": "truncation", "has_expected_body": True, "kept": 0.62}


# --- the command ------------------------------------------------------------------------------------


def test_eval_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, summary, details, out, err = run_eval(tmp_path, capsys, jsonl(*corpus()))
    assert (code, err) == (0, "")
    # What the detector made of each article (the figures below follow from it).
    assert [(d["id"], d["status"], d["cluster_id"], d["outcome"]) for d in details] == [
        ("e1", "unique", "e1", "new"),
        ("e2", "exact_duplicate", "e1", "found"),
        ("e3", "near_duplicate", "e1", "found"),
        ("e4", "unique", "e4", "missed"),
        ("e5", "unique", "e5", "new"),
        ("a1", "unique", "a1", "new"),
        ("a2", "near_duplicate", "a1", "false_flag"),
        ("a3", "unique", "a3", "new"),
        ("a4", "near_duplicate", "a3", "found"),
        ("a5", "unique", "a5", "new"),
    ]
    assert [d["language"] for d in details] == ["en"] * 5 + ["ar"] * 5  # detected from the text
    clusters = summary["clusters"]
    # English: story library {e1..e4}, 6 pairs; clusters {e1 e2 e3}: 3 pairs, all right. P 1, R 1/2.
    assert clusters["en"] == {"articles": 5, "true_pairs": 6, "predicted_pairs": 3, "correct_pairs": 3,
                              "precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3)}
    # Arabic: story wells {a3 a4}, 1 pair; clusters {a1 a2} and {a3 a4}: 2 pairs, 1 right. P 1/2, R 1.
    assert clusters["ar"] == {"articles": 5, "true_pairs": 1, "predicted_pairs": 2, "correct_pairs": 1,
                              "precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3)}
    # Overall: 7 labelled pairs, 5 predicted, 4 right: P 4/5, R 4/7, F1 2/3.
    assert clusters["all"]["precision"] == pytest.approx(0.8)
    assert clusters["all"]["recall"] == pytest.approx(4 / 7)
    assert clusters["all"]["f1"] == pytest.approx(2 / 3)
    copies = summary["copies"]["all"]
    assert (copies["first_of_story"], copies["false_flags"], copies["copies"], copies["found"], copies["missed"]) == (
        6, 1, 4, 3, 1)
    assert (copies["recall"], copies["flag_precision"]) == (0.75, 0.75)
    by_edit = {(e["edit"], e["language"]): e for e in summary["edits"]}
    assert by_edit[("natural", "en")]["recall"] == 0.0
    assert by_edit[("truncation", "ar")]["recall"] == 1.0
    assert by_edit[("original", "ar")]["false_flags"] == 1
    assert [e["edit"] for e in summary["edits"] if e["language"] == "all"] == [
        "original", "exact", "light_edit", "truncation", "natural"]
    repetition = summary["repetition"]["all"]
    assert (repetition["repeating"], repetition["detected"], repetition["cleaned"]) == (1, 1, 1)
    assert (repetition["not_repeating"], repetition["false_positives"], repetition["with_removals"]) == (9, 0, 0)
    assert repetition["body_repeating"] == {"articles": 1, "exact": 1, "exact_share": 1.0, "mean_similarity": 1.0,
                                            "extra_chars": 0, "missing_chars": 0}
    assert repetition["body_not_repeating"]["exact"] == 9
    assert summary["repetition_kinds"]["repeated_paragraph"]["detection_rate"] == 1.0
    # The printed report carries the same figures.
    assert "| all | 10 | 7 | 5 | 4 | 0.800 | 0.571 | 0.667 |" in out
    assert "| truncation | ar | 0 | 0 | 1 | 1 | 0 | 0 | 1.000 | 1.000 |" in out


def test_bad_lines_are_reported_with_their_number_and_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = corpus()
    data = (
        jsonl(good[0])
        + b"not json\n"
        + jsonl({"id": "x", "source": "a", "body": EN_FERRY})  # no label
        + jsonl({"id": "y", "source": "a", "label": {"story": "s"}})  # no body
        + jsonl(line("e1", EN_FERRY, "ferry", "original"))  # an id used before
        + jsonl(good[1])
    )
    code, summary, details, _, err = run_eval(tmp_path, capsys, data)
    assert code == 0
    assert [d["id"] for d in details] == ["e1", "e2"]
    assert summary["run"]["invalid_lines"] == 4
    lines = err.splitlines()
    assert [row.split(":")[0] for row in lines] == ["line 2", "line 3", "line 4", "line 5"]
    assert "not JSON" in lines[0]
    assert "'label' is missing" in lines[1]
    assert "'body' is missing" in lines[2]
    assert "was used on an earlier line" in lines[3]
    assert all(row.endswith("; skipped") for row in lines)


def test_threshold_and_window_options_reach_the_detection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = {**line("e1", EN_LIBRARY, "library", "original"), "published_at": "2026-03-02T08:00:00Z"}
    edit = {**line("e3", EN_LIBRARY_EDIT, "library", "light_edit"), "published_at": "2026-03-02T10:00:00Z"}
    data = jsonl(first, edit)
    assert run_eval(tmp_path, capsys, data)[1]["copies"]["all"]["found"] == 1
    # Above the edit's overlap it is no longer a copy; it is still linked to its story, as a rewrite.
    assert [row["status"] for row in run_eval(tmp_path, capsys, data, "--threshold", "0.98")[2]] == [
        "unique", "same_story"]
    assert run_eval(tmp_path, capsys, data, "--window", "1h")[1]["copies"]["all"]["missed"] == 1


def test_missing_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["eval", str(tmp_path / "absent.jsonl")])
    assert exit_info.value.code == 2
    assert "cannot open" in capsys.readouterr().err


# --- an evaluation set built from the shared corpora --------------------------------------------------


@pytest.mark.corpus
@pytest.mark.slow
def test_built_evaluation_set_is_deterministic_and_consistent(data_dir: Path, tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO_ROOT / "bench"))
    import build_evalset
    import evalkit
    from evalset_natural import read_verdicts


    snn, english = evalkit.saudinewsnet(data_dir), evalkit.bbc(data_dir)
    args = build_evalset.parse_args(["--copy-bases", "25", "--negatives", "10", "--repetition", "3", "--seed", "7"])
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    build_evalset.build(snn, english, data_dir, first, args)
    build_evalset.build(snn, english, data_dir, second, args)
    assert first.read_bytes() == second.read_bytes()

    rows = [orjson.loads(row) for row in first.read_bytes().splitlines()]
    check_labels(rows)
    check_natural_labels(rows, read_verdicts(REPO_ROOT / "docs" / "eval"))
    with first.open("rb") as source:
        summary = evaluate_stream(source, DetectionConfig(), errors=sys.stderr)
    assert summary["run"]["invalid_lines"] == 0
    assert summary["articles"] == len(rows)
    exact = next(e for e in summary["edits"] if e["edit"] == "exact" and e["language"] == "all")
    assert exact["copies"] > 0
    assert exact["found"] == exact["copies"]  # an exact copy is always found


def check_labels(rows: list[dict[str, Any]]) -> None:
    """Every line valid; ids unique; time order; each story one language, its first article the original."""
    times = [row["published_at"] for row in rows]
    assert times == sorted(times)
    assert len({row["id"] for row in rows}) == len(rows)
    stories: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        parse_article(row)
        parse_label(row)
        stories.setdefault(row["label"]["story"], []).append(row)
    kinds = Counter((row["language"], row["label"]["edit"], row["label"].get("repeat_kind")) for row in rows)
    for language in ("ar", "en"):
        for edit in ("exact", "light_edit", "truncation", "boilerplate", "reordered", "natural", "original"):
            assert kinds[(language, edit, None)] > 0, (language, edit)
        for repeat in ("repeated_line", "repeated_paragraph", "whole_body", "splice"):
            assert kinds[(language, "original", repeat)] == 3
    assert kinds[("ar", "original", "natural")] + kinds[("ar", "natural", "natural")] == 15
    for members in stories.values():
        original = members[0]
        assert original["label"]["edit"] == "original"
        assert {row["language"] for row in members} == {original["language"]}
        for copy in members[1:]:
            check_copy(original, copy)
        if original["label"].get("repeat_kind") not in (None, "natural"):
            assert len(members) == 1  # a synthetic repetition case is a story of its own
            assert len(original["body"]) > len(original["label"]["expected_body"])


def check_copy(original: dict[str, Any], copy: dict[str, Any]) -> None:
    """A copy is what its edit kind says it is."""
    edit, label = copy["label"]["edit"], copy["label"]
    assert edit != "original"
    assert label.get("repeats") is False or label["set"] != "synthetic"
    if edit == "exact":
        assert (copy["title"], copy["body"]) == (original["title"], original["body"])
    elif edit == "truncation":
        assert original["body"].startswith(copy["body"])
        assert label["kept"] == pytest.approx(len(copy["body"]) / len(original["body"]), abs=1e-3)
    elif edit == "boilerplate":
        assert original["body"] in copy["body"]
        assert len(copy["body"]) > len(original["body"])
    elif edit == "reordered":
        assert sorted(copy["body"].split()) == sorted(original["body"].split())
        assert copy["body"] != original["body"]
    elif edit == "light_edit":
        assert 0.02 <= label["rate"] <= 0.15
    else:
        assert edit == "natural"
        assert label["set"] in ("snn-natural", "bbc-natural")


def check_natural_labels(rows: list[dict[str, Any]], verdicts: dict[frozenset[str], str]) -> None:
    """Read pairs in the set keep their verdict: 'same' shares a story, 'different' and 'roundup' do not."""
    story = {row["id"]: row["label"]["story"] for row in rows}
    checked: Counter[str] = Counter()
    for pair, verdict in verdicts.items():
        a, b = sorted(pair)
        if a in story and b in story and verdict != "related":
            assert (story[a] == story[b]) == (verdict == "same"), (a, b, verdict)
            checked[verdict] += 1
    assert checked["same"] > 100
    assert checked["different"] > 20
    cases = [row for row in rows if row["label"].get("repeat_kind") == "natural"]
    assert all(row["label"]["repeats"] is True and "expected_body" not in row["label"] for row in cases)


def test_eval_options_are_parsed_like_scan(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_eval_arguments(parser)
    args = parser.parse_args([str(tmp_path / "x.jsonl"), "--threshold", "0.6", "--window", "1h30m"])
    assert (args.threshold, args.window) == (0.6, 5400.0)
    with pytest.raises(SystemExit):
        parser.parse_args(["x", "--threshold", "2"])
