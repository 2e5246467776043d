"""Unit prices: each basis, precedence level, rounding mode and currency, from hand-computed
examples; properties of the arithmetic; and the precise errors for bad input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.errors import PricingError
from generator.fields import Text
from generator.models import Rounding, Tax, Term, TermParameter
from generator.pricing import (
    Step,
    minor_digits,
    percent_of,
    price_style,
    resolve_parameter,
    round_money,
)
from tests.unit.pricing_examples import (
    CURRENCIES,
    DETERMINISTIC,
    make_brand,
    make_offer,
    make_product,
    make_season,
)


@pytest.mark.parametrize(("currency", "digits"), [
    ("JPY", 0), ("KRW", 0), ("USD", 2), ("EUR", 2), ("CNY", 2), ("KWD", 3), ("BHD", 3),
])
def test_minor_digits_come_from_cldr(currency: str, digits: int) -> None:
    assert minor_digits(currency) == digits


@pytest.mark.parametrize("currency", ["XYZ", "jpy", "", "YEN"])
def test_unknown_currency_is_an_error(currency: str) -> None:
    with pytest.raises(PricingError, match=f"unknown currency '{currency}'"):
        minor_digits(currency)


@pytest.mark.parametrize(("amount", "currency", "rounding", "expected"), [
    ("500.5", "JPY", "half_up", "501"), ("500.5", "JPY", "down", "500"),
    ("500.5", "JPY", "up", "501"), ("500.49", "JPY", "half_up", "500"),
    ("0.025", "USD", "half_up", "0.03"),  # half_up, not the banker's 0.02
    ("84.9915", "EUR", "down", "84.99"), ("84.9915", "EUR", "up", "85.00"),
    ("3.30033", "KWD", "half_up", "3.300"), ("3.30033", "KWD", "up", "3.301"),
    ("12", "USD", "half_up", "12.00"), ("7", "KWD", "down", "7.000"), ("0", "JPY", "up", "0"),
])
def test_round_money_rounds_to_the_minor_unit(
    amount: str, currency: str, rounding: Rounding, expected: str
) -> None:
    assert str(round_money(Decimal(amount), currency, rounding)) == expected


# term, currency, list price, rate or discount (None: neutral), rounding -> unit price
UNIT_PRICES: list[tuple[str, str, str, int | str | None, Rounding, str]] = [
    ("wsp_rrp", "JPY", "28000", 45, "half_up", "12600"),
    ("wsp_rrp", "JPY", "12345", 47, "half_up", "5802"),  # 5802.15
    ("wsp_rrp", "JPY", "12345", 47, "down", "5802"),
    ("wsp_rrp", "JPY", "12345", 47, "up", "5803"),
    ("wsp_rrp", "JPY", "1001", 50, "half_up", "501"),  # 500.5
    ("wsp_rrp", "JPY", "1001", 50, "down", "500"),
    ("wsp_rrp", "USD", "0.05", 50, "half_up", "0.03"),  # 0.025
    ("wsp_rrp", "USD", "199.00", "42.5", "half_up", "84.58"),  # 84.575
    ("wsp_rrp", "USD", "199.00", "42.5", "down", "84.57"),
    ("wsp_rrp", "KWD", "12.345", 40, "half_up", "4.938"),
    ("wsp_rrp", "JPY", "28000", None, "half_up", "28000"),
    ("exw", "EUR", "120.00", 10, "half_up", "108.00"),
    ("exw", "EUR", "99.99", 15, "half_up", "84.99"),  # 84.9915
    ("exw", "EUR", "99.99", 15, "down", "84.99"),
    ("exw", "EUR", "99.99", 15, "up", "85.00"),
    ("wsp", "KWD", "10.001", 67, "half_up", "3.300"),  # 3.30033
    ("wsp", "KWD", "10.001", 67, "up", "3.301"),
    ("fob", "USD", "80", None, "half_up", "80.00"),
    ("ddp", "JPY", "15000", 100, "half_up", "0"),
]


@pytest.mark.parametrize(("term", "currency", "listed", "percent", "rounding", "expected"),
                         UNIT_PRICES)
def test_unit_price_from_hand_computed_examples(
    term: str, currency: str, listed: str, percent: int | str | None, rounding: Rounding,
    expected: str,
) -> None:
    list_name = "rrp" if term == "wsp_rrp" else term
    parameter = None if percent is None else Decimal(percent)
    offer = (make_offer(term, rate=parameter) if term == "wsp_rrp"
             else make_offer(term, discount=parameter))
    product = make_product({currency: {list_name: Decimal(listed)}})
    price = price_style(make_brand(rounding=rounding), offer, make_season(), product, currency)
    assert str(price.net) == expected
    assert price.display == price.net


RETAIL = {"JPY": {"rrp": 10000}}
EXW = {"EUR": {"exw": "200.00"}}


@pytest.mark.parametrize(("product_rates", "season_rates", "link", "expected", "source"), [
    ({"wsp_rrp": {"rate": 40}}, {"wsp_rrp": {"rate": 50}}, 60, "4000", "product"),
    ({"wsp_rrp": {"rate": 40}}, {}, None, "4000", "product"),
    ({}, {"wsp_rrp": {"rate": 50}}, 60, "5000", "season"),
    ({"exw": {"discount": 5}}, {"wsp_rrp": {"rate": 50}}, 60, "5000", "season"),
    ({}, {}, 60, "6000", "link"),
    ({"wsp": {"discount": 5}}, {"exw": {"discount": 5}}, 60, "6000", "link"),
    ({}, {}, None, "10000", "neutral"),
])
def test_rate_precedence_product_then_season_then_link(
    product_rates: dict[str, Any], season_rates: dict[str, Any], link: int | None,
    expected: str, source: str,
) -> None:
    product = make_product(RETAIL, rates=product_rates)
    season = make_season(season_rates)
    offer = make_offer("wsp_rrp", rate=link)
    price = price_style(make_brand(), offer, season, product, "JPY")
    assert str(price.net) == expected
    assert resolve_parameter(offer, season, product).source == source
    assert price.breakdown.steps[1].source == source


@pytest.mark.parametrize(("product_rates", "season_rates", "link", "expected"), [
    ({"exw": {"discount": 25}}, {"exw": {"discount": 20}}, 10, "150.00"),
    ({}, {"exw": {"discount": 20}}, 10, "160.00"),
    ({}, {}, 10, "180.00"),
    ({}, {}, None, "200.00"),
])
def test_discount_precedence_product_then_season_then_link(
    product_rates: dict[str, Any], season_rates: dict[str, Any], link: int | None,
    expected: str,
) -> None:
    product = make_product(EXW, rates=product_rates)
    offer = make_offer("exw", discount=link)
    price = price_style(make_brand(), offer, make_season(season_rates), product, "EUR")
    assert str(price.net) == expected


@pytest.mark.parametrize(("currency", "listed", "rate", "tax_rate", "tax_rounding", "display"), [
    ("JPY", "12345", 47, 10, "down", "6382"),  # net 5802, tax 580.2
    ("JPY", "12345", 47, 10, "up", "6383"),
    ("JPY", "12345", 47, 10, "half_up", "6382"),
    ("JPY", "28000", 45, 10, "down", "13860"),  # net 12600, tax 1260
    ("USD", "199.00", "42.5", 10, "down", "93.03"),  # net 84.58, tax 8.458
    ("USD", "199.00", "42.5", 10, "half_up", "93.04"),
    ("KWD", "10.003", 45, 5, "up", "4.727"),  # net 4.501, tax 0.22505
    ("KWD", "10.003", 45, 5, "down", "4.726"),
    ("EUR", "100.00", 45, 0, "down", "45.00"),
])
def test_apply_tax_shows_tax_inclusive_units_rounded_by_the_tax_rounding(
    currency: str, listed: str, rate: int | str, tax_rate: int, tax_rounding: Rounding,
    display: str,
) -> None:
    brand = make_brand(tax_rate=tax_rate, tax_rounding=tax_rounding)
    product = make_product({currency: {"rrp": Decimal(listed)}})
    offer = make_offer("wsp_rrp", rate=Decimal(rate), apply_tax=True)
    price = price_style(brand, offer, make_season(), product, currency)
    assert str(price.display) == display
    assert price.breakdown.steps[-1] == Step("tax", price.display, percent=Decimal(tax_rate),
                                             label=brand.tax.label)
    assert price.net_breakdown.steps == price.breakdown.steps[:2]


def test_breakdown_is_structured_and_names_its_lists() -> None:
    product = make_product({"JPY": {"rrp": 28000}, "EUR": {"exw": "120.00"}})
    retail = price_style(make_brand(), make_offer("wsp_rrp", rate=45), make_season(), product,
                         "JPY")
    assert retail.breakdown.steps == (
        Step("list_price", Decimal(28000), list_name="rrp"),
        Step("rate", Decimal(12600), percent=Decimal(45), source="link"),
    )
    exw = price_style(make_brand(), make_offer("exw", discount=10), make_season(), product, "EUR")
    assert exw.breakdown.currency == "EUR"
    assert exw.breakdown.steps == (
        Step("list_price", Decimal("120.00"), list_name="exw", label=Text({"": "EXW"})),
        Step("discount", Decimal("108.00"), percent=Decimal(10), source="link"),
    )


def test_percent_of_is_exact() -> None:
    assert percent_of(Decimal("12345"), Decimal("47")) == Decimal("5802.15")
    assert percent_of(Decimal("0.001"), Decimal("0.5")) == Decimal("0.000005")


# --- properties ---------------------------------------------------------------------------

def _amounts(currency: str) -> st.SearchStrategy[Decimal]:
    digits = minor_digits(currency)
    return st.integers(1, 10**9).map(lambda minor: Decimal(minor).scaleb(-digits))


@st.composite
def _listed(draw: st.DrawFn) -> tuple[str, Decimal]:
    currency = draw(st.sampled_from(CURRENCIES))
    return currency, draw(_amounts(currency))


ROUNDINGS: tuple[Rounding, ...] = ("down", "half_up", "up")


@DETERMINISTIC
@given(_listed(), st.sampled_from(ROUNDINGS), st.sampled_from([100, None]),
       st.sampled_from([0, None]))
def test_rate_100_and_discount_0_are_the_identity(
    listed: tuple[str, Decimal], rounding: Rounding, rate: int | None, discount: int | None
) -> None:
    currency, amount = listed
    product = make_product({currency: {"rrp": amount, "exw": amount}})
    brand, season = make_brand(rounding=rounding), make_season()
    assert price_style(brand, make_offer("wsp_rrp", rate=rate), season, product,
                       currency).net == amount
    assert price_style(brand, make_offer("exw", discount=discount), season, product,
                       currency).net == amount


@DETERMINISTIC
@given(_listed(), st.sampled_from(ROUNDINGS), st.integers(0, 10_000), st.booleans(),
       st.integers(0, 2_500))
def test_every_unit_amount_has_the_currency_digits(
    listed: tuple[str, Decimal], rounding: Rounding, hundredths: int, retail: bool,
    tax_hundredths: int,
) -> None:
    currency, amount = listed
    percent = Decimal(hundredths).scaleb(-2)
    offer = (make_offer("wsp_rrp", rate=percent, apply_tax=True) if retail
             else make_offer("exw", discount=percent, apply_tax=True))
    brand = make_brand(rounding=rounding, tax_rate=Decimal(tax_hundredths).scaleb(-2))
    price = price_style(brand, offer, make_season(), make_product(
        {currency: {"rrp": amount, "exw": amount}}), currency)
    exponents = {step.amount.as_tuple().exponent for step in price.breakdown.steps}
    assert exponents == {-minor_digits(currency)}
    assert 0 <= price.net <= amount and price.net <= price.display


# --- bad input ----------------------------------------------------------------------------

def test_missing_currency_names_style_currency_and_term() -> None:
    product = make_product({"JPY": {"rrp": 28000}})
    with pytest.raises(PricingError, match=r"style 'SS27-001' in USD on term 'wsp_rrp': no USD "
                                           r"'rrp' price; add prices\.USD\.rrp"):
        price_style(make_brand(), make_offer("wsp_rrp", rate=45), make_season(), product, "USD")


def test_missing_list_for_the_term_names_the_list() -> None:
    product = make_product({"EUR": {"rrp": "180.00", "wsp": "90.00"}})
    with pytest.raises(PricingError, match=r"style 'SS27-001' in EUR on term 'exw': no EUR "
                                           r"'exw' price"):
        price_style(make_brand(), make_offer("exw"), make_season(), product, "EUR")


def test_unknown_currency_in_price_style() -> None:
    product = make_product({"JPY": {"rrp": 28000}})
    with pytest.raises(PricingError, match="unknown currency 'ABC'"):
        price_style(make_brand(), make_offer("wsp_rrp"), make_season(), product, "ABC")


def test_unknown_term_basis_is_an_error() -> None:
    term = Term.model_construct(code="markup", label=Text({"": "Markup"}),
                                basis="markup")  # type: ignore[arg-type]
    product = make_product({"JPY": {"rrp": 28000}})
    with pytest.raises(PricingError, match=r"style 'SS27-001' in JPY on term 'markup': "
                                           r"unknown basis 'markup'"):
        price_style(make_brand(), make_offer("wsp", term_model=term), make_season(), product,
                    "JPY")


@pytest.mark.parametrize("rate", [Decimal(-5), Decimal("100.01"), Decimal(250), Decimal("NaN")])
def test_link_rate_outside_0_to_100_is_an_error(rate: Decimal) -> None:
    product = make_product({"JPY": {"rrp": 28000}})
    with pytest.raises(PricingError, match=r"style 'SS27-001' in JPY on term 'wsp_rrp': the "
                                           r"link rate: '.*' is not a percent between 0 and 100"):
        price_style(make_brand(), make_offer("wsp_rrp", rate=rate), make_season(), product,
                    "JPY")


def test_override_discount_outside_0_to_100_is_an_error() -> None:
    product = make_product({"EUR": {"exw": "120.00"}}).model_copy(update={"rates": {
        "exw": TermParameter.model_construct(rate=None, discount=Decimal(120))}})
    with pytest.raises(PricingError, match=r"style 'SS27-001' in EUR on term 'exw': the "
                                           r"product discount: '120'"):
        price_style(make_brand(), make_offer("exw"), make_season(), product, "EUR")


@pytest.mark.parametrize(("offer_kwargs", "product_rates", "message"), [
    ({"term": "wsp_rrp", "discount": 10}, {}, "the link terms give a discount"),
    ({"term": "exw", "rate": 60}, {}, "the link terms give a rate"),
    ({"term": "wsp_rrp", "rate": 60}, {"wsp_rrp": {"discount": 5}},
     "the product terms give a discount"),
])
def test_parameter_of_the_wrong_kind_is_an_error(
    offer_kwargs: dict[str, Any], product_rates: dict[str, Any], message: str
) -> None:
    product = make_product({"EUR": {"rrp": "180.00", "exw": "120.00"}}, rates=product_rates)
    with pytest.raises(PricingError, match=message):
        price_style(make_brand(), make_offer(**offer_kwargs), make_season(), product, "EUR")


def test_list_price_with_more_digits_than_the_currency_is_an_error() -> None:
    product = make_product({"JPY": {"rrp": "28000.5"}})
    with pytest.raises(PricingError, match=r"the JPY 'rrp' price '28000.5' has more than 0 "
                                           "decimals"):
        price_style(make_brand(), make_offer("wsp_rrp"), make_season(), product, "JPY")


def test_amounts_too_large_to_compute_exactly_are_an_error() -> None:
    """Content refuses such a price (under a trillion); a manifest of an older build may
    still carry one, and pricing refuses it too."""
    with pytest.raises(ValueError, match="less than 1000000000000"):
        make_product({"USD": {"rrp": Decimal("1E+70")}})
    product = make_product({"USD": {"rrp": 1}}).model_copy(
        update={"prices": {"USD": {"rrp": Decimal("1E+70")}}})
    with pytest.raises(PricingError, match="too large"):
        price_style(make_brand(), make_offer("wsp_rrp", rate=45), make_season(), product, "USD")


def test_tax_rate_outside_0_to_100_is_an_error() -> None:
    brand = make_brand().model_copy(update={"tax": Tax.model_construct(
        rate=Decimal(110), label=Text({"": "Tax"}), rounding="down")})
    product = make_product({"JPY": {"rrp": 28000}})
    with pytest.raises(PricingError, match="the brand's tax rate: '110'"):
        price_style(brand, make_offer("wsp_rrp", apply_tax=True), make_season(), product, "JPY")


def test_unknown_rounding_mode_is_an_error() -> None:
    with pytest.raises(PricingError, match="unknown rounding mode 'half_even'"):
        round_money(Decimal("1.5"), "JPY", "half_even")  # type: ignore[arg-type]
