"""Builds shared by the site tests: the demo brand, built once per session at a frozen moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.build import BuildReport, run
from generator.settings import BuildSettings

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "content"
# Pages render link and season states as of the build; tests never depend on today's date.
FROZEN = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Built:
    """A finished build: where it went and what it reported."""

    settings: BuildSettings
    report: BuildReport

    @property
    def out(self) -> Path:
        """The output folder."""
        return self.settings.out

    def html(self, url: str) -> str:
        """The HTML of a page by its URL path, e.g. /l/ss27-open/en/jpy/."""
        return (self.out / url.strip("/") / "index.html").read_text(encoding="utf-8")


def build_into(folder: Path, content: Path = DEMO, cache: Path | None = None) -> Built:
    """Build a content tree into a folder at the frozen moment."""
    settings = BuildSettings(content=content, now=FROZEN, out=folder / "public",
                             private=folder / "private", cache=cache or folder / "cache",
                             manifest=folder / "public-manifest.json")
    return Built(settings, run(settings))


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The demo brand, built once for the session."""
    return build_into(tmp_path_factory.mktemp("demo"))
