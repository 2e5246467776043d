"""The cart's edges in Chromium: a lost answer followed by another cart, a style page that
follows the cart (other tabs, Back after an order), quantities the cart page refuses, the
server's refusals in words, the multiples offered from the minimum up."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from tests.e2e.buyer import fill_checkout, fill_grid, open_cart, place_order, unlock
from tests.e2e.conftest import Shop, needs_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = needs_chromium

COMPANY = {"company": "Select Shop Aoyama", "name": "Aiko Tanaka", "email": "aiko@example.com",
           "phone": "+81 3 1234 5678"}
STYLE = "/l/ss27-open/en/jpy/ss27/{}/"
GRID_READY = "form[data-grid] button[type=submit]"


def test_an_order_lost_then_another_cart_shows_the_first_and_orders_the_second(
        shop: Shop, page: Page) -> None:
    """The first try is stored but its answer lost; the buyer changes the cart instead of
    retrying: the page shows the stored order as the earlier one, keeps the cart, and the
    next press orders the cart as it is now."""
    page.goto(shop.origin + STYLE.format("SS27-001"))
    fill_grid(page, {("ECR", "M"): 2})
    open_cart(page)
    fill_checkout(page, COMPANY)
    page.route("**/api/links/ss27-open/orders",
               lambda route: (route.fetch(), route.abort("connectionreset")))
    page.click("form[data-checkout] button[type=submit]")
    page.locator("[data-checkout-message]:text('connection failed')").wait_for()
    page.unroute("**/api/links/ss27-open/orders")
    page.goto(shop.origin + STYLE.format("SS27-002"))
    fill_grid(page, {("NVY", "M"): 1})
    open_cart(page)
    fill_checkout(page, COMPANY)
    page.click("form[data-checkout] button[type=submit]")
    earlier = page.locator("[data-earlier-order]")
    earlier.wait_for()
    [first] = shop.orders()
    assert earlier.locator("h2").first.inner_text() == (f"Your earlier order {first.order_number} "
                                                  "reached us")
    assert "has not been ordered" in earlier.inner_text()
    assert page.locator(".cart-style").count() == 2  # the cart as it is, nothing taken out
    number = place_order(page)
    assert page.locator("[data-earlier-order]").count() == 0
    second = next(order for order in shop.orders() if order.order_number == number)
    assert number != first.order_number
    assert sorted((line.style_no, line.quantity) for line in second.lines) == [
        ("SS27-001", 2), ("SS27-002", 1)]
    assert [(line.style_no, line.quantity) for line in first.lines] == [("SS27-001", 2)]


def test_a_style_page_follows_the_cart_of_another_tab_and_after_an_order(
        shop: Shop, page: Page) -> None:
    page.goto(shop.origin + STYLE.format("SS27-001"))
    fill_grid(page, {("ECR", "M"): 2})
    cell = page.locator("input[data-color=ECR][data-size=M]")
    other = page.context.new_page()
    other.goto(shop.origin + "/l/ss27-open/en/jpy/cart/")
    other.locator("[data-cart-totals]").wait_for(state="visible")
    other.fill("input[aria-label='Quantity of Ecru, M']", "7")
    other.keyboard.press("Tab")
    # Polled by Playwright, not a function evaluated in the page, which its CSP may refuse.
    expect(cell).to_have_value("7")
    assert "Quantity: 7" in page.inner_text("[data-grid-total]")
    # Typing here that is not saved yet is not overwritten by the other tab.
    page.fill("input[data-color=SND][data-size=S]", "1")
    other.fill("input[aria-label='Quantity of Ecru, M']", "5")
    other.keyboard.press("Tab")
    other.locator("[data-total=total]").wait_for()
    assert cell.input_value() == "7"
    other.close()
    # After the order, Back to the style page shows an empty grid, as the cart is.
    page.fill("input[data-color=SND][data-size=S]", "0")
    open_cart(page)
    fill_checkout(page, COMPANY)
    place_order(page)
    page.go_back()
    page.locator(GRID_READY).wait_for()
    assert cell.input_value() == "0"
    assert page.inner_text("[data-grid-total]") == ""


def test_the_cart_page_refuses_a_quantity_it_cannot_read_and_keeps_the_line(
        shop: Shop, page: Page) -> None:
    page.goto(shop.origin + STYLE.format("SS27-001"))
    page.locator(GRID_READY).wait_for()
    # The grid's inputs take the endpoint's limit from the scripts (no template repeats it).
    assert page.get_attribute("input[data-color=ECR][data-size=M]", "max") == "10000"
    fill_grid(page, {("ECR", "M"): 2})
    open_cart(page)
    fill_checkout(page, COMPANY)
    field = page.locator("input[aria-label='Quantity of Ecru, M']")
    for typed in ("", "20000"):
        field.fill(typed)
        page.keyboard.press("Tab")
        problem = page.locator("[data-style-problem]")
        assert "Type a whole number from 0 to 10,000." in problem.inner_text()
        assert page.locator("[data-cart-totals]").is_hidden()  # no total for the old quantity
        page.click("form[data-checkout] button[type=submit]")
        assert "need a change" in page.inner_text("[data-checkout-message]")
        assert shop.orders() == []
        assert page.locator(".cart-style").count() == 1
        page.reload()
        page.locator("[data-cart-totals]").wait_for(state="visible")
        assert field.input_value() == "2"  # the cart kept the line as it was
        fill_checkout(page, COMPANY)
    field.fill("3")
    page.keyboard.press("Tab")
    page.locator("[data-cart-totals]").wait_for(state="visible")
    number = place_order(page)
    [order] = shop.orders()
    assert (order.order_number, order.lines[0].quantity) == (number, 3)


def test_the_servers_refusal_of_a_line_is_worded_for_the_buyer(shop: Shop, page: Page) -> None:
    """A cart saved by an older build names a colour the style no longer has."""
    page.goto(shop.origin + STYLE.format("SS27-001"))
    fill_grid(page, {("ECR", "M"): 2})
    key = "linesheets:ss27-open:JPY:cart"
    cart = json.loads(page.evaluate(f"localStorage.getItem('{key}')"))
    cart["styles"][0]["cells"].append({"color": "RED", "size": "M", "quantity": 1})
    page.evaluate(f"localStorage.setItem('{key}', {json.dumps(json.dumps(cart))})")
    page.click(".cart-link")
    problem = page.locator("[data-style-problem]")
    problem.filter(has_text="no longer offered").wait_for()
    assert "server_" not in problem.inner_text()
    # Saved without its colour's name (an older or damaged cart): the line shows the code.
    assert page.locator("[data-line='SS27-001|RED|M'] th").inner_text() == "RED · M"


def test_the_grid_offers_multiples_that_reach_the_minimum(shop: Shop, page: Page) -> None:
    """Socks: at least 4 pairs, in multiples of 2; 3 pairs are not 'order 2 or 4'."""
    page.goto(shop.origin + STYLE.format("SS27-016"))
    page.locator(GRID_READY).wait_for()
    page.fill("input[data-color=ECR][data-size='23-25']", "3")
    assert page.inner_text("[data-grid-problem]") == (
        "The minimum for this style is 4 units in total; you have 3. This style is sold in "
        "multiples of 2: order at least 4 in total.")
    page.fill("input[data-color=ECR][data-size='23-25']", "5")
    assert "order 4 or 6 in total" in page.inner_text("[data-grid-problem]")


def test_an_empty_cart_points_to_the_currency_that_holds_styles(shop: Shop, page: Page) -> None:
    page.goto(shop.origin + STYLE.format("SS27-001"))
    fill_grid(page, {("ECR", "M"): 2})
    page.goto(shop.origin + "/l/ss27-open/en/usd/cart/")
    hint = page.locator("[data-cart-lines] a", has_text="Your cart in JPY holds styles")
    hint.click()
    page.locator("[data-cart-totals]").wait_for(state="visible")
    assert page.url.endswith("/l/ss27-open/en/jpy/cart/")


def test_a_closed_collections_lines_can_still_be_removed(shop: Shop, page: Page) -> None:
    """AW26 closed for orders after the line went into the cart: the line cannot be ordered
    or changed, but it need not stay in the cart for good."""
    page.goto(shop.origin + "/l/asagiri-collections/en/jpy/")
    unlock(page, "asagiri-buyers")
    key = "linesheets:asagiri-collections:JPY:cart"
    line = {"season": "aw26", "seasonName": "AW26", "style": "AW26-001", "name": "Coat",
            "href": "/l/asagiri-collections/en/jpy/", "unit": "1000", "moq": 1, "multiple": 1,
            "cells": [{"color": "CHR", "colorName": "Charcoal", "size": "M", "quantity": 1}]}
    cart = json.dumps({"v": 1, "styles": [line]})
    page.evaluate(f"localStorage.setItem('{key}', {json.dumps(cart)})")
    page.goto(shop.origin + "/l/asagiri-collections/en/jpy/cart/")
    remove = page.locator("button[aria-label='Remove Charcoal, M']")
    page.locator("[data-cart-status]", has_text="closed").wait_for()
    assert page.locator("input[aria-label='Quantity of Charcoal, M']").is_disabled()
    remove.click()
    page.locator("p.empty").wait_for()
    assert page.evaluate(f"localStorage.getItem('{key}')") is None
