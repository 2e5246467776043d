"""What a buyer does in the browser tests (unlock, fill a grid, review the cart, check out), and
the server's own quote of a cart, to compare what the page showed and stored with it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from order_api.ordering import quote_cart
from order_api.published import load_published
from order_api.schemas import OrderLine, Quote, QuoteRequest
from tests.e2e.conftest import FROZEN, Built

if TYPE_CHECKING:
    from playwright.sync_api import Page

Cells = Mapping[tuple[str, str], int]  # (colour code, size) -> quantity


def unlock(page: Page, passcode: str) -> None:
    """Type the passcode on a sealed page and wait for its body."""
    page.locator("[data-unlock-form]").wait_for(state="visible")
    page.fill("input[name=passcode]", passcode)
    page.click("[data-unlock-form] button")
    page.locator("[data-unlock]").wait_for(state="detached")


def fill_grid(page: Page, cells: Cells) -> None:
    """Type quantities into a style page's grid and add them to the cart."""
    page.locator("form[data-grid] button[type=submit]").wait_for()  # the grid script is ready
    for (color, size), quantity in cells.items():
        page.fill(f"input[data-color='{color}'][data-size='{size}']", str(quantity))
    page.click("form[data-grid] button[type=submit]")
    page.locator("[data-grid-added] a").wait_for()


def open_cart(page: Page) -> dict[str, str]:
    """Go to the cart page from the header; return the totals shown once the server quoted."""
    page.click(".cart-link")
    page.locator("[data-cart-totals]").wait_for(state="visible")
    return {name: page.inner_text(f"[data-total={name}]")
            for name in ("subtotal", "tax", "total", "deposit", "balance")
            if page.locator(f"[data-total={name}]").count()}


def fill_checkout(page: Page, fields: Mapping[str, str]) -> None:
    """Fill the checkout form's fields by name."""
    page.locator("form[data-checkout]").wait_for(state="visible")
    for name, value in fields.items():
        page.fill(f"form[data-checkout] [name={name}]", value)


def place_order(page: Page) -> str:
    """Send the order and return the order number the confirmation shows."""
    page.click("form[data-checkout] button[type=submit]")
    return confirmed_number(page)


def confirmed_number(page: Page) -> str:
    """The order number of the confirmation the page shows (waiting for it)."""
    title = page.locator("[data-confirmation] h1")
    title.wait_for()
    number = page.locator("[data-confirmation] h1").inner_text().split()
    return next(word for word in number if "-" in word and word[-1].isdigit())


def formatted(page: Page, amount: str, currency: str) -> str:
    """An amount as the page's locale writes it (Intl in the browser under test)."""
    return str(page.evaluate(
        "([amount, currency]) => new Intl.NumberFormat(document.documentElement.lang, "
        "{style: 'currency', currency}).format(amount)", [amount, currency]))


def server_quote(built: Built, link: str, language: str, currency: str, season: str,
                 lines: Mapping[tuple[str, str, str], int]) -> Quote:
    """The endpoint's own pricing of a cart at the build moment, straight from its manifest."""
    private = built.settings.private
    manifest = load_published(private / "manifest.json", private / "keys.json").manifest
    request = QuoteRequest(language=language, currency=currency, season=season, lines=[
        OrderLine(style_no=style, color=color, size=size, quantity=quantity)
        for (style, color, size), quantity in lines.items()])
    return quote_cart(manifest, manifest.links[link], request, FROZEN)
