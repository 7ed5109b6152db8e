"""normalize_text against the same rules written plainly (unicodedata + str.translate), on real articles.

    python bench/bench_normalize.py [--articles 6000] [--chars 3000]

Same articles as bench_core.py. Reports µs per article for both, whether every output is identical,
and how many articles fail the NFKC quick check (the ones that pay for real NFKC work).
"""

from __future__ import annotations

import argparse
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evalkit import DATA, load_articles, machine

_PLAIN: dict[int, int | None] = {
    cp: None for cp in [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF, 0xAD]
}
_PLAIN.update({cp: None for cp in [*range(0x064B, 0x0660), 0x0670, 0x0640]})
_PLAIN.update({ord(c): ord("ا") for c in "أإآٱ"})
_PLAIN.update({ord("ى"): ord("ي"), ord("ة"): ord("ه"), ord("ی"): ord("ي"), ord("ک"): ord("ك")})
_PLAIN.update({0x0660 + d: 0x30 + d for d in range(10)})
_PLAIN.update({0x06F0 + d: 0x30 + d for d in range(10)})
_PLAIN.update({cp: 0x20 for cp in range(0x110000) if unicodedata.category(chr(cp)).startswith("P")})


def plain(text: str) -> str:
    """The rules of normalize.py without markup stripping, in the obvious way (for texts without markup)."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_PLAIN)
    return "\x00".join(" ".join(part.split()) for part in folded.split("\x00"))


def per_article_us(func: Callable[[str], str], texts: list[str]) -> tuple[float, list[str]]:
    """Best of three passes, µs per article, and the outputs."""
    best, out = float("inf"), []
    for _ in range(3):
        start = time.perf_counter()
        out = [func(t) for t in texts]
        best = min(best, time.perf_counter() - start)
    return best / len(texts) * 1e6, out


def main(argv: list[str] | None = None) -> int:
    """Time both implementations and compare their outputs."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=6000)
    parser.add_argument("--chars", type=int, default=3000)
    args = parser.parse_args(argv)
    from newsdedup.core.normalize import normalize_text

    texts = [t for _, t in load_articles(DATA, args.articles, args.chars, 0.25)]
    markup = sum("<" in t or "&" in t for t in texts)
    texts = [t for t in texts if "<" not in t and "&" not in t]  # plain() does not strip markup
    normalize_text(texts[0])  # compile or load the kernel outside the timing
    plain_us, expected = per_article_us(plain, texts)
    ours_us, got = per_article_us(normalize_text, texts)
    same = sum(a == b for a, b in zip(expected, got, strict=True))
    slow = sum(not unicodedata.is_normalized("NFKC", t) for t in texts)
    print(f"{len(texts)} articles of {args.chars} characters ({markup} with '<' or '&' left out)")
    print(f"plain unicodedata + str.translate: {plain_us:7.1f} µs/article")
    print(f"normalize_text:                    {ours_us:7.1f} µs/article ({plain_us / ours_us:.1f}x)")
    print(f"identical outputs: {same} of {len(texts)}; not NFKC already: {slow} ({slow / len(texts):.0%})")
    for key, value in machine().items():
        print(f"{key}: {value}")
    return 0 if same == len(texts) else 1


if __name__ == "__main__":
    sys.exit(main())
