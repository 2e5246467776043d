"""Write stage, its record: what the last build wrote into the output folder (each file's
path, SHA-256, size, time and inputs' key), read back by the next build to keep what stands
(a file edited by hand since, another size or time, is written again)."""

from __future__ import annotations

import json
import os
from collections.abc import Generator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from generator.writer._files import write_atomic

MANIFEST_VERSION = 3


class Entry(NamedTuple):
    """What the manifest knows of a file the last build left in the output folder.

    A named tuple: a no-change rebuild reads one per file of the site before anything else,
    and tuples are made several times faster than dataclass instances.
    """

    digest: str  # SHA-256 of its bytes
    size: int
    mtime: int  # st_mtime_ns once written: a file edited by hand since has another
    inputs: str = ""  # the key of a page's inputs (`inputs.py`); "" for other files


@dataclass(frozen=True)
class Manifest:
    """The last build's record of the output folder."""

    fingerprint: str  # of the build's inputs (`fingerprint.py`)
    window: tuple[str, str]  # the moments between which its link and season states hold
    stored: Mapping[str, Sequence[Any]]  # path -> [digest, size, mtime, inputs], as read
    pages: int | None = None  # how many of the files are pages; None: not recorded

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
        pages = data.get("pages")
        return Manifest(str(data["fingerprint"]), (str(start), str(end)), files,
                        pages if isinstance(pages, int) and not isinstance(pages, bool) else None)
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


_last: tuple[tuple[str, int, int, int], Manifest] | None = None  # see read_manifest


def _identity(stat: os.stat_result) -> tuple[int, int, int]:
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def write_manifest(manifest: Path, entries: Mapping[str, Entry], fingerprint: str,
                   window: tuple[str, str], inputs: Mapping[str, str],
                   pages: int | None = None) -> None:
    """Record what a build left in the output folder (`inputs`: the keys of pages whose
    entries came without theirs; `pages`: how many of the files are pages, which a no-change
    rebuild reports without counting them), and keep it for `read_manifest` in this
    process."""
    global _last
    _last = None
    write_atomic(manifest, _manifest_bytes(entries, fingerprint, window, inputs, pages))
    files = {path: entry if entry.inputs or path not in inputs
             else entry._replace(inputs=inputs[path]) for path, entry in entries.items()}
    written = Manifest(fingerprint, window, files, pages)
    written.__dict__["files"] = files  # its cached entries: they are entries already
    _last = ((str(manifest), *_identity(os.stat(manifest))), written)  # noqa: PTH116


def _manifest_bytes(entries: Mapping[str, Entry], fingerprint: str,
                    window: tuple[str, str], inputs: Mapping[str, str],
                    pages: int | None) -> bytes:
    files = {path: [entry.digest, entry.size, entry.mtime, entry.inputs or inputs.get(path, "")]
             for path, entry in entries.items()}  # sort_keys orders them
    body: dict[str, Any] = {"version": MANIFEST_VERSION, "fingerprint": fingerprint,
                            "window": list(window), "files": files}
    if pages is not None:
        body["pages"] = pages
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


# Each file's line of the manifest, kept by a process that writes it again (`keep_manifest_lines`).
_lines: dict[str, tuple[list[Any], str]] | None = None


def keep_manifest_lines() -> None:
    """Keep the manifest's lines for this process's next builds (`_manifest_from_lines`)."""
    global _lines
    _lines = {} if _lines is None else _lines
