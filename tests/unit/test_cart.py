"""Cart totals (tax once on the subtotal, deposit, balance) from hand-computed examples, the
cart rules, and agreement with an independent reference written with fractions.Fraction."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from babel.numbers import get_currency_precision
from hypothesis import given
from hypothesis import strategies as st

from generator.cart import CartLine, PricedCart, check_cart, price_cart
from generator.catalog import Offer
from generator.errors import PricingError
from generator.models import Brand, Product, Rounding, Season
from generator.pricing import minor_digits, price_style
from tests.unit.pricing_examples import (
    CURRENCIES,
    DETERMINISTIC,
    make_brand,
    make_offer,
    make_product,
    make_season,
)

ROUNDINGS: tuple[Rounding, ...] = ("down", "half_up", "up")


def _line(style_no: str, quantity: Any, color: str = "BLK", size: str = "M") -> CartLine:
    return CartLine(style_no, color, size, quantity)


def _totals(cart: PricedCart) -> tuple[str, ...]:
    return tuple(str(amount) for amount in (cart.subtotal, cart.tax, cart.total, cart.deposit,
                                            cart.balance))


def test_jpy_cart_with_deposit() -> None:
    """RRP ¥28,000 × 45 % = ¥12,600; 6 units; tax 10 %; deposit 30 %."""
    product = make_product({"JPY": {"rrp": 28000}})
    offer = make_offer("wsp_rrp", rate=45, billing="with_deposit", deposit_percent=30)
    cart = price_cart(make_brand(), offer, make_season(), [product], "JPY", [_line("SS27-001", 6)])
    assert [(str(line.unit), str(line.amount)) for line in cart.lines] == [("12600", "75600")]
    assert _totals(cart) == ("75600", "7560", "83160", "24948", "58212")
    assert [(t.percent, str(t.base), str(t.amount)) for t in cart.taxes] == [
        (Decimal(10), "75600", "7560")]


def test_a_tax_exempt_cart_carries_no_tax() -> None:
    """An export: the same cart as above without its ¥7,560 of tax; the deposit on the rest."""
    product = make_product({"JPY": {"rrp": 28000}})
    offer = make_offer("wsp_rrp", rate=45, billing="with_deposit", deposit_percent=30,
                       tax_exempt=True)
    cart = price_cart(make_brand(), offer, make_season(), [product], "JPY", [_line("SS27-001", 6)])
    assert _totals(cart) == ("75600", "0", "75600", "22680", "52920")
    assert cart.taxes == ()


def test_tax_is_computed_once_on_the_subtotal_not_per_line() -> None:
    """Two lines of ¥105: per line 10.5 + 10.5 would round down to 20; on the subtotal it is 21."""
    styles = [make_product({"JPY": {"rrp": 210}}, style_no=code) for code in ("A", "B")]
    offer = make_offer("wsp_rrp", rate=50, billing="with_deposit", deposit_percent=30)
    cart = price_cart(make_brand(), offer, make_season(), styles, "JPY",
                      [_line("A", 1), _line("B", 1)])
    assert _totals(cart) == ("210", "21", "231", "69", "162")  # deposit 69.3 -> 69


def test_usd_cart_without_tax_or_deposit() -> None:
    product = make_product({"USD": {"exw": "120.00"}})
    cart = price_cart(make_brand(tax_rate=0), make_offer("exw", discount=10), make_season(),
                      [product], "USD", [_line("SS27-001", 2), _line("SS27-001", 1, size="L")])
    assert _totals(cart) == ("324.00", "0.00", "324.00", "0.00", "324.00")
    assert cart.taxes == ()


@pytest.mark.parametrize(("rounding", "deposit", "balance"), [
    ("half_up", "12.128", "12.127"), ("down", "12.127", "12.128"), ("up", "12.128", "12.127"),
])
def test_kwd_cart_deposit_follows_the_brand_rounding(
    rounding: Rounding, deposit: str, balance: str
) -> None:
    """KWD 10.000 − 67 % = 3.300; × 7 = 23.100; tax 5 % = 1.155; deposit 50 % = 12.1275."""
    product = make_product({"KWD": {"wsp": "10.000"}})
    offer = make_offer("wsp", discount=67, billing="with_deposit", deposit_percent=50)
    cart = price_cart(make_brand(rounding=rounding, tax_rate=5, tax_rounding="up"), offer,
                      make_season(), [product], "KWD", [_line("SS27-001", 7)])
    assert _totals(cart) == ("23.100", "1.155", "24.255", deposit, balance)


@pytest.mark.parametrize(("tax_rounding", "tax"), [("down", "9.99"), ("half_up", "10.00"),
                                                    ("up", "10.00")])
def test_eur_tax_follows_the_tax_rounding(tax_rounding: Rounding, tax: str) -> None:
    """EUR 49.99 × 2 = 99.98; 9.998 of tax at 10 %."""
    product = make_product({"EUR": {"wsp": "49.99"}})
    cart = price_cart(make_brand(tax_rounding=tax_rounding), make_offer("wsp"), make_season(),
                      [product], "EUR", [_line("SS27-001", 2)])
    assert (str(cart.subtotal), str(cart.tax)) == ("99.98", tax)


def test_empty_cart_totals_zero_with_the_currency_digits() -> None:
    cart = price_cart(make_brand(), make_offer("wsp"), make_season(), [], "KWD", [])
    assert _totals(cart) == ("0.000",) * 5
    assert cart.taxes == ()


def test_apply_tax_changes_the_display_not_the_order() -> None:
    product = make_product({"JPY": {"rrp": 12345}})
    lines = [_line("SS27-001", 3)]
    plain = price_cart(make_brand(), make_offer("wsp_rrp", rate=47), make_season(), [product],
                       "JPY", lines)
    shown = price_cart(make_brand(), make_offer("wsp_rrp", rate=47, apply_tax=True),
                       make_season(), [product], "JPY", lines)
    assert _totals(plain) == _totals(shown) == ("17406", "1740", "19146", "0", "19146")


# --- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize("quantity", [0, -3, 2.5, Decimal("2"), True, "4"])
def test_bad_quantity_names_style_currency_and_term(quantity: Any) -> None:
    product = make_product({"JPY": {"rrp": 28000}})
    with pytest.raises(PricingError, match=r"line 1: style 'SS27-001' \(a JPY cart on term "
                                           r"'wsp_rrp'\): quantity '.*' is not a whole number"):
        price_cart(make_brand(), make_offer("wsp_rrp"), make_season(), [product], "JPY",
                   [_line("SS27-001", quantity)])


def test_style_not_in_the_season_is_an_error() -> None:
    product = make_product({"JPY": {"rrp": 28000}})
    with pytest.raises(PricingError, match=r"line 2: style 'SS27-999' is not offered in this "
                                           r"season \(a JPY cart on term 'wsp_rrp'\)"):
        price_cart(make_brand(), make_offer("wsp_rrp"), make_season(), [product], "JPY",
                   [_line("SS27-001", 1), _line("SS27-999", 1)])


def test_missing_price_in_a_cart_names_style_currency_and_term() -> None:
    product = make_product({"JPY": {"rrp": 28000}})
    with pytest.raises(PricingError, match=r"style 'SS27-001' in USD on term 'wsp_rrp': no USD"):
        price_cart(make_brand(), make_offer("wsp_rrp"), make_season(), [product], "USD",
                   [_line("SS27-001", 1)])


def test_deposit_outside_0_to_100_is_an_error() -> None:
    product = make_product({"JPY": {"rrp": 28000}})
    offer = make_offer("wsp_rrp", billing="with_deposit", deposit_percent=130)
    with pytest.raises(PricingError, match="the deposit: '130' is not a percent"):
        price_cart(make_brand(), offer, make_season(), [product], "JPY", [_line("SS27-001", 1)])


# --- rules --------------------------------------------------------------------------------

RULED = make_product({"JPY": {"rrp": 28000}}, moq=4, multiple=2, sold_out={"NVY": ["S"]})


def _kinds(lines: list[CartLine]) -> list[tuple[str, tuple[int, ...]]]:
    return [(problem.kind, problem.lines) for problem in check_cart([RULED], lines)]


def test_a_cart_that_follows_the_rules_has_no_problems() -> None:
    assert check_cart([RULED], [_line("SS27-001", 2), _line("SS27-001", 2, "NVY", "M")]) == ()


def test_moq_counts_every_cell_of_the_style() -> None:
    problems = check_cart([RULED], [_line("SS27-001", 1), _line("SS27-001", 1, size="L")])
    assert [(p.kind, p.lines, p.required, p.total) for p in problems] == [
        ("below_moq", (0, 1), 4, 2)]
    assert problems[0].message == "style 'SS27-001': 2 units ordered, the minimum is 4"


def test_units_must_be_a_multiple() -> None:
    problems = check_cart([RULED], [_line("SS27-001", 5)])
    assert [(p.kind, p.required, p.total) for p in problems] == [("not_multiple", 2, 5)]
    assert problems[0].message.endswith("sold in multiples of 2; order 4 or 6")


def test_the_multiples_offered_reach_the_moq() -> None:
    """Not 'order 2 or 4' to a buyer of 3 when the minimum is 4."""
    problems = check_cart([RULED], [_line("SS27-001", 3)])
    assert [p.kind for p in problems] == ["below_moq", "not_multiple"]
    assert problems[1].message.endswith("sold in multiples of 2; order 4")
    problems = check_cart([RULED], [_line("SS27-001", 1)])
    assert problems[1].message.endswith("sold in multiples of 2; order 4")


PACKED = make_product({"JPY": {"rrp": 28000}}, pack={"S": 1, "M": 2, "L": 1}, moq=8)


def test_a_style_sold_in_packs_takes_whole_packs_of_each_colour() -> None:
    """Black in 2 packs, Navy in 1: whole packs (8 units reach the MOQ across colours)."""
    lines = [_line("SS27-001", 2, "BLK", "S"), _line("SS27-001", 4, "BLK", "M"),
             _line("SS27-001", 2, "BLK", "L"), _line("SS27-001", 1, "NVY", "S"),
             _line("SS27-001", 2, "NVY", "M"), _line("SS27-001", 1, "NVY", "L")]
    assert check_cart([PACKED], lines) == ()


@pytest.mark.parametrize("cells", [
    {"S": 1, "M": 2},  # a size of the pack missing
    {"S": 1, "M": 3, "L": 1},  # one size more than the pack holds
    {"S": 2, "M": 2, "L": 2},  # the sizes in another ratio
    {"M": 2},  # not even one pack
])
def test_a_colour_of_a_packed_style_is_refused_unless_in_whole_packs(
    cells: dict[str, int]
) -> None:
    lines = [_line("SS27-001", 2, "NVY", "S"), _line("SS27-001", 4, "NVY", "M"),
             _line("SS27-001", 2, "NVY", "L")]
    lines += [_line("SS27-001", quantity, "BLK", size) for size, quantity in cells.items()]
    problems = [p for p in check_cart([PACKED], lines) if p.kind == "not_whole_packs"]
    assert [(p.color, p.lines, p.required, p.total) for p in problems] == [
        ("BLK", tuple(range(3, 3 + len(cells))), 4, sum(cells.values()))]
    assert problems[0].message.startswith(
        f"style 'SS27-001' in BLK: {', '.join(f'{k}×{v}' for k, v in cells.items())} is no "
        "whole number of packs; it is sold in packs of 4 (S×1 M×2 L×1)")


def test_sold_out_unknown_colour_and_size_are_per_line() -> None:
    assert _kinds([_line("SS27-001", 2, "NVY", "S"), _line("SS27-001", 2, "RED", "XL")]) == [
        ("sold_out", (0,)), ("unknown_color", (1,)), ("unknown_size", (1,))]
    message = check_cart([RULED], [_line("SS27-001", 4, "RED")])[0].message
    assert message == "line 1: style 'SS27-001' has no colour 'RED'; its colours are BLK, NVY"


def test_unknown_style_bad_quantity_and_duplicate_line() -> None:
    assert _kinds([_line("SS27-001", 4), _line("NOPE", 1), _line("SS27-001", 0),
                   _line("SS27-001", 2)]) == [
        ("unknown_style", (1,)), ("bad_quantity", (2,)), ("duplicate_line", (2,)),
        ("duplicate_line", (3,))]


# --- the reference, and properties --------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """A generated cart with everything needed to price it."""

    brand: Brand
    offer: Offer
    season: Season
    styles: tuple[Product, ...]
    currency: str
    lines: tuple[CartLine, ...]


TAX_RATES: tuple[Decimal, ...] = tuple(Decimal(rate) for rate in ("0", "8", "10", "7.5", "20"))
_percents = st.integers(0, 10_000).map(lambda hundredths: Decimal(hundredths).scaleb(-2))


@st.composite
def _cases(draw: st.DrawFn, max_lines: int = 12) -> Case:
    currency = draw(st.sampled_from(CURRENCIES))
    retail = draw(st.booleans())
    term, key = ("wsp_rrp", "rate") if retail else ("exw", "discount")
    list_name = "rrp" if retail else "exw"
    styles = []
    for index in range(draw(st.integers(1, 4))):
        listed = Decimal(draw(st.integers(1, 10**8))).scaleb(-minor_digits(currency))
        override = draw(st.none() | _percents)
        styles.append(make_product({currency: {list_name: listed}}, style_no=f"S{index}",
                                   rates={} if override is None else {term: {key: override}}))
    season_override = draw(st.none() | _percents)
    season = make_season({} if season_override is None else {term: {key: season_override}})
    link = draw(st.none() | _percents)
    deposit = draw(st.none() | _percents)
    offer = make_offer(term, rate=link if retail else None,
                       discount=None if retail else link, apply_tax=draw(st.booleans()),
                       billing="without_deposit" if deposit is None else "with_deposit",
                       deposit_percent=deposit or 0)
    brand = make_brand(rounding=draw(st.sampled_from(ROUNDINGS)),
                       tax_rate=draw(st.sampled_from(TAX_RATES)),
                       tax_rounding=draw(st.sampled_from(ROUNDINGS)))
    lines = draw(st.lists(st.tuples(st.integers(0, len(styles) - 1), st.integers(1, 5_000)),
                          max_size=max_lines))
    return Case(brand, offer, season, tuple(styles), currency,
                tuple(_line(f"S{index}", quantity) for index, quantity in lines))


def _round(value: Fraction, digits: int, rounding: str) -> Fraction:
    """Round a non-negative value to `digits` decimals, written from the definitions."""
    scaled = value * 10**digits
    whole = {"down": math.floor(scaled), "up": math.ceil(scaled),
             "half_up": math.floor(scaled + Fraction(1, 2))}[rounding]
    return Fraction(whole, 10**digits)


def _reference(case: Case) -> dict[str, Any]:
    """Price a case with Fractions, independently of generator.pricing and generator.cart."""
    digits, term = get_currency_precision(case.currency), case.offer.term
    retail = term.basis == "retail_rate"
    link = case.offer.rate if retail else case.offer.discount

    def unit(product: Product) -> Fraction:
        levels = [product.rates.get(term.code), case.season.rates.get(term.code)]
        chosen = next((level.rate if retail else level.discount for level in levels
                       if level is not None), link)
        percent = Fraction(chosen if chosen is not None else (100 if retail else 0))
        factor = percent if retail else 100 - percent
        listed = Fraction(product.prices[case.currency]["rrp" if retail else term.code])
        return _round(listed * factor / 100, digits, case.brand.rounding)

    units = {product.style_no: unit(product) for product in case.styles}
    amounts = [units[line.style_no] * line.quantity for line in case.lines]
    subtotal = sum(amounts, Fraction(0))
    tax = _round(subtotal * Fraction(case.brand.tax.rate) / 100, digits,
                 case.brand.tax.rounding)
    total = subtotal + tax
    percent = (Fraction(case.offer.deposit_percent) if case.offer.billing == "with_deposit"
               else Fraction(0))
    deposit = _round(total * percent / 100, digits, case.brand.rounding)
    return {"amounts": amounts, "subtotal": subtotal, "tax": tax, "total": total,
            "deposit": deposit, "balance": total - deposit}


def _price(case: Case) -> PricedCart:
    return price_cart(case.brand, case.offer, case.season, case.styles, case.currency,
                      case.lines)


@DETERMINISTIC
@given(_cases())
def test_agrees_with_the_fraction_reference(case: Case) -> None:
    cart, expected = _price(case), _reference(case)
    assert [Fraction(line.amount) for line in cart.lines] == expected["amounts"]
    for name in ("subtotal", "tax", "total", "deposit", "balance"):
        assert Fraction(getattr(cart, name)) == expected[name], name


@DETERMINISTIC
@given(_cases())
def test_totals_add_up_with_the_currency_digits(case: Case) -> None:
    cart = _price(case)
    assert cart.total == cart.subtotal + cart.tax
    assert cart.deposit + cart.balance == cart.total
    assert cart.tax == sum((tax.amount for tax in cart.taxes), Decimal(0))
    assert 0 <= cart.deposit <= cart.total
    amounts = [cart.subtotal, cart.tax, cart.total, cart.deposit, cart.balance]
    amounts += [amount for line in cart.lines for amount in (line.unit, line.amount)]
    amounts += [amount for tax in cart.taxes for amount in (tax.base, tax.amount)]
    assert {amount.as_tuple().exponent for amount in amounts} == {-minor_digits(case.currency)}


@DETERMINISTIC
@given(_cases(max_lines=1), st.integers(1, 10_000), st.integers(0, 10_000))
def test_line_totals_grow_with_quantity(case: Case, quantity: int, more: int) -> None:
    def priced(units: int) -> PricedCart:
        lines = (_line("S0", units),)
        return price_cart(case.brand, case.offer, case.season, case.styles, case.currency, lines)

    small, large = priced(quantity), priced(quantity + more)
    assert small.lines[0].amount <= large.lines[0].amount
    assert small.total <= large.total
    if more and small.lines[0].unit > 0:
        assert small.lines[0].amount < large.lines[0].amount


@DETERMINISTIC
@given(_cases())
def test_one_unit_order_totals_the_displayed_tax_inclusive_price(case: Case) -> None:
    product = case.styles[0]
    shown = price_style(case.brand, case.offer, case.season, product, case.currency)
    cart = price_cart(case.brand, case.offer, case.season, case.styles, case.currency,
                      [_line(product.style_no, 1)])
    assert cart.subtotal == shown.net
    if case.offer.apply_tax:
        assert cart.total == shown.display


def test_a_size_priced_apart_is_charged_its_own_price_under_the_same_terms() -> None:
    """L costs more: its own RRP and WSP replace the style's for L alone, the link's rate on
    it as on the rest; the memo of unit prices keeps the two apart, whatever comes first."""
    product = make_product({"JPY": {"rrp": 28000, "wsp": 12000}},
                           size_prices={"L": {"JPY": {"rrp": 30000}}})
    offer = make_offer("wsp_rrp", rate=45)
    units: dict[str, Any] = {}
    lines = [_line("SS27-001", 2, size="L"), _line("SS27-001", 1, size="M"),
             _line("SS27-001", 1, size="S", color="NVY")]
    for _ in range(2):  # the second time from the memo
        cart = price_cart(make_brand(), offer, make_season(), [product], "JPY", lines, units)
        assert [(line.line.size, str(line.unit), str(line.amount)) for line in cart.lines] == [
            ("L", "13500", "27000"), ("M", "12600", "12600"), ("S", "12600", "12600")]
    [list_price, _rate] = cart.lines[0].breakdown.steps
    assert str(list_price.amount) == "30000"
    # A list the size does not name is the style's: L's WSP is the style's ¥12,000.
    wsp = price_cart(make_brand(), make_offer("wsp", discount=10), make_season(), [product],
                     "JPY", [_line("SS27-001", 1, size="L")])
    assert str(wsp.lines[0].unit) == "10800"
