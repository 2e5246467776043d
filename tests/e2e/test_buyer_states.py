"""What the buyer sees when a link does not simply take the order: a wrong passcode, too many
tries, a link not yet open or expired, a collection closed, a catalog; and the page follows
the server's clock while it is open, whatever the build said."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from generator.render import interface_gettext
from generator.settings import SITE_TEMPLATES
from tests.e2e.buyer import fill_grid, open_cart, unlock
from tests.e2e.conftest import Shop, needs_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = needs_chromium

JA = interface_gettext(SITE_TEMPLATES, "ja")
EN = interface_gettext(SITE_TEMPLATES, "en")


def poll(page: Page) -> None:
    """Make the page ask for the state now, as it does when the buyer comes back to it."""
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")


def try_passcode(page: Page, passcode: str) -> int:
    """Submit a passcode; return the endpoint's status once the page has shown its message."""
    button = page.locator("[data-unlock-form] button")
    page.fill("input[name=passcode]", passcode)
    with page.expect_response("**/unlock") as answer:
        button.click()
    expect(page.locator("[data-unlock-message]")).not_to_be_empty()
    return answer.value.status


def test_wrong_passcodes_then_the_wait_are_explained_in_the_pages_language(
        shop: Shop, page: Page) -> None:
    page.goto(f"{shop.origin}/l/ss27-japan-deposit/ja/jpy/")
    page.locator("[data-unlock-form]").wait_for(state="visible")
    message = page.locator("[data-unlock-message]")
    for _ in range(5):  # the client's free wrong tries (docs/api.md)
        assert try_passcode(page, "guess") == 401
        assert message.inner_text() == JA("That passcode does not open this link.")
        expect(page.locator("[data-unlock-form] button")).to_be_enabled()
    # The clock stands still, so the endpoint keeps asking for its one-second wait.
    assert try_passcode(page, "shiosai45") == 429
    assert message.inner_text() == JA("Too many tries: please wait a second, then try again.")
    assert page.locator("[data-unlock-form] button").is_disabled()


def test_a_link_built_before_its_release_opens_when_the_server_says_so(
        shop: Shop, page: Page) -> None:
    page.goto(f"{shop.origin}/l/aw27-preview/ja/jpy/")
    page.locator("[data-screen=upcoming]").wait_for()
    assert JA("Coming soon") in page.inner_text("main")
    assert page.locator("[data-unlock-form]").is_hidden()
    shop.clock.now = shop.clock.now.replace(year=2035, month=1, day=15, hour=1, minute=0)
    poll(page)
    unlock(page, "sumi-preview")
    assert page.locator("[data-screen]").count() == 0
    # Built before the release, the pages take orders now that the link is open.
    page.click(".season-card a")
    page.locator(".style-card a").first.click()
    fill_grid(page, {("SMI", "M"): 2})
    assert page.locator(".cart-link").is_visible()


def test_an_expired_link_shows_its_screen(shop: Shop, page: Page) -> None:
    page.goto(f"{shop.origin}/l/aw26-showroom/ja/jpy/")
    assert JA("This link has expired") in page.inner_text("main")
    assert page.locator("[data-unlock-form], ol.styles, .cart-link").count() == 0


def test_a_passcode_typed_after_expiry_shows_the_expired_screen(shop: Shop, page: Page) -> None:
    page.goto(f"{shop.origin}/l/calme-paris/en/eur/")
    page.locator("[data-unlock-form]").wait_for(state="visible")
    shop.clock.advance(timedelta(days=3400).total_seconds())  # past 31 January 2036
    page.fill("input[name=passcode]", "calme-ss27")
    page.click("[data-unlock-form] button")
    page.locator("[data-screen=expired]").wait_for()
    assert EN("This link has expired") in page.inner_text("main")


def test_the_page_turns_expired_when_the_server_clock_passes_expiry(
        shop: Shop, page: Page) -> None:
    page.goto(f"{shop.origin}/l/calme-paris/en/eur/ss27/")
    unlock(page, "calme-ss27")
    page.locator(".style-card a").first.click()
    page.locator("form[data-grid] button[type=submit]").wait_for()
    poll(page)
    assert page.locator("[data-screen]").count() == 0  # still open at the build moment
    shop.clock.advance(timedelta(days=3400).total_seconds())
    poll(page)
    page.locator("[data-screen=expired]").wait_for()
    assert page.locator("form[data-grid]").count() == 0
    assert page.locator(".cart-link").is_hidden()


def test_a_closing_season_takes_the_cart_controls_away(shop: Shop, page: Page) -> None:
    page.goto(f"{shop.origin}/l/ss27-open/en/jpy/ss27/SS27-001/")
    fill_grid(page, {("ECR", "M"): 1})
    open_cart(page)
    page.locator("form[data-checkout]").wait_for(state="visible")
    shop.clock.advance(timedelta(days=3400).total_seconds())  # past the ss27 order deadline
    poll(page)
    page.locator("[data-cart-status]", has_text=EN("Orders for this collection are closed."))\
        .wait_for()
    assert page.locator("form[data-checkout]").is_hidden()
    assert page.locator(".cart-link").is_hidden()
    assert page.locator("[data-cart-lines] input").first.is_disabled()
    page.goto(f"{shop.origin}/l/ss27-open/en/jpy/ss27/SS27-001/")
    page.locator("[data-grid-closed]").wait_for()
    assert page.locator("form[data-grid] button[type=submit]").is_hidden()
    assert page.locator("form[data-grid] input").first.is_disabled()
    assert EN("This link no longer takes orders; you can still browse the collection.") in \
        page.inner_text("[data-closed-banner]")


def test_a_closed_season_of_a_brand_link_has_no_grid(shop: Shop, page: Page) -> None:
    page.goto(f"{shop.origin}/l/asagiri-collections/en/jpy/aw26/")
    unlock(page, "asagiri-buyers")
    page.locator(".style-card a").first.click()
    page.locator("form[data-grid]").wait_for()
    assert page.locator("form[data-grid] input, form[data-grid] button").count() == 0
    assert EN("Orders for this collection are closed.") in page.inner_text("form[data-grid]")


def test_a_catalog_link_shows_no_cart_controls(shop: Shop, page: Page) -> None:
    page.goto(f"{shop.origin}/l/ss27-instagram/en/jpy/ss27/SS27-001/")
    page.locator("form[data-grid]").wait_for()
    poll(page)
    assert page.locator("form[data-grid] input, form[data-grid] button, .cart-link").count() == 0
    assert page.goto(f"{shop.origin}/l/ss27-instagram/en/jpy/cart/").status == 404  # type: ignore[union-attr]


def test_without_javascript_pages_read_and_sealed_pages_say_why_not(
        shop: Shop, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{shop.origin}/l/ss27-open/en/jpy/ss27/")
        assert "SS27-001" in page.inner_text("ol.styles")
        assert page.locator("[data-filters]").is_hidden()  # its controls would do nothing
        page.goto(f"{shop.origin}/l/ss27-japan-deposit/en/jpy/")
        assert EN("This page is protected and opens with JavaScript; please turn it on.") in \
            page.inner_text("main")
    finally:
        context.close()


def test_a_page_counts_one_view_as_it_opens_and_none_as_it_polls(shop: Shop,
                                                                  page: Page) -> None:
    """The brand's activity report counts pages viewed: the page's first ask of the link's
    state says so; its later asks (every minute, on coming back) do not."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url)
            if "/api/links/ss27-open" in request.url else None)
    page.goto(f"{shop.origin}/l/ss27-open/en/jpy/ss27/")
    expect(page.locator("body.state-open")).to_be_attached()
    page.wait_for_timeout(300)
    with page.expect_response("**/api/links/ss27-open"):
        poll(page)
    assert [url.split("/api/links/")[1] for url in asked] == ["ss27-open?viewed=1",
                                                             "ss27-open"]
