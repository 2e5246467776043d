"""VAT numbers at checkout, in Chromium: a business in another EU member state orders on an
intra-Community link (no tax in the cart, its number required, one of the brand's own
country refused at the field, the order stored with the number as VIES writes it); on a VAT
registered brand's other links a company may give its number, or leave the field empty."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tests.e2e.buyer import fill_checkout, fill_grid, open_cart, place_order
from tests.e2e.conftest import build_into, needs_chromium, serve
from tests.unit.conftest import ContentDir
from tests.unit.invoicing import INVOICING

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = needs_chromium

BUYER = {"company": "Laden Berlin GmbH", "name": "Jonas Weber", "email": "jonas@laden.example",
         "phone": "+49 30 1234 5678"}


def _registered_brand(tmp_path: Path) -> ContentDir:
    """The scratch content, its brand registered for VAT in France."""
    content = ContentDir(tmp_path / "content")
    brand = content.root / "brand.yaml"
    brand.write_text(brand.read_text("utf-8") + INVOICING + "  vat_number: FR40303265045\n",
                     "utf-8")
    return content


def test_an_eu_business_orders_without_vat_with_its_vat_number(page: Page,
                                                                tmp_path: Path) -> None:
    content = _registered_brand(tmp_path)
    content.edit("links/open.yaml", "season: ss27", "season: ss27\nintra_community: true")
    built = build_into(tmp_path / "site", content.root)
    with serve(built, tmp_path) as shop:
        page.goto(f"{shop.origin}/l/open/en/usd/ss27/")
        page.click(".style-card:has(.style-no:text-is('SS27-001')) a")
        fill_grid(page, {("BLK", "M"): 2})
        totals = open_cart(page)
        assert set(totals) == {"subtotal", "total"} and totals["total"] == "$288.00"

        vat = page.locator("form[data-checkout] [name=vat_number]")
        fill_checkout(page, {**BUYER, "vat_number": "FR 40 303 265 045"})
        page.click("form[data-checkout] button[type=submit]")
        page.locator("#problem-vat_number").wait_for()
        assert vat.get_attribute("aria-invalid") == "true"
        assert "company's EU VAT number" in page.inner_text("#problem-vat_number")
        assert shop.orders() == []

        vat.fill("de 123 456 789")
        number = place_order(page)
        [order] = shop.orders()
        assert order.order_number == number
        assert (order.buyer.vat_number, order.tax, order.total, order.intra_community) == (
            "DE123456789", "0.00", "288.00", True)
        assert "DE123456789" in page.inner_text("[data-confirmation]")


def test_a_company_may_give_its_vat_number_or_leave_it_out(page: Page, tmp_path: Path) -> None:
    built = build_into(tmp_path / "site", _registered_brand(tmp_path).root)
    with serve(built, tmp_path) as shop:
        page.goto(f"{shop.origin}/l/open/en/usd/ss27/")
        page.click(".style-card:has(.style-no:text-is('SS27-001')) a")
        fill_grid(page, {("BLK", "M"): 2})
        assert "tax" in open_cart(page)  # an order with VAT
        vat = page.locator("form[data-checkout] [name=vat_number]")
        fill_checkout(page, {**BUYER, "vat_number": "FR 12 345"})
        page.click("form[data-checkout] button[type=submit]")
        page.locator("#problem-vat_number").wait_for()
        assert "or leave it empty" in page.inner_text("#problem-vat_number")
        vat.fill("")
        place_order(page)
        [order] = shop.orders()
        assert (order.buyer.vat_number, order.tax) == (None, "28.80")
