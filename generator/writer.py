"""Write stage: rendered files -> public/ on disk, atomically, skipping unchanged files.

The writer alone touches the output folder. It keeps a manifest of what it wrote (path ->
SHA-256) so that a rebuild rewrites only changed files (a CDN sync then uploads only those)
and removes only files a previous build wrote, never a file the brand put there by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Generator, Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from generator.errors import LinesheetsError, PlanError

MANIFEST_VERSION = 3


@dataclass(frozen=True)
class OutputFile:
    """One file of the site: its path under the output folder and its bytes."""

    path: str  # POSIX, relative, e.g. "l/spring/en/jpy/index.html"
    data: bytes


class Entry(NamedTuple):
    """What the manifest knows of a file the last build left in the output folder.

    A named tuple: a no-change rebuild reads one per file of the site before anything else,
    and tuples are made several times faster than dataclass instances.
    """

    digest: str  # SHA-256 of its bytes
    size: int
    mtime: int  # st_mtime_ns once written: a file edited by hand since has another
    inputs: str = ""  # the key of a page's inputs (`inputs.py`); "" for other files


@dataclass(frozen=True, slots=True)
class Staged:
    """A file made ready for the output folder: its manifest entry, and the temporary file
    beside its target that holds its new bytes (None when the folder already holds them).
    With slots: a build holds one per file of the site (a dict each was 40 MB at 96k pages)."""

    path: str
    entry: Entry
    temporary: str | None


@dataclass(frozen=True)
class WriteReport:
    """What a write did, for the build summary."""

    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]


@dataclass(frozen=True)
class Manifest:
    """The last build's record of the output folder."""

    fingerprint: str  # of the build's inputs (`fingerprint.py`)
    window: tuple[str, str]  # the moments between which its link and season states hold
    stored: Mapping[str, Sequence[Any]]  # path -> [digest, size, mtime, inputs], as read

    @cached_property
    def files(self) -> dict[str, Entry]:
        """The entries by path, made when first asked for: a no-change rebuild needs only
        each file's size and time, which `all_intact` reads from `stored`. Values are taken
        as written: one of the wrong type only makes its file look changed, and it is
        written again; an entry of another shape reads as a first build."""
        try:
            return {path: Entry._make(entry) for path, entry in self.stored.items()}
        except TypeError:
            return {}


def read_manifest(manifest: Path) -> Manifest:
    """Read the previous build's manifest; an absent or unreadable one means a first build.

    A process that wrote it and builds again (a watch) gets back the manifest it wrote, as
    long as the file is the one it wrote: a 96k-page site's took 0.5 s to read and make."""
    try:
        stat = os.stat(manifest)  # noqa: PTH116
    except OSError:
        return Manifest("", ("", ""), {})
    if _last is not None and _last[0] == (str(manifest), *_identity(stat)):
        return _last[1]
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if data.get("version") != MANIFEST_VERSION:
            return Manifest("", ("", ""), {})
        start, end = data["window"]
        files = data["files"]
        if not isinstance(files, dict):
            return Manifest("", ("", ""), {})
        return Manifest(str(data["fingerprint"]), (str(start), str(end)), files)
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return Manifest("", ("", ""), {})


def read_entries(manifest: Path) -> dict[str, Entry]:
    """The files the last build wrote, by path; empty for a first build."""
    return read_manifest(manifest).files


def intact(out: Path, path: str, entry: Entry) -> bool:
    """Tell whether a file of the last build is still on disk as it was written (its size
    and modification time; whoever edits a file changes the time)."""
    try:
        stat = os.stat(f"{out}/{path}")  # noqa: PTH116 - a Path per file costs more than the stat
    except OSError:
        return False
    return stat.st_size == entry.size and stat.st_mtime_ns == entry.mtime


def all_intact(out: Path, files: Mapping[str, Sequence[Any]]) -> bool:
    """Tell whether every file of the last build is still on disk as it was written (`files`:
    entries, or the manifest's stored lists, which hold size and time at the same places; an
    entry of another shape is a file to write again)."""
    with closing(_intact_each(out, files)) as checked:
        return all(ok for _path, ok in checked)


def intact_paths(out: Path, files: Mapping[str, Sequence[Any]]) -> set[str]:
    """The paths of `files` still on disk as the last build wrote them (see all_intact)."""
    with closing(_intact_each(out, files)) as checked:
        return {path for path, ok in checked if ok}


def _intact_each(out: Path, files: Mapping[str, Sequence[Any]]) -> Generator[tuple[str, bool]]:
    # Each path is looked up from the open output folder rather than from the root: for a
    # rebuild's 24k stats that is two to three times faster.
    by_folder = os.stat in os.supports_dir_fd
    try:
        folder = os.open(out, os.O_RDONLY | os.O_DIRECTORY) if by_folder else None
    except OSError:
        yield from ((path, False) for path in files)
        return
    try:
        for path, entry in files.items():
            try:
                stat = (os.stat(path, dir_fd=folder) if folder is not None
                        else os.stat(f"{out}/{path}"))  # noqa: PTH116 - as intact()
                yield path, stat.st_size == entry[1] and stat.st_mtime_ns == entry[2]
            except (OSError, TypeError, IndexError):
                yield path, False
    finally:
        if folder is not None:
            os.close(folder)


def stage_file(out: Path, previous: Mapping[str, Entry], file: OutputFile,
               inputs: str = "", in_place: bool = False) -> Staged:
    """Hash a file; when the output folder does not hold these bytes yet, write them to a
    temporary file beside the target, to be renamed into place by `write_site` (`in_place`:
    straight to the target, in a staging folder that `write_site` puts in place whole).

    Render workers call this with each page, so hashing and writing use every core and the
    pages' bytes never travel back to the parent.
    """
    _check_path(file.path)
    digest = hashlib.sha256(file.data).hexdigest()
    known = previous.get(file.path)
    if known is not None and known.digest == digest and intact(out, file.path, known):
        return Staged(file.path, Entry(digest, known.size, known.mtime, inputs), None)
    temporary, mtime = _write_temporary(f"{out}/{file.path}", file.data, in_place=in_place)
    return Staged(file.path, Entry(digest, len(file.data), mtime, inputs), temporary)


def staging_folder(out: Path) -> Path | None:
    """Where a build into a folder that does not exist yet (a first build, a CI checkout)
    writes the whole site, to rename it into place at once rather than each of its files;
    None when the folder exists."""
    if out.exists() or out.is_symlink():
        return None
    return out.parent / f".{out.name}.{os.getpid()}.staging"


def discard(staged: Iterable[Staged], out: Path) -> None:
    """Remove the temporary files of a build that failed: the output folder stays as it was."""
    for item in staged:
        if item.temporary is not None:
            temporary = Path(item.temporary)
            temporary.unlink(missing_ok=True)
            _prune_empty_dirs(temporary.parent, out)


def write_site(files: Iterable[OutputFile], out: Path, manifest: Path,
               fingerprint: str = "", staged: Iterable[Staged] = (),
               window: tuple[str, str] = ("", ""),
               previous: Mapping[str, Entry] | None = None,
               staging: Path | None = None,
               inputs: Mapping[str, str] | None = None) -> WriteReport:
    """Put every changed file in place, then remove what the previous build wrote and this one
    did not. `staged` are files already staged (by the render workers), `files` the rest;
    `previous`, the manifest's entries when the caller has read them already. Each changed
    file is written to a temporary file and renamed into place, so a reader (or a crash)
    never sees half a file. With `staging` (see `staging_folder`), everything was staged in
    place in that folder, which becomes the output folder by one rename. `inputs`: the keys
    of the pages staged without theirs (a first build makes them while the workers render),
    for the manifest."""
    if previous is None:
        previous = read_entries(manifest)
    ready: dict[str, Staged] = {}
    pending = list(staged)
    folder = out if staging is None else staging
    try:
        for item in pending:
            _claim(ready, item)
        for file in files:
            item = stage_file(folder, previous, file, in_place=staging is not None)
            pending.append(item)
            _claim(ready, item)
    except BaseException:
        discard(pending, folder)
        raise
    if staging is not None:
        _publish(staging, out)
        written, removed = sorted(ready), []
    else:
        written = _put_in_place(out, [ready[path] for path in sorted(ready)
                                      if ready[path].temporary is not None])
        removed = sorted(set(previous) - set(ready))
        for path in removed:
            (out / path).unlink(missing_ok=True)
            _prune_empty_dirs((out / path).parent, out)
    entries = {path: item.entry for path, item in ready.items()}
    _write_manifest(manifest, entries, fingerprint, window, inputs or {})
    return WriteReport(tuple(written), len(ready) - len(written), tuple(removed))


def _publish(staging: Path, out: Path) -> None:
    """Rename a staged site onto its output folder, which must still not exist (rename(2)
    would also replace an empty folder made meanwhile, which loses nothing)."""
    try:
        os.rename(staging, out)  # noqa: PTH104 - one call, atomic
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise LinesheetsError(f"cannot put the site in place at '{out}': {exc.strerror} (was "
                              "it created while the site was built?); build again") from exc


def _put_in_place(out: Path, changed: list[Staged]) -> list[str]:
    """Rename each changed file's temporary file onto its target; return their paths.

    Both paths are looked up from the open output folder: for a full build's 24k renames
    that is much cheaper than from the root (see all_intact).
    """
    root = str(out)
    # os.replace is rename(2) with another name on POSIX; only os.rename is listed as taking
    # a folder (renameat), though both do.
    if os.rename not in os.supports_dir_fd:
        for item in changed:
            assert item.temporary is not None
            _rename(item.temporary, f"{root}/{item.path}")
        return [item.path for item in changed]
    folder = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    prefix = f"{root}/"
    try:
        for item in changed:
            assert item.temporary is not None
            # Staged beside its target, under the output folder; an absolute path (another
            # spelling of the folder) is still right: the folder is then not used.
            temporary = item.temporary.removeprefix(prefix)
            try:
                os.replace(temporary, item.path, src_dir_fd=folder, dst_dir_fd=folder)
            except OSError as exc:
                Path(item.temporary).unlink(missing_ok=True)
                raise LinesheetsError(f"cannot write '{root}/{item.path}': {exc.strerror}; "
                                      "check the folder's permissions and free space") from exc
    finally:
        os.close(folder)
    return [item.path for item in changed]


def _claim(ready: dict[str, Staged], item: Staged) -> None:
    if item.path in ready:
        raise PlanError(f"two files claim '{item.path}'")
    ready[item.path] = item


def _check_path(path: str) -> None:
    # What PurePosixPath(path) would say (absolute, "..", or no part at all), on the string:
    # a PurePosixPath per file was a sixth of staging a page.
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if path.startswith("/") or ".." in parts or not parts:
        raise PlanError(f"output path '{path}' is not inside the output folder")


def write_private(target: Path, data: bytes) -> None:
    """Write a private build file (key store, manifest) atomically, readable by its owner only."""
    _write_atomic(target, data, mode=0o600)


def _write_atomic(target: Path, data: bytes, mode: int = 0o644) -> None:
    temporary, _mtime = _write_temporary(str(target), data, mode)
    _rename(temporary, target)


def _write_temporary(target: str, data: bytes, mode: int = 0o644,
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
        os.mkdir(folder)  # noqa: PTH102 - strings, see _write_temporary
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)  # noqa: PTH103


def _rename(temporary: str, target: Path | str) -> None:
    try:
        os.replace(temporary, target)  # noqa: PTH105 - atomic rename, as fast as it gets
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise LinesheetsError(f"cannot write '{target}': {exc.strerror}; check the folder's "
                              "permissions and free space") from exc


def _prune_empty_dirs(folder: Path, out: Path) -> None:
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


_last: tuple[tuple[str, int, int, int], Manifest] | None = None  # see read_manifest


def _identity(stat: os.stat_result) -> tuple[int, int, int]:
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def _write_manifest(manifest: Path, entries: Mapping[str, Entry], fingerprint: str,
                    window: tuple[str, str], inputs: Mapping[str, str]) -> None:
    """Write the manifest, and keep it for `read_manifest` in this process."""
    global _last
    _last = None
    _write_atomic(manifest, _manifest_bytes(entries, fingerprint, window, inputs))
    files = {path: entry if entry.inputs or path not in inputs
             else entry._replace(inputs=inputs[path]) for path, entry in entries.items()}
    written = Manifest(fingerprint, window, files)
    written.__dict__["files"] = files  # its cached entries: they are entries already
    _last = ((str(manifest), *_identity(os.stat(manifest))), written)  # noqa: PTH116


def _manifest_bytes(entries: Mapping[str, Entry], fingerprint: str,
                    window: tuple[str, str], inputs: Mapping[str, str]) -> bytes:
    files = {path: [entry.digest, entry.size, entry.mtime, entry.inputs or inputs.get(path, "")]
             for path, entry in entries.items()}  # sort_keys orders them
    body = {"version": MANIFEST_VERSION, "fingerprint": fingerprint, "window": list(window),
            "files": files}
    if _lines is not None:
        return _manifest_from_lines(_lines, files, body)
    # Compact: with an indent the json module falls back to its pure-Python encoder, about
    # half a second for a 24k-page site.
    return (json.dumps(body, separators=(",", ":"), sort_keys=True) + "\n").encode()


def _manifest_from_lines(lines: dict[str, tuple[list[Any], str]], files: dict[str, list[Any]],
                         body: dict[str, Any]) -> bytes:
    """The bytes `_manifest_bytes` gives, each file's line kept from the last manifest this
    process wrote when its entry is the same (a price edit's rebuild changes 96 of 24k)."""
    made: dict[str, tuple[list[Any], str]] = {}
    for path in sorted(files):
        entry = files[path]
        known = lines.get(path)
        made[path] = known if known is not None and known[0] == entry else (
            entry, json.dumps(path) + ":" + json.dumps(entry, separators=(",", ":")))
    lines.clear()
    lines.update(made)
    rest = json.dumps({**body, "files": {}}, separators=(",", ":"), sort_keys=True)
    head, tail = rest.split('"files":{}', 1)
    return f'{head}"files":{{{",".join(line for _entry, line in made.values())}}}{tail}\n'.encode()


# Each file's line of the manifest, kept by a process that writes it again (`keep_lines`).
_lines: dict[str, tuple[list[Any], str]] | None = None


def keep_manifest_lines() -> None:
    """Keep the manifest's lines for this process's next builds (`_manifest_from_lines`)."""
    global _lines
    _lines = {} if _lines is None else _lines
