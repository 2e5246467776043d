"""Builds shared by the site tests: the demo brand, built once per session at a frozen moment."""

from __future__ import annotations

import base64
import json
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.build import run
from generator.report import BuildReport
from generator.seal import KeyStore, SealedBody, open_body
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

    def opened(self, url: str) -> str:
        """The body of a sealed page, decrypted with the link's key from the key store."""
        page = self.html(url)
        match = re.search(r'<script type="application/json" id="sealed-body">(.*?)</script>',
                          page)
        assert match, f"{url} is not sealed"
        payload = json.loads(match[1])
        link = url.strip("/").split("/")[1]
        key = KeyStore.load(self.settings.private / "keys.json").get(link, payload["v"])
        assert key is not None
        sealed = SealedBody(payload["v"], base64.b64decode(payload["iv"]),
                            base64.b64decode(payload["ct"]))
        return open_body(key, sealed).decode("utf-8")


def build_into(folder: Path, content: Path = DEMO, cache: Path | None = None,
               keys_from: Path | None = None) -> Built:
    """Build a content tree into a folder at the frozen moment (with another build's keys)."""
    if keys_from is not None:
        (folder / "private").mkdir(parents=True, exist_ok=True)
        shutil.copy2(keys_from / "keys.json", folder / "private" / "keys.json")
    settings = BuildSettings(content=content, now=FROZEN, out=folder / "public",
                             private=folder / "private", cache=cache or folder / "cache",
                             manifest=folder / "public-manifest.json")
    return Built(settings, run(settings))


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The demo brand, built once for the session."""
    return build_into(tmp_path_factory.mktemp("demo"))
