"""The watch: which changes it sees, when it rebuilds, and how a failed rebuild is reported."""

from __future__ import annotations

import os
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator import _inotify
from generator.errors import ContentError, ContentProblem, LinesheetsError
from generator.report import BuildReport
from generator.watch import Watcher, changed, snapshot

MOMENT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _report(window: tuple[str, str] = ("", "")) -> BuildReport:
    return BuildReport(pages=1, files=1, written=1, unchanged=0, removed=0, seconds=0.1,
                       rendered=1, window=window)


def _touch(path: Path, text: str, later_ns: int = 0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if later_ns:  # a coarse file system clock could otherwise give an edit the same time
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + later_ns))


class _Log:
    """What the watcher built, announced and reported."""

    def __init__(self, results: list[BuildReport | BaseException] | None = None) -> None:
        self.results = list(results or [])
        self.builds = 0
        self.announced: list[BuildReport] = []
        self.errors: list[LinesheetsError] = []

    def build(self) -> BuildReport:
        self.builds += 1
        result = self.results.pop(0) if self.results else _report()
        if isinstance(result, BaseException):
            raise result
        return result

    def watcher(self, root: Path, follow_clock: bool = False, first: BuildReport | None = None,
                clock: datetime = MOMENT) -> Watcher:
        return Watcher([root], self.build, self.announced.append, self.errors.append,
                       follow_clock=follow_clock, first=first, interval=0.01, settle=0.01,
                       clock=lambda: clock)


def test_a_snapshot_lists_files_but_not_hidden_ones_or_bytecode(tmp_path: Path) -> None:
    _touch(tmp_path / "brand.yaml", "name: x")
    _touch(tmp_path / "links" / "open.yaml", "kind: instant")
    _touch(tmp_path / ".brand.yaml.swp", "editor")
    _touch(tmp_path / ".git" / "HEAD", "ref")
    _touch(tmp_path / "__pycache__" / "x.pyc", "code")
    assert sorted(Path(path).relative_to(tmp_path).as_posix()
                  for path in snapshot([tmp_path])) == ["brand.yaml", "links/open.yaml"]


@pytest.mark.parametrize("leftover", ["brand.yaml~", "#brand.yaml#", "brand.yaml.orig",
                                      "links/open.yaml.bak", "media/Thumbs.db"])
def test_an_editors_leftover_is_no_change_to_rebuild_for(tmp_path: Path, leftover: str) -> None:
    _touch(tmp_path / "brand.yaml", "name: x")
    log = _Log()
    watcher = log.watcher(tmp_path)
    _touch(tmp_path / leftover, "name: y")
    assert watcher.poll() is None
    _touch(tmp_path / "brand.yaml", "name: y", later_ns=10**9)  # the edit itself is seen
    assert watcher.poll() == f"{tmp_path / 'brand.yaml'} changed"


def test_the_builds_own_output_under_a_watched_folder_is_left_out(tmp_path: Path) -> None:
    _touch(tmp_path / "brand.yaml", "name: x")
    _touch(tmp_path / "public" / "index.html", "<html>")
    _touch(tmp_path / "build" / "cache" / "a.webp", "img")
    _touch(tmp_path / "build" / "public-manifest.json", "{}")
    seen = snapshot([tmp_path], ignore=[tmp_path / "public", tmp_path / "build" / "cache",
                                        tmp_path / "build" / "public-manifest.json"])
    assert list(seen) == [str(tmp_path / "brand.yaml")]


def test_changed_names_added_modified_and_removed_files(tmp_path: Path) -> None:
    _touch(tmp_path / "a.yaml", "a")
    _touch(tmp_path / "b.yaml", "b")
    before = snapshot([tmp_path])
    _touch(tmp_path / "a.yaml", "a, longer", later_ns=10**9)
    (tmp_path / "b.yaml").unlink()
    _touch(tmp_path / "c.yaml", "c")
    assert changed(before, snapshot([tmp_path])) == [
        str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), str(tmp_path / "c.yaml")]
    assert changed(before, before) == []


def test_nothing_changed_means_no_rebuild(tmp_path: Path) -> None:
    _touch(tmp_path / "brand.yaml", "name: x")
    log = _Log()
    assert log.watcher(tmp_path).poll() is None


@pytest.fixture(params=["told", "looking"])
def told(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each watch test with the system's change events (where there are) and without."""
    if request.param == "looking":
        monkeypatch.setattr(_inotify, "_inotify", lambda: None)
    return str(request.param)


def test_an_edited_file_is_named_as_the_reason_to_rebuild(tmp_path: Path, told: str) -> None:
    _touch(tmp_path / "brand.yaml", "name: x")
    watcher = _Log().watcher(tmp_path)
    _touch(tmp_path / "brand.yaml", "name: y", later_ns=10**9)
    assert watcher.poll() == f"{tmp_path / 'brand.yaml'} changed"
    assert watcher.poll() is None  # seen once: no second rebuild for the same edit


def test_several_edited_files_are_one_rebuild(tmp_path: Path, told: str) -> None:
    watcher = _Log().watcher(tmp_path)
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        _touch(tmp_path / name, name)
    assert watcher.poll() == f"{tmp_path / 'a.yaml'} and 2 more changed"


def test_a_file_changed_and_changed_back_does_not_rebuild(tmp_path: Path, told: str) -> None:
    _touch(tmp_path / "brand.yaml", "name: x")
    watcher = _Log().watcher(tmp_path)
    (tmp_path / "draft.yaml").write_text("x", encoding="utf-8")
    (tmp_path / "draft.yaml").unlink()
    assert watcher.poll() is None


def test_the_end_of_the_state_window_rebuilds_when_the_states_follow_the_clock(
        tmp_path: Path) -> None:
    end = MOMENT + timedelta(hours=1)
    first = _report(("", end.isoformat()))
    log = _Log()
    assert log.watcher(tmp_path, follow_clock=True, first=first).poll() is None
    late = log.watcher(tmp_path, follow_clock=True, first=first, clock=end)
    assert late.poll() == f"link and season states change at {end.isoformat()}"
    # With --now the states are those of a fixed moment: the clock never rebuilds.
    assert log.watcher(tmp_path, follow_clock=False, first=first, clock=end).poll() is None


def test_a_rebuild_announces_its_report_and_waits_for_the_next_window_end(
        tmp_path: Path) -> None:
    end = MOMENT + timedelta(days=2)
    log = _Log([_report(("", end.isoformat()))])
    watcher = log.watcher(tmp_path, follow_clock=True, clock=end)
    report = watcher.rebuild("brand.yaml changed")
    assert report is not None and log.announced == [report] and log.builds == 1
    assert watcher.poll() == f"link and season states change at {end.isoformat()}"


def test_a_failed_rebuild_is_reported_and_the_watch_goes_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    end = MOMENT + timedelta(hours=1)
    problem = ContentError([ContentProblem("brand.yaml", 1, "name", "is required")])
    log = _Log([problem, _report()])
    watcher = log.watcher(tmp_path, follow_clock=True, first=_report(("", end.isoformat())),
                          clock=end)
    assert watcher.rebuild("brand.yaml changed") is None
    assert log.errors == [problem] and log.announced == []
    assert "brand.yaml changed; rebuilding" in capsys.readouterr().out
    # The states' moment no longer rebuilds by itself: the same content would fail again.
    assert watcher.poll() is None
    _touch(tmp_path / "brand.yaml", "name: fixed")
    assert watcher.poll() is not None
    assert watcher.rebuild("brand.yaml changed") is not None and len(log.announced) == 1


def test_the_watch_stops_on_ctrl_c(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = _Log([KeyboardInterrupt()])
    watcher = log.watcher(tmp_path)
    _touch(tmp_path / "brand.yaml", "name: x")
    watcher.run()  # returns, instead of raising
    out = capsys.readouterr().out
    assert log.builds == 1 and out.endswith("stopped watching\n")


def test_the_watch_of_a_server_ends_with_the_server(tmp_path: Path) -> None:
    log = _Log()
    watcher = log.watcher(tmp_path)
    _touch(tmp_path / "brand.yaml", "name: x")
    watcher.run(parent=os.getppid() + 1)  # not this process's parent: it returns at once
    assert log.builds == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")
def test_an_edit_wakes_the_watch_before_its_next_look(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a look only every minute, an edit is still rebuilt: the system told of it."""
    root = tmp_path / "content"
    _touch(root / "products.yaml", "styles: []\n")
    built = threading.Event()

    def build() -> BuildReport:
        built.set()
        raise KeyboardInterrupt  # stops the watch once it rebuilt: the test is over

    watcher = Watcher([root], build, lambda report: None, lambda error: None,
                      follow_clock=False, interval=60.0, settle=0.01)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    _touch(root / "products.yaml", "styles: [x]\n", later_ns=1_000_000)
    thread.join(timeout=30)
    assert built.is_set() and not thread.is_alive()
    assert "products.yaml changed; rebuilding" in capsys.readouterr().out
