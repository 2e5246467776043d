"""A sealed demo page opens in a real browser: passcode, WebCrypto decryption, remembered key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.e2e.conftest import Shop, needs_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = needs_chromium


def test_passcode_opens_the_page_and_the_next_page_opens_by_itself(shop: Shop,
                                                                  page: Page) -> None:
    page.goto(f"{shop.origin}/l/ss27-japan-deposit/en/jpy/")
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
    page.goto(f"{shop.origin}/l/ss27-japan-deposit/en/jpy/ss27/")
    page.wait_for_selector("ol.styles")
    assert "SS27-001" in page.locator("ol.styles").inner_text()
