"""A style sold in packs, in Chromium on a phone: the style page takes a number of packs of
each colour and shows what they come to, the cart keeps one row a colour with its packs
editable, and the order holds each size of the pack that many times; a shared cart keeps
its packs."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from tests.e2e.buyer import fill_checkout, open_cart, place_order
from tests.e2e.conftest import Shop, needs_chromium
from tests.e2e.test_buyer_pages import serious_violations

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = needs_chromium

COMPANY = {"company": "Select Shop Aoyama", "name": "Aiko Tanaka", "email": "aiko@example.com",
           "phone": "+81 3 1234 5678"}
TEE = "/l/ss27-open/en/jpy/ss27/SS27-007/"  # packs of 8: XS×1 S×2 M×2 L×2 XL×1 at ¥8,600
PACK = {"XS": 1, "S": 2, "M": 2, "L": 2, "XL": 1}


def test_a_buyer_orders_whole_packs_of_each_colour(shop: Shop, phone: Page) -> None:
    phone.goto(shop.origin + TEE)
    phone.locator("form[data-grid] button[type=submit]").wait_for()  # the grid script is ready
    assert "This style is sold in packs of 8 units (XS×1 S×2 M×2 L×2 XL×1)" in phone.inner_text(
        "[data-grid-rules]")
    assert phone.locator("input[data-size]").count() == 0  # no single sizes to type
    phone.fill("input[data-color=ECR][data-packs]", "2")
    phone.fill("input[data-color=NVY][data-packs]", "1")
    expect(phone.locator("[data-grid-total]")).to_have_text("Quantity: 24 · ¥206,400")
    assert serious_violations(phone) == []
    phone.click("form[data-grid] button[type=submit]")
    phone.locator("[data-grid-added] a").wait_for()
    totals = open_cart(phone)
    assert totals["subtotal"] == "¥206,400"
    rows = phone.locator("[data-pack-row]")
    assert rows.count() == 2
    assert rows.nth(0).locator("th").inner_text() == "Ecru · packs of XS×1 S×2 M×2 L×2 XL×1"
    assert rows.nth(0).locator("input").input_value() == "2"
    expect(rows.nth(0).locator("[data-amount]")).to_have_text("¥137,600¥68,800 a pack")
    # One pack fewer of Ecru: the cart holds each of its sizes once per pack.
    rows.nth(0).locator("input").fill("1")
    phone.keyboard.press("Tab")
    expect(phone.locator("[data-total=subtotal]")).to_have_text("¥137,600")
    assert serious_violations(phone) == []
    fill_checkout(phone, COMPANY)
    number = place_order(phone)
    [stored] = [order for order in shop.orders() if order.order_number == number]
    assert {(line.color, line.size): line.quantity for line in stored.lines} == {
        **{("ECR", size): units for size, units in PACK.items()},
        **{("NVY", size): units for size, units in PACK.items()}}
    assert [line.pack for line in stored.lines] == [*PACK.values(), *PACK.values()]
    # The confirmation shows the order as the cart did: a row a colour, its packs counted.
    confirmed = phone.locator("[data-confirmation] .cart-lines tbody tr")
    assert [[cell.inner_text() for cell in row.locator("th, td").all()]
            for row in confirmed.all()] == [
        [f"SS27-007 {stored.lines[0].name}", f"{colour} · packs of XS×1 S×2 M×2 L×2 XL×1", "1",
         "¥68,800\n¥68,800 a pack"] for colour in ("Ecru", "Navy")]
    # Its lines as CSV, a row a size as the brand's export has them: each with its pack.
    with phone.expect_download() as download:
        phone.click("[data-download-lines]")
    data = Path(download.value.path()).read_text(encoding="utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(data, newline="")))
    assert [(row["color"], row["size"], row["quantity"], row["pack"]) for row in lines] == [
        (color, size, str(units), str(units)) for color in ("ECR", "NVY")
        for size, units in PACK.items()]


def test_the_style_page_takes_the_packs_back_from_the_cart(shop: Shop, phone: Page) -> None:
    phone.goto(shop.origin + TEE)
    phone.locator("form[data-grid] button[type=submit]").wait_for()
    phone.fill("input[data-color=NVY][data-packs]", "3")
    phone.click("form[data-grid] button[type=submit]")
    phone.locator("[data-grid-added] a").wait_for()
    phone.reload()
    expect(phone.locator("input[data-color=NVY][data-packs]")).to_have_value("3")
    phone.fill("input[data-color=NVY][data-packs]", "1.5")
    expect(phone.locator("[data-grid-problem]")).to_have_text(
        "Type a whole number from 0 to 5,000.")


def test_a_shared_cart_keeps_its_packs(shop: Shop, phone: Page, page: Page) -> None:
    phone.goto(shop.origin + TEE)
    phone.locator("form[data-grid] button[type=submit]").wait_for()
    phone.fill("input[data-color=NVY][data-packs]", "2")
    phone.click("form[data-grid] button[type=submit]")
    phone.locator("[data-grid-added] a").wait_for()
    open_cart(phone)
    phone.click("[data-share-copy]")
    field = phone.locator("[data-share-url]")
    field.wait_for(state="visible")
    page.goto(field.input_value())  # another device
    page.locator("[data-cart-totals]").wait_for(state="visible")
    row = page.locator("[data-pack-row]")
    assert row.locator("th").inner_text() == "Navy · packs of XS×1 S×2 M×2 L×2 XL×1"
    assert row.locator("input").input_value() == "2"
    assert page.inner_text("[data-total=subtotal]") == "¥137,600"


def test_the_linesheet_and_its_spreadsheet_name_the_pack(shop: Shop, page: Page) -> None:
    page.goto(f"{shop.origin}/l/ss27-open/en/jpy/ss27/")
    card = page.locator(".style-card", has_text="SS27-007")
    assert card.locator(".pack").inner_text() == "Packs of 8: XS×1 S×2 M×2 L×2 XL×1"
    page.locator("[data-download-sheet]").wait_for(state="visible")
    with page.expect_download() as download:
        page.click("[data-download-sheet]")
    data = Path(download.value.path()).read_bytes()
    rows = {row["style_no"]: row for row in csv.DictReader(
        io.StringIO(data.decode("utf-8-sig"), newline=""))}
    assert rows["SS27-007"]["pack"] == "XS×1 S×2 M×2 L×2 XL×1"
    assert rows["SS27-001"]["pack"] == ""
