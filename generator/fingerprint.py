"""Build stage, change detection: every input of a build -> one fingerprint, so a build whose
inputs did not change can stop before reading the catalog, and write nothing.

The inputs are every file of the content, the templates (with static files and catalogs) and
the generator itself (not hidden files nor an editor's leftovers, generator/leftovers.py),
the versions of the libraries that shape the output, the key store, and the output folder.
Link and season states also depend on the build's moment: the last build
records the window of moments around its own in which no release, expiry or order deadline
falls, and a build inside that window sees the same states.

This module imports no more than the standard library and the writer's manifest, so
`linesheets build` answers a no-change rebuild before loading the rest of the generator.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from generator.leftovers import is_leftover
from generator.settings import BuildSettings
from generator.writer import Manifest, all_intact

if TYPE_CHECKING:
    from generator.catalog import Catalog

_GENERATOR = Path(__file__).resolve().parent
_LIBRARIES = ("jinja2", "markupsafe", "babel", "markdown", "cryptography", "pillow", "pydantic")


def inputs_digest(settings: BuildSettings) -> bytes:
    """A SHA-256 over every input file of a build, the libraries' versions and the output
    folder. Taken before the build reads the content: a file saved while the build runs then
    differs from this digest, so the next build makes its pages again instead of finding the
    site up to date with the file as saved (it would have been built from the text before)."""
    digest = hashlib.sha256()
    roots = (("content", settings.content), ("templates", settings.templates),
             ("generator", _GENERATOR))
    templates = settings.templates.resolve()
    for label, root in roots:
        for path in _files(root):
            if label == "generator" and path.is_relative_to(templates):
                continue  # the templates ship inside the package: hashed once, above
            digest.update(f"{label}/{path.relative_to(root).as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name, installed in library_versions().items():
        digest.update(f"{name}={installed}\0".encode())
    digest.update(f"out={settings.out.resolve().as_posix()}\0".encode())
    if settings.api_url is not None:  # pages served by `serve` differ from a build's
        digest.update(f"api_url={settings.api_url}\0".encode())
    return digest.digest()


def build_fingerprint(inputs: bytes, keys: bytes) -> str:
    """What a build's manifest records: its `inputs_digest` and `keys`, the key store's bytes
    as the build leaves it."""
    return hashlib.sha256(inputs + hashlib.sha256(keys).digest()).hexdigest()


def library_versions() -> dict[str, str]:
    """The installed version of each library in _LIBRARIES.

    Read from the names of the installed distributions' `.dist-info` folders
    (`Name-1.2.3.dist-info`, PEP 427): importing importlib.metadata and asking it would take
    a no-change rebuild a sixth of its time. A library found no such way is asked for all the
    same.
    """
    wanted = {_normal(name): name for name in _LIBRARIES}
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            entries = os.scandir(folder or ".")
        except OSError:
            continue
        with entries:
            for entry in entries:
                if not entry.name.endswith(".dist-info"):
                    continue
                name, _, installed = entry.name.removesuffix(".dist-info").partition("-")
                key = _normal(name)
                if key in wanted and wanted[key] not in found and installed:
                    found[wanted[key]] = installed
    if len(found) < len(_LIBRARIES):
        from importlib.metadata import version

        found.update({name: version(name) for name in _LIBRARIES if name not in found})
    return {name: found[name] for name in _LIBRARIES}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def state_window(catalog: Catalog, now: datetime) -> tuple[str, str]:
    """The moments around `now` between which every link's and season's state stays as it
    is at `now` (ISO 8601; "" when unbounded): the last release, expiry or order deadline at
    or before it, and the first after it."""
    moments = [season.order_deadline for season in catalog.seasons.values()]
    for slug in catalog.links:
        offer = catalog.offer(slug)
        moments += [moment for moment in (offer.release_at, offer.expires_at)
                    if moment is not None]
    before = max((moment for moment in moments if moment <= now), default=None)
    after = min((moment for moment in moments if moment > now), default=None)
    return (before.isoformat() if before else "", after.isoformat() if after else "")


def unchanged_site(settings: BuildSettings, manifest: Manifest, inputs: bytes) -> bool:
    """Tell whether this build would be the last one again (`manifest`, as `read_manifest`
    gives it; `inputs`: this build's `inputs_digest`): the same fingerprint, a moment inside
    the last build's state window, every file still on disk as written."""
    if not manifest.stored or not manifest.fingerprint:
        return False
    start, end = manifest.window
    now = settings.now
    if (start and now < datetime.fromisoformat(start)) or (
            end and now >= datetime.fromisoformat(end)):
        return False
    keys = settings.private / "keys.json"
    if manifest.fingerprint != build_fingerprint(
            inputs, keys.read_bytes() if keys.is_file() else b""):
        return False
    return all_intact(settings.out, manifest.stored)


def _files(root: Path) -> Iterable[Path]:
    return sorted(path for path in root.rglob("*")
                  if path.is_file() and "__pycache__" not in path.parts
                  and not path.name.startswith(".") and not is_leftover(path.name))
