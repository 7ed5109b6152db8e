"""BandedLSH files and finds articles exactly as datasketch's own MinHashLSH does."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHashLSH

from newsdedup.core.lsh import BandedLSH
from newsdedup.core.signatures import SCHEME

NUM_PERM, BANDS, ROWS = 128, 42, 3


def _signatures(count: int, seed: int = 7) -> list[np.ndarray]:
    """Random signatures in families that share some bands, so queries find several keys."""
    rng = np.random.default_rng(seed)
    bases = rng.integers(0, 2**32, size=(8, NUM_PERM), dtype=np.uint32)
    out = []
    for i in range(count):
        sig = bases[i % 8].copy()
        changed = rng.random(NUM_PERM) < 0.7  # most values change: some bands stay equal, most differ
        sig[changed] = rng.integers(0, 2**32, size=int(changed.sum()), dtype=np.uint32)
        out.append(sig)
    return out


def _lean(sig: np.ndarray) -> LeanMinHash:
    return LeanMinHash(seed=1, hashvalues=sig, scheme=SCHEME)


def test_band_keys_are_the_bytes_datasketch_files_under() -> None:
    banded = BandedLSH(NUM_PERM, BANDS, ROWS, SCHEME)
    sig = _signatures(1)[0]
    expected = [banded._H(sig[start:end]) for start, end in banded.hashranges]
    assert banded.band_keys(sig) == expected
    assert all(len(key) == ROWS * 4 for key in expected)


def test_query_and_insert_agree_with_datasketch() -> None:
    banded = BandedLSH(NUM_PERM, BANDS, ROWS, SCHEME)
    reference = MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))
    sigs = _signatures(200)
    total = 0
    for i, sig in enumerate(sigs):
        keys = banded.band_keys(sig)
        found = banded.query_keys(keys)
        assert found == set(reference.query(_lean(sig)))
        total += len(found)
        banded.insert_keys(f"a{i}", keys)
        reference.insert(f"a{i}", _lean(sig))
    assert total > 0  # the families make queries find earlier keys: the comparison is not vacuous
    for i in range(0, 200, 3):  # remove leaves the tables as datasketch's own remove does
        banded.remove(f"a{i}")
        reference.remove(f"a{i}")
    for ours, theirs in zip(banded.hashtables, reference.hashtables, strict=True):
        assert _as_sets(ours._dict) == dict(theirs._dict), "remove must leave the band tables as datasketch's does"
        assert all(isinstance(bucket, str) or len(bucket) > 1 for bucket in ours._dict.values())  # one key: itself
    assert dict(banded.keys._dict) == dict(reference.keys._dict)
    with pytest.raises(ValueError, match="does not exist"):
        banded.remove("a0")
    for sig in sigs:
        assert banded.query_keys(banded.band_keys(sig)) == set(reference.query(_lean(sig)))
    assert set(banded.query(_lean(sigs[1]))) == set(reference.query(_lean(sigs[1])))  # datasketch's query too


def test_band_keys_reject_a_signature_of_the_wrong_length() -> None:
    banded = BandedLSH(NUM_PERM, BANDS, ROWS, SCHEME)
    with pytest.raises(ValueError, match="128"):
        banded.band_keys(np.zeros(64, dtype=np.uint32))


def _as_sets(table: dict[bytes, str | set[str]]) -> dict[bytes, set[str]]:
    """A band table with its one-key buckets (stored as the key) written as sets, as datasketch keeps them."""
    return {band: {bucket} if isinstance(bucket, str) else set(bucket) for band, bucket in table.items()}


def test_a_bucket_of_one_key_is_the_key_and_grows_and_shrinks_through_a_set() -> None:
    banded = BandedLSH(NUM_PERM, BANDS, ROWS, SCHEME)
    sig = _signatures(1)[0]
    keys = banded.band_keys(sig)
    banded.insert_keys("first", keys)
    assert all(table[key] == "first" for table, key in zip(banded._tables, keys, strict=True))
    banded.insert_keys("second", keys)
    assert all(table[key] == {"first", "second"} for table, key in zip(banded._tables, keys, strict=True))
    assert banded.query_keys(keys) == {"first", "second"}
    assert banded.query_keys(keys, max_bucket=1) == set()  # a bucket over the cap is skipped, as before
    banded.remove("first")
    assert all(table[key] == "second" for table, key in zip(banded._tables, keys, strict=True))
    assert banded.query_keys(keys, max_bucket=1) == {"second"}
    banded.remove("second")
    assert all(not table for table in banded._tables)
    with pytest.raises(NotImplementedError):
        banded.get_counts()
