"""From an article to a decision and an output record.

`prepare` is the stateless, CPU-heavy half (repetition cleaning, normalisation, content hash,
signature): it scales with partitions and workers, and its result travels between worker stages as
bytes. `Deduplicator.decide` is the stateful half. `build_record` writes the record that `newsdedup
scan` and the worker's clean topic share.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from newsdedup.core.article import Article
from newsdedup.core.config import DetectionConfig
from newsdedup.core.dedup import Decision, Deduplicator
from newsdedup.core.normalize import detect_language, normalize_text
from newsdedup.core.packing import pack_text
from newsdedup.core.prepared import PreparedArticle
from newsdedup.core.repetition import RepetitionReport, analyse
from newsdedup.core.signatures import Signer, content_hash

Analyser = Callable[[str, Signer, DetectionConfig], RepetitionReport]

# The most of an article's compared text (UTF-8 bytes) that signatures, verification and the index use:
# about 40,000 words, far past any news item. Past it a text is judged on its beginning (its content
# hash still covers all of it, so an exact copy is still exact), and an index entry, which keeps the
# compared text for verification, stays small enough for its state-topic record (app/budget.py).
MAX_COMPARED_BYTES = 256 * 1024


def compared_text(title: str | None, body: str) -> str:
    """The text articles are compared on, before normalisation: title and body, a line apart."""
    return f"{title}\n{body}" if title else body


def normalized_compared_text(title: str | None, body: str, normalized_body: str | None = None) -> str:
    """normalize_text(compared_text(title, body)), reusing the body's normal form when one is at hand.

    The fold turns the line feed between title and body into one space and trims both ends, so the
    two parts can be normalised apart, unless markup in the title could reach across the line feed.
    tests/unit/test_pipeline.py checks the equality on the corpora.
    """
    if normalized_body is None or (title and ("<" in title or "&" in title)):
        return normalize_text(compared_text(title, body))
    head = normalize_text(title) if title else ""
    return f"{head} {normalized_body}" if head and normalized_body else head or normalized_body


def prepare(
    article: Article, signer: Signer, config: DetectionConfig, repetition: Analyser | None = None
) -> PreparedArticle:
    """Clean, normalise, hash and sign one article (pure: same input, same output).

    `repetition` replaces the repetition analysis (core.repetition.analyse by default); it runs only
    when config.repetition is on, and cross-article detection then compares the cleaned body.
    """
    normalized_body = None
    if config.repetition:
        report = (repetition or analyse)(article.body, signer, config)
        body, repetition_json = report.cleaned_body, report.to_json()
        normalized_body = report.normalized_body
    else:
        body, repetition_json = article.body, {"detected": False, "removed_chars": 0, "spans": []}
    language = article.language or detect_language(body)
    whole = normalized_compared_text(article.title, body, normalized_body)
    normalized = bounded(whole, MAX_COMPARED_BYTES)
    signature, shingles = signer.signature_and_set(normalized)
    return PreparedArticle(
        article_id=article.id,
        source=article.source,
        published_at=article.published_at.timestamp() if article.published_at is not None else None,
        fields=article.fields,
        title=article.title,
        body=body,
        repetition=repetition_json,
        language=language,
        normalized=normalized,
        packed_text=pack_text(normalized),
        content_hash=content_hash(whole),
        size=int(shingles.size),
        signature=signature,
        shingles=shingles,
    )


def bounded(text: str, max_bytes: int) -> str:
    """The longest start of `text` whose UTF-8 form is at most `max_bytes` (whole characters only)."""
    if len(text) * 4 <= max_bytes:  # no character takes more than four bytes
        return text
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", "ignore")


def build_record(prepared: PreparedArticle, decision: Decision) -> dict[str, Any]:
    """The output record: the input fields as written, cleaned title/body, `dedup` and `repetition`."""
    record = dict(prepared.fields)
    record["body"] = prepared.body
    if prepared.title is not None:
        record["title"] = prepared.title
    record["dedup"] = decision.to_json()
    record["repetition"] = dict(prepared.repetition)
    return record


def process(
    article: Article, signer: Signer, deduplicator: Deduplicator, arrived_at: datetime
) -> tuple[PreparedArticle, Decision]:
    """prepare + decide in one call (the scan command, the evaluation and tests)."""
    prepared = prepare(article, signer, deduplicator.config)
    return prepared, deduplicator.decide(prepared, arrived_at)
