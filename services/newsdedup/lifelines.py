"""Tie a child process's life to its parent's, so that a parent killed with -9 leaves nothing running."""

from __future__ import annotations

import contextlib
import ctypes
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: signal.Signals) -> None:
    """Ask Linux to send `sig` to this process when the thread that started it dies; elsewhere, do nothing."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, int(sig))
