"""Watch, waking: Linux's inotify -> a wait that ends as soon as a file under the watched
folders changes, so `build --watch` and `linesheets serve` rebuild an edit at once instead of
at their next look.

Only the wake-up comes from here: what changed is still found by comparing the folders'
snapshots (generator/watch.py), which stay the truth when events are lost (a full queue, a
folder made and filled between two reads) or when inotify is missing (another system, the
limit of watches reached): the wait then just sleeps until the next look.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import struct
import time
from collections.abc import Callable, Iterable
from pathlib import Path

# <sys/inotify.h>
_IN_MODIFY, _IN_ATTRIB, _IN_CLOSE_WRITE = 0x2, 0x4, 0x8
_IN_MOVED_FROM, _IN_MOVED_TO, _IN_CREATE, _IN_DELETE = 0x40, 0x80, 0x100, 0x200
_IN_DELETE_SELF, _IN_MOVE_SELF = 0x400, 0x800
_IN_Q_OVERFLOW, _IN_ISDIR = 0x4000, 0x40000000
_IN_ONLYDIR, _IN_DONT_FOLLOW = 0x1000000, 0x2000000
_MASK = (_IN_MODIFY | _IN_ATTRIB | _IN_CLOSE_WRITE | _IN_MOVED_FROM | _IN_MOVED_TO | _IN_CREATE
         | _IN_DELETE | _IN_DELETE_SELF | _IN_MOVE_SELF | _IN_ONLYDIR | _IN_DONT_FOLLOW)
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, length of the name that follows
_READ = 64 * 1024

Skip = Callable[[str], bool]  # a folder the watch leaves out (hidden, the build's output)


class ChangeSignal:
    """Folders' change events, waited on; a plain sleep where inotify is not to be had."""

    def __init__(self, roots: Iterable[Path], skip: Skip) -> None:
        self._skip = skip
        self._fd: int | None = None
        self._folders: dict[int, str] = {}  # watch descriptor -> folder
        add_watch = _inotify()
        if add_watch is None:
            return
        init, self._add = add_watch
        fd = init(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            return
        self._fd = fd
        for root in roots:
            if not self._watch_tree(str(root)):
                self.close()  # a partial watch would miss edits: sleep and look instead
                return

    @property
    def live(self) -> bool:
        """Whether changes wake the wait (else it sleeps its whole timeout)."""
        return self._fd is not None

    def wait(self, timeout: float) -> bool:
        """Wait until a file under the folders changes (True) or `timeout` seconds pass
        (False); the events that woke it are read and dropped."""
        if self._fd is None:
            time.sleep(timeout)
            return False
        poller = select.poll()  # not select(): no limit on the descriptor's number
        poller.register(self._fd, select.POLLIN)
        if not poller.poll(max(0, int(timeout * 1000))):
            return False
        self._drain()
        return True

    def __del__(self) -> None:  # a watcher dropped without running (tests) frees its fd
        with contextlib.suppress(Exception):  # at interpreter exit, whatever is left
            self.close()

    def close(self) -> None:
        """Stop watching."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
        self._folders.clear()

    def _drain(self) -> None:
        """Read every pending event; watch the folders made meanwhile."""
        assert self._fd is not None
        while True:
            try:
                data = os.read(self._fd, _READ)
            except BlockingIOError:
                return
            offset = 0
            while offset + _EVENT.size <= len(data):
                wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
                name = data[offset + _EVENT.size:offset + _EVENT.size + length].rstrip(b"\0")
                offset += _EVENT.size + length
                folder = self._folders.get(wd)
                if mask & _IN_CREATE and mask & _IN_ISDIR and folder is not None:
                    self._watch_tree(os.path.join(folder, os.fsdecode(name)))  # noqa: PTH118
                elif mask & (_IN_DELETE_SELF | _IN_MOVE_SELF):
                    self._folders.pop(wd, None)

    def _watch_tree(self, root: str) -> bool:
        """Watch a folder and the folders under it; False when the system refuses a watch
        (its limit of watches reached) for a folder that still exists."""
        assert self._fd is not None
        for folder, folders, _files in os.walk(root):
            if self._skip(folder):
                folders[:] = []
                continue
            wd = self._add(self._fd, os.fsencode(folder), _MASK)
            if wd < 0:
                if os.path.isdir(folder):  # noqa: PTH112 - removed meanwhile is no failure
                    return False
                folders[:] = []
                continue
            self._folders[wd] = folder
        return True


def _inotify() -> tuple[Callable[[int], int], Callable[[int, bytes, int], int]] | None:
    """libc's inotify_init1 and inotify_add_watch, or None where there are none."""
    try:
        # The running interpreter's own symbols, libc's among them: no library search.
        libc = ctypes.CDLL(None, use_errno=True)
        init, add = libc.inotify_init1, libc.inotify_add_watch
    except (OSError, AttributeError, TypeError):  # not Linux
        return None
    init.argtypes, init.restype = [ctypes.c_int], ctypes.c_int
    add.argtypes, add.restype = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32], ctypes.c_int
    return init, add
