"""A registered buyer's orders under the cart of their own link, in Chromium on a phone: the
order just placed is listed at once; a shipment the brand records shows on the next visit,
with its tracking number and the units shipped of each line (the packs shipped of a colour
sold in packs); the lines download as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from order_api.store import open_store
from tests.e2e.buyer import confirmed_number, fill_checkout, fill_grid, open_cart, unlock
from tests.e2e.conftest import Shop, needs_chromium
from tests.e2e.test_buyer_checkout import open_style
from tests.e2e.test_buyer_pages import serious_violations

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = needs_chromium

PACK = {"XS": 1, "S": 2, "M": 2, "L": 2, "XL": 1}  # the demo tee's (SS27-007)


def test_a_buyer_sees_their_orders_as_they_stand(shop: Shop, phone: Page) -> None:
    phone.goto(f"{shop.origin}/l/vivian-cheung/en/usd/ss27/")
    unlock(phone, "vivian-hk")
    open_style(phone, "SS27-003")
    fill_grid(phone, {("IND", "M"): 2, ("IND", "L"): 1})
    phone.goto(f"{shop.origin}/l/vivian-cheung/en/usd/ss27/")
    open_style(phone, "SS27-007")  # sold in packs of 8: XS×1 S×2 M×2 L×2 XL×1
    phone.fill("input[data-color=ECR][data-packs]", "2")
    phone.click("form[data-grid] button[type=submit]")
    phone.locator("[data-grid-added] a").wait_for()
    open_cart(phone)
    assert phone.locator("[data-past-orders]").is_hidden()  # no order yet
    fill_checkout(phone, {"name": "Vivian Cheung", "email": "vivian@vcstyling.example"})
    phone.click("form[data-checkout] button[type=submit]")
    number = confirmed_number(phone)
    listed = phone.locator(f"[data-past-order='{number}']")
    expect(listed.locator("[data-past-status]")).to_have_text("Placed")
    # The brand ships part of it; the buyer comes back to the cart page.
    store = open_store(shop.database_url)
    try:
        store.ship(number, [("SS27-003", "IND", "M", 2), *(
            ("SS27-007", "ECR", size, units) for size, units in PACK.items())],
            date(2027, 2, 10), "DHL", "JD0123456789", None, shop.clock())
    finally:
        store.close()
    phone.reload()
    expect(listed.locator("[data-past-status]")).to_have_text("Shipped in part")
    listed.locator("summary").click()
    rows = listed.locator("tbody tr")
    expect(rows).to_have_count(3)
    # The packed colour is one row in packs, as in the cart: one of its two packs shipped.
    assert [rows.nth(n).locator("td").all_inner_texts() for n in range(3)] == [
        ["Indigo, M", "2", "2"], ["Indigo, L", "1", "0"],
        ["Ecru, packs of XS×1 S×2 M×2 L×2 XL×1", "2", "1"]]
    assert "DHL JD0123456789" in listed.locator(".past-shipments").inner_text()
    assert "Shipped on February 10, 2027" in listed.locator(".past-shipments").inner_text()
    assert serious_violations(phone) == []
    with phone.expect_download() as download:
        listed.locator("button").click()
    lines = list(csv.DictReader(io.StringIO(
        Path(download.value.path()).read_bytes().decode("utf-8-sig"), newline="")))
    assert [(line["style_no"], line["size"], line["quantity"]) for line in lines] == [
        ("SS27-003", "M", "2"), ("SS27-003", "L", "1"),
        *(("SS27-007", size, str(2 * units)) for size, units in PACK.items())]


def test_links_shared_by_many_buyers_list_no_orders(shop: Shop, phone: Page) -> None:
    phone.goto(f"{shop.origin}/l/ss27-open/en/jpy/cart/")
    phone.locator("[data-cart-lines]").wait_for()
    assert phone.locator("[data-past-orders]").count() == 0
