"""Import stage, feedback: rows read so far -> a one-line progress bar on a terminal.

Plain text redrawn with a carriage return, on stderr only when it is a terminal: piped or
logged output stays clean, and the summary on stdout is unaffected.
"""

from __future__ import annotations

import time
from typing import TextIO

BAR_WIDTH = 24
REDRAW_SECONDS = 0.1  # often enough to look alive, rarely enough to cost nothing


class Progress:
    """A progress bar that draws itself only on a terminal."""

    def __init__(self, stream: TextIO | None, label: str, total: int | None) -> None:
        self.stream = stream if stream is not None and stream.isatty() else None
        self.label = label
        self.total = total if total and total > 1 else None
        self._drawn_at = 0.0
        self._width = 0

    def update(self, done: int) -> None:
        """Show how many rows are done, at most every REDRAW_SECONDS."""
        if self.stream is None:
            return
        now = time.monotonic()
        if now - self._drawn_at < REDRAW_SECONDS:
            return
        self._drawn_at = now
        if self.total is None:
            self._draw(f"{self.label}: {done:,} rows")
            return
        fraction = min(done / self.total, 1.0)
        filled = round(BAR_WIDTH * fraction)
        self._draw(f"{self.label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
                   f"{fraction:4.0%} {min(done, self.total):,}/{self.total:,} rows")

    def say(self, text: str) -> None:
        """Replace the bar with a short status, such as the stage now running."""
        if self.stream is not None:
            self._draw(f"{self.label}: {text}")

    def finish(self) -> None:
        """Erase the bar, leaving the line for what is printed next."""
        if self.stream is not None and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0

    def _draw(self, text: str) -> None:
        assert self.stream is not None
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = max(self._width, len(text))
