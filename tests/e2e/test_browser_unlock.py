"""A sealed demo page opens in a real browser: passcode, WebCrypto decryption, remembered key."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from order_api.app import create_app
from order_api.settings import ApiSettings
from tests.e2e.conftest import FROZEN, Built
from tests.unit.endpoint import SECRET, FrozenClock

CHROMIUM = Path("/usr/bin/chromium")
# CI installs Chromium (.ci/run), so there a missing browser fails instead of skipping.
pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                                reason="Chromium is not installed: apt-get install chromium")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def origin(demo_build: Built, tmp_path: Path) -> Iterator[str]:
    """The demo build and its endpoint on one origin, as `linesheets serve` runs them."""
    private = demo_build.settings.private
    settings = ApiSettings(manifest=private / "manifest.json", keys=private / "keys.json",
                           token_secret=SECRET, clock=FrozenClock(FROZEN),
                           database_url=f"sqlite:///{tmp_path / 'orders.sqlite3'}")
    port = _free_port()
    config = uvicorn.Config(create_app(settings, site=demo_build.out), host="127.0.0.1",
                            port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test server did not start within 20 s"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_passcode_opens_the_page_and_the_next_page_opens_by_itself(origin: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            page.goto(f"{origin}/l/ss27-japan-deposit/en/jpy/")
            form = page.locator("[data-unlock-form]")
            form.wait_for(state="visible")
            assert "Terms" not in page.locator("main").inner_text()
            page.fill("input[name=passcode]", "wrong-passcode")
            page.click("[data-unlock-form] button")
            page.wait_for_selector("[data-unlock-message]:text('does not open')")
            page.fill("input[name=passcode]", "shiosai45")
            page.click("[data-unlock-form] button")
            page.wait_for_selector("section.terms")
            assert "45%" in page.locator("section.terms").inner_text()
            # Another page of the link opens with the key kept for the session.
            page.goto(f"{origin}/l/ss27-japan-deposit/en/jpy/ss27/")
            page.wait_for_selector("ol.styles")
            assert "SS27-001" in page.locator("ol.styles").inner_text()
        finally:
            browser.close()
