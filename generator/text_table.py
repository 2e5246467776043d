"""Report stage helper: rows of text padded into columns for a terminal, by display width
(a Japanese or Chinese character takes two columns), for the commands that print tables."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def columns(rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    """Rows padded into columns by display width; columns in `right` aligned right."""
    widths = [max(display_width(row[column]) for row in rows) for column in range(len(rows[0]))]
    return ["  ".join(_pad(cell, widths[i], i in right) for i, cell in enumerate(row)).rstrip()
            for row in rows]


def display_width(text: str) -> int:
    """The columns a text takes in a terminal: East Asian wide and full-width characters two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap
