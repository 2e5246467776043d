"""Watch, around the build: the content and template folders -> a rebuild each time a file in
them changes, or when the moment the last build's link and season states hold until passes
(`linesheets build --watch`, `linesheets serve`).

A rebuild is the build itself, so it writes what a fresh `linesheets build` would. The process
stays loaded between edits: a rebuild does not pay the interpreter's start, the imports and
the compiled templates again, and it renders only the pages whose inputs changed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from generator._inotify import ChangeSignal
from generator.errors import LinesheetsError
from generator.leftovers import is_leftover
from generator.report import BuildReport

Snapshot = dict[str, tuple[int, int]]  # file -> (modification time in ns, size)
# Seconds between looks at the folders, and for a change to settle. Where the system tells of
# changes (Linux's inotify, generator/_inotify.py) a save wakes the watch at once and its
# rebuild starts SETTLE after it; elsewhere the next look finds it, a quarter to a third of
# a second after the save.
LOOK_EVERY, SETTLE = 0.25, 0.1


def snapshot(roots: Iterable[Path], ignore: Iterable[Path] = ()) -> Snapshot:
    """Every file under `roots` with its time and size; hidden files and folders, an editor's
    backups and swap files, and __pycache__ are left out, as the build leaves them out, and so
    are the folders and files in `ignore` (the build's own output, should it lie under a
    root)."""
    found: Snapshot = {}
    skipped = {os.path.realpath(path) for path in ignore}
    names = {Path(path).name for path in skipped}  # a file's realpath only for these
    for root in roots:
        for folder, folders, files in os.walk(root):
            folders[:] = [name for name in folders
                          if not _skipped_folder(f"{folder}/{name}", skipped)]
            for name in files:
                if name.startswith(".") or is_leftover(name):
                    continue
                path = os.path.join(folder, name)  # noqa: PTH118 - a Path per file costs more
                if name in names and os.path.realpath(path) in skipped:
                    continue
                try:
                    stat = os.stat(path)  # noqa: PTH116
                except OSError:  # removed meanwhile: the next look sees it gone
                    continue
                found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def _skipped_folder(path: str, skipped: set[str]) -> bool:
    """A folder the watch leaves out: hidden, bytecode, or one of `skipped` (real paths)."""
    name = os.path.basename(path)  # noqa: PTH119 - a Path per folder costs more
    return name.startswith(".") or name == "__pycache__" or os.path.realpath(path) in skipped


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    """The files added, removed or modified from one snapshot to the next, sorted."""
    return sorted(path for path in before.keys() | after.keys()
                  if before.get(path) != after.get(path))


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Watcher:
    """Rebuilds, through `build`, when a file under `roots` changes, or, with
    `follow_clock`, once the clock reaches the end of the last build's state window (a link
    released or expired, an order deadline passed: its pages change with the moment).

    `build` is the command's own build, which reports or raises as it does alone; a
    LinesheetsError (content problems, a template error) goes to `on_error` and the watch
    goes on, the last good site left as it was."""

    def __init__(self, roots: Iterable[Path], build: Callable[[], BuildReport],
                 announce: Callable[[BuildReport], None],
                 on_error: Callable[[LinesheetsError], None], *, follow_clock: bool,
                 ignore: Iterable[Path] = (),
                 first: BuildReport | None = None, interval: float = LOOK_EVERY,
                 settle: float = SETTLE, clock: Callable[[], datetime] = _utc_now) -> None:
        self.roots, self._ignore = tuple(roots), tuple(ignore)
        self._build, self._announce, self._on_error = build, announce, on_error
        self._follow_clock, self._clock = follow_clock, clock
        self._interval, self._settle = interval, settle
        skipped = {os.path.realpath(path) for path in self._ignore}
        # Watched before the first snapshot: an edit between the two is still a change.
        self._signal = ChangeSignal(self.roots, lambda folder: _skipped_folder(folder, skipped))
        self._seen = snapshot(self.roots, self._ignore)
        self._until = self._window_end(first) if first is not None else None

    def run(self, parent: int | None = None) -> None:
        """Look when a file changes, and every `interval` seconds in any case (the clock, and
        changes the system did not tell of), until interrupted (Ctrl-C), or until the process
        `parent` is gone (`linesheets serve` runs the watch in a child of its server)."""
        print(f"watching {', '.join(str(root) for root in self.roots)} for changes "
              "(Ctrl-C stops)", flush=True)
        try:
            while parent is None or os.getppid() == parent:
                self._signal.wait(self._interval)
                reason = self.poll()
                if reason is not None:
                    self.rebuild(reason)
        except KeyboardInterrupt:  # a rebuild under way discards what it staged first
            print("stopped watching", flush=True)
        finally:
            self._signal.close()

    def poll(self) -> str | None:
        """Look once; say why a rebuild is due, or None. A change is waited on until it has
        settled, so a file an editor writes in several steps is read whole."""
        now = snapshot(self.roots, self._ignore)
        if now != self._seen:
            now = self._settled(now)
            paths = changed(self._seen, now)
            self._seen = now
            if paths:
                more = f" and {len(paths) - 1} more" if len(paths) > 1 else ""
                return f"{paths[0]}{more} changed"
        if self._until is not None and self._clock() >= self._until:
            return f"link and season states change at {self._until.isoformat()}"
        return None

    def _settled(self, now: Snapshot) -> Snapshot:
        """The folders once a change has settled: where the system tells of changes, a look
        after `settle` seconds without any (a save's last write starts that wait); else two
        looks `settle` seconds apart that agree."""
        if self._signal.live:
            while self._signal.wait(self._settle):
                pass
            return snapshot(self.roots, self._ignore)
        while True:
            time.sleep(self._settle)
            again = snapshot(self.roots, self._ignore)
            if again == now:
                return again
            now = again

    def rebuild(self, reason: str) -> BuildReport | None:
        """Build again; report the build, or the error that stopped it."""
        print(f"{reason}; rebuilding", flush=True)
        try:
            report = self._build()
        except LinesheetsError as exc:
            self._on_error(exc)
            self._until = None  # the next rebuild waits for an edit: the same would fail
            return None
        self._announce(report)
        self._until = self._window_end(report)
        return report

    def _window_end(self, report: BuildReport) -> datetime | None:
        end = report.window[1]
        return datetime.fromisoformat(end) if self._follow_clock and end else None
