"""A build stopped by Ctrl-C (the terminal's SIGINT to the whole process group) or by SIGTERM
(`kill`, `timeout`, a cancelled CI job) while its pages render: it ends at once, with no
staging folder beside the output and no temporary file in it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import DEMO, Built

LINESHEETS = Path(sys.executable).parent / "linesheets"
NOW = "2026-12-01T00:00:00+00:00"
WAIT = 60.0  # seconds for anything a test waits for


def _start(content: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(LINESHEETS), "build", str(content), "--out", str(out), "--private",
         str(out.parent / "private"), "--now", NOW],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _finish(build: subprocess.Popen[bytes], seconds: float = WAIT) -> str:
    """The build's stderr once it ended; it is killed if it has not within `seconds`."""
    try:
        _, err = build.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(build.pid, signal.SIGKILL)
        build.communicate()
        raise AssertionError(f"the build did not end within {seconds:.0f} s") from None
    return err.decode()


def _build(content: Path, out: Path) -> None:
    build = _start(content, out)
    err = _finish(build, WAIT * 2)
    assert build.returncode == 0, err


def _until(found: Callable[[], bool], build: subprocess.Popen[bytes]) -> None:
    """Wait until `found()`, while the build runs; stop it and fail after WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while not found():
        if build.poll() is not None or time.monotonic() > deadline:
            if build.poll() is None:
                os.killpg(build.pid, signal.SIGKILL)
            build.communicate()
            raise AssertionError("the build's pages were not rendering in time")
        time.sleep(0.01)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*") if p.name.endswith((".tmp", ".staging")))


@pytest.fixture
def content(tmp_path: Path, demo_build: Built) -> Path:
    """The demo's content, and the session's encoded images in the cache its builds use
    (beside --private): the builds get to their pages in seconds, not after encoding them."""
    copy = tmp_path / "content"
    shutil.copytree(DEMO, copy)
    shutil.copytree(demo_build.settings.cache / "assets", tmp_path / "cache" / "assets")
    return copy


def test_one_ctrl_c_while_pages_render_stops_a_first_build(
        content: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build = _start(content, out)
    _until(lambda: any(tmp_path.glob(".public.*.staging/l/*/*/*")), build)
    os.killpg(build.pid, signal.SIGINT)  # as a terminal sends Ctrl-C: to every process
    err = _finish(build)
    assert build.returncode == 130, err
    assert err.strip().splitlines()[-1] == "interrupted"
    assert "Traceback" not in err
    assert not out.exists() and _leftovers(tmp_path) == []


def test_sigterm_while_pages_render_leaves_no_temporary_file_in_the_output(
        content: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    _build(content, out)
    brand = content / "brand.yaml"
    brand.write_text(brand.read_text(encoding="utf-8").replace("  rate: 10", "  rate: 8"),
                     encoding="utf-8")  # every priced page renders again
    build = _start(content, out)
    _until(lambda: any(out.rglob(".*.tmp")), build)  # the parent's or the worker's pages
    build.send_signal(signal.SIGTERM)  # to the build alone: its workers stop with it
    err = _finish(build)
    assert build.returncode == 130, err
    assert "Traceback" not in err
    assert _leftovers(tmp_path) == []
    _build(content, out)
    assert _leftovers(tmp_path) == []
