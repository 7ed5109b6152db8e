"""Build a labelled evaluation set for `newsdedup eval` from the shared corpora (read in place).

    python bench/build_evalset.py [--data DIR] [--seed 1] [-o bench/out/evalset.jsonl]
                                  [--copy-bases 400] [--negatives 300] [--repetition 50]

The output holds corpus text, so it goes outside git (bench/out/ is ignored): the corpus licences
forbid copying their text into the repository. Per language (Arabic: SaudiNewsNet, English: BBC):

* synthetic copies: --copy-bases real articles, each with 1–3 copies made by known edits (exact;
  light_edit of 2–15 % of the words; truncation keeping 35–95 % of the characters; an outlet's
  boilerplate; reordered paragraphs or sentences), 10 minutes to 36 hours after it;
* unedited originals: --negatives real articles without copies (distinct stories);
* synthetic repetition: --repetition articles per kind (repeated line, repeated paragraph, whole
  body repeated with light edits, seed-like splice), each with its expected cleaned body;

and the natural cases: SaudiNewsNet pairs a reader labelled in docs/eval (stories from the 'same'
verdicts), the 15 articles of saudinewsnet-self-repetition-cases.tsv (detection only: no expected
body), and BBC's near-identical articles (Jaccard >= 0.8: the same story). docs/EVALUATION.md says
how the labels were made and where they fall short. The same --seed gives the same file.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # before numba is imported

import argparse
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

import evalset_edits as edits
from evalkit import DEFAULT_SHARED, REPO, bbc, read_tsv, saudinewsnet
from evalset_natural import UnionFind, pack_slots, read_verdicts, risky_pairs
from newsdedup.core.article import parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.pipeline import prepare
from newsdedup.core.signatures import Signer

EVAL_DIR = REPO / "docs" / "eval"
COPY_KINDS = ("exact", "light_edit", "truncation", "boilerplate", "reordered")
REPEAT_KINDS = ("repeated_line", "repeated_paragraph", "whole_body", "splice")
Article = dict[str, Any]  # an input article (the JSON object of one line)
Pair = tuple[str, str]
SAME_STORY_BBC = 0.8  # BBC pairs at or above this Jaccard are near-identical versions of one story
START = datetime(2015, 7, 21, tzinfo=UTC)
# Groups that must not meet go to different slots; a slot's articles span at most ~10 days (the
# longest natural group, 9 days, plus its start offset), so windows up to 6 days keep slots apart.
SLOT = timedelta(days=16)
ACTIVE = timedelta(days=3)  # where in its slot a story starts


class Builder:
    """Collects labelled articles with their event times, then writes them in time order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.config = DetectionConfig()
        self.signer = Signer(self.config)
        self.lines: list[tuple[datetime, int, dict[str, Any]]] = []

    def shingles(self, articles: list[dict[str, Any]]) -> list[npt.NDArray[np.uint32]]:
        """The shingle sets of the texts the detector compares (prepare: cleaned title + body)."""
        return [self.signer.shingle_set(prepare(parse_article(a), self.signer, self.config).normalized)
                for a in articles]

    def add(self, article: dict[str, Any], when: datetime, label: dict[str, Any]) -> None:
        """Queue one article with its event time and label."""
        line = dict(article)
        line["published_at"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        line["label"] = {key: value for key, value in label.items() if value is not None}
        self.lines.append((when, len(self.lines), line))

    def start(self, slots: int) -> datetime:
        """A random start time for a story: a random slot, somewhere in its active days."""
        return START + self.rng.randrange(slots) * SLOT + self.rng.random() * ACTIVE

    def later(self, when: datetime) -> datetime:
        """A copy's time: 10 minutes to 36 hours after `when`."""
        return when + timedelta(minutes=self.rng.uniform(10, 36 * 60))

    def write(self, path: Path) -> None:
        """Write every queued article, in event-time order, as JSON Lines."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as sink:
            for _, _, line in sorted(self.lines, key=lambda item: (item[0], item[1])):
                sink.write(orjson.dumps(line) + b"\n")


def repeats_itself(text: str) -> bool:
    """Whether a word 10-gram occurs twice (then the article may repeat itself: no repeats label)."""
    words = re.findall(r"\w+", text.lower())
    grams = [tuple(words[k : k + 10]) for k in range(len(words) - 9)]
    return len(set(grams)) < len(grams)


def snn_article(raw: dict[str, Any], *, strip: bool = False) -> dict[str, Any]:
    """A SaudiNewsNet item as an input article (id = URL); `strip` trims the body's outer whitespace."""
    body = raw["content"].strip() if strip else raw["content"]
    return {"id": raw["url"], "source": raw["source"], "title": raw["title"], "body": body,
            "url": raw["url"], "language": "ar"}


def bbc_article(raw: dict[str, str]) -> dict[str, Any]:
    """A BBC file as an input article (id = its path in the archive)."""
    return {"id": raw["path"], "source": "bbc", "title": raw["title"], "body": raw["body"], "language": "en"}


@dataclass(frozen=True)
class Natural:
    """An article of a natural group: the input article, its story, its real time if known, repetition cases."""

    article: dict[str, Any]
    story: str
    when: datetime | None = None
    cases: tuple[str, ...] = ()


def natural_snn(b: Builder, snn: list[Article], data: Path) -> tuple[list[list[Natural]], list[Pair], dict[str, Any]]:
    """SaudiNewsNet articles a reader compared, and the repetition cases: groups, conflicts, counts."""
    verdicts = read_verdicts(EVAL_DIR)
    case_kinds: dict[str, list[str]] = {}
    for row in read_tsv(data / "saudinewsnet-self-repetition-cases.tsv"):
        case_kinds.setdefault(row["url"], []).append(row["kind"])
    position = {raw["url"]: k for k, raw in enumerate(snn)}
    wanted = {u for pair in verdicts for u in pair} | set(case_kinds)
    urls = sorted(wanted & position.keys(), key=position.__getitem__)  # date order
    sets = b.shingles([snn_article(snn[position[u]]) for u in urls])
    story, group = UnionFind(), UnionFind()
    for pair, verdict in sorted(verdicts.items(), key=lambda item: sorted(item[0])):
        a, c = sorted(pair)
        if verdict == "same":
            story.union(a, c)
        if verdict in ("same", "different", "roundup"):
            group.union(a, c)
    conflicts: list[Pair] = [(a, c) for a, c in map(sorted, verdicts) if verdicts[frozenset((a, c))] == "related"]
    dropped: set[str] = set()
    for i, j, _ in risky_pairs(sets):
        ui, uj = urls[i], urls[j]  # i < j: uj is the later article
        if group.find(ui) != group.find(uj):
            conflicts.append((ui, uj))
        elif story.find(ui) != story.find(uj) and verdicts.get(frozenset((ui, uj))) not in ("different", "roundup"):
            dropped.add(uj)  # a resemblance inside a group that nobody read: leave the later article out
    for a, c in conflicts:
        if group.find(a) == group.find(c):  # an ambiguous verdict inside a group
            dropped.add(max(a, c, key=lambda u: position.get(u, -1)))
    members: dict[str, list[Natural]] = {}
    for u in urls:
        if u not in dropped:
            raw = snn[position[u]]
            when = datetime.fromisoformat(raw["date_extracted"]).replace(tzinfo=UTC)
            natural = Natural(snn_article(raw), "snn:" + story.find(u), when, tuple(case_kinds.get(u, ())))
            members.setdefault(group.find(u), []).append(natural)
    counts = {"verdict_pairs": len(verdicts), "missing_urls": sorted(wanted - position.keys()),
              "dropped_unread_relations": sorted(dropped)}
    return list(members.values()), conflicts, counts


def natural_bbc(b: Builder, articles: list[dict[str, str]]) -> tuple[list[list[Natural]], list[Pair], list[int]]:
    """BBC near-identical versions (groups), the lesser resemblances between them, and the free articles."""
    sets = b.shingles([bbc_article(a) for a in articles])
    story = UnionFind()
    touched: set[int] = set()
    conflicts = []
    for i, j, jaccard in risky_pairs(sets):
        touched |= {i, j}
        if jaccard >= SAME_STORY_BBC:
            story.union(articles[i]["path"], articles[j]["path"])
        else:
            conflicts.append((articles[i]["path"], articles[j]["path"]))
    members: dict[str, list[int]] = {}
    for k in sorted(touched):
        members.setdefault(story.find(articles[k]["path"]), []).append(k)
    groups = [[Natural(bbc_article(articles[k]), "bbc:" + articles[ks[0]]["path"]) for k in ks]
              for ks in members.values() if len(ks) > 1]
    # Articles that only resemble others below SAME_STORY_BBC (follow-ups, rewrites) are left out:
    # nobody read them, and they would be compared with the free articles below.
    free = [k for k in range(len(articles)) if k not in touched]
    return groups, conflicts, free


def pick_bases(b: Builder, pool: list[Article], taken: list[npt.NDArray[np.uint32]], wanted: int) -> list[Article]:
    """Up to `wanted` articles of `pool` (random order) that resemble neither `taken` nor each other."""
    candidates = b.rng.sample(pool, min(len(pool), wanted))
    sets = taken + b.shingles(candidates)
    neighbours: dict[int, set[int]] = {}
    for i, j, _ in risky_pairs(sets):
        neighbours.setdefault(i, set()).add(j)
        neighbours.setdefault(j, set()).add(i)
    accepted: set[int] = set(range(len(taken)))
    chosen = []
    for k in range(len(taken), len(sets)):
        if not neighbours.get(k, set()) & accepted:
            accepted.add(k)
            chosen.append(candidates[k - len(taken)])
    return chosen


def add_natural(b: Builder, groups: list[list[Natural]], slots: list[int], kind: str) -> None:
    """Queue the natural groups, each in its slot: real time gaps when known, else 10 min–36 h apart."""
    for members, slot in zip(groups, slots, strict=True):
        begin = START + slot * SLOT + b.rng.random() * timedelta(days=1)
        when, seen = begin, set[str]()
        for natural in members:
            first = members[0].when
            if natural.when is not None and first is not None:
                when = begin + (natural.when - first)
            elif seen:
                when = b.later(when)
            b.add(natural.article, when, {
                "story": natural.story,
                "edit": "natural" if natural.story in seen else "original",
                "repeats": True if natural.cases else (None if repeats_itself(natural.article["body"]) else False),
                "repeat_kind": "natural" if natural.cases else None,
                "set": kind,
                "case_kinds": list(natural.cases) or None,
            })
            seen.add(natural.story)


def add_synthetic(
    b: Builder, bases: list[Article], language: str, slots: int, args: argparse.Namespace
) -> Counter[str]:
    """Queue repetition cases, copied stories and unedited originals made from `bases`; count them."""
    counts: Counter[str] = Counter()
    rest = list(bases)
    for kind in REPEAT_KINDS:
        made = 0
        for base in list(rest):
            if made == args.repetition:
                break
            out = _repeat(kind, base["body"], b.rng, language)
            if out is None:
                continue
            rest.remove(base)
            made += 1
            body, expected = out
            article = {**base, "id": f"{base['id']}#{kind}", "body": body}
            b.add(article, b.start(slots), {"story": article["id"], "edit": "original", "repeats": True,
                                            "repeat_kind": kind, "expected_body": expected, "set": "synthetic"})
            counts[f"repetition {kind}"] += 1
    b.rng.shuffle(rest)  # the bases with paragraphs came first, for the repetition cases
    copied, negatives = rest[: args.copy_bases], rest[args.copy_bases : args.copy_bases + args.negatives]
    for base in copied:
        when = b.start(slots)
        story = f"{language}:{base['id']}"
        b.add(base, when, {"story": story, "edit": "original", "repeats": False, "set": "synthetic"})
        for kind in b.rng.sample(COPY_KINDS, b.rng.choices((1, 2, 3), weights=(40, 35, 25))[0]):
            outlet = b.rng.randrange(4)
            copy, extra = _copy(kind, base, b.rng, language, outlet)
            copy.update(id=f"{base['id']}#{kind}", source=f"outlet-{outlet + 1}")
            b.add(copy, b.later(when), {"story": story, "edit": kind, "repeats": False, "set": "synthetic", **extra})
            counts[f"copy {kind}"] += 1
    for base in negatives:
        b.add(base, b.start(slots), {"story": f"{language}:{base['id']}", "edit": "original", "repeats": False,
                                     "set": "synthetic"})
    counts["copied originals"], counts["unedited originals"] = len(copied), len(negatives)
    return counts


def _repeat(kind: str, body: str, rng: random.Random, language: str) -> tuple[str, str] | None:
    if kind == "repeated_line":
        return edits.repeat_line(body, rng)
    if kind == "repeated_paragraph":
        return edits.repeat_paragraph(body, rng)
    if kind == "whole_body":
        return edits.repeat_body(body, rng, language)
    return edits.splice(body, rng, language)


def _copy(kind: str, base: Article, rng: random.Random, language: str, outlet: int) -> tuple[Article, dict[str, Any]]:
    copy, extra = dict(base), {}
    if kind == "light_edit":
        copy["title"] = edits.light_edit(base["title"] or "", rng, language, least=1) or base["title"]
        extra["rate"] = round(rng.uniform(0.02, 0.15), 3)  # share of the words edited
        copy["body"] = edits.light_edit(base["body"], rng, language, rate=extra["rate"])
    elif kind == "truncation":
        copy["body"], kept = edits.truncate(base["body"], rng)
        extra["kept"] = round(kept, 3)
    elif kind == "boilerplate":
        copy["body"] = edits.add_boilerplate(base["body"], rng, language, outlet)
    elif kind == "reordered":
        copy["body"] = edits.reorder(base["body"], rng) or base["body"]
    return copy, extra


def build(
    snn: list[Article], english: list[dict[str, str]], data: Path, output: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """Build the set from the loaded corpora (evalkit.saudinewsnet, evalkit.bbc); return what went into it."""
    b = Builder(args.seed)
    snn_groups, snn_conflicts, counts = natural_snn(b, snn, data)
    bbc_groups, bbc_conflicts, free = natural_bbc(b, english)
    groups = [[natural.article["id"] for natural in g] for g in [*snn_groups, *bbc_groups]]
    slots = pack_slots(groups, snn_conflicts + bbc_conflicts)
    n_slots = max(slots) + 1
    add_natural(b, snn_groups, slots[: len(snn_groups)], "snn-natural")
    add_natural(b, bbc_groups, slots[len(snn_groups) :], "bbc-natural")
    wanted = 4 * args.repetition + args.copy_bases + args.negatives
    natural_urls = {natural.article["id"] for g in snn_groups for natural in g}
    pool_ar = [snn_article(raw, strip=True) for raw in snn if raw["url"] not in natural_urls
               and 500 <= len(raw["content"].strip()) <= 6000 and not repeats_itself(raw["content"])]
    taken_ar = b.shingles([natural.article for g in snn_groups for natural in g])
    # Repetition needs paragraphs: the bases with four or more lines come first in each pool.
    bases_ar = _paragraphs_first(pick_bases(b, pool_ar, taken_ar, 2 * wanted))
    pool_en = [bbc_article(english[k]) for k in free if 500 <= len(english[k]["body"]) <= 6000
               and not repeats_itself(english[k]["body"])]
    bases_en = _paragraphs_first(pick_bases(b, pool_en, [], len(pool_en)))
    made = {lang: add_synthetic(b, bases, lang, n_slots, args) for lang, bases in (("ar", bases_ar), ("en", bases_en))}
    b.write(output)
    labels = Counter(
        (line["language"], line["label"]["set"], line["label"].get("edit"), line["label"].get("repeat_kind"))
        for _, _, line in b.lines
    )
    return {"articles": len(b.lines), "slots": n_slots, "natural_groups": len(groups), **counts,
            "synthetic": {k: dict(v) for k, v in made.items()}, "labels": labels}


def _paragraphs_first(bases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(bases, key=lambda base: len(edits.paragraphs(base["body"])[0]) < 4)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line options (also what `build` reads its sizes and seed from)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_SHARED / "data", help="the shared data folder")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, default=REPO / "bench" / "out" / "evalset.jsonl")
    parser.add_argument("--copy-bases", type=int, default=400, help="originals with copies, per language")
    parser.add_argument("--negatives", type=int, default=300, help="originals without copies, per language")
    parser.add_argument("--repetition", type=int, default=50, help="synthetic repetition cases per kind and language")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, build the set, print what went into it."""
    args = parse_args(argv)
    if not args.data.is_dir():
        print(f"{args.data} is absent: point --data (or NEWSDEDUP_SHARED) at the shared folder", file=sys.stderr)
        return 2
    report = build(saudinewsnet(args.data), bbc(args.data), args.data, args.output, args)
    print(f"wrote {report['articles']} labelled articles to {args.output} ({report['slots']} time slots of "
          f"{SLOT.days} days for {report['natural_groups']} natural groups)")
    print(f"verdict pairs read: {report['verdict_pairs']}; URLs not in the corpus: {len(report['missing_urls'])}; "
          f"left out for an unread resemblance inside a group: {len(report['dropped_unread_relations'])}")
    for language, made in report["synthetic"].items():
        print(f"synthetic {language}: " + ", ".join(f"{k} {v}" for k, v in sorted(made.items())))
    for (language, kind, edit, repeat), n in sorted(report["labels"].items(), key=lambda kv: tuple(map(str, kv[0]))):
        print(f"  {language} {kind:12} edit={edit!s:12} repeat_kind={repeat!s:18} {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
