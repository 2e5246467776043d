"""Builds shared by the site tests: the demo brand, built once per session at a frozen moment;
and for the browser tests, the build served with its endpoint and Chromium to drive it."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from generator.build import run
from generator.report import BuildReport
from generator.seal import KeyStore, SealedBody, open_body
from generator.settings import BuildSettings
from order_api.app import create_app
from order_api.schemas import Order
from order_api.settings import ApiSettings
from order_api.store import OrderFilter, open_store
from tests.unit.endpoint import SECRET, FrozenClock

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Every wait of a browser test: long enough for a loaded 2-core machine, short enough to fail.
WAIT_MS = 15_000
# CI installs Chromium (.ci/run), so there a missing browser fails instead of skipping.
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                                    reason="Chromium is not installed: apt-get install chromium")
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
    """The demo brand, built once for the session.

    LINESHEETS_TEST_IMAGE_CACHE names a folder that keeps the encoded images between
    sessions, so running one browser test while working does not re-encode them each time.
    """
    cache = os.environ.get("LINESHEETS_TEST_IMAGE_CACHE")
    return build_into(tmp_path_factory.mktemp("demo"), cache=Path(cache) if cache else None)


@dataclass(frozen=True)
class Shop:
    """The demo build and its endpoint served on one origin, as `linesheets serve` runs them."""

    origin: str
    clock: FrozenClock  # the endpoint's clock: a test moves it
    database_url: str

    def orders(self) -> list[Order]:
        """Every order the endpoint stored, oldest first."""
        store = open_store(self.database_url)
        try:
            return list(store.orders(OrderFilter()))
        finally:
            store.close()


def _site_policy(public: Path) -> str:
    """The Content-Security-Policy the build's _headers gives the pages (what a CDN sends)."""
    for line in (public / "_headers").read_text(encoding="utf-8").splitlines():
        name, _, value = line.strip().partition(": ")
        if name == "Content-Security-Policy":
            return value
    raise AssertionError("the build's _headers sets no Content-Security-Policy")


def _with_policy(app: ASGIApp, policy: str) -> ASGIApp:
    """Serve the pages under the site's CSP, so a script the policy blocks fails the tests."""

    async def app_with_policy(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start" and not str(
                    scope["path"]).startswith("/api/"):
                MutableHeaders(scope=message).setdefault("Content-Security-Policy", policy)
            await send(message)

        await app(scope, receive, send_with_policy if scope["type"] == "http" else send)

    return app_with_policy


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def shop(demo_build: Built, tmp_path: Path) -> Iterator[Shop]:
    """A fresh endpoint (clock at the build moment, empty order store, no throttling yet)."""
    with serve(demo_build, tmp_path) as served:
        yield served


@contextlib.contextmanager
def serve(built: Built, tmp_path: Path) -> Iterator[Shop]:
    """A build and a fresh endpoint over it on one origin, in a thread, until the block ends."""
    private = built.settings.private
    clock = FrozenClock(FROZEN)
    database_url = f"sqlite:///{tmp_path / 'orders.sqlite3'}"
    settings = ApiSettings(manifest=private / "manifest.json", keys=private / "keys.json",
                           token_secret=SECRET, clock=clock, database_url=database_url)
    port = _free_port()
    app = _with_policy(create_app(settings, site=built.out), _site_policy(built.out))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test server did not start within 20 s"
    try:
        yield Shop(f"http://127.0.0.1:{port}", clock, database_url)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, one per test module (a launch costs about half a second)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A page on a phone's screen in a fresh context (its own storage, nothing in its cart),
    where axe-core may run: it goes in as an inline script, which the site's policy (rightly)
    blocks."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    context.set_default_timeout(WAIT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context (no storage from another test) that fails the test
    when the site's Content-Security-Policy blocks anything the page does."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(WAIT_MS)
    blocked: list[str] = []
    context.on("console", lambda message: blocked.append(message.text)
               if "Content Security Policy" in message.text else None)
    try:
        yield context.new_page()
    finally:
        context.close()
    assert blocked == [], blocked
