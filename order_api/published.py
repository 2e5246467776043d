"""The endpoint's view of the build: manifest.json + keys.json -> one consistent Published pair.

Loaded at start (a missing or broken manifest stops the start with a clear error), then
checked at most once per `interval`: when either file's (mtime_ns, size) changed, both are
parsed completely into a new Published and the reference is swapped in one assignment, so a
request sees the old pair or the new one, never half of each. A new pair that does not parse,
or whose manifest names a key the store lacks, is refused with a logged error and the old
one kept; the next change of either file is tried again.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator.errors import LinesheetsError
from generator.manifest import Manifest
from generator.seal import KeyStore, LinkKey
from generator.writer import read_manifest
from order_api.settings import ApiConfigError

log = logging.getLogger(__name__)

FileStamp = tuple[int, int] | None  # (mtime_ns, size); None: no such file
Stamp = tuple[FileStamp, FileStamp]


@dataclass(frozen=True)
class Published:
    """A manifest and the page keys it names, read together."""

    manifest: Manifest
    keys: Mapping[str, LinkKey]  # sealed link -> the key version its manifest entry names
    stamp: Stamp
    # What quotes compute once per build: unit prices and localized line details (ordering.py).
    memo: dict[tuple[str, ...], Any] = field(default_factory=dict, compare=False, repr=False)


def load_published(manifest: Path, keys: Path) -> Published:
    """Read and cross-check the manifest and the key store; raise ApiConfigError if broken."""
    stamp = (_stamp(manifest), _stamp(keys))
    if manifest.exists() and not manifest.is_file():  # a pipe or a device would never end
        raise ApiConfigError(f"the manifest '{manifest}' is not a file; point "
                             "LINESHEETS_MANIFEST at the build's build/private/manifest.json")
    try:
        data = manifest.read_bytes()
    except OSError as exc:
        raise ApiConfigError(f"cannot read the manifest '{manifest}': {exc.strerror}; run "
                             "`linesheets build` first, or point LINESHEETS_MANIFEST at "
                             "build/private/manifest.json") from None
    try:
        parsed = Manifest.model_validate_json(data)
    except ValidationError as exc:
        if (other := _build_file(manifest)) is not None:
            raise ApiConfigError(f"'{manifest}' is {other}, not the endpoint's manifest; point "
                                 "LINESHEETS_MANIFEST at the build's private/manifest.json "
                                 "(default build/private/manifest.json)") from None
        raise ApiConfigError(f"the manifest '{manifest}' is not valid ({exc.error_count()} "
                             f"problems, first: {_first(exc)}); rebuild it with `linesheets "
                             "build` using this version of linesheets") from None
    try:
        store = KeyStore.load(keys)
    except LinesheetsError as exc:
        if (other := _build_file(keys)) not in (None, _KEY_STORE):
            raise ApiConfigError(f"'{keys}' is {other}, not the key store; point "
                                 "LINESHEETS_KEYS at the build's private/keys.json (default "
                                 "build/private/keys.json)") from None
        raise ApiConfigError(str(exc)) from None
    found: dict[str, LinkKey] = {}
    for slug, link in parsed.links.items():
        if link.key_version is None:
            continue
        key = store.get(slug, link.key_version)
        if key is None and not keys.exists():
            raise ApiConfigError(f"the manifest '{manifest}' seals link '{slug}', but the key "
                                 f"store '{keys}' does not exist; copy the keys.json of the "
                                 "same build there, or point LINESHEETS_KEYS at it")
        if key is None:
            raise ApiConfigError(f"the manifest '{manifest}' seals link '{slug}' with key "
                                 f"version {link.key_version}, which the key store '{keys}' "
                                 "does not have; copy the keys.json of the same build")
        if link.key_check is not None and key.check != link.key_check:
            raise ApiConfigError(f"the key store '{keys}' holds another key for link '{slug}' "
                                 f"(version {link.key_version}) than the one its pages were "
                                 f"sealed with in the manifest's build '{manifest}': buyers "
                                 "would unlock them and see nothing; copy the keys.json of "
                                 "the same build (keys first, manifest last)")
        found[slug] = key
    return Published(parsed, found, stamp)


class PublishedSource:
    """The current Published pair, reloaded when the build changes it."""

    def __init__(self, manifest: Path, keys: Path, interval: float = 1.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.manifest_path, self.keys_path = manifest, keys
        self.interval, self._monotonic = interval, monotonic
        self._current = load_published(manifest, keys)
        self._checked = monotonic()
        self._refused: Stamp | None = None
        self._lock = threading.Lock()

    def current(self) -> Published:
        """The pair to answer this request with (checking the files at most once per interval)."""
        if self._monotonic() - self._checked >= self.interval and self._lock.acquire(
                blocking=False):
            # One caller reloads; the others keep answering from the pair they already see.
            try:
                self._checked = self._monotonic()
                self._refresh()
            finally:
                self._lock.release()
        return self._current

    def _refresh(self) -> None:
        stamp = (_stamp(self.manifest_path), _stamp(self.keys_path))
        if stamp in (self._current.stamp, self._refused):
            return
        try:
            published = load_published(self.manifest_path, self.keys_path)
        except ApiConfigError as exc:
            self._refused = stamp
            log.error("kept the manifest loaded before (%d links): %s",
                      len(self._current.manifest.links), exc)
            return
        self._current = published  # one reference assignment: atomic for every reader
        self._refused = None
        log.info("loaded %s: %d links, %d sealed", self.manifest_path,
                 len(published.manifest.links), len(published.keys))


def _stamp(path: Path) -> FileStamp:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def _first(exc: ValidationError) -> str:
    error = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else error["msg"]


_KEY_STORE = "the key store (private/keys.json)"


def _build_file(path: Path) -> str | None:
    """Which of the build's three JSON files `path` is, when it is one, as each one's own
    reader takes it: the endpoint's manifest and the key store sit side by side in the
    private folder, the record of the site beside it, and one is easily given for another."""
    if not path.is_file():  # a pipe would never end
        return None
    with contextlib.suppress(LinesheetsError):
        if KeyStore.load(path).links:
            return _KEY_STORE
    try:
        Manifest.model_validate_json(path.read_bytes())
        return "the endpoint's manifest (private/manifest.json)"
    except (OSError, ValidationError):
        pass
    if read_manifest(path).fingerprint:
        return "the build's record of the public site (public-manifest.json)"
    return None
