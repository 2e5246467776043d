"""When an order's lines ship, as its e-mails, confirmation page and `orders show` say it."""

from __future__ import annotations

from typing import Any

import pytest

from order_api.schemas import PricedLine
from order_api.shipping import Shipping, delivery_text, shipping


@pytest.mark.parametrize(("value", "language", "shown"), [
    ("2027-04-15/2027-05-15", "en", "Apr 15, 2027 – May 15, 2027"),
    ("2027-04-15/2027-05-15", "ja", "2027年4月15日 – 2027年5月15日"),
    ("2027-04-15/2027-05-15", "fr", "15 avr. 2027 – 15 mai 2027"),
    ("2027-04-15/2027-05-15", None, "2027-04-15 – 2027-05-15"),
    ("2027-06-01/2027-06-01", "en", "Jun 1, 2027"),  # one day
    ("2026-12-15/2027-01-15", "zh-Hans", "2026年12月15日 – 2027年1月15日"),
    ("Feb/Mar 2027", "en", "Feb/Mar 2027"),  # the brand's text with a slash stays as written
    ("2027-02-30/2027-03-01", "en", "2027-02-30/2027-03-01"),  # not a date: not read as one
    ("夏のデリバリー", "ja", "夏のデリバリー"),
])
def test_a_delivery_reads_in_the_orders_language(value: str, language: str | None,
                                                 shown: str) -> None:
    assert delivery_text(value, language) == shown


def _line(delivery: str | None) -> PricedLine:
    fields: dict[str, Any] = {
        "style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 1, "name": "Coat",
        "color_name": "Black", "sku": None, "jan": None, "unit_price": "100",
        "amount": "100", "breakdown": [], "delivery": delivery}
    return PricedLine.model_validate(fields)


def test_lines_that_ship_together_say_it_once_and_apart_each() -> None:
    window = "2027-02-01/2027-03-15"
    assert shipping([_line(window), _line(window)], "en") == Shipping(
        "Feb 1, 2027 – Mar 15, 2027", (None, None))
    assert shipping([_line(window), _line("Summer drop"), _line(None)], "en") == Shipping(
        None, ("Feb 1, 2027 – Mar 15, 2027", "Summer drop", None))
    assert shipping([_line(None)], "en") == Shipping(None, (None,))  # an older order
    assert shipping([], "en") == Shipping(None, ())
