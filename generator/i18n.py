"""Languages: which translation of a text a page shows (the one fallback rule of the project)."""

from __future__ import annotations

from generator.fields import Text


def translate(text: Text, language: str, default_language: str) -> str:
    """Pick the text for a language: its own value, else the all-language one, else the default.

    `catalog.py` guarantees the default language is present in every per-language map.
    """
    values = text.values
    for key in (language, "", default_language):
        if key in values:
            return values[key]
    return next(iter(values.values()))
