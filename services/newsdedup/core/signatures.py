"""Character shingles and MinHash signatures, bit-compatible with datasketch 2.x's "affine32" scheme.

A shingle is a run of `shingle_size` consecutive code points of the normalised text. Its hash is
MurmurHash3 x86_32 (seed 0) of the shingle's UTF-32-LE encoding, i.e. murmur3 with one 4-byte block
per code point (`shingle_hash`). The signature is what datasketch computes for

    MinHash(num_perm, seed=seed, hashfunc=shingle_hash, scheme="affine32").update_batch(shingles)

namely, per permutation k, the minimum over shingles of (a_k * fmix32(h) + b_k) mod 2**32, with the
(a, b) datasketch draws from `seed`. The numba kernel reads the code points straight from the text's
UTF-32 buffer, so there is no Python-level work per shingle. Text shorter than one shingle is a single
shingle (the whole text); empty text has datasketch's empty signature (every value 2**32 - 1).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from datasketch import LeanMinHash, MinHash

from newsdedup.core import _kernels
from newsdedup.core.config import DetectionConfig

SCHEME = "affine32"
EMPTY_VALUE = 0xFFFFFFFF  # datasketch's initial (empty) hash value for affine32

Signature = npt.NDArray[np.uint32]

_M32 = 0xFFFFFFFF


def _rotl32(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & _M32


def shingle_hash(shingle: str | bytes) -> int:
    """The 32-bit hash of one shingle (pure Python): murmur3_x86_32, seed 0, of its UTF-32-LE code points.

    `bytes` are taken as UTF-8 text, so `shingle_hash(s) == shingle_hash(s.encode())`; the numba kernel
    computes the identical value.
    """
    text = shingle.decode("utf-8", errors="surrogatepass") if isinstance(shingle, bytes) else shingle
    h = 0
    for char in text:
        k = (ord(char) * _kernels.C1) & _M32
        k = (_rotl32(k, 15) * _kernels.C2) & _M32
        h = _rotl32(h ^ k, 13)
        h = (h * 5 + _kernels.N) & _M32
    h ^= (4 * len(text)) & _M32
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _M32
    return h ^ (h >> 16)


def _code_points(text: str) -> npt.NDArray[np.uint32]:
    """The code points of `text` as uint32, through the C codec (no per-character Python work).

    A lone surrogate (JSON allows "\\ud800") is a code point like any other, as in `shingle_hash`.
    """
    return np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)


def content_hash(normalized: str) -> str:
    """The exact-duplicate key of a normalised text: blake2b-128 of its UTF-8, as 32 hex digits."""
    return hashlib.blake2b(normalized.encode("utf-8", errors="surrogatepass"), digest_size=16).hexdigest()


def estimate_similarity(sig_a: Signature, sig_b: Signature) -> float:
    """The MinHash estimate of the Jaccard similarity: the share of equal signature values."""
    if sig_a.shape != sig_b.shape:
        raise ValueError(f"signatures of different lengths cannot be compared: {sig_a.shape} vs {sig_b.shape}")
    return float(np.count_nonzero(sig_a == sig_b)) / float(sig_a.shape[0])


def exact_jaccard(set_a: npt.NDArray[np.uint32], set_b: npt.NDArray[np.uint32]) -> float:
    """The Jaccard similarity of two shingle sets as `Signer.shingle_set` returns them (sorted, unique).

    Two empty sets count as identical (1.0), like the empty signatures, which are equal.
    """
    shared = _kernels.intersection_size(set_a, set_b)
    union = set_a.shape[0] + set_b.shape[0] - shared
    return shared / union if union else 1.0


class Signer:
    """Turns normalised text into shingle hashes and MinHash signatures for one DetectionConfig."""

    def __init__(self, config: DetectionConfig) -> None:
        self.config = config
        self.num_perm = config.num_perm
        self.seed = config.seed
        self.shingle_size = config.shingle_size
        # The permutations datasketch derives from the seed, drawn once (the setup cost of a signer).
        a, b = MinHash(num_perm=config.num_perm, seed=config.seed, scheme=SCHEME).permutations
        self._a = np.ascontiguousarray(a, dtype=np.uint32)
        self._b = np.ascontiguousarray(b, dtype=np.uint32)
        # Compile (or load from the numba cache) now rather than on the first article.
        self.signature("warm up")
        self.segment_signatures(["warm", "up"])
        self.shingle_set("warm up")
        self.signature_and_set("warm up")

    def signature(self, normalized: str) -> Signature:
        """The MinHash signature of one normalised text: uint32 array of shape (num_perm,)."""
        return _kernels.signature(_code_points(normalized), self.shingle_size, self._a, self._b)

    def signature_and_set(self, normalized: str) -> tuple[Signature, npt.NDArray[np.uint32]]:
        """`signature` and `shingle_set` of one text together, cheaper than the two calls."""
        sig, unique = _kernels.signature_and_set(_code_points(normalized), self.shingle_size, self._a, self._b)
        return sig, unique

    def segment_signatures(self, normalized_segments: Sequence[str]) -> npt.NDArray[np.uint32]:
        """Signatures of many normalised segments in one kernel call: uint32 array (n, num_perm).

        Shingles do not cross segment boundaries, so the element-wise minimum over some rows is the
        signature of the union of those segments' shingle sets.
        """
        lengths = np.fromiter((len(s) for s in normalized_segments), dtype=np.int64, count=len(normalized_segments))
        offsets = np.zeros(len(normalized_segments) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        code_points = _code_points("".join(normalized_segments))
        return _kernels.segment_signatures(code_points, offsets, self.shingle_size, self._a, self._b)

    def shingle_set(self, normalized: str) -> npt.NDArray[np.uint32]:
        """The sorted unique shingle hashes of a normalised text, for exact Jaccard."""
        return _kernels.unique_shingle_hashes(_code_points(normalized), self.shingle_size)

    def to_lean_minhash(self, sig: Signature) -> LeanMinHash:
        """Wrap a signature as the datasketch LeanMinHash that MinHashLSH accepts (same seed and scheme)."""
        if sig.shape != (self.num_perm,):
            raise ValueError(f"expected a signature of {self.num_perm} values, got shape {sig.shape}")
        return LeanMinHash(seed=self.seed, hashvalues=sig, scheme=SCHEME)

    @staticmethod
    def estimate_similarity(sig_a: Signature, sig_b: Signature) -> float:
        """The MinHash estimate of the Jaccard similarity (see the module-level function)."""
        return estimate_similarity(sig_a, sig_b)

    @staticmethod
    def is_empty(sig: Signature) -> bool:
        """True for the signature of empty text (no shingle at all)."""
        return bool(np.all(sig == EMPTY_VALUE))
