"""Write stage: rendered files -> public/ on disk, atomically, skipping unchanged files.

The writer alone touches the output folder. It keeps a manifest of what it wrote (path ->
SHA-256) so that a rebuild rewrites only changed files (a CDN sync then uploads only those)
and removes only files a previous build wrote, never a file the brand put there by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.errors import LinesheetsError, PlanError

MANIFEST_VERSION = 2


@dataclass(frozen=True)
class OutputFile:
    """One file of the site: its path under the output folder and its bytes."""

    path: str  # POSIX, relative, e.g. "l/spring/en/jpy/index.html"
    data: bytes


@dataclass(frozen=True)
class WriteReport:
    """What a write did, for the build summary."""

    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]


def write_site(files: Iterable[OutputFile], out: Path, manifest: Path,
               fingerprint: str = "") -> WriteReport:
    """Write every file whose bytes changed, then remove what the previous build wrote and
    this one did not. Each file is written to a temporary file and renamed into place, so a
    reader (or a crash) never sees half a file."""
    previous = {path: digest for path, (digest, _size) in _read_manifest(manifest)[1].items()}
    current: dict[str, str] = {}
    sizes: dict[str, int] = {}
    written: list[str] = []
    unchanged = 0
    for file in sorted(files, key=lambda f: f.path):
        _check_path(file.path)
        if file.path in current:
            raise PlanError(f"two files claim '{file.path}'")
        digest = hashlib.sha256(file.data).hexdigest()
        current[file.path] = digest
        sizes[file.path] = len(file.data)
        target = out / file.path
        if previous.get(file.path) == digest and _same_file(target, file.data):
            unchanged += 1
            continue
        _write_atomic(target, file.data)
        written.append(file.path)
    removed = sorted(set(previous) - set(current))
    for path in removed:
        (out / path).unlink(missing_ok=True)
        _prune_empty_dirs((out / path).parent, out)
    _write_atomic(manifest, _manifest_bytes(current, sizes, fingerprint))
    return WriteReport(tuple(written), unchanged, tuple(removed))


def _check_path(path: str) -> None:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise PlanError(f"output path '{path}' is not inside the output folder")


def _same_file(target: Path, data: bytes) -> bool:
    """Tell whether the file on disk still holds these bytes (someone may have edited it)."""
    try:
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False


def write_private(target: Path, data: bytes) -> None:
    """Write a private build file (key store, manifest) atomically, readable by its owner only."""
    _write_atomic(target, data, mode=0o600)


def _write_atomic(target: Path, data: bytes, mode: int = 0o644) -> None:
    # A build writes tens of thousands of files: plain os calls and a temporary name made
    # from the process id keep this to open, write, chmod and rename.
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(temporary, mode)  # noqa: PTH101 - the umask must not narrow public files
            os.replace(temporary, target)  # noqa: PTH105 - atomic rename, as fast as it gets
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise LinesheetsError(f"cannot write '{target}': {exc.strerror}; check the folder's "
                              "permissions and free space") from exc


def _prune_empty_dirs(folder: Path, out: Path) -> None:
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def unchanged_output(out: Path, manifest: Path, fingerprint: str) -> int | None:
    """Count the files of the last build if its inputs had this fingerprint and every file it
    wrote is still there at its size; None when the site must be built."""
    previous_fingerprint, files = _read_manifest(manifest)
    if not fingerprint or previous_fingerprint != fingerprint or not files:
        return None
    for path, (_digest, size) in files.items():
        try:
            if (out / path).stat().st_size != size:
                return None
        except OSError:
            return None
    return len(files)


def _read_manifest(manifest: Path) -> tuple[str, dict[str, tuple[str, int]]]:
    """Read the previous build's manifest; an absent or unreadable one means a first build."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if data.get("version") != MANIFEST_VERSION:
            return "", {}
        files = {str(path): (str(entry[0]), int(entry[1]))
                 for path, entry in data["files"].items()}
        return str(data.get("fingerprint", "")), files
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return "", {}


def _manifest_bytes(digests: Mapping[str, str], sizes: Mapping[str, int],
                    fingerprint: str) -> bytes:
    files = {path: [digest, sizes[path]] for path, digest in sorted(digests.items())}
    body = {"version": MANIFEST_VERSION, "fingerprint": fingerprint, "files": files}
    return (json.dumps(body, indent=1, sort_keys=True) + "\n").encode()
