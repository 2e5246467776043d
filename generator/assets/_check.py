"""Asset stage, checking: the pictures a site shows -> the problems that would stop its build,
found by decoding each one without encoding it (for `linesheets check`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from generator.assets._images import check_image
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
