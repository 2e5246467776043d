"""Write stage, the site: staged files -> the output folder, each changed file renamed into
place (or a first build's staging folder renamed whole), then what the last build wrote and
this one did not removed, and what it wrote recorded (`_record.py`)."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.errors import LinesheetsError, PlanError
from generator.writer._files import prune_empty_dirs, rename, write_temporary
from generator.writer._record import Entry, intact, read_entries, write_manifest


@dataclass(frozen=True)
class OutputFile:
    """One file of the site: its path under the output folder and its bytes."""

    path: str  # POSIX, relative, e.g. "l/spring/en/jpy/index.html"
    data: bytes


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
    temporary, mtime = write_temporary(f"{out}/{file.path}", file.data, in_place=in_place)
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
            prune_empty_dirs(temporary.parent, out)


def write_site(files: Iterable[OutputFile], out: Path, manifest: Path,
               fingerprint: str = "", staged: Iterable[Staged] = (),
               window: tuple[str, str] = ("", ""),
               previous: Mapping[str, Entry] | None = None,
               staging: Path | None = None,
               inputs: Mapping[str, str] | None = None,
               pages: int | None = None) -> WriteReport:
    """Put every changed file in place, then remove what the previous build wrote and this one
    did not. `staged` are files already staged (by the render workers), `files` the rest;
    `previous`, the manifest's entries when the caller has read them already. Each changed
    file is written to a temporary file and renamed into place, so a reader (or a crash)
    never sees half a file. With `staging` (see `staging_folder`), everything was staged in
    place in that folder, which becomes the output folder by one rename. `inputs`: the keys
    of the pages staged without theirs (a first build makes them while the workers render),
    for the manifest; `pages`, how many of the files are pages, for it too."""
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
            prune_empty_dirs((out / path).parent, out)
    entries = {path: item.entry for path, item in ready.items()}
    write_manifest(manifest, entries, fingerprint, window, inputs or {}, pages)
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
    that is much cheaper than from the root (see `written.all_intact`).
    """
    root = str(out)
    # os.replace is rename(2) with another name on POSIX; only os.rename is listed as taking
    # a folder (renameat), though both do.
    if os.rename not in os.supports_dir_fd:
        for item in changed:
            assert item.temporary is not None
            rename(item.temporary, f"{root}/{item.path}")
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
