"""The linesheet's filters and search in a real browser, on a public and on a sealed link."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from tests.e2e.buyer import unlock
from tests.e2e.conftest import Shop, needs_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = needs_chromium


def _shown(page: Page) -> list[str]:
    """The style numbers of the cards the linesheet shows."""
    return [text.strip() for text in
            page.locator(".style-card:not([hidden]) .style-no").all_inner_texts()]


def _search(page: Page, text: str) -> None:
    page.fill("[data-filters] input[name=q]", text)


def test_category_colour_and_search_narrow_the_cards(shop: Shop, page: Page) -> None:
    page.goto(f"{shop.origin}/l/ss27-open/en/jpy/ss27/")
    page.locator("[data-filters] input[name=q]").wait_for(state="visible")
    every = _shown(page)
    assert len(every) > 10
    page.check("[data-filters] input[name=category][value=outerwear]")
    assert _shown(page) == ["SS27-001"]
    page.check("[data-filters] input[name=category][value='']")
    page.check("[data-filters] input[name=color][value=indigo]")
    indigo = _shown(page)
    assert "SS27-003" in indigo and len(indigo) < len(every)
    page.check("[data-filters] input[name=color][value='']")
    _search(page, "trench")  # a word of a name
    assert _shown(page) == ["SS27-001"]
    _search(page, "ｓｓ２７００３")  # a style number typed full-width, without its hyphen
    assert _shown(page) == ["SS27-003"]
    assert page.locator("[data-no-match]").is_hidden()
    _search(page, "velvet tuxedo")
    assert _shown(page) == []
    assert page.locator("[data-no-match]").is_visible()
    page.press("[data-filters] input[name=q]", "Enter")  # no navigation: the form stays
    _search(page, "")
    assert _shown(page) == every
    assert page.locator("[data-no-match]").is_hidden()
    assert page.url.endswith("/ss27/")


def test_the_delivery_filter_shows_one_drop_at_a_time(shop: Shop, page: Page) -> None:
    page.goto(f"{shop.origin}/l/ss27-open/en/jpy/ss27/")
    page.locator("[data-filters] input[name=q]").wait_for(state="visible")
    every = _shown(page)
    page.check("[data-filters] input[name=delivery][value='2027-04-15_2027-05-15']")
    # The cupro dress ships with the season, but its tide blue in the summer drop.
    assert _shown(page) == ["SS27-009", "SS27-010", "SS27-015"]
    page.check("[data-filters] input[name=delivery][value='-']")  # with the season
    assert _shown(page) == [number for number in every if number not in ("SS27-009",
                                                                          "SS27-015")]
    page.check("[data-filters] input[name=category][value=accessories]")  # and a category
    assert _shown(page) and "SS27-015" not in _shown(page)
    page.check("[data-filters] input[name=delivery][value='']")
    assert "SS27-015" in _shown(page)


def _prices(page: Page) -> list[float]:
    """The least unit price of each card shown, in the order shown."""
    return [float(price.get_attribute("data-amount") or "nan")
            for price in page.locator(".style-card:not([hidden]) .price").all()]


def test_the_cards_sort_by_price_and_number_and_back_to_the_collections_order(
        shop: Shop, page: Page) -> None:
    page.goto(f"{shop.origin}/l/ss27-open/en/jpy/ss27/")
    page.locator("[data-filters] input[name=q]").wait_for(state="visible")
    collection = _shown(page)
    page.select_option("[data-filters] select[name=sort]", "price")
    assert _prices(page) == sorted(_prices(page)) and _shown(page) != collection
    page.select_option("[data-filters] select[name=sort]", "-price")
    assert _prices(page) == sorted(_prices(page), reverse=True)
    assert _shown(page)[0] == "SS27-001"  # the trench coat, ¥47,000
    page.check("[data-filters] input[name=category][value=trousers]")  # sorted and filtered
    assert _prices(page) == sorted(_prices(page), reverse=True) and len(_shown(page)) == 2
    page.check("[data-filters] input[name=category][value='']")
    page.select_option("[data-filters] select[name=sort]", "number")
    assert _shown(page) == sorted(collection)
    page.select_option("[data-filters] select[name=sort]", "")
    assert _shown(page) == collection


def test_the_linesheet_downloads_as_a_spreadsheet_of_what_it_shows(shop: Shop,
                                                                   page: Page) -> None:
    page.goto(f"{shop.origin}/l/ss27-open/en/jpy/ss27/")
    page.locator("[data-filters] input[name=q]").wait_for(state="visible")
    page.check("[data-filters] input[name=category][value=knitwear]")
    page.select_option("[data-filters] select[name=sort]", "-price")
    shown = _shown(page)
    with page.expect_download() as download:
        page.click("[data-download-sheet]")
    assert download.value.suggested_filename == "ss27-open-ss27-jpy.csv"
    data = Path(download.value.path()).read_bytes()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [row["style_no"] for row in rows] == shown  # as shown: filtered, sorted
    cardigan = next(row for row in rows if row["style_no"] == "SS27-009")
    assert cardigan == {
        "style_no": "SS27-009", "name": "Linen Cardigan", "colors": "Sand, Black",
        "sizes": "XS, S, M, L, XL", "price": "16300", "rrp": "", "currency": "JPY",
        "moq": "1", "delivery": "Apr 15, 2027 – May 15, 2027", "pack": ""}
    assert {row["delivery"] for row in rows} - {cardigan["delivery"]} <= {
        "Jan 15, 2027 – Mar 31, 2027"}  # the others ship with the season


def test_a_sealed_linesheet_filters_once_opened(shop: Shop, page: Page) -> None:
    page.goto(f"{shop.origin}/l/ss27-japan-deposit/en/jpy/ss27/")
    unlock(page, "shiosai45")
    page.locator("[data-filters] input[name=q]").wait_for(state="visible")
    page.check("[data-filters] input[name=category][value=outerwear]")
    assert _shown(page) == ["SS27-001"]
    page.check("[data-filters] input[name=category][value='']")
    _search(page, "SS27-00")
    assert _shown(page) == [f"SS27-00{number}" for number in range(1, 10)]


def test_arrow_keys_go_from_style_to_style_but_not_from_a_quantity(shop: Shop,
                                                                  page: Page) -> None:
    season = f"{shop.origin}/l/ss27-open/en/jpy/ss27"
    page.goto(f"{season}/SS27-002/")
    page.locator("form[data-grid] button[type=submit]").wait_for()  # the scripts are ready
    page.keyboard.press("ArrowRight")
    page.wait_for_url(f"{season}/SS27-003/")
    page.locator("form[data-grid] button[type=submit]").wait_for()
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(f"{season}/SS27-002/")
    page.locator("form[data-grid] button[type=submit]").wait_for()
    page.focus("form[data-grid] input")
    page.keyboard.press("ArrowRight")  # moves the caret in the quantity, not the page
    page.wait_for_timeout(300)
    assert page.url == f"{season}/SS27-002/"


def test_print_waits_for_every_picture_of_the_linesheet(shop: Shop, page: Page) -> None:
    """The cards' pictures load as they scroll into view: a print of the whole linesheet
    first asks for every one, and prints once they have arrived."""
    page.add_init_script("window.print = () => { window.printedWith = [...document"
                         ".querySelectorAll('.style-card img')].map((img) => img.complete "
                         "&& img.naturalWidth > 0); document.documentElement.dataset.printed "
                         "= ''; };")
    page.goto(f"{shop.origin}/l/ss27-open/en/jpy/ss27/")
    page.locator("[data-print]").wait_for(state="visible")
    lazy = page.evaluate("document.querySelectorAll('.style-card img[loading=lazy]').length")
    assert lazy > 0  # some were not loaded when the page opened
    page.click("[data-print]")
    # Not wait_for_function: it evaluates its predicate with eval, which the page's CSP
    # (script-src 'self') refuses now and then.
    page.wait_for_selector("html[data-printed]", state="attached")
    printed = page.evaluate("window.printedWith")
    assert len(printed) == 16 and all(printed)
