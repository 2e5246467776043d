"""The buyer's flow in Chromium, for each kind of link: unlock where sealed, fill a size grid,
review the cart the server quoted, check out; the stored order carries the server's prices,
and a double click or a retry after a lost answer makes one order."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from tests.e2e.buyer import (
    confirmed_number,
    fill_checkout,
    fill_grid,
    formatted,
    open_cart,
    place_order,
    server_quote,
    unlock,
)
from tests.e2e.conftest import Built, Shop, needs_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

pytestmark = needs_chromium

COMPANY = {"company": "Select Shop Aoyama", "name": "Aiko Tanaka", "email": "aiko@example.com",
           "phone": "+81 3 1234 5678"}


def open_style(page: Page, style_no: str) -> None:
    """Go from a linesheet to a style's page (sealed links have opaque style URLs)."""
    page.click(f".style-card:has(.style-no:text-is('{style_no}')) a")
    page.locator("form[data-grid] button[type=submit]").wait_for()  # the grid script is ready


def test_instant_link_checkout_stores_the_servers_prices(shop: Shop, page: Page,
                                                        demo_build: Built) -> None:
    page.goto(f"{shop.origin}/l/ss27-open/en/usd/ss27/")
    open_style(page, "SS27-006")
    assert page.locator("input[data-color=GRY][data-size=XS]").count() == 0  # sold out
    page.fill("input[data-color=BLK][data-size=M]", "2")
    problem = page.locator("[data-grid-problem]")
    assert "minimum for this style is 3" in problem.inner_text()
    page.fill("input[data-color=WHT][data-size=S]", "1")
    assert problem.inner_text() == ""
    assert "Quantity: 3" in page.inner_text("[data-grid-total]")
    fill_grid(page, {("BLK", "M"): 2, ("WHT", "S"): 1})
    page.goto(f"{shop.origin}/l/ss27-open/en/usd/ss27/")
    open_style(page, "SS27-016")
    page.fill("input[data-color=ECR][data-size='23-25']", "3")
    assert "multiples of 2" in page.inner_text("[data-grid-problem]")
    fill_grid(page, {("ECR", "23-25"): 4})

    totals = open_cart(page)
    quote = server_quote(demo_build, "ss27-open", "en", "USD", "ss27", {
        ("SS27-006", "BLK", "M"): 2, ("SS27-006", "WHT", "S"): 1, ("SS27-016", "ECR", "23-25"): 4})
    assert totals == {name: formatted(page, getattr(quote, name), "USD")
                      for name in ("subtotal", "tax", "total")}
    assert page.locator(".cart-style").count() == 2
    assert page.locator("[data-style-delivery]:visible").count() == 0  # they ship together

    # Remove a line: the style falls below its minimum, and the cart says so.
    page.click("button[aria-label='Remove White, S']")
    page.locator("[data-style-problem]", has_text="minimum for this style is 3").wait_for()
    page.locator("[data-cart-status]", has_text="need a change").wait_for()
    # Change a quantity: the server quotes the cart again.
    page.fill("input[aria-label='Quantity of Black, M']", "3")
    page.press("input[aria-label='Quantity of Black, M']", "Tab")
    quote = server_quote(demo_build, "ss27-open", "en", "USD", "ss27", {
        ("SS27-006", "BLK", "M"): 3, ("SS27-016", "ECR", "23-25"): 4})
    page.locator("[data-total=total]", has_text=formatted(page, quote.total, "USD")).wait_for()
    assert page.locator("[data-cart-totals]").is_visible()
    fill_checkout(page, COMPANY)
    number = place_order(page)

    [order] = shop.orders()
    assert order.order_number == number
    assert (order.subtotal, order.tax, order.total) == (quote.subtotal, quote.tax, quote.total)
    assert sorted((line.style_no, line.color, line.size, line.quantity, line.unit_price)
                  for line in order.lines) == sorted(
        (line.style_no, line.color, line.size, line.quantity, line.unit_price)
        for line in quote.lines)
    assert order.buyer.company == COMPANY["company"]
    shown = page.inner_text("[data-confirmation]")  # both styles ship with the season
    assert "Delivery: Jan 15, 2027 – Mar 31, 2027" in shown
    assert page.locator("[data-confirmation] .line-delivery").count() == 0
    # The cart is empty once the order is acknowledged, and stays so after a reload, which
    # shows the order's confirmation again rather than an empty cart.
    page.reload()
    assert confirmed_number(page) == number
    assert page.locator("[data-cart]").is_hidden()
    assert page.locator("form[data-checkout]").is_hidden()
    assert page.locator("[data-cart-count]").inner_text() == ""
    # A new cart: the last order's confirmation is behind the buyer.
    page.goto(f"{shop.origin}/l/ss27-open/en/usd/ss27/")
    open_style(page, "SS27-006")
    fill_grid(page, {("BLK", "M"): 3})
    open_cart(page)
    assert page.locator("[data-confirmation]").count() == 0
    page.locator("[data-cart-lines] .cart-style").wait_for()


def test_a_confirmation_says_when_each_line_ships_when_a_later_drop_is_in_it(
        shop: Shop, page: Page) -> None:
    page.goto(f"{shop.origin}/l/ss27-open/ja/jpy/ss27/")
    open_style(page, "SS27-009")  # the linen cardigan: the summer drop
    assert "納期：2027年4月15日 – 2027年5月15日" in page.inner_text("article.style")
    fill_grid(page, {("SND", "M"): 2})
    page.goto(f"{shop.origin}/l/ss27-open/ja/jpy/ss27/")
    open_style(page, "SS27-006")
    fill_grid(page, {("BLK", "M"): 3})
    open_cart(page)
    assert page.locator("[data-style-delivery]").all_inner_texts() == [
        "納期：2027年4月15日 – 2027年5月15日", "納期：2027年1月15日 – 2027年3月31日"]
    fill_checkout(page, COMPANY)
    place_order(page)
    lines = page.locator("[data-confirmation] tbody th").all_inner_texts()
    assert [line.splitlines()[-1] for line in lines] == [
        "納期：2027年4月15日 – 2027年5月15日", "納期：2027年1月15日 – 2027年3月31日"]
    [order] = shop.orders()
    assert [line.delivery for line in order.lines] == ["2027-04-15/2027-05-15",
                                                       "2027-01-15/2027-03-31"]


def test_a_size_priced_apart_is_totalled_and_ordered_at_its_price(shop: Shop, page: Page,
                                                                  demo_build: Built) -> None:
    page.goto(f"{shop.origin}/l/ss27-open/en/jpy/ss27/")
    open_style(page, "SS27-003")  # the Indigo Work Jacket: XL ¥29,800, the others ¥27,800
    page.locator("form[data-grid] button[type=submit]").wait_for()
    page.fill("input[data-color=IND][data-size=M]", "1")
    page.fill("input[data-color=IND][data-size=XL]", "2")
    assert "Quantity: 3 · ¥87,400" in page.inner_text("[data-grid-total]")
    fill_grid(page, {("IND", "M"): 1, ("IND", "XL"): 2})
    totals = open_cart(page)
    quote = server_quote(demo_build, "ss27-open", "en", "JPY", "ss27", {
        ("SS27-003", "IND", "M"): 1, ("SS27-003", "IND", "XL"): 2})
    assert quote.subtotal == "87400"
    assert totals["subtotal"] == formatted(page, quote.subtotal, "JPY")
    fill_checkout(page, COMPANY)
    place_order(page)
    [order] = shop.orders()
    assert [(line.size, line.unit_price) for line in order.lines] == [("M", "27800"),
                                                                      ("XL", "29800")]
    # The buyer takes the lines away as CSV, for their own purchase records.
    with page.expect_download() as download:
        page.click("[data-download-lines]")
    assert download.value.suggested_filename == f"{order.order_number}.csv"
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [(row["order_number"], row["style_no"], row["size"], row["quantity"],
             row["unit_price"], row["amount"], row["currency"]) for row in rows] == [
        (order.order_number, "SS27-003", "M", "1", "27800", "27800", "JPY"),
        (order.order_number, "SS27-003", "XL", "2", "29800", "59600", "JPY")]
    assert rows[0]["style_name"] == "Indigo Work Jacket"
    assert [row["pack"] for row in rows] == ["", ""]  # sold by the unit


def test_brand_link_checkout_after_unlock(shop: Shop, page: Page, demo_build: Built) -> None:
    page.goto(f"{shop.origin}/l/asagiri-collections/ja/jpy/ss27/")
    unlock(page, "asagiri-buyers")
    open_style(page, "SS27-001")
    fill_grid(page, {("ECR", "S"): 2, ("SND", "M"): 1})
    page.goto(f"{shop.origin}/l/asagiri-collections/ja/jpy/aw27/")  # opens with the kept key
    open_style(page, "AW27-001")
    fill_grid(page, {("SMI", "M"): 1})
    # The cart holds two collections; one order is for one of them, the first by default.
    totals = open_cart(page)
    assert page.locator(".season-picker input").count() == 2
    quote = server_quote(demo_build, "asagiri-collections", "ja", "JPY", "ss27",
                         {("SS27-001", "ECR", "S"): 2, ("SS27-001", "SND", "M"): 1})
    assert totals["total"] == formatted(page, quote.total, "JPY")
    fill_checkout(page, COMPANY)
    number = place_order(page)
    [order] = shop.orders()
    assert (order.order_number, order.total, order.link) == (number, quote.total,
                                                              "asagiri-collections")
    assert "ご注文" in page.inner_text("[data-confirmation]")  # the page's language
    page.click("[data-confirmation] a")  # the other collection is still in the cart
    page.locator("[data-cart-totals]").wait_for(state="visible")
    assert page.inner_text("[data-cart-lines] .style-no") == "AW27-001"


def test_customer_link_checkout_with_address_and_deposit(shop: Shop, page: Page,
                                                         demo_build: Built) -> None:
    page.goto(f"{shop.origin}/l/hakobune-kyoto/ja/jpy/ss27/")
    unlock(page, "hakobune-2027")
    open_style(page, "SS27-002")
    fill_grid(page, {("NVY", "M"): 3})
    totals = open_cart(page)
    quote = server_quote(demo_build, "hakobune-kyoto", "ja", "JPY", "ss27",
                         {("SS27-002", "NVY", "M"): 3})
    assert totals == {name: formatted(page, getattr(quote, name), "JPY")
                      for name in ("subtotal", "tax", "total", "deposit", "balance")}
    # The registered buyer's details fill the form; the buyer may change them.
    form = page.locator("form[data-checkout]")
    assert {name: form.locator(f"[name={name}]").input_value() for name in (
        "company", "name", "email", "phone", "country", "postal_code", "region", "city",
        "line1", "line2")} == {
        "company": "株式会社ハコブネ（HAKOBUNE 京都）", "name": "森下 彩",
        "email": "buying@hakobune.example", "phone": "075-555-0138", "country": "JP",
        "postal_code": "604-8152", "region": "京都府", "city": "京都市中京区",
        "line1": "手洗水町 650", "line2": "ハコブネビル 2F"}
    fill_checkout(page, COMPANY | {"country": "jp", "postal_code": "604-8152",
                                   "city": "京都市中京区", "line1": "手洗水町 650"})
    place_order(page)
    [order] = shop.orders()
    assert (order.deposit, order.balance) == (quote.deposit, quote.balance)
    assert order.address is not None and order.address.country == "JP"
    # The printable summary repeats what the server stored.
    summary = page.inner_text("[data-confirmation]")
    assert formatted(page, order.deposit, "JPY") in summary and "手洗水町 650" in summary


def test_a_double_click_places_one_order(shop: Shop, page: Page) -> None:
    page.goto(f"{shop.origin}/l/vivian-cheung/en/usd/ss27/")
    unlock(page, "vivian-hk")
    open_style(page, "SS27-003")
    fill_grid(page, {("IND", "M"): 1})
    open_cart(page)
    assert page.locator("form[data-checkout] [name=company]").count() == 0  # a personal link
    fill_checkout(page, {"name": "Vivian Cheung", "email": "vivian@vcstyling.example"})
    page.dblclick("form[data-checkout] button[type=submit]")
    confirmed_number(page)
    assert len(shop.orders()) == 1


def test_a_retry_after_a_lost_answer_places_one_order(shop: Shop, page: Page) -> None:
    """The first answer is lost after the server stored the order: the retry gets that order."""
    page.goto(f"{shop.origin}/l/ss27-china/zh-hans/usd/ss27/")
    open_style(page, "SS27-004")
    fill_grid(page, {("SAX", "L"): 2})
    open_cart(page)
    assert page.locator("form[data-checkout] [name=country]").input_value() == "CN"
    fill_checkout(page, COMPANY | {"city": "上海", "line1": "南京西路 1 号"})
    lost: list[str] = []

    def lose_first_answer(route: Route) -> None:
        if lost:
            route.continue_()
            return
        answer = route.fetch()  # the server handles the order ...
        lost.append(str(answer.status))
        route.abort("connectionreset")  # ... and its answer never arrives

    page.route("**/api/links/ss27-china/orders", lose_first_answer)
    page.click("form[data-checkout] button[type=submit]")
    page.locator("[data-checkout-message]:text('不会重复')").wait_for()
    assert lost == ["201"] and len(shop.orders()) == 1
    assert page.locator(".cart-style").count() == 1  # the cart is kept until acknowledged
    number = place_order(page)
    [order] = shop.orders()
    assert order.order_number == number and order.address and order.address.country == "CN"


def test_a_changed_total_is_shown_and_confirmed_before_ordering(shop: Shop, page: Page,
                                                                demo_build: Built) -> None:
    page.goto(f"{shop.origin}/l/ss27-open/en/jpy/ss27/SS27-001/")
    fill_grid(page, {("ECR", "M"): 1})

    def stale_quote(route: Route) -> None:
        # The buyer saw a total from before a price change: lower than the server's now.
        answer = route.fetch()
        quote = answer.json()
        quote["total"] = str(int(quote["total"]) - 1000)
        route.fulfill(response=answer, json=quote)

    page.route("**/api/links/ss27-open/quote", stale_quote)
    open_cart(page)
    fill_checkout(page, COMPANY)
    page.click("form[data-checkout] button[type=submit]")
    real = server_quote(demo_build, "ss27-open", "en", "JPY", "ss27",
                        {("SS27-001", "ECR", "M"): 1}).total
    page.locator("[data-checkout-message]", has_text=formatted(page, real, "JPY")).wait_for()
    assert shop.orders() == []
    assert page.inner_text("[data-total=total]") == formatted(page, real, "JPY")
    assert page.inner_text("form[data-checkout] button") == \
        "Confirm the new total and place the order"
    place_order(page)
    [order] = shop.orders()
    assert order.total == real


def test_a_changed_retry_after_a_lost_answer_shows_the_order_that_arrived(
        shop: Shop, page: Page) -> None:
    """The buyer edits the note after the lost answer: the server already holds the first
    version, so the page shows that order (and says so) rather than placing a second."""
    page.goto(f"{shop.origin}/l/ss27-open/en/jpy/ss27/SS27-001/")
    fill_grid(page, {("ECR", "M"): 1})
    open_cart(page)
    fill_checkout(page, COMPANY | {"note": "first"})
    page.route("**/api/links/ss27-open/orders",
               lambda route: (route.fetch(), route.abort("connectionreset")))
    page.click("form[data-checkout] button[type=submit]")
    page.locator("[data-checkout-message]:text('connection failed')").wait_for()
    page.unroute("**/api/links/ss27-open/orders")
    page.fill("form[data-checkout] [name=note]", "second")
    number = place_order(page)
    assert "reached us before" in page.inner_text("[data-confirmation] .note")
    [order] = shop.orders()
    assert (order.order_number, order.note) == (number, "first")


def test_a_cart_below_the_buyers_minimum_order_says_what_is_missing(
        shop: Shop, page: Page, demo_build: Built) -> None:
    """Calme Paris orders at least €1,500 before tax: below it the cart says how much is
    missing and keeps the order form back; reaching it, the buyer orders."""
    page.goto(f"{shop.origin}/l/calme-paris/en/eur/ss27/")
    unlock(page, "calme-ss27")
    open_style(page, "SS27-001")
    fill_grid(page, {("ECR", "M"): 2})
    open_cart(page)
    small = server_quote(demo_build, "calme-paris", "en", "EUR", "ss27",
                         {("SS27-001", "ECR", "M"): 2})
    missing = formatted(page, str(1500 - float(small.subtotal)), "EUR")
    status = page.locator("[data-cart-status]")
    assert status.inner_text() == (f"Add {missing} to reach the minimum order value, then you "
                                   "can place the order.")
    assert page.locator("form[data-checkout]").is_hidden()
    assert "Minimum order value: €1,500.00 before tax." in page.inner_text("[data-cart]")
    page.fill("[data-cart-lines] input", "6")  # the line's quantity, changed in the cart
    page.press("[data-cart-lines] input", "Tab")
    page.locator("form[data-checkout]").wait_for(state="visible")
    assert status.inner_text() == ""
    place_order(page)
    [order] = shop.orders()
    assert order.buyer.company == "Calme Paris SARL" and float(order.subtotal) >= 1500


def test_a_proxy_that_drops_the_token_is_told_not_looped(shop: Shop, page: Page) -> None:
    """A CDN or proxy in front of the endpoint that drops the Authorization header: the page
    sent its token, the endpoint got none. The page used to take it for an ended access and
    ask for the passcode again, which got the same answer after every try."""
    page.goto(f"{shop.origin}/l/asagiri-collections/en/jpy/ss27/")
    unlock(page, "asagiri-buyers")
    open_style(page, "SS27-001")
    fill_grid(page, {("ECR", "S"): 2})
    open_cart(page)
    fill_checkout(page, COMPANY)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)

    def drop_authorization(route: Route) -> None:
        route.continue_(headers={name: value for name, value in route.request.headers.items()
                                 if name.lower() != "authorization"})

    page.route("**/api/links/asagiri-collections/orders", drop_authorization)
    page.click("form[data-checkout] button[type=submit]")
    page.locator("[data-checkout-message]:text('part of it is lost on the way')").wait_for()
    assert shop.orders() == []
    assert any("received no Authorization header" in error for error in errors)
    assert page.evaluate("sessionStorage.getItem('linesheets:asagiri-collections:unlock')")
    page.unroute("**/api/links/asagiri-collections/orders")
    place_order(page)  # the same page, the same access: no passcode asked again
    assert len(shop.orders()) == 1
