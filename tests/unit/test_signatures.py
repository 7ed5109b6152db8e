"""Signatures: bit-for-bit datasketch affine32 compatibility, composition, LSH use, estimate accuracy."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import numba
import numpy as np
import orjson
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH

from newsdedup.core import compiled
from newsdedup.core.config import DetectionConfig
from newsdedup.core.normalize import detect_language, normalize_text
from newsdedup.core.signatures import EMPTY_VALUE, Signer, content_hash, estimate_similarity, shingle_hash

ENGLISH = "The central bank kept its main interest rate unchanged on Thursday, citing slower inflation."
ARABIC = normalize_text("أعلن البنك المركزي يوم الخميس إبقاء سعر الفائدة الرئيسي دون تغيير بسبب تباطؤ التضخم.")
MIXED = "قال الوزير إن شركة Apple 😀 ستفتتح مكتباً في الرياض عام ٢٠٢٥"


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer(DetectionConfig())


def shingles(text: str, n: int) -> list[str]:
    """The shingles as defined in signatures.py: every run of n code points, or the whole short text."""
    if not text:
        return []
    if len(text) < n:
        return [text]
    return [text[i : i + n] for i in range(len(text) - n + 1)]


def datasketch_signature(text: str, config: DetectionConfig, as_bytes: bool = False) -> np.ndarray:
    items = shingles(text, config.shingle_size)
    m = MinHash(num_perm=config.num_perm, seed=config.seed, hashfunc=shingle_hash, scheme="affine32")
    m.update_batch([s.encode("utf-8") for s in items] if as_bytes else items)
    values: np.ndarray = m.hashvalues
    return values


def test_shingle_hash_is_murmur3_of_utf32_code_points() -> None:
    # Published MurmurHash3_x86_32 vectors, seed 0: four zero bytes, and the empty input.
    assert shingle_hash("\x00") == 0x2362F9DE
    assert shingle_hash("") == 0
    assert shingle_hash("سلام") == shingle_hash("سلام".encode())


def test_shingle_hash_equals_mmh3_when_installed() -> None:
    mmh3 = pytest.importorskip("mmh3")  # not a dependency; the definition is checked when it is present
    rng = random.Random(3)
    alphabet = [chr(c) for c in [*range(32, 127), *range(0x0600, 0x0700), *range(0x1F600, 0x1F650)]]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        assert shingle_hash(text) == mmh3.hash(text.encode("utf-32-le"), 0, signed=False)


@pytest.mark.parametrize("text", [ENGLISH, ARABIC, MIXED, "abcd", "a", "", "aaaaaaa", "ab cd"])
@pytest.mark.parametrize("as_bytes", [False, True])
def test_signature_equals_datasketch(signer: Signer, text: str, as_bytes: bool) -> None:
    expected = datasketch_signature(text, signer.config, as_bytes)
    got = signer.signature(text)
    assert got.dtype == np.uint32
    assert got.shape == (128,)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(("num_perm", "seed", "n"), [(64, 42, 3), (256, 7, 9), (16, 0, 2), (1024, 2**32 - 1, 12)])
def test_signature_equals_datasketch_for_other_settings(num_perm: int, seed: int, n: int) -> None:
    config = DetectionConfig(num_perm=num_perm, seed=seed, shingle_size=n)
    signer = Signer(config)
    for text in (ENGLISH, ARABIC, MIXED, "xy"):
        np.testing.assert_array_equal(signer.signature(text), datasketch_signature(text, config))


def test_lone_surrogates_are_code_points(signer: Signer) -> None:
    # json.loads accepts "\\ud800"; such text must sign, not raise UnicodeEncodeError.
    text = normalize_text("broken \ud800 surrogate \udfff text")
    assert text == "broken \ud800 surrogate \udfff text"
    np.testing.assert_array_equal(signer.signature(text), datasketch_signature(text, signer.config))
    assert len(content_hash(text)) == 32
    assert detect_language(text) == "en"


def test_empty_text_has_the_empty_signature(signer: Signer) -> None:
    sig = signer.signature("")
    assert (sig == EMPTY_VALUE).all()
    assert Signer.is_empty(sig)
    assert signer.to_lean_minhash(sig).is_empty()
    assert not Signer.is_empty(signer.signature("a"))


@pytest.mark.parametrize("text", [ENGLISH, ARABIC, MIXED, "abc", ""])
def test_shingle_set_is_sorted_unique_hashes(signer: Signer, text: str) -> None:
    expected = sorted({shingle_hash(s) for s in shingles(text, 5)})
    got = signer.shingle_set(text)
    assert got.dtype == np.uint32
    assert got.tolist() == expected


def test_shingle_set_of_long_text(signer: Signer) -> None:
    rng = random.Random(2)
    text = "".join(rng.choice("abcdef ابتثج") for _ in range(20000))  # many repeated shingles
    got = signer.shingle_set(text)
    assert got.tolist() == sorted({shingle_hash(text[i : i + 5]) for i in range(len(text) - 4)})


def test_segment_signatures_match_single_signatures(signer: Signer) -> None:
    segments = [ENGLISH, "", "ab", ARABIC, MIXED, "x"]
    rows = signer.segment_signatures(segments)
    assert rows.shape == (len(segments), 128)
    for row, segment in zip(rows, segments, strict=True):
        np.testing.assert_array_equal(row, signer.signature(segment))
    assert signer.segment_signatures([]).shape == (0, 128)


def test_minimum_of_segment_signatures_is_signature_of_union(signer: Signer) -> None:
    segments = [ENGLISH, ARABIC, "short", MIXED, "ab"]
    union = sorted({s for seg in segments for s in shingles(seg, 5)})
    m = MinHash(num_perm=128, seed=1, hashfunc=shingle_hash, scheme="affine32")
    m.update_batch(union)
    np.testing.assert_array_equal(signer.segment_signatures(segments).min(axis=0), m.hashvalues)


def test_lean_minhash_works_in_datasketch_lsh(signer: Signer) -> None:
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    original = normalize_text(ENGLISH + " Markets barely moved after the announcement in the capital.")
    copy = normalize_text(ENGLISH + " Markets hardly moved after the announcement in the capital.")
    other = normalize_text("Heavy rain flooded several roads in the north of the country on Sunday morning.")
    lean = signer.to_lean_minhash(signer.signature(original))
    assert isinstance(lean, LeanMinHash)
    assert lean.scheme == "affine32"
    lsh.insert("a1", lean)
    lsh.insert("ar1", signer.to_lean_minhash(signer.signature(ARABIC)))
    assert lsh.query(signer.to_lean_minhash(signer.signature(copy))) == ["a1"]
    assert lsh.query(signer.to_lean_minhash(signer.signature(other))) == []
    # And it compares with a MinHash that datasketch built itself from the same shingles.
    reference = MinHash(num_perm=128, seed=1, hashfunc=shingle_hash, scheme="affine32")
    reference.update_batch(shingles(original, 5))
    assert lean.jaccard(reference) == 1.0


def test_to_lean_minhash_rejects_wrong_length(signer: Signer) -> None:
    with pytest.raises(ValueError, match="128"):
        signer.to_lean_minhash(np.zeros(64, dtype=np.uint32))


def _exact_jaccard(signer: Signer, a: str, b: str) -> float:
    sa, sb = signer.shingle_set(a), signer.shingle_set(b)
    inter = np.intersect1d(sa, sb, assume_unique=True).size
    return inter / (sa.size + sb.size - inter)


def test_estimates_track_exact_jaccard(signer: Signer) -> None:
    rng = random.Random(11)
    words = [f"{w}{i}" for i, w in enumerate(["market", "oil", "rain", "vote", "bank", "city"] * 60)]
    errors = []
    for keep in (0.1, 0.3, 0.5, 0.7, 0.9, 1.0):
        for _ in range(5):
            base = rng.sample(words, 120)
            changed = [w if rng.random() < keep else rng.choice(words) for w in base]
            a, b = " ".join(base), " ".join(changed)
            exact = _exact_jaccard(signer, a, b)
            estimate = estimate_similarity(signer.signature(a), signer.signature(b))
            errors.append(abs(estimate - exact))
    # Standard error of a 128-permutation estimate is at most 0.044; the data are seeded.
    assert max(errors) < 0.15
    assert float(np.mean(errors)) < 0.04


def test_estimate_similarity_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="lengths"):
        estimate_similarity(np.zeros(128, dtype=np.uint32), np.zeros(64, dtype=np.uint32))


def test_content_hash() -> None:
    assert content_hash(ARABIC) == content_hash(str(ARABIC))
    assert content_hash(ARABIC) != content_hash(ARABIC + " ")
    assert len(content_hash("")) == 32
    int(content_hash(ENGLISH), 16)


@pytest.mark.corpus
def test_signature_equals_datasketch_on_real_articles(data_dir: Path, signer: Signer) -> None:
    archive = data_dir / "saudinewsnet" / "2015-07-21.zip"
    with zipfile.ZipFile(archive) as zf:
        articles = orjson.loads(zf.read(zf.namelist()[0]))
    for article in articles[:20]:
        text = normalize_text(article["content"])
        np.testing.assert_array_equal(signer.signature(text), datasketch_signature(text, signer.config))


def test_kernels_compile_without_cache_when_no_cache_dir_is_writable(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, bool]] = []
    real_njit = numba.njit

    def njit_without_locator(cache: bool = False, nogil: bool = False) -> object:
        calls.append({"cache": cache, "nogil": nogil})
        if cache:  # what numba raises when no cache directory is writable
            raise RuntimeError("cannot cache function 'f': no locator available for file 'f.py'")
        return real_njit(cache=cache, nogil=nogil)

    monkeypatch.setattr(numba, "njit", njit_without_locator)

    def add_one(x: int) -> int:
        return x + 1

    assert compiled.jit(add_one)(1) == 2
    assert calls == [{"cache": True, "nogil": True}, {"cache": False, "nogil": True}]


@pytest.mark.slow
def test_numba_cache_dir_is_used(tmp_path: Path) -> None:
    code = (
        "from newsdedup.core.config import DetectionConfig\n"
        "from newsdedup.core.signatures import Signer\n"
        "Signer(DetectionConfig())\n"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=280)
    assert list(tmp_path.rglob("*.nbi")), "the kernels were not cached in NUMBA_CACHE_DIR"


@pytest.mark.parametrize("text", ["", "abc", "breaking news from the capital", ARABIC])
def test_signature_and_set_equal_the_separate_calls(signer: Signer, text: str) -> None:
    sig, shingles = signer.signature_and_set(text)
    assert np.array_equal(sig, signer.signature(text))
    assert np.array_equal(shingles, signer.shingle_set(text))
