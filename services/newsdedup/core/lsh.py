"""datasketch's MinHashLSH, with an article's band keys computed once and shared by its query and insert.

Every article is first queried, then inserted with the same signature. datasketch computes the band
keys on each call, one numpy slice, byteswap and bytes copy per band (42 bands: about 40 µs per call),
and checks the MinHash scheme each time. Here one byteswap of the whole signature gives every band's
key as a slice of one bytes object: the keys are the bytes datasketch itself makes (tests/unit/test_lsh.py
checks it against `MinHashLSH.query`, `insert` and `remove`), the hash tables are datasketch's own, and
its query, insert and remove give the same results.

Memory: most band keys are filed under by one article only (a chance collision of a 3-row band, or a
lead's rare terms), and an empty set costs 216 bytes, so a bucket holding one key holds the key itself
(the str); it becomes a set when a second key arrives and the key again when it shrinks back to one.
With 42 character bands and 64 lead bands per article, that is most of an indexed article's memory
(docs/BENCHMARKS.md). Only the methods below read the buckets: datasketch's other readers of bucket
contents (get_counts, get_subset_counts) are refused.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from datasketch import MinHashLSH
from datasketch.storage import DictSetStorage


class BandedLSH(MinHashLSH):  # type: ignore[misc]  # datasketch ships no type information
    """A MinHashLSH (in-memory storage, str keys) whose query and insert take precomputed band keys."""

    def __init__(self, num_perm: int, bands: int, rows: int, scheme: str) -> None:
        super().__init__(num_perm=num_perm, params=(bands, rows))
        self._minhash_scheme = scheme  # what datasketch learns from the first insert, set once here
        # DictSetStorage is documented as a wrapper around defaultdict(set); its get() allocates an empty
        # set for every band that misses and insert() goes through *args, about half the time of a
        # query and insert, so the band tables are read and filled through that dict directly.
        if not all(isinstance(table, DictSetStorage) for table in self.hashtables):
            raise TypeError("BandedLSH needs datasketch's in-memory storage")
        self._tables = [table._dict for table in self.hashtables]
        # One slice per band of a uint32 signature, made once: a band's key is then one C-level slice.
        self._slices = [slice(start * 4, end * 4) for start, end in self.hashranges]

    def band_keys(self, signature: npt.NDArray[np.uint32]) -> list[bytes]:
        """The bytes under which `signature` is filed in each band's hash table."""
        if signature.shape != (self.h,):
            raise ValueError(f"expected a signature of {self.h} values, got shape {signature.shape}")
        whole = signature.byteswap().tobytes()
        if signature.itemsize != 4:  # the slices made once are cut for 4-byte values
            width = signature.itemsize
            return [whole[start * width : end * width] for start, end in self.hashranges]
        return [*map(whole.__getitem__, self._slices)]

    def query_keys(self, keys: list[bytes], max_bucket: int | None = None) -> set[str]:
        """Keys filed under any of the band keys (the candidates `query` would return).

        With `max_bucket`, a bucket holding more keys than that is skipped: a band shared by that many
        articles is common phrasing (a template's fixed wording), not a sign of a copy, and reading it
        would make every query cost as much as the template has issues. A real copy shares the bands
        that cover what is particular to its original as well.
        """
        if len(keys) != len(self._tables):
            raise ValueError(f"expected {len(self._tables)} band keys, got {len(keys)}")
        found: set[str] = set()
        # Most bands miss: the lookups run in C (map), and only the buckets found reach Python.
        for bucket in filter(None, map(dict.get, self._tables, keys)):
            if bucket.__class__ is str:
                if max_bucket is None or max_bucket >= 1:
                    found.add(bucket)
            elif max_bucket is None or len(bucket) <= max_bucket:
                found.update(bucket)
        return found

    def remove(self, key: str) -> None:
        """Take `key` out of every band's table (datasketch's `remove`, through the tables directly).

        datasketch's own goes through three storage methods per band; with the lead path's 64 one-row
        bands that was most of the cost of an article leaving the window.
        """
        if key not in self.keys:
            raise ValueError("The given key does not exist")
        band_keys, tables = self.keys.get(key), self._tables
        for table, band_key, bucket in zip(tables, band_keys, map(dict.__getitem__, tables, band_keys), strict=True):
            if bucket.__class__ is str:
                del table[band_key]
                continue
            bucket.remove(key)
            if len(bucket) == 1:
                table[band_key] = next(iter(bucket))
        self.keys.remove(key)

    def insert_keys(self, key: str, keys: list[bytes]) -> None:
        """File `key` under its band keys (the caller guarantees the key is new)."""
        if len(keys) != len(self._tables):
            raise ValueError(f"expected {len(self._tables)} band keys, got {len(keys)}")
        self.keys.insert(key, *keys)
        for table, band_key in zip(self._tables, keys, strict=True):
            bucket = table.get(band_key)
            if bucket is None:
                table[band_key] = key
            elif bucket.__class__ is str:
                table[band_key] = {bucket, key}
            else:
                bucket.add(key)

    def insert(self, key: str, minhash: object, check_duplication: bool = True) -> None:
        """datasketch's insert of a MinHash, filed through `insert_keys`."""
        if check_duplication and key in self.keys:
            raise ValueError("The given key already exists")
        self.insert_keys(key, self._minhash_keys(minhash))

    def query(self, minhash: object) -> list[str]:
        """datasketch's query of a MinHash, answered by `query_keys`."""
        return list(self.query_keys(self._minhash_keys(minhash)))

    def _minhash_keys(self, minhash: object) -> list[bytes]:
        values = minhash.hashvalues  # type: ignore[attr-defined]
        if len(values) != self.h:
            raise ValueError(f"expected a MinHash of {self.h} permutations, got {len(values)}")
        return [self._H(values[start:end]) for start, end in self.hashranges]

    def get_counts(self) -> object:
        """Refused: buckets of one key are stored as the key (see the module's docstring)."""
        raise NotImplementedError("BandedLSH stores one-key buckets as the key: count through query_keys")

    def get_subset_counts(self, *keys: str) -> object:
        """Refused, as get_counts."""
        raise NotImplementedError("BandedLSH stores one-key buckets as the key: count through query_keys")
