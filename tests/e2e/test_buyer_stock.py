"""Stock in Chromium: a style page's grid says what is left of each colour and size with a
stock and refuses more; a cart that another buyer's order overtook is told what is left."""

from __future__ import annotations

import json
import urllib.request
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from tests.e2e.buyer import fill_grid
from tests.e2e.conftest import Shop, needs_chromium
from tests.e2e.test_buyer_pages import serious_violations

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = needs_chromium

STYLE = "/l/ss27-open/en/jpy/ss27/SS27-009/"  # the linen cardigan: its black is a small lot
BLACK_M = "input[data-color=BLK][data-size=M]"
BUYER = {"company": "Select Shop Aoyama", "name": "Aiko Tanaka", "email": "aiko@example.com",
         "phone": "+81 3 1234 5678"}


def _order_elsewhere(shop: Shop, quantity: int) -> None:
    """Another buyer's order of black M, straight to the endpoint."""
    body = {"language": "en", "currency": "JPY", "season": "ss27", "buyer": BUYER,
            "lines": [{"style_no": "SS27-009", "color": "BLK", "size": "M",
                       "quantity": quantity}]}
    request = urllib.request.Request(
        shop.origin + "/api/links/ss27-open/orders", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Idempotency-Key": "another-buyer-1"},
        method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 201


def test_the_grid_shows_what_is_left_and_refuses_more(shop: Shop, page: Page) -> None:
    page.goto(shop.origin + STYLE)
    expect(page.locator(f"{BLACK_M} + [data-left]")).to_have_text("12 left")
    expect(page.locator("input[data-color=BLK][data-size=XS] + [data-left]")).to_have_text(
        "6 left")
    # The sand has no stock: nothing under its cells.
    assert page.locator("input[data-color=SND] + [data-left]").count() == 0
    assert page.locator(BLACK_M).get_attribute("max") == "12"
    page.fill(BLACK_M, "13")
    expect(page.locator("[data-grid-problem]")).to_have_text("Only 12 of Black, M are left.")
    expect(page.locator(BLACK_M)).to_have_attribute("aria-invalid", "true")
    page.click("form[data-grid] button[type=submit]")
    assert page.locator("[data-grid-added] a").count() == 0  # nothing went to the cart
    page.fill(BLACK_M, "12")
    expect(page.locator("[data-grid-problem]")).to_have_text("")


def test_a_cart_overtaken_by_another_order_is_told_what_is_left(shop: Shop,
                                                                page: Page) -> None:
    page.goto(shop.origin + STYLE)
    fill_grid(page, {("BLK", "M"): 10})
    _order_elsewhere(shop, 5)
    page.click(".cart-link")
    expect(page.locator("[data-style-problem]")).to_contain_text(
        "Only 7 of a colour and size here are left; please lower its quantity.")
    expect(page.locator("[data-line='SS27-009|BLK|M'] input")).to_have_attribute(
        "aria-invalid", "true")
    page.goto(shop.origin + STYLE)
    expect(page.locator(f"{BLACK_M} + [data-left]")).to_have_text("7 left")
    assert [order.lines[0].quantity for order in shop.orders()] == [5]


def test_a_limited_grid_fits_a_phone_and_passes_axe(shop: Shop, browser: Browser) -> None:
    """What is left under each cell wraps inside it: the grid does not scroll at 360 px."""
    context = browser.new_context(viewport={"width": 360, "height": 740},
                                  device_scale_factor=1, bypass_csp=True)  # axe is inline
    try:
        page = context.new_page()
        page.goto(shop.origin + STYLE.replace("/en/", "/ja/"))
        expect(page.locator(f"{BLACK_M} + [data-left]")).to_have_text("残り12")
        grid = page.locator(".grid-scroll")
        inner, shown = grid.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
        assert inner <= shown, f"the size grid scrolls sideways: {inner} px in {shown} px"
        assert serious_violations(page) == []
    finally:
        context.close()
