"""Why was a labelled pair linked or not? Replays a stream and, when a pair's later article arrives, asks.

For every pair of a pairs file (`newsdedup eval --pairs` format) whose later article is being decided, it
reports whether each candidate path proposed the earlier article (the character LSH, the lead rare-term
LSH), the verifier's verdict on the pair with its evidence, and the decision the article got. The window
is the real one (the whole stream before the article), so this is what the service saw.

    PYTHONPATH=services python bench/explain_pairs.py bench/out/reuters-stream.jsonl bench/out/reuters-pairs.tsv \
        [--only-wrong] > bench/out/reuters-explained.jsonl
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from newsdedup.core.article import parse_article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.dedup import Decision, Deduplicator, _Candidate
from newsdedup.core.pipeline import prepare
from newsdedup.core.signatures import Signer
from newsdedup.core.terms import Rarity
from newsdedup.core.verify import DEFAULT_RULES, DedupRules
from newsdedup.evaluation.pairs import read_pairs


class ExplainingDeduplicator(Deduplicator):
    """A Deduplicator that, for chosen articles, records what each path and the verifier said of chosen pairs."""

    def __init__(
        self, config: DetectionConfig, signer: Signer, wanted: dict[str, list[str]], rules: DedupRules = DEFAULT_RULES
    ) -> None:
        super().__init__(config, signer, rules)
        self.wanted = wanted  # later id -> earlier ids
        self.notes: dict[tuple[str, str], dict[str, Any]] = {}

    def _decide(
        self, new: _Candidate, rarity: Rarity, lead_signature: npt.NDArray[np.uint32] | None, own_cluster: str | None
    ) -> Decision:
        later = new.prepared.article_id
        for earlier in self.wanted.get(later, ()):
            entry = self.index.get(earlier)
            note: dict[str, Any] = {"in_window": entry is not None, "stories_in_window": self.index.terms.documents,
                                    "rare_max_df": rarity.max_df}
            if entry is not None:
                ids, _, _ = self.index.query_estimates(new.prepared.signature, self.rules.max_bucket)
                note["char_path"] = earlier in ids
                note["lead_path"] = earlier in self.index.query_lead(lead_signature, self.rules.max_bucket)
                verdict = self._judge(new, self._cached(entry), rarity)
                note["verdict"] = verdict.kind
                note["evidence"] = verdict.evidence
            self.notes[(earlier, later)] = note
        return super()._decide(new, rarity, lead_signature, own_cluster)


def read_stream(path: Path) -> Iterator[dict[str, Any]]:
    """The stream's articles as decoded JSON objects, in file order."""
    with path.open("rb") as lines:
        for line in lines:
            if line.strip():
                yield orjson.loads(line)


def main(argv: list[str] | None = None) -> int:
    """Replay the stream and write one JSON line per labelled pair."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stream", type=Path)
    parser.add_argument("pairs", type=Path)
    parser.add_argument("--only-wrong", action="store_true", help="only pairs whose outcome disagrees with the label")
    parser.add_argument("--threshold", type=float, default=DetectionConfig().threshold)
    parser.add_argument("--rule", action="append", default=[], metavar="NAME=VALUE",
                        help="override a DedupRules field (repeatable), e.g. --rule story_containment=0.5")
    args = parser.parse_args(argv)
    overrides: dict[str, Any] = {}
    for item in args.rule:
        name, _, value = item.partition("=")
        overrides[name] = type(getattr(DEFAULT_RULES, name))(value)
    rules = replace(DEFAULT_RULES, **overrides)
    pairs = read_pairs(args.pairs.read_text(encoding="utf-8").splitlines())
    config = DetectionConfig(threshold=args.threshold)
    signer = Signer(config)
    position: dict[str, int] = {}
    articles = list(read_stream(args.stream))
    for n, obj in enumerate(articles):
        position[obj["id"]] = n
    wanted: dict[str, list[str]] = {}
    for pair in pairs:
        earlier, later = sorted((pair.id_a, pair.id_b), key=lambda key: position.get(key, -1))
        wanted.setdefault(later, []).append(earlier)
    dedup = ExplainingDeduplicator(config, signer, wanted, rules)
    decisions: dict[str, Decision] = {}
    now = datetime.now(UTC)
    for obj in articles:
        article = parse_article(obj)
        decisions[article.id] = dedup.decide(prepare(article, signer, config), now)
    counts = {"same": 0, "different": 0, "linked_same": 0, "linked_different": 0}
    for pair in pairs:
        earlier, later = sorted((pair.id_a, pair.id_b), key=lambda key: position.get(key, -1))
        if earlier not in decisions or later not in decisions:
            continue
        linked = decisions[earlier].cluster_id == decisions[later].cluster_id
        counts[pair.verdict] += 1
        counts[f"linked_{pair.verdict}"] += linked
        if args.only_wrong and linked == (pair.verdict == "same"):
            continue
        out = {"earlier": earlier, "later": later, "label": pair.verdict, "reason": pair.reason, "linked": linked,
               "decision": decisions[later].to_json(), **dedup.notes.get((earlier, later), {})}
        sys.stdout.buffer.write(orjson.dumps(out) + b"\n")
    linked_pairs = counts["linked_same"] + counts["linked_different"]
    precision = counts["linked_same"] / linked_pairs if linked_pairs else 0.0
    recall = counts["linked_same"] / counts["same"] if counts["same"] else 0.0
    print(f"threshold {args.threshold} rules {overrides}: linked {linked_pairs}, precision {precision:.3f}, "
          f"recall {recall:.3f} ({counts})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
