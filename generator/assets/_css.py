"""Asset stage, stylesheet part: a CSS file's text -> the same text pointing at fingerprinted
files, so a font or icon it references by a relative url() is still found once renamed."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

_URL = re.compile(r"""url\(\s*(?P<quote>['"]?)(?P<ref>[^'")\s]+)(?P=quote)\s*\)""")
# Absolute URLs, data: URIs, root-relative paths and fragments are not files beside the CSS.
_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|/|#)")


def rewrite_css(text: str, css_name: str, publish: Callable[[str], str]) -> str:
    """Replace each relative url() with the path `publish` returns for the referenced file.

    `css_name` is the stylesheet's path under the static root; `publish` takes the referenced
    file's path under that root and returns its new URL, relative to the stylesheet.
    """

    def replace(match: re.Match[str]) -> str:
        ref = match["ref"]
        if _EXTERNAL.match(ref):
            return match[0]
        path, mark, rest = _split_suffix(ref)
        target = posixpath.normpath(posixpath.join(posixpath.dirname(css_name), path))
        return f'url("{publish(target)}{mark}{rest}")'

    return _URL.sub(replace, text)


def _split_suffix(ref: str) -> tuple[str, str, str]:
    """Split 'font.eot?#iefix' into ('font.eot', '?', '#iefix'): the suffix is kept as is."""
    cut = min((i for i in (ref.find("?"), ref.find("#")) if i >= 0), default=len(ref))
    return ref[:cut], ref[cut:cut + 1], ref[cut + 1:]
