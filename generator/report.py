"""Build stage, outcome: what a build did (pages, files written, unchanged and removed, pages
rendered), as `linesheets build` reports it. Light to import: a no-change rebuild answers with
it before the rest of the generator loads."""

from __future__ import annotations

from dataclasses import dataclass

from generator.sitefiles import is_sitemap
from generator.writer import Manifest


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the summary line."""

    pages: int
    files: int
    written: int
    unchanged: int
    removed: int
    seconds: float
    rendered: int = 0  # pages rendered: those whose inputs changed since the last build
    window: tuple[str, str] = ("", "")  # the moments its link and season states hold between
    # The folder of base_url its pages link ("/wholesale", "" at the root); None when the
    # last build's output stood and the content was not read.
    folder: str | None = None

    @classmethod
    def up_to_date(cls, last: Manifest, seconds: float) -> BuildReport:
        """The report of a build that found the last one's output still right."""
        # From the stored lists, as they were read: making entries would cost a no-change
        # rebuild a tenth of its time. A page's entry has its inputs' key last; so have the
        # sitemap's and its parts', which are no pages.
        files = len(last.stored)
        pages = last.pages if last.pages is not None else sum(
            1 for path, entry in last.stored.items()
            if len(entry) > 3 and entry[3] and not is_sitemap(path))
        return cls(pages=pages, files=files, written=0, unchanged=files, removed=0,
                   seconds=seconds, window=last.window)

    def summary(self) -> str:
        """One line for the terminal."""
        return (f"{self.pages} pages, {self.files} files: {self.written} written, "
                f"{self.unchanged} unchanged, {self.removed} removed, {self.rendered} pages "
                f"rendered in {self.seconds:.1f} s")
