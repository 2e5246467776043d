"""Write stage, on disk: a file's bytes -> the file, whole or not at all.

Every file a build writes goes to a temporary name beside its target and is renamed onto it,
so a reader (or a crash) never sees half a file; these are the few os calls that do it, on
strings, for the tens of thousands of pages a build writes.
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.errors import LinesheetsError


def write_private(target: Path, data: bytes) -> None:
    """Write a private build file (key store, manifest) atomically, readable by its owner only."""
    write_atomic(target, data, mode=0o600)


def write_atomic(target: Path, data: bytes, mode: int = 0o644) -> None:
    """Write a file whole: to a temporary name beside it, then renamed onto it."""
    temporary, _mtime = write_temporary(str(target), data, mode)
    rename(temporary, target)


def write_temporary(target: str, data: bytes, mode: int = 0o644,
                    in_place: bool = False) -> tuple[str, int]:
    """Write bytes to a temporary file beside the target (`in_place`: to the target, in a
    staging folder); return the file written and its mtime (ns)."""
    # A build writes tens of thousands of files: plain os calls on strings and a temporary
    # name made from the process id keep this to open, write, chmod and stat (a file object
    # around the descriptor, and os.makedirs' walk up the parents, were 40 % of it).
    folder, name = os.path.split(target)
    temporary = target if in_place else os.path.join(  # noqa: PTH118
        folder, f".{name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
    try:
        try:
            handle = os.open(temporary, flags, mode)
        except FileNotFoundError:
            _make_folder(folder or ".")
            handle = os.open(temporary, flags, mode)
        try:
            view, written = memoryview(data), 0
            while written < len(view):  # os.write may write less than it was given
                written += os.write(handle, view[written:])
            os.fchmod(handle, mode)  # the umask must not narrow public files
            mtime = os.fstat(handle).st_mtime_ns  # a rename keeps it
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        finally:
            os.close(handle)
    except OSError as exc:
        raise LinesheetsError(f"cannot write '{target}': {exc.strerror}; check the folder's "
                              "permissions and free space") from exc
    return temporary, mtime


def _make_folder(folder: str) -> None:
    """Create a page's folder: usually its parent exists (the pages of a link share it), so
    one mkdir, and os.makedirs only when it does not. Another worker may create it first."""
    try:
        os.mkdir(folder)  # noqa: PTH102 - strings, see write_temporary
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)  # noqa: PTH103


def rename(temporary: str, target: Path | str) -> None:
    """Put a written temporary file onto its target in one step (the temporary file is
    removed if that fails, and the error says what to check)."""
    try:
        os.replace(temporary, target)  # noqa: PTH105 - atomic rename, as fast as it gets
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise LinesheetsError(f"cannot write '{target}': {exc.strerror}; check the folder's "
                              "permissions and free space") from exc


def prune_empty_dirs(folder: Path, out: Path) -> None:
    """Remove a folder a removed file leaves empty, and its parents up to `out`: a build
    leaves no empty folders of pages it no longer has."""
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
