"""Evaluation of the repetition analysis on the corpora, and what it costs per article on one core.

    python bench/eval_repetition.py [--articles 6000] [--chars 3000] [--json bench/out/eval_repetition.json]

Reads ../shared/data in place (NEWSDEDUP_SHARED overrides the location) and prints:

* the self-repetition cases of saudinewsnet-self-repetition-cases.tsv: found (removed, or a clear repeat
  kept) / removed per URL;
* BBC News (2,225 articles, body = the file without its first line, the title): how many are flagged,
  how many lose characters (the issue allows 0.5% flagged and no removal);
* SaudiNewsNet (31,030 articles, `content`): the same figures, and the URLs that lose characters;
* cost: analyse() per article on both corpora, and the throughput of the core path (normalize_text +
  Signer.signature + MinHashLSH query + insert) on --articles bodies of about --chars characters
  (three quarters SaudiNewsNet, one quarter BBC), without and with analyse() in front of it (whose
  normalised body, when it gives one, replaces normalize_text), same run, best of three passes.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # before numba is imported: one core, one thread

import orjson

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "services"))

from evalkit import machine, write_json
from newsdedup.core.config import DetectionConfig
from newsdedup.core.normalize import normalize_text
from newsdedup.core.repetition import RepetitionReport, analyse
from newsdedup.core.signatures import Signer

DATA = Path(os.environ.get("NEWSDEDUP_SHARED", REPO.parent / "shared")) / "data"


def saudi_articles(data: Path) -> Iterator[dict[str, Any]]:
    """Every SaudiNewsNet article (dicts with url, content, ...), zip by zip, in file order."""
    for archive in sorted((data / "saudinewsnet").glob("*.zip")):
        with zipfile.ZipFile(archive) as opened:
            for name in sorted(opened.namelist()):
                if name.endswith(".json"):
                    yield from orjson.loads(opened.read(name))


def bbc_bodies(data: Path) -> Iterator[tuple[str, str]]:
    """(path, body) of every BBC article; the first line of each file is its title."""
    with tarfile.open(data / "bbc-news-2225.tar.gz") as archive:
        for member in sorted(archive.getmembers(), key=lambda m: m.name):
            handle = archive.extractfile(member) if member.isfile() else None
            if handle is None or not member.name.endswith(".txt") or "README" in member.name.upper():
                continue
            text = handle.read().decode("latin-1")
            yield member.name, text.partition("\n")[2]


def corpus_figures(name: str, docs: list[tuple[str, str]], run: Callable[[str], RepetitionReport]) -> dict[str, Any]:
    """Flag and removal counts over a corpus, and the mean cost of analyse() per article."""
    started = time.perf_counter()
    reports = [(key, run(body)) for key, body in docs]
    elapsed = time.perf_counter() - started
    flagged = [key for key, report in reports if report.detected or report.repeats_kept]
    removed = [(key, report.removed_chars) for key, report in reports if report.removed_chars]
    return {
        "corpus": name,
        "articles": len(docs),
        "flagged": len(flagged),
        "flagged_share": len(flagged) / len(docs),
        "with_removals": len(removed),
        "removed_chars": sum(chars for _, chars in removed),
        "removals": removed,
        "analyse_us_per_article": elapsed / len(docs) * 1e6,
    }


def chunks(bodies: list[str], chars: int, count: int) -> list[str]:
    """Bodies of about `chars` characters: short ones joined (as paragraphs), long ones cut."""
    out: list[str] = []
    pending = ""
    for body in bodies:
        pending = f"{pending}\n\n{body}" if pending else body
        if len(pending) >= chars:
            out.append(pending[:chars])
            pending = ""
            if len(out) == count:
                break
    return out


def throughput(texts: list[str], signer: Signer, config: DetectionConfig, repetition: bool) -> float:
    """Articles per second of normalise + signature + LSH query/insert, with analyse() first or not."""
    from datasketch import MinHashLSH

    best = 0.0
    for _ in range(3):
        lsh = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm)
        started = time.perf_counter()
        for index, text in enumerate(texts):
            normalized = None
            if repetition:
                report = analyse(text, signer, config)
                text, normalized = report.cleaned_body, report.normalized_body
            sketch = signer.to_lean_minhash(signer.signature(normalized or normalize_text(text)))
            lsh.query(sketch)
            lsh.insert(str(index), sketch)
        best = max(best, len(texts) / (time.perf_counter() - started))
    return best


def candidate_search(body: str, config: DetectionConfig) -> dict[str, float]:
    """µs per article of the sentence-level LSH: datasketch's MinHashLSH object against the kernel."""
    from datasketch import MinHashLSH

    from newsdedup.core.repetition import RepetitionRules, normalize_sentences
    from newsdedup.core.repetition.candidates import banding, lsh_pairs
    from newsdedup.core.repetition.segment import segment

    rules = RepetitionRules()
    sketcher = Signer(DetectionConfig(num_perm=rules.candidate_perms, seed=config.seed))
    sentences = [text for text in normalize_sentences(body, segment(body)) if len(text) >= rules.min_compare_chars]
    signatures = sketcher.segment_signatures(sentences)
    bands, rows = banding(rules.lsh_threshold, sketcher.num_perm)

    def with_datasketch() -> None:
        lsh = MinHashLSH(num_perm=sketcher.num_perm, params=(bands, rows))
        for index, signature in enumerate(signatures):
            sketch = sketcher.to_lean_minhash(signature)
            lsh.query(sketch)
            lsh.insert(index, sketch)

    def with_kernel() -> None:
        lsh_pairs(signatures, bands, rows, rules.twin_jaccard - 0.05)

    timings = {"sentences": float(len(sentences))}
    for name, run in (("datasketch_us", with_datasketch), ("kernel_us", with_kernel)):
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(200):
                run()
            best = min(best, (time.perf_counter() - started) / 200 * 1e6)
        timings[name] = best
    return timings


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print (and optionally save) its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=6000, help="bodies for the throughput run (6000)")
    parser.add_argument("--chars", type=int, default=3000, help="characters per throughput body (3000)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"{DATA} is absent: the corpora live beside the repository in shared/data", file=sys.stderr)
        return 2
    config = DetectionConfig()
    signer = Signer(config)
    analyse("warm up. warm up.", signer, config)

    def run(body: str) -> RepetitionReport:
        return analyse(body, signer, config)

    results: dict[str, Any] = {"machine": machine()}
    print(f"# repetition evaluation — {results['machine']}")

    saudi = list(saudi_articles(DATA))
    by_url = {article["url"]: article["content"] for article in saudi}
    with (DATA / "saudinewsnet-self-repetition-cases.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    urls = list(dict.fromkeys(row["url"] for row in rows))
    cases: list[dict[str, Any]] = []
    print(f"\n## self-repetition cases: {len(rows)} rows, {len(urls)} distinct URLs")
    for url in urls:
        report = run(by_url[url])
        kinds = ",".join(span.kind for span in report.spans) or "-"
        found = report.detected or report.repeats_kept  # removed, or a clear repeat the rules keep
        cases.append({"url": url, "detected": report.detected, "found": found,
                      "removed_chars": report.removed_chars, "kinds": kinds})
        print(f"found={found!s:5} removed={report.removed_chars:5} spans={kinds:18} {url}")
    print(f"found: {sum(1 for case in cases if case['found'])} / {len(cases)} "
          f"(with removals: {sum(1 for case in cases if case['detected'])})")
    results["cases"] = cases

    for name, docs in (
        ("BBC News", list(bbc_bodies(DATA))),
        ("SaudiNewsNet", [(article["url"], article["content"]) for article in saudi]),
    ):
        figures = corpus_figures(name, docs, run)
        results[name] = figures
        print(
            f"\n## {name}: {figures['articles']} articles, flagged {figures['flagged']} "
            f"({figures['flagged_share']:.2%}), with removals {figures['with_removals']} "
            f"({figures['removed_chars']} characters), analyse {figures['analyse_us_per_article']:.0f} µs/article"
        )
        if name != "BBC News":
            for key, chars in figures["removals"]:
                print(f"  removed {chars:5}  {key}")

    english = [body for _, body in bbc_bodies(DATA)]
    arabic = [article["content"] for article in saudi]
    texts = chunks(arabic, args.chars, args.articles * 3 // 4)
    texts += chunks(english, args.chars, args.articles - len(texts))
    without = throughput(texts, signer, config, repetition=False)
    with_rep = throughput(texts, signer, config, repetition=True)
    results["throughput"] = {
        "articles": len(texts),
        "chars": args.chars,
        "core": without,
        "core_with_repetition": with_rep,
    }
    print(
        f"\n## throughput, one core, {len(texts)} bodies of {args.chars} characters (best of 3)\n"
        f"core (normalise + signature + LSH query/insert): {without:8.0f} articles/s\n"
        f"core with analyse() first:                       {with_rep:8.0f} articles/s "
        f"(analyse adds {(1 / with_rep - 1 / without) * 1e6:.0f} µs/article)"
    )
    # Worst cases at the 1 MiB input limit: many distinct articles, and one article repeated ~400 times.
    print("\n## 1 MB bodies (one pass each)")
    results["large"] = {}
    for label, large in (
        ("BBC articles concatenated", "\n\n".join(english)[:1_000_000]),
        ("one BBC article repeated", "\n\n".join([english[0]] * (1_000_000 // len(english[0]) + 1))[:1_000_000]),
    ):
        started = time.perf_counter()
        report = run(large)
        elapsed = (time.perf_counter() - started) * 1e3
        results["large"][label] = {"ms": elapsed, "spans": len(report.spans), "removed_chars": report.removed_chars}
        print(f"{label:28} {elapsed:6.0f} ms, {len(report.spans)} spans, {report.removed_chars} characters removed")

    seed = orjson.loads((DATA.parent / "fixtures" / "seed-article.json").read_bytes())["body"]
    search = candidate_search(seed, config)
    results["candidate_search"] = search
    print(
        f"\n## sentence LSH on the seed's {search['sentences']:.0f} sentences (best of 5 x 200)\n"
        f"datasketch MinHashLSH (LeanMinHash insert + query per sentence): {search['datasketch_us']:7.0f} µs\n"
        f"band kernel (candidates.lsh_pairs):                             {search['kernel_us']:7.1f} µs"
    )
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
