"""Price breakdowns as text: one line per rate, discount or tax, in the buyer's language."""

from __future__ import annotations

from decimal import Decimal

from generator.breakdown import render_breakdown
from generator.pricing import Breakdown, Step, price_style
from tests.unit.pricing_examples import make_brand, make_offer, make_product, make_season

PRODUCT = make_product({"JPY": {"rrp": 28000}, "EUR": {"exw": "120.00", "rrp": "200.00"}})


def test_retail_rate_with_tax_in_english_and_japanese() -> None:
    offer = make_offer("wsp_rrp", rate=45, apply_tax=True)
    price = price_style(make_brand(), offer, make_season(), PRODUCT, "JPY")
    assert render_breakdown(price.breakdown, "en", "en") == (
        "RRP ¥28,000 × 45% = ¥12,600", "+ consumption tax 10% = ¥13,860")
    assert render_breakdown(price.breakdown, "ja", "en") == (
        "RRP ￥28,000 × 45% = ￥12,600", "+ 消費税 10% = ￥13,860")


def test_discount_term_uses_the_term_label() -> None:
    price = price_style(make_brand(), make_offer("exw", discount=10), make_season(), PRODUCT,
                        "EUR")
    assert render_breakdown(price.breakdown, "en", "en") == ("EXW €120.00 − 10% = €108.00",)
    assert render_breakdown(price.breakdown, "fr", "en") == (
        "EXW 120,00\xa0€ − 10\xa0% = 108,00\xa0€",)


def test_neutral_discount_shows_the_list_price_alone() -> None:
    price = price_style(make_brand(), make_offer("exw"), make_season(), PRODUCT, "EUR")
    assert render_breakdown(price.breakdown, "en", "en") == ("EXW €120.00",)


def test_interface_strings_go_through_gettext() -> None:
    catalog = {"RRP": "上代", "{base} × {percent} = {price}": "{base} の {percent} = {price}"}
    price = price_style(make_brand(), make_offer("wsp_rrp", rate=45), make_season(), PRODUCT,
                        "JPY")
    lines = render_breakdown(price.breakdown, "ja", "en", lambda text: catalog.get(text, text))
    assert lines == ("上代 ￥28,000 の 45% = ￥12,600",)


def test_a_lone_list_price_and_an_untitled_tax() -> None:
    breakdown = Breakdown("USD", (Step("list_price", Decimal("80.00"), list_name="fob"),
                                  Step("tax", Decimal("88.00"), percent=Decimal(10))))
    assert render_breakdown(breakdown, "en", "en") == ("FOB $80.00", "+ Tax 10% = $88.00")
