"""`newsdedup eval STREAM --pairs PAIRS.tsv`: labelled pairs scored on a plain stream, figures by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from newsdedup import cli
from newsdedup.core.dedup import Decision
from newsdedup.errors import PairsFileError
from newsdedup.evaluation.pairs import (
    Decided,
    LabelledPair,
    link_scores,
    match_pairs,
    read_pairs,
)
from tests.unit.test_evaluate import (
    AR_CABLE_A,
    AR_CABLE_B,
    AR_WELLS,
    AR_WELLS_CUT,
    EN_FERRY,
    EN_LIBRARY,
    EN_LIBRARY_EDIT,
    EN_LIBRARY_REWRITE,
    jsonl,
)


def article(article_id: str, body: str, **more: Any) -> dict[str, Any]:
    return {"id": article_id, "source": f"outlet-{article_id}", "body": body, **more}


def stream() -> bytes:
    """Plain input articles (one with a label, which pair mode ignores), a redelivery and a bad line."""
    return (
        jsonl(
            article("e1", EN_LIBRARY),
            article("e2", EN_LIBRARY),  # exact_duplicate of e1
            article("e3", EN_LIBRARY_EDIT, label={"story": "library"}),  # near_duplicate of e1
            article("e4", EN_LIBRARY_REWRITE),  # the same story reworded: unique
            article("e5", EN_FERRY),  # unique
            article("a1", AR_CABLE_A),
            article("a2", AR_CABLE_B),  # the template's other issue: near_duplicate of a1
            article("a3", AR_WELLS),
            article("a4", AR_WELLS_CUT),  # truncated copy: near_duplicate of a3
            article("e5", EN_FERRY),  # a redelivery: the same decision again
        )
        + b"not json\n"  # line 11: skipped
    )


PAIRS = (
    "# pairs written for this test\n"
    "id_a\tid_b\tverdict\treason\n"
    "e1\te2\tsame\texact copy\n"
    "e3\te1\tsame\tlight edit\n"
    "e4\te1\tsame\treworded\n"
    "e5\te1\tdifferent\tferry vs library\n"
    "e2\te3\tdifferent\tlabelled different, linked anyway\n"
    "# an Arabic block\n"
    "a1\ta2\tdifferent\ttwo cables\n"
    "a3\ta4\tsame\ttruncation\n"
    "a1\ta3\tdifferent\t\n"
    "e1\tzz\tsame\tid absent from the stream\n"
)


def run_pairs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, pairs: str, *options: str
) -> tuple[int, dict[str, Any], list[dict[str, Any]], str, str]:
    """`newsdedup eval --pairs` through the command line: exit code, JSON summary, details, stdout, stderr."""
    source, pairs_path = tmp_path / "stream.jsonl", tmp_path / "pairs.tsv"
    summary, details = tmp_path / "summary.json", tmp_path / "details.jsonl"
    source.write_bytes(data)
    pairs_path.write_text(pairs, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["eval", str(source), "--pairs", str(pairs_path), "--json", str(summary),
                  "--details", str(details), *options])
    code = exit_info.value.code
    assert isinstance(code, int)
    captured = capsys.readouterr()
    if code != 0:
        return code, {}, [], captured.out, captured.err
    rows = [orjson.loads(row) for row in details.read_bytes().splitlines()]
    return code, orjson.loads(summary.read_bytes()), rows, captured.out, captured.err


def test_pairs_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, summary, details, out, err = run_pairs(tmp_path, capsys, stream(), PAIRS)
    assert code == 0
    # stderr: the bad stream line, then the pair whose id was never decided.
    bad_line, missing_pair = err.splitlines()
    assert bad_line.startswith("line 11: ")
    assert bad_line.endswith("; skipped")
    assert missing_pair == "pairs line 12: zz not decided in the stream (absent or invalid); pair not scored"
    run = summary["run"]
    assert (run["articles"], run["distinct_ids"], run["repeated_id_lines"], run["invalid_lines"]) == (10, 9, 1, 1)
    # What the detector made of each article, as the details carry it.
    by_pair = {(d["id_a"], d["id_b"]): d for d in details}
    assert len(details) == 9  # one line per labelled pair, the missing one included
    assert [(d["later"], d["decision_b" if d["later"] == d["id_b"] else "decision_a"]["status"], d["linked"])
            for d in details] == [
        ("e2", "exact_duplicate", True),
        ("e3", "near_duplicate", True),
        ("e4", "unique", False),
        ("e5", "unique", False),
        ("e3", "near_duplicate", True),
        ("a2", "near_duplicate", True),
        ("a4", "near_duplicate", True),
        ("a3", "unique", False),
        (None, "unique", None),
    ]
    missing = by_pair[("e1", "zz")]
    assert (missing["missing"], missing["decision_b"], missing["language"]) == (["zz"], None, None)
    assert by_pair[("e1", "e2")]["reason"] == "exact copy"
    assert by_pair[("e1", "e2")]["decision_b"] == {"status": "exact_duplicate", "duplicate_of": "e1",
                                                    "cluster_id": "e1", "similarity": 1.0,
                                                    "evidence": {"overlap": 1.0, "reason": "the same normalised text"}}
    links = summary["links"]
    # English: same e1/e2, e3/e1 linked, e4/e1 not; different e5/e1 not linked, e2/e3 linked. P 2/3, R 2/3.
    assert {k: links["en"][k] for k in ("pairs", "same", "different", "linked", "linked_same", "linked_different")} \
        == {"pairs": 5, "same": 3, "different": 2, "linked": 3, "linked_same": 2, "linked_different": 1}
    assert links["en"]["precision"] == pytest.approx(2 / 3)
    assert links["en"]["recall"] == pytest.approx(2 / 3)
    assert links["en"]["f1"] == pytest.approx(2 / 3)
    # Arabic: same a3/a4 linked; different a1/a2 linked, a1/a3 not. P 1/2, R 1, F1 2/3.
    assert (links["ar"]["pairs"], links["ar"]["precision"], links["ar"]["recall"]) == (3, 0.5, 1.0)
    assert links["ar"]["f1"] == pytest.approx(2 / 3)
    # Overall: 4 same (3 linked), 4 different (2 linked): P 3/5, R 3/4.
    assert (links["all"]["pairs"], links["all"]["linked_same"], links["all"]["linked_different"]) == (8, 3, 2)
    assert links["all"]["precision"] == pytest.approx(0.6)
    assert links["all"]["recall"] == pytest.approx(0.75)
    # The later article's status, counted as it appears.
    assert links["en"]["later_status"] == {
        "same": {"exact_duplicate": {"pairs": 1, "linked": 1}, "near_duplicate": {"pairs": 1, "linked": 1},
                 "unique": {"pairs": 1, "linked": 0}},
        "different": {"near_duplicate": {"pairs": 1, "linked": 1}, "unique": {"pairs": 1, "linked": 0}},
    }
    assert links["ar"]["later_status"]["different"] == {
        "near_duplicate": {"pairs": 1, "linked": 1}, "unique": {"pairs": 1, "linked": 0}}
    assert (summary["labelled_pairs"], summary["scored_pairs"]) == (9, 8)
    assert summary["missing"] == [{"line": 12, "id_a": "e1", "id_b": "zz", "verdict": "same", "missing_ids": ["zz"]}]
    # The printed report carries the same figures.
    assert "| all | 8 | 4 | 4 | 5 | 3 | 2 | 0.600 | 0.750 | 0.667 |" in out
    assert "| ar | 3 | 1 | 2 | 2 | 1 | 1 | 0.500 | 1.000 | 0.667 |" in out
    assert "| en | different | near_duplicate | 1 | 1 |" in out
    assert "* line 12: e1 / zz (same): not decided: zz" in out


def test_link_scores_count_statuses_they_do_not_know(tmp_path: Path) -> None:
    def decided(position: int, cluster: str, status: str) -> Decided:
        return Decided(position, position + 1, "en", {"status": status, "cluster_id": cluster})

    known = {"x": decided(0, "x", "unique"), "y": decided(1, "x", "same_story"), "z": decided(2, "z", "rewrite")}
    pairs = [LabelledPair(1, "x", "y", "same", ""), LabelledPair(2, "z", "x", "different", ""),
             LabelledPair(3, "y", "z", "same", "")]
    scores = link_scores(match_pairs(pairs, known))
    assert (scores["precision"], scores["recall"]) == (1.0, 0.5)
    assert scores["later_status"] == {"same": {"rewrite": {"pairs": 1, "linked": 0},
                                               "same_story": {"pairs": 1, "linked": 1}},
                                      "different": {"rewrite": {"pairs": 1, "linked": 0}}}


def test_link_scores_without_linked_or_same_pairs_are_undefined() -> None:
    scores = link_scores([])
    assert (scores["pairs"], scores["precision"], scores["recall"], scores["f1"]) == (0, None, None, None)


def test_details_carry_the_whole_decision_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = Decision.to_json

    def with_evidence(self: Decision) -> dict[str, Any]:
        return {**original(self), "evidence": {"kind": "test", "cluster": self.cluster_id}}

    monkeypatch.setattr(Decision, "to_json", with_evidence)
    pairs = "id_a\tid_b\tverdict\ne1\te2\tsame\n"
    code, summary, details, _, _ = run_pairs(tmp_path, capsys, stream(), pairs)
    assert code == 0
    assert details[0]["decision_a"]["evidence"] == {"kind": "test", "cluster": "e1"}
    assert details[0]["reason"] == ""  # no reason column
    assert summary["links"]["all"]["recall"] == 1.0


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ("id_a\tverdict\ne1\tsame\n", "line 1: the header lacks column(s) id_b"),
        ("# c\nid_a\tid_b\tverdict\ne1\te2\tsame\ne1\te3\tmaybe\n", "line 4: unknown verdict 'maybe'"),
        ("id_a\tid_b\tverdict\ne1\te2\trelated\n", "line 2: unknown verdict 'related'"),
        ("id_a\tid_b\tverdict\ne1\te1\tsame\n", "line 2: a pair of 'e1' with itself"),
        ("id_a\tid_b\tverdict\ne1\n", "line 2: id_a and id_b must both be given"),
        ("id_a\tid_b\tverdict\ne1\te2\tsame\n\ne2\te1\tdifferent\n", "line 4: the pair e2 / e1 is already on line 2"),
        ("# only a comment\n", "no header line"),
    ],
)
def test_bad_pairs_files_are_refused_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pairs: str, message: str
) -> None:
    code, _, _, out, err = run_pairs(tmp_path, capsys, stream(), pairs)
    assert code == 2
    assert out == ""
    assert message in err
    assert "pairs.tsv" in err
    with pytest.raises(PairsFileError, match=message.split(": ", 1)[-1].replace("(", r"\(").replace(")", r"\)")):
        read_pairs(pairs.splitlines(keepends=True))


def test_missing_pairs_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "stream.jsonl"
    source.write_bytes(stream())
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["eval", str(source), "--pairs", str(tmp_path / "absent.tsv")])
    assert exit_info.value.code == 2
    assert "cannot open" in capsys.readouterr().err
