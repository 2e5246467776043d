"""The watch's wake-up: a change under the watched folders ends the wait at once (Linux's
inotify), folders made later are watched too, left-out folders are not, and where inotify is
not to be had the wait sleeps its timeout."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import _inotify
from generator._inotify import ChangeSignal

LONG = 30.0  # a wait no change needs to reach: it ends at the change
needs_inotify = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                   reason="inotify is Linux's")


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[Path, ChangeSignal]]:
    root = tmp_path / "content"
    (root / "seasons" / "ss27").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "products.yaml").write_text("styles: []\n", encoding="utf-8")
    signal = ChangeSignal([root], lambda folder: Path(folder).name.startswith("."))
    yield root, signal
    signal.close()


def _later(action: object) -> threading.Timer:
    """Do `action` a moment after the wait has begun."""
    timer = threading.Timer(0.05, action)  # type: ignore[arg-type]
    timer.start()
    return timer


@needs_inotify
def test_an_edit_ends_the_wait(watched: tuple[Path, ChangeSignal]) -> None:
    root, signal = watched
    assert signal.live
    assert signal.wait(0.01) is False  # nothing changed
    timer = _later(lambda: (root / "seasons" / "ss27" / "products.yaml").write_text(
        "styles: []\n", encoding="utf-8"))
    assert signal.wait(LONG) is True
    timer.join()
    signal.wait(0.05)  # the file's closing may come after the read that woke the wait
    assert signal.wait(0.01) is False  # every event was read: none wakes it again


@needs_inotify
def test_a_folder_made_after_the_start_is_watched(watched: tuple[Path, ChangeSignal]) -> None:
    root, signal = watched
    (root / "lookbooks").mkdir()
    assert signal.wait(LONG) is True  # the new folder, now watched in turn
    timer = _later(lambda: (root / "lookbooks" / "ss27.yaml").write_text("x", encoding="utf-8"))
    assert signal.wait(LONG) is True
    timer.join()


@needs_inotify
def test_a_left_out_folder_does_not_wake_the_watch(watched: tuple[Path, ChangeSignal]) -> None:
    root, signal = watched
    (root / ".git" / "index").write_text("x", encoding="utf-8")
    assert signal.wait(0.05) is False


def test_without_inotify_the_wait_sleeps_its_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_inotify, "_inotify", lambda: None)
    signal = ChangeSignal([tmp_path], lambda folder: False)
    assert not signal.live
    (tmp_path / "a.yaml").write_text("x", encoding="utf-8")
    assert signal.wait(0.01) is False  # the watch's next look finds the change


@needs_inotify
def test_a_refused_watch_falls_back_to_looking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the system's limit of watches (inotify_add_watch fails), a partial watch would
    miss edits: the signal gives up and the watch looks every interval."""
    found = _inotify._inotify()
    assert found is not None
    monkeypatch.setattr(_inotify, "_inotify", lambda: (found[0], lambda fd, path, mask: -1))
    signal = ChangeSignal([tmp_path], lambda folder: False)
    assert not signal.live
