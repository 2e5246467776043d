"""Asset stage, checking: the pictures a site shows -> the problems that would stop its build,
found by decoding each one without encoding it, and the brand's logo and icon, published as
they are, that a browser could not show (for `linesheets check`)."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from pathlib import Path

from PIL import Image

from generator.assets._images import FORMATS, check_image
from generator.assets._pipeline import MAX_PIXELS
from generator.errors import AssetError, ContentProblem, relative_name


def check_pictures(media_root: Path, paths: Iterable[str],
                   max_pixels: int = MAX_PIXELS) -> list[ContentProblem]:
    """A problem for each picture under `media_root` the build could not publish: not an
    image, damaged or truncated, too large, in a colour mode that cannot be converted. Every
    picture is looked at, so a brand fixes them all in one go."""
    problems: list[ContentProblem] = []
    for path in dict.fromkeys(paths):
        file = media_root / path
        where = relative_name(file, media_root.parent)
        try:
            check_image(file.read_bytes(), path, max_pixels)
        except AssetError as exc:
            problems.append(ContentProblem(where, 0, "", str(exc)))
        except OSError as exc:
            problems.append(ContentProblem(where, 0, "", f"cannot be read ({exc.strerror}); "
                                           "check the file's permissions"))
    return problems


ICON_SIZE = 180  # pixels a side: a phone's home-screen icon (apple-touch-icon)


def check_marks(media_root: Path, brand_file: str, logo: str | None,
                icon: str | None) -> list[ContentProblem]:
    """A problem for a logo or icon a browser could not show: neither an SVG nor a PNG, JPEG,
    WebP or GIF image that decodes, and for an icon that is not square or is smaller than a
    phone's home screen wants (`brand_file`: where they are named, for the problems)."""
    problems: list[ContentProblem] = []
    for field, path in (("logo", logo), ("icon", icon)):
        if not path:
            continue
        try:
            data = (media_root / path).read_bytes()
        except OSError as exc:
            problems.append(ContentProblem(brand_file, 0, field, f"'{path}' cannot be read "
                                           f"({exc.strerror}); check the file's permissions"))
            continue
        if _is_svg(data):
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                image = Image.open(io.BytesIO(data), formats=FORMATS)
                image.load()
        except (OSError, ValueError, SyntaxError, EOFError, IndexError,
                Image.DecompressionBombError) as exc:
            problems.append(ContentProblem(brand_file, 0, field, (
                f"'{path}' is not an SVG, PNG, JPEG, WebP or GIF image a browser can show "
                f"({exc}); export it again as SVG or PNG")))
            continue
        width, height = image.size
        if field == "icon" and (width != height or width < ICON_SIZE):
            problems.append(ContentProblem(brand_file, 0, field, (
                f"'{path}' is {width}×{height} pixels; an icon is a square of at least "
                f"{ICON_SIZE}×{ICON_SIZE} (phones show it on their home screen): crop or "
                "export it so, or give an SVG")))
    return problems


def _is_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<svg") or (head.startswith((b"<?xml", b"<!--", b"<!doctype svg"))
                                        and b"<svg" in data[:4096].lower())
