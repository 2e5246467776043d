"""_trim.release_free_memory: the C heap's free pages go back to the system (glibc)."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest

from generator._trim import release_free_memory


def _private_dirty() -> int:
    for line in Path("/proc/self/smaps_rollup").read_text(encoding="ascii").splitlines():
        if line.startswith("Private_Dirty:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no Private_Dirty in smaps_rollup")


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_memory_freed_between_blocks_in_use_goes_back() -> None:
    # 40 MB of strings too large for Python's own allocator, every 50th kept: what is freed
    # lies between blocks in use, where the heap cannot shrink from its top.
    strings = [f"{n:08d}" * 128 for n in range(40_000)]
    kept = strings[::50]
    del strings
    before = _private_dirty()
    release_free_memory()
    assert before - _private_dirty() > 16 * 2**20
    assert len(kept) == 800
