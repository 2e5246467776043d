"""Build stage, change detection: every input of a build -> one fingerprint, so a build whose
inputs did not change can stop before rendering and write nothing.

The inputs are every file of the content, the templates (with static files and catalogs) and
the generator itself, the key store, the settings that shape the output, and each link's and
season's state as of the build's moment (a release or a deadline changes pages with no file
changing).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from generator.catalog import Catalog
from generator.settings import BuildSettings
from generator.state import is_sealed, link_state, season_open

_GENERATOR = Path(__file__).resolve().parent


def build_fingerprint(settings: BuildSettings, catalog: Catalog, keys: bytes) -> str:
    """A SHA-256 over everything the build's output depends on (`keys`: the key store's
    state as this build will seal with it)."""
    digest = hashlib.sha256()
    roots = (("content", settings.content), ("templates", settings.templates),
             ("generator", _GENERATOR))
    for label, root in roots:
        for path in _files(root):
            digest.update(f"{label}/{path.relative_to(root).as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(keys)
    now = settings.now
    states = {
        "links": {slug: [link_state(catalog.offer(slug), dict(catalog.seasons), now),
                         is_sealed(catalog.offer(slug), now)] for slug in catalog.links},
        "seasons": {sid: season_open(season, now) for sid, season in catalog.seasons.items()},
        "out": settings.out.resolve().as_posix(),
    }
    digest.update(json.dumps(states, sort_keys=True).encode())
    return digest.hexdigest()


def _files(root: Path) -> Iterable[Path]:
    return sorted(path for path in root.rglob("*")
                  if path.is_file() and "__pycache__" not in path.parts
                  and not path.name.startswith("."))
