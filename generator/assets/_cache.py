"""Asset stage, cache part: encoded variants kept between builds, keyed by settings and source.

Layout: <cache_dir>/<settings tag>/<source SHA-256>/<width>.<ext>, plus index.json, written
last, listing each variant's size and SHA-256. An entry counts only if its index is there and
every file still matches its hash, so a build killed mid-write, a disk that lost the last
writes or a hand-edited file all mean "encode again", never a damaged image published.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from generator.assets._images import Variant
from generator.errors import AssetError

_INDEX = "index.json"


class VariantCache:
    """The variants of every source image encoded with one set of settings."""

    def __init__(self, root: Path, tag: str) -> None:
        self.folder = root / tag

    def load(self, source: str) -> tuple[Variant, ...] | None:
        """Return the cached variants of the source with this SHA-256, or None."""
        entry = self.folder / source
        try:
            index = json.loads((entry / _INDEX).read_bytes())
            variants = []
            for item in index["variants"]:
                width, height, ext = int(item["width"]), int(item["height"]), str(item["ext"])
                data = (entry / f"{width}.{ext}").read_bytes()
                variant = Variant.of(width, height, ext, data)
                if variant.digest != item["sha256"]:
                    return None
                variants.append(variant)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        # An entry is usable only as encode_variants makes it: WebP widths and one fallback.
        fallbacks = sum(variant.ext != "webp" for variant in variants)
        return tuple(variants) if fallbacks == 1 and len(variants) > 1 else None

    def store(self, source: str, variants: tuple[Variant, ...]) -> None:
        """Keep the variants of the source with this SHA-256 for later builds."""
        entry = self.folder / source
        index = {"variants": [{"width": v.width, "height": v.height, "ext": v.ext,
                               "sha256": v.digest} for v in variants]}
        try:
            entry.mkdir(parents=True, exist_ok=True)
            for variant in variants:
                _write_atomic(entry / f"{variant.width}.{variant.ext}", variant.data)
            _write_atomic(entry / _INDEX, json.dumps(index, indent=1).encode())
        except OSError as exc:
            raise AssetError(f"cannot write the image cache '{entry}': {exc.strerror}; check "
                             "the folder's permissions and free space, or delete it") from exc


def _write_atomic(target: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename it into place."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

