"""`linesheets build --watch` and `linesheets serve` rebuild an edit while they run: into the
bytes a fresh build of the edited content writes, a bad edit reported with the site left as
it was, and nothing staged left behind when they are stopped."""

from __future__ import annotations

import hashlib
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import FROZEN, _free_port, build_into
from tests.e2e.golden import CONTENT, KEYS

LINESHEETS = Path(sys.executable).with_name("linesheets")
PRODUCTS = Path("seasons/ss27/products.yaml")
PRICE = "JPY: {rrp: 48000, wsp: 21600}"  # SS27-001, on the open link's JPY pages
WAIT_S = 60.0  # per expected line: a loaded 2-core machine, bounded


class _Running:
    """A command's process, its output read line by line as it comes."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.seen: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)

    def wait_for(self, pattern: str) -> re.Match[str]:
        """The next output line matching `pattern`, waiting at most WAIT_S."""
        deadline = time.monotonic() + WAIT_S
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(line)
            if found := re.search(pattern, line):
                return found
        raise AssertionError(f"no line matching {pattern!r} in {WAIT_S} s; output:\n"
                             + "".join(self.seen))

    def stop(self, signal_number: int) -> int:
        """Signal the process and return its exit code, its output all read."""
        self.process.send_signal(signal_number)
        try:
            return self.process.wait(timeout=WAIT_S)
        finally:
            self.process.kill()
            self._reader.join(timeout=WAIT_S)
            assert self.process.stdout is not None
            self.process.stdout.close()


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _edit(content: Path, old: str, new: str, file: Path = PRODUCTS) -> None:
    path = content / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _copy(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (tmp_path / "private").mkdir()
    shutil.copy2(KEYS / "keys.json", tmp_path / "private" / "keys.json")
    return content


def test_build_watch_rebuilds_an_edit_as_a_fresh_build_would(tmp_path: Path) -> None:
    content = _copy(tmp_path)
    watch = _Running([str(LINESHEETS), "build", "content", "--out", "public", "--private",
                      "private", "--now", FROZEN.isoformat(), "--watch"], tmp_path)
    try:
        pages = int(watch.wait_for(r"^built public: (\d+) pages")[1])
        watch.wait_for("^watching content")

        _edit(content, PRICE, PRICE.replace("21600", "21700"))
        watch.wait_for(r"products\.yaml changed; rebuilding")
        rendered = int(watch.wait_for(r"^built public: .* (\d+) pages rendered")[1])
        assert 0 < rendered < pages  # only the pages that show the style
        clean = build_into(tmp_path / "clean", content=content, keys_from=KEYS)
        assert _tree(tmp_path / "public") == _tree(clean.out)
        assert "¥21,700" in (tmp_path / "public/l/open/en/jpy/ss27/SS27-001/index.html"
                             ).read_text(encoding="utf-8")

        before = _tree(tmp_path / "public")
        _edit(content, "wsp: 21700}", "wsp: oops}")
        watch.wait_for(r"products\.yaml:\d+: styles\[0\]\.prices\.JPY\.wsp: ")
        watch.wait_for("^1 problem found")
        assert _tree(tmp_path / "public") == before  # the last good site, untouched
    finally:
        code = watch.stop(signal.SIGTERM)
    assert code == 0, "".join(watch.seen)
    watch.wait_for("^stopped watching")
    assert not list((tmp_path / "public").rglob(".*"))  # no staged file left


def test_serve_rebuilds_edits_follows_base_url_and_stops_its_watch_with_it(
    tmp_path: Path
) -> None:
    content = _copy(tmp_path)
    # The endpoint on a host of its own, in production: served here, the pages call serve's.
    with (content / "brand.yaml").open("a", encoding="utf-8") as brand:
        brand.write("api_url: https://api.example.com\n")
    port = _free_port()
    serve = _Running([str(LINESHEETS), "serve", "content", "--out", "public", "--private",
                      "private", "--port", str(port)], tmp_path)
    page = f"http://127.0.0.1:{port}/l/open/en/jpy/ss27/SS27-001/"
    try:
        serve.wait_for(r"^the pages served here call this endpoint, not brand.yaml's api_url "
                       r"\(https://api.example.com\)")
        serve.wait_for("Uvicorn running on")
        with urllib.request.urlopen(page, timeout=WAIT_S) as answer:
            served = answer.read().decode()
        assert "¥21,600" in served
        assert 'data-api="/api"' in served
        children = Path(f"/proc/{serve.process.pid}/task/{serve.process.pid}/children")
        watchers = [int(pid) for pid in children.read_text().split()]
        assert len(watchers) == 1  # the watch, forked before the server started

        _edit(content, PRICE, PRICE.replace("21600", "21700"))
        watch_line = serve.wait_for(r"^built public: .* ([1-9]\d*) pages rendered")
        assert watch_line
        with urllib.request.urlopen(page, timeout=WAIT_S) as answer:
            assert "¥21,700" in answer.read().decode()
        # base_url moved into a folder: the pages now link it, and the server follows.
        _edit(content, "base_url: https://example.com\n",
              "base_url: https://example.com/wholesale/\n", Path("brand.yaml"))
        serve.wait_for(rf"^serving public on http://127.0.0.1:{port}/wholesale/ now")
        moved = page.replace(f":{port}/", f":{port}/wholesale/")
        with urllib.request.urlopen(moved, timeout=WAIT_S) as answer:
            assert 'href="/wholesale/l/open/' in answer.read().decode()
        with pytest.raises(urllib.error.HTTPError) as gone:
            urllib.request.urlopen(page, timeout=WAIT_S)
        gone.value.close()
        assert gone.value.code == 404
    finally:
        code = serve.stop(signal.SIGINT)
    assert code == 0, "".join(serve.seen)
    deadline = time.monotonic() + WAIT_S
    while Path(f"/proc/{watchers[0]}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{watchers[0]}").exists(), "the watch outlived its server"
    # A build after serve is no "nothing changed": its pages call brand.yaml's api_url.
    built = subprocess.run([str(LINESHEETS), "build", "content", "--out", "public", "--private",
                            "private"], cwd=tmp_path, capture_output=True, text=True,
                           timeout=WAIT_S, check=True)
    rendered = re.search(r"(\d+) pages rendered", built.stdout)
    assert rendered is not None and int(rendered[1]) > 0, built.stdout
    published = (tmp_path / "public/l/open/en/jpy/ss27/SS27-001/index.html").read_text(
        encoding="utf-8")
    assert 'data-api="https://api.example.com/api"' in published
