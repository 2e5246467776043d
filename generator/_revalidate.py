"""Model stage, between builds of one process (a watch): a style's raw data -> its validated
Product, taken from the last build when the data is the very object read then (the kept
readings of `_reparse.py` hand an unchanged style back as the same object) and what else
its validation reads is as it was: the context (the brand's languages and time zone) and the
files of the media folder, whose presence a style's pictures and swatches are checked
against. A price edit then validates one style, not the 500 or 2,000 around it, and every
other style is the same Product as before, which lets later stages key their own memos on it.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

from generator.models import Product


class KeptStyles:
    """The styles validated by the last build and by the one under way."""

    def __init__(self) -> None:
        self._context: Hashable = None
        self._last: dict[int, tuple[Any, Product]] = {}  # id(raw) -> (raw, product)
        self._now: dict[int, tuple[Any, Product]] = {}

    def start(self, context: Mapping[str, Any]) -> None:
        """Begin a build's validation under `context`; forget everything if it or the media
        folder's files changed."""
        media = context.get("media_root")
        key = (tuple(sorted(context.items())),
               frozenset(_files(media)) if isinstance(media, Path) else None)
        self._last = self._now if key == self._context else {}
        self._now = {}
        self._context = key

    def get(self, raw: Any) -> Product | None:
        """The Product validated from this very data, or None."""
        found = self._last.get(id(raw)) or self._now.get(id(raw))
        if found is None or found[0] is not raw:
            return None
        self._now[id(raw)] = found
        return found[1]

    def put(self, raw: Any, product: Product) -> None:
        """Keep a style just validated (the data is kept alive with it, so its id stays its
        own)."""
        self._now[id(raw)] = (raw, product)


def _files(folder: Path) -> list[str]:
    """Every file under a folder (following links, as the validation's is_file does)."""
    found: list[str] = []
    pending = [str(folder)]
    while pending:
        try:
            entries = os.scandir(pending.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir():
                        pending.append(entry.path)
                    elif entry.is_file():
                        found.append(entry.path)
                except OSError:
                    continue
    return found
