"""Change detection's own parts (generator/fingerprint.py); whole rebuilds are in
tests/e2e/test_incremental.py."""

from __future__ import annotations

from importlib.metadata import version
from types import SimpleNamespace
from typing import NoReturn

import pytest

from generator import fingerprint


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
