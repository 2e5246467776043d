"""Asset stage, front: media paths and static names asked for by the templates -> their URLs
now, and the files behind those URLs (OutputFile under assets/) for the writer at the end."""

from __future__ import annotations

import hashlib
import io
import logging
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from PIL import Image

from generator.assets._cache import VariantCache
from generator.assets._css import rewrite_css
from generator.assets._images import ImageSettings, Variant, encode_variants
from generator.assets._js import rewrite_imports
from generator.errors import AssetError
from generator.writer import OutputFile

MAX_PIXELS = 60_000_000  # a decompression bomb, or a camera original nobody meant to publish
_OUT = "assets"  # the output folder; `url_prefix` is where it is served from
_STATIC_HASH = 8  # a static name keeps its stem, so 8 hex digits only need to tell versions apart
_MEDIA_HASH = 16  # a media or image name is nothing but its hash
_EXTENSION = re.compile(r"^\.[a-z0-9]{1,8}$")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Picture:
    """A responsive image: what an <img> needs."""

    src: str  # URL of the fallback (JPEG, or PNG with alpha) at the middle width
    srcset: str  # the WebP variants, "… 480w, … 960w, … 1440w": only widths <= the original's
    width: int  # intrinsic width of `src`, for the width attribute (no layout shift)
    height: int  # intrinsic height of `src`


class AssetPipeline:
    """Publish images, media and static files under content-hash names, once each per build.

    Every name is decided from the file's bytes (never from its original name), so the same
    inputs give the same names and bytes on every run, and each name can be cached forever.
    """

    def __init__(self, media_root: Path, static_root: Path, cache_dir: Path,
                 url_prefix: str = "/assets/", *, settings: ImageSettings | None = None,
                 max_pixels: int = MAX_PIXELS) -> None:
        self.media_root = media_root
        self.static_root = static_root
        self.url_prefix = url_prefix if url_prefix.endswith("/") else f"{url_prefix}/"
        self.settings = settings or ImageSettings()
        self.max_pixels = max_pixels
        self.encodes = 0  # variants encoded by this pipeline; a rebuild from the cache: none
        self._cache = VariantCache(cache_dir, self.settings.tag())
        self._files: dict[str, bytes] = {}  # output path -> bytes, of every asset used
        self._pictures: dict[str, Picture] = {}  # by media path
        self._by_source: dict[str, Picture] = {}  # by the source's SHA-256: copies share one
        self._media: dict[str, str] = {}  # media path -> URL
        self._static: dict[str, str] = {}  # static name -> output path
        self._sizes: dict[str, tuple[int, int] | None] = {}  # media path -> its size
        self._pending: set[str] = set()  # stylesheets and modules being rewritten: cycles

    def picture(self, media_path: str) -> Picture:
        """Publish an image under media_root as responsive variants and describe them."""
        known = self._pictures.get(media_path)
        if known is not None:
            return known
        data = self._read(self.media_root, media_path, "media")
        source = hashlib.sha256(data).hexdigest()
        picture = self._by_source.get(source)
        if picture is None:
            variants = self._cache.load(source)
            if variants is None:
                variants = encode_variants(data, media_path, self.settings, self.max_pixels)
                self.encodes += len(variants)
                logger.debug("encoded %d variants of %s", len(variants), media_path)
                self._cache.store(source, variants)
            picture = self._by_source[source] = self._publish_picture(variants)
        self._pictures[media_path] = picture
        return picture

    def media(self, media_path: str) -> str:
        """Publish a file under media_root as it is (video, PDF, logo) and return its URL."""
        known = self._media.get(media_path)
        if known is not None:
            return known
        data = self._read(self.media_root, media_path, "media")
        suffix = PurePosixPath(media_path).suffix.lower()
        extension = suffix if _EXTENSION.match(suffix) else ""
        path = f"{_OUT}/media/{hashlib.sha256(data).hexdigest()[:_MEDIA_HASH]}{extension}"
        self._files[path] = data
        url = self._media[media_path] = self._url(path)
        return url

    def size(self, media_path: str) -> tuple[int, int] | None:
        """The width and height of an image published as it is (the logo), for the
        attributes that keep its place on the page while it loads; None for a file whose size
        it cannot tell (an SVG without a viewBox)."""
        if media_path not in self._sizes:
            self._sizes[media_path] = _size(self._read(self.media_root, media_path, "media"))
        return self._sizes[media_path]

    def static(self, name: str) -> str:
        """Publish a file under static_root under a fingerprinted name and return its URL.

        A stylesheet's relative url() references, and an ES module's relative imports, are
        published too and rewritten to their new names first, so its fingerprint changes when a
        font, image or module it uses changes.
        """
        return self._url(self._publish_static(name))

    def published(self) -> list[tuple[str, str]]:
        """(name, URL) of every static and media file published so far, sorted: what the
        pages link to besides pictures (a change of one changes every page)."""
        return sorted([(f"static:{name}", self._url(path)) for name, path in self._static.items()]
                      + [(f"media:{path}", url) for path, url in self._media.items()])

    def files(self) -> list[OutputFile]:
        """Return every asset file used so far, sorted by path, for the writer."""
        return [OutputFile(path, data) for path, data in sorted(self._files.items())]

    def _publish_picture(self, variants: tuple[Variant, ...]) -> Picture:
        urls = []
        for variant in variants:
            path = f"{_OUT}/img/{variant.digest[:_MEDIA_HASH]}-{variant.width}.{variant.ext}"
            self._files[path] = variant.data
            urls.append(self._url(path))
        srcset = ", ".join(f"{url} {v.width}w" for url, v in zip(urls, variants, strict=True)
                           if v.ext == "webp")
        src, fallback = next((url, v) for url, v in zip(urls, variants, strict=True)
                             if v.ext != "webp")
        return Picture(src, srcset, fallback.width, fallback.height)

    def _publish_static(self, name: str) -> str:
        """Publish a static file and return its output path."""
        known = self._static.get(name)
        if known is not None:
            return known
        if name in self._pending:
            # A name that depends on its own fingerprint cannot be computed.
            raise AssetError(f"static file '{name}' refers to itself through url() references "
                             "or imports; remove the cycle")
        data = self._read(self.static_root, name, "static")
        folder = posixpath.join(_OUT, posixpath.dirname(name))
        if (name.endswith(".css") and b"url(" in data) or (
                name.endswith((".js", ".mjs")) and b"import" in data):
            self._pending.add(name)
            try:
                data = self._rewrite(name, data, folder)
            finally:
                self._pending.discard(name)
        pure = PurePosixPath(name)
        digest = hashlib.sha256(data).hexdigest()[:_STATIC_HASH]
        path = posixpath.join(folder, f"{pure.stem}.{digest}{pure.suffix}")
        self._files[path] = data
        self._static[name] = path
        return path

    def _rewrite(self, name: str, data: bytes, folder: str) -> bytes:
        kind = "stylesheet" if name.endswith(".css") else "module"
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise AssetError(f"{kind} '{name}' in '{self.static_root}' is not UTF-8 "
                             f"({exc.reason} at byte {exc.start}); save it as UTF-8") from exc

        def publish(target: str) -> str:
            if target.startswith("../"):
                raise AssetError(f"{kind} '{name}' refers to '{target}', outside the static "
                                 f"folder '{self.static_root}'; move the file inside it")
            try:
                return posixpath.relpath(self._publish_static(target), folder)
            except AssetError as exc:
                raise AssetError(f"in {kind} '{name}': {exc}") from exc

        rewrite = rewrite_css if kind == "stylesheet" else rewrite_imports
        return rewrite(text, name, publish).encode("utf-8")

    def _read(self, root: Path, name: str, kind: str) -> bytes:
        """Read a file named relative to root, refusing names that leave it."""
        pure = PurePosixPath(name)
        if not name or pure.is_absolute() or ".." in pure.parts or "\\" in name:
            raise AssetError(f"{kind} path '{name}' is not a path inside '{root}'; write it "
                             "relative to that folder, with '/' and without '..'")
        path = root.joinpath(*pure.parts)
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise AssetError(f"{kind} file '{name}' not found in '{root}'; check the path "
                             "(it is case-sensitive) or add the file") from exc
        except OSError as exc:
            raise AssetError(f"cannot read {kind} file '{name}' in '{root}': {exc.strerror}; "
                             "check its permissions") from exc

    def _url(self, path: str) -> str:
        return self.url_prefix + path.removeprefix(f"{_OUT}/")


_VIEW_BOX = re.compile(rb"""<svg[^>]*?\sviewBox\s*=\s*["']\s*[-\d.eE+]+[\s,]+[-\d.eE+]+[\s,]+"""
                       rb"""([\d.eE+]+)[\s,]+([\d.eE+]+)\s*["']""", re.IGNORECASE | re.DOTALL)


def _size(data: bytes) -> tuple[int, int] | None:
    """An image's width and height: a raster's pixels, an SVG's viewBox (its proportions
    are what the page needs); None when neither can be read."""
    found = _VIEW_BOX.search(data[:4096])
    if found is not None:
        try:
            width, height = round(float(found[1])), round(float(found[2]))
        except ValueError:
            return None
        return (width, height) if width > 0 and height > 0 else None
    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header, decodes nothing
            return image.size
    except (OSError, ValueError, SyntaxError):
        return None
