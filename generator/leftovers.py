"""What editors, merge tools and file browsers leave beside the files a brand edits: a backup
(links/spring.yaml~, .orig, .bak), a swap or autosave file (.swp, #spring.yaml#), Windows'
thumbnails. They are no input of a build: the content reader skips them, and so do the
build's change detection and `build --watch`, so saving in an editor that leaves one
rebuilds nothing more than the edit.

Standard library only: the no-change check of `linesheets build` runs before the rest of
the generator is imported.
"""

from __future__ import annotations

_SUFFIXES = (".swp", ".swo", ".swx", ".bak", ".orig", ".rej", ".tmp")


def is_leftover(name: str) -> bool:
    """Tell whether a file name is an editor's or a tool's leftover, not an input."""
    return (name.endswith("~") or (name.startswith("#") and name.endswith("#"))
            or name.lower().endswith(_SUFFIXES) or name == "Thumbs.db")
