"""Render stage helper: hand the C allocator's free memory back to the system.

A render process makes pages of up to half a megabyte one after another (a linesheet of
hundreds of cards), and glibc keeps what each one freed inside its heap, between blocks still
in use (the cards and amounts kept for the build), so every process stays at its high-water
mark until the build ends. `malloc_trim` returns the free pages in the middle of the heap too.
Measured on the 24k-page bench site, called after each chunk of pages: the build's peak 4 to
6 MiB lower (116.3-117.3 MiB against 120.1-123.1, alternating), at about a tenth of a
millisecond a call.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library has none (musl, macOS)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim  # the process's own libc
    except (OSError, AttributeError):
        return None
    return trim


_TRIM = _malloc_trim()


def release_free_memory() -> None:
    """Return the C heap's free pages to the system, where the C library can."""
    if _TRIM is not None:
        _TRIM(0)
