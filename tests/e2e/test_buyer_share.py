"""A cart shared as a link: copied on one device, opened on another (a colleague's, a sales
rep's for a buyer) it is the same cart, priced there by the server; it is offered before it
takes the place of a cart that holds other styles; a damaged or forged one is refused."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.e2e.buyer import fill_grid, open_cart, unlock
from tests.e2e.conftest import Shop, needs_chromium
from tests.e2e.test_buyer_pages import serious_violations

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = needs_chromium

OPEN = "/l/ss27-open/en/jpy/"


@pytest.fixture
def other(phone: Page) -> Page:
    """A second device: its own storage, nothing in its cart."""
    return phone


def _shared_link(page: Page, shop: Shop, base: str, cells: dict[tuple[str, str], int]) -> str:
    page.goto(f"{shop.origin}{base}ss27/")  # a sealed link's style pages have opaque paths
    page.locator(".style-card", has_text="SS27-006").locator("a").first.click()
    fill_grid(page, cells)
    open_cart(page)
    page.click("[data-share-copy]")
    field = page.locator("[data-share-url]")
    field.wait_for(state="visible")
    return field.input_value()


def _lines(page: Page) -> dict[str, str]:
    rows = page.locator("[data-line]")
    return {rows.nth(n).get_attribute("data-line") or "": rows.nth(n).locator("input")
            .input_value() for n in range(rows.count())}


def test_a_shared_cart_opens_whole_on_another_device(shop: Shop, page: Page,
                                                     other: Page) -> None:
    link = _shared_link(page, shop, OPEN, {("WHT", "M"): 2, ("BLK", "S"): 1})
    assert link.startswith(f"{shop.origin}{OPEN}cart/#cart=")
    total = page.inner_text("[data-total=total]")
    other.goto(link)
    other.locator("[data-cart-totals]").wait_for(state="visible")
    assert other.inner_text("[data-shared-summary]") == (
        "The shared cart is now your cart (styles: 1 · units: 3).")
    assert _lines(other) == {"SS27-006|WHT|M": "2", "SS27-006|BLK|S": "1"}
    assert other.inner_text("[data-total=total]") == total  # priced by the server there
    assert "#" not in other.url  # offered once: a reload does not offer it again
    assert other.locator(".cart-style h2 a").get_attribute("href") == f"{OPEN}ss27/SS27-006/"
    other.click(".cart-style h2 a")  # the style's page, from the shared cart
    # The grid is filled from the cart by the page's script after it loads: wait for it.
    expect(other.locator("input[data-color='WHT'][data-size='M']")).to_have_value("2")


def test_a_cart_holding_other_styles_is_asked_first(shop: Shop, page: Page,
                                                    other: Page) -> None:
    link = _shared_link(page, shop, OPEN, {("WHT", "M"): 3})  # the tee's minimum: 3 units
    other.goto(f"{shop.origin}{OPEN}ss27/SS27-006/")
    fill_grid(other, {("WHT", "M"): 4})
    other.goto(f"{shop.origin}{OPEN}ss27/SS27-001/")
    fill_grid(other, {("ECR", "M"): 2})
    other.goto(link)
    notice = other.locator("[data-shared-cart]")
    notice.wait_for(state="visible")
    summary = other.locator("[data-shared-summary]")
    assert summary.inner_text().startswith("Styles: 1 · units: 3.")
    # The notice (cart-share.js) may show before the cart's lines (cart.js): both scripts
    # start when the page opens, in the order they arrive.
    expect(other.locator("[data-line]")).to_have_count(2)
    assert _lines(other) == {"SS27-001|ECR|M": "2", "SS27-006|WHT|M": "4"}  # not yet taken
    assert serious_violations(other) == []  # the offer, its choices and the share section
    other.click("[data-shared-add]")
    expect(summary).to_have_text("The shared cart was added to yours.")
    assert _lines(other) == {"SS27-001|ECR|M": "2", "SS27-006|WHT|M": "7"}
    other.goto(link)
    other.click("[data-shared-replace]")
    expect(summary).to_have_text("Your cart is now the shared one.")
    assert _lines(other) == {"SS27-006|WHT|M": "3"}
    other.goto(link)
    other.click("[data-shared-ignore]")
    expect(summary).to_have_text("Your cart is as it was.")
    assert _lines(other) == {"SS27-006|WHT|M": "3"}


def _encoded(data: object) -> str:
    raw = json.dumps(data, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("fragment", [
    "#cart=bm90IGEgY2FydA",  # "not a cart"
    "#cart=" + _encoded([1, [["ss27", "SS27", "SS27-006", "Tee", "/l/ss27-china/en/jpy/ss27/"
                              "SS27-006/", None, 1, 1, [["WHT", "White", "M", 2]]]]]),
    "#cart=" + _encoded([1, [["ss27", "SS27", "SS27-006", "Tee", f"{OPEN}ss27/SS27-006/",
                              None, 1, 1, [["WHT", "White", "M", 10_001]]]]]),
])
def test_a_damaged_or_forged_cart_is_refused_and_the_cart_kept(
    shop: Shop, other: Page, fragment: str
) -> None:
    """Cut short in a chat, or made to point a buyer at another link's pages, or beyond what
    a cell takes: the page says so and leaves the cart as it was (empty)."""
    other.goto(f"{shop.origin}{OPEN}cart/{fragment}")
    other.locator("[data-shared-cart]").wait_for(state="visible")
    assert other.inner_text("[data-shared-summary]").startswith(
        "The cart in this link cannot be read")
    assert other.locator("[data-shared-choices]").is_hidden()
    assert other.locator("[data-line]").count() == 0


def test_a_sealed_links_shared_cart_opens_once_the_passcode_is_typed(
    shop: Shop, page: Page, other: Page
) -> None:
    base = "/l/ss27-japan-deposit/ja/jpy/"
    page.goto(f"{shop.origin}{base}")
    unlock(page, "shiosai45")
    link = _shared_link(page, shop, base, {("WHT", "M"): 3})
    other.goto(link)
    unlock(other, "shiosai45")
    other.locator("[data-cart-totals]").wait_for(state="visible")
    assert _lines(other) == {"SS27-006|WHT|M": "3"}
