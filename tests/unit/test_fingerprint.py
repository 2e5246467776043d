"""Change detection's own parts (generator/fingerprint.py); whole rebuilds are in
tests/e2e/test_incremental.py."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace
from typing import NoReturn

import pytest

from generator import fingerprint
from generator.settings import BuildSettings


def test_library_versions_are_the_installed_ones() -> None:
    found = fingerprint.library_versions()
    assert list(found) == list(fingerprint._LIBRARIES)
    assert found == {name: version(name) for name in found}


def test_a_library_without_a_dist_info_folder_is_asked_for(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreadable(folder: str) -> NoReturn:
        raise PermissionError(folder)

    # No folder can be read for names: importlib.metadata answers instead.
    monkeypatch.setattr(fingerprint, "os", SimpleNamespace(scandir=unreadable))
    assert fingerprint.library_versions() == {
        name: version(name) for name in fingerprint._LIBRARIES}


def test_an_editors_leftover_beside_the_content_is_no_input(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "links").mkdir(parents=True)
    (content / "brand.yaml").write_text("name: x\n", encoding="utf-8")
    settings = BuildSettings(content=content, now=datetime(2026, 11, 27, tzinfo=UTC),
                             out=tmp_path / "public")
    before = fingerprint.inputs_digest(settings)
    for leftover in ("brand.yaml~", "#brand.yaml#", "links/open.yaml.orig", "Thumbs.db"):
        (content / leftover).write_text("kind: instant\n", encoding="utf-8")
    assert fingerprint.inputs_digest(settings) == before
    (content / "links/open.yaml").write_text("kind: instant\n", encoding="utf-8")
    assert fingerprint.inputs_digest(settings) != before  # a file the build reads is one
