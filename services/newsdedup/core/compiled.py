"""numba compilation for the core's kernels (core/_kernels.py, core/repetition/_kernels.py), in one place.

Compiled code is cached on disk (cache=True). numba looks for a writable cache directory in this order:
$NUMBA_CACHE_DIR, __pycache__ beside the kernel's file, then the user-wide cache (~/.cache/numba, or
$XDG_CACHE_HOME). Where none is writable (a read-only image without a home), the kernels are compiled
without a cache, once per process (about a second each), instead of failing at import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

F = TypeVar("F", bound=Callable[..., Any])


def jit(func: F, **options: Any) -> F:
    """numba njit (nogil) with an on-disk cache when a cache directory is writable, without one otherwise."""
    try:
        return cast(F, numba.njit(cache=True, nogil=True, **options)(func))
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return cast(F, numba.njit(nogil=True, **options)(func))
