"""Asset stage, script part: an ES module's text -> the same text importing fingerprinted
files, so a page's module still finds the modules it imports once they are renamed, and its
own name changes whenever one of them changes."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

# Relative specifiers of static imports and re-exports (`from "./x.js"`, `import "./x.js"`)
# and of dynamic imports (`import("./x.js")`); bare names and URLs are left as they are.
_SPECIFIER = re.compile(
    r"""(?P<lead>\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)"""
    r"""(?P<quote>["'])(?P<ref>\.\.?/[^"'\s]+)(?P=quote)""")


def rewrite_imports(text: str, module_name: str, publish: Callable[[str], str]) -> str:
    """Replace each relative import specifier with the path `publish` returns for the module.

    `module_name` is the module's path under the static root; `publish` takes the imported
    module's path under that root and returns its new URL, relative to the importing module.
    """

    def replace(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(module_name),
                                                   match["ref"]))
        published = publish(target)
        if not published.startswith("../"):
            published = f"./{published}"  # a module specifier must start with ./ or ../
        return f"{match['lead']}{match['quote']}{published}{match['quote']}"

    return _SPECIFIER.sub(replace, text)
