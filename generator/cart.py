"""Pricing stage, carts: cart lines × a link's terms × a currency -> priced lines, subtotal, tax,
total, deposit and balance (pure, exact Decimals); and the cart rules as per-line problems.

Tax is computed once per rate on the subtotal and rounded once, as a Japanese qualified
invoice (適格請求書) requires; docs/pricing.md explains the arithmetic. The endpoint calls
`check_cart` first and prices only a cart without problems; pages call both for live totals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, NamedTuple

from generator.errors import PricingError
from generator.fields import Text
from generator.pricing import (
    Breakdown,
    PricingBrand,
    PricingSeason,
    PricingStyle,
    SizedStyle,
    Terms,
    checked_percent,
    exact_arithmetic,
    is_percent,
    percent_of,
    price_style,
    round_money,
)

# A season's styles, or the same by style number: a caller that prices many carts of one
# season (the endpoint) indexes them once instead of once per cart.
Styles = Sequence[PricingStyle] | Mapping[str, PricingStyle]
_ZERO = Decimal(0)
ProblemKind = Literal["unknown_style", "bad_quantity", "unknown_color", "unknown_size",
                      "sold_out", "duplicate_line", "below_moq", "not_multiple",
                      "not_whole_packs"]


class CartLine(NamedTuple):
    """One cell of a style's colour × size grid and the quantity ordered in it (a tuple: the
    endpoint makes a few for every cart it prices)."""

    style_no: str
    color: str
    size: str
    quantity: int


class PricedLine(NamedTuple):
    """A cart line with its price."""

    line: CartLine
    unit: Decimal  # tax-exclusive unit price, in the currency's minor unit
    amount: Decimal  # unit × quantity, exact
    breakdown: Breakdown  # how the unit price was derived (no tax: the order taxes its subtotal)


@dataclass(frozen=True)
class TaxLine:
    """The tax of one rate: computed once on the subtotal taxed at that rate, rounded once."""

    percent: Decimal
    base: Decimal  # the part of the subtotal taxed at this rate
    amount: Decimal
    label: Text  # the brand's tax label, e.g. 消費税


@dataclass(frozen=True)
class PricedCart:
    """A priced cart; every amount carries exactly the currency's minor digits."""

    currency: str
    lines: tuple[PricedLine, ...]
    subtotal: Decimal  # sum of the line amounts, tax-exclusive
    taxes: tuple[TaxLine, ...]  # one per tax rate with lines; none when the rate is 0 %
    tax: Decimal
    total: Decimal  # subtotal + tax
    deposit_percent: Decimal  # 0 unless the terms bill with a deposit
    deposit: Decimal  # deposit percent of the total, rounded with the brand's rounding
    balance: Decimal  # total - deposit


@dataclass(frozen=True)
class CartProblem:
    """A cart rule a cart breaks, naming the lines concerned (indexes into the cart)."""

    kind: ProblemKind
    style_no: str
    lines: tuple[int, ...]
    message: str  # English, for logs and the API's `detail`; pages translate from the fields
    required: int | None = None  # below_moq: the MOQ; not_multiple: the multiple
    total: int | None = None  # below_moq, not_multiple: the units ordered of the style
    color: str | None = None  # not_whole_packs: the colour whose sizes are no whole packs


def price_cart(
    brand: PricingBrand, terms: Terms, season: PricingSeason, styles: Styles,
    currency: str, lines: Sequence[CartLine],
    units: dict[str, tuple[Decimal, Breakdown]] | None = None,
) -> PricedCart:
    """Price a cart: line amounts, subtotal, tax once on the subtotal, total, deposit, balance.

    Raises PricingError for a style not in `styles` or a quantity that is not a whole number
    of at least 1; the other rules (colours, sizes, MOQ …) are `check_cart`'s. `units` keeps
    each style's unit price (and each size's priced apart) across calls with the same brand,
    terms, season and currency (the endpoint keeps one per published build); by default,
    across this cart's lines only.
    """
    index = _by_style_no(styles)
    units = {} if units is None else units
    priced: list[PricedLine] = []
    where = f"a {currency} cart on term '{terms.term.code}'"
    with exact_arithmetic(where):
        for position, line in enumerate(lines):
            product = index.get(line.style_no)
            if product is None:
                raise PricingError(f"line {position + 1}: style '{line.style_no}' is not "
                                   f"offered in this season ({where})")
            # A size priced apart has its own unit price, kept under its own key.
            sized = line.size in product.size_prices
            key = f"{line.style_no}\n{line.size}" if sized else line.style_no
            unit = units.get(key)
            if unit is None:
                price = price_style(brand, terms, season, SizedStyle(product, line.size)
                                    if sized else product, currency)
                unit = units[key] = (price.net, price.net_breakdown)
            quantity = _quantity(line, position, where)
            priced.append(PricedLine(line, unit[0], unit[0] * quantity, unit[1]))
        subtotal = round_money(_ZERO, currency, brand.rounding)
        for line_price in priced:
            subtotal += line_price.amount
        # An export carries no tax; nor does an intra-Community supply (the buyer accounts
        # for the VAT of its acquisition).
        rate = _ZERO if terms.tax_exempt or terms.intra_community else brand.tax.rate
        if not is_percent(rate):
            checked_percent(rate, f"{where}: the brand's tax rate")  # raises, naming it
        taxes = (TaxLine(rate, subtotal, round_money(percent_of(subtotal, rate), currency,
                                                     brand.tax.rounding), brand.tax.label),
                 ) if priced and rate else ()
        tax = round_money(_ZERO, currency, brand.tax.rounding)
        for tax_line in taxes:
            tax += tax_line.amount
        total = subtotal + tax
        deposit_percent = _ZERO
        if terms.billing == "with_deposit":
            deposit_percent = terms.deposit_percent
            if not is_percent(deposit_percent):
                checked_percent(deposit_percent, f"{where}: the deposit")  # raises, naming it
        deposit = round_money(percent_of(total, deposit_percent), currency, brand.rounding)
    return PricedCart(currency=currency, lines=tuple(priced), subtotal=subtotal, taxes=taxes,
                      tax=tax, total=total, deposit_percent=deposit_percent, deposit=deposit,
                      balance=total - deposit)


def check_cart(styles: Styles, lines: Sequence[CartLine]) -> tuple[CartProblem, ...]:
    """Check a cart against the styles' rules; return every problem, per line, in cart order.

    Per line: the style exists, the quantity is a whole number ≥ 1, the colour and size are the
    style's, the cell is not sold out, no cell is listed twice. Per style: the units ordered
    reach the MOQ and are a multiple of `multiple`; a style sold in packs has whole packs of
    each colour ordered (every size of the pack, the same number of packs of each).
    """
    index = _by_style_no(styles)
    problems: list[CartProblem] = []
    seen: dict[tuple[str, str, str], int] = {}
    totals: dict[str, list[int]] = {}  # style -> [units, line indexes …]
    for position, line in enumerate(lines):
        product = index.get(line.style_no)
        if product is None:
            problems.append(CartProblem("unknown_style", line.style_no, (position,),
                                        f"line {position + 1}: style '{line.style_no}' is not "
                                        "offered in this season"))
            continue
        problems += _check_line(product, line, position, seen)
        if _is_quantity(line.quantity):
            totals.setdefault(line.style_no, [0]).append(position)
            totals[line.style_no][0] += line.quantity
    for style_no, (units, *positions) in totals.items():
        problems += _check_style(index[style_no], units, tuple(positions))
        if index[style_no].pack:
            problems += _check_packs(index[style_no], lines, positions)
    return tuple(problems)


def _check_line(
    product: PricingStyle, line: CartLine, position: int, seen: dict[tuple[str, str, str], int]
) -> list[CartProblem]:
    style = product.style_no
    cell = (style, line.color, line.size)
    earlier = seen.setdefault(cell, position)
    bad_quantity = not _is_quantity(line.quantity)
    unknown_color = True
    for color in product.colors:
        if color.code == line.color:
            unknown_color = False
            break
    unknown_size = line.size not in product.sizes
    sold_out = line.size in product.sold_out.get(line.color, ())
    if not (bad_quantity or unknown_color or unknown_size or sold_out or earlier != position):
        return []  # the usual case, without building a message
    where = f"line {position + 1}: style '{style}'"
    problems: list[CartProblem] = []

    def add(kind: ProblemKind, message: str) -> None:
        problems.append(CartProblem(kind, style, (position,), f"{where}{message}"))

    if bad_quantity:
        add("bad_quantity", f": quantity '{line.quantity}' is not a whole number of at least 1")
    if unknown_color:
        add("unknown_color", f" has no colour '{line.color}'; its colours are "
                             f"{', '.join(color.code for color in product.colors)}")
    if unknown_size:
        add("unknown_size", f" has no size '{line.size}'; its sizes are "
                            f"{', '.join(product.sizes)}")
    if sold_out:
        add("sold_out", f" {line.color} / {line.size} is sold out")
    if earlier != position:
        add("duplicate_line", f" {line.color} / {line.size} is already line {earlier + 1}; "
                              "merge the quantities into one line")
    return problems


def _check_style(
    product: PricingStyle, units: int, positions: tuple[int, ...]
) -> list[CartProblem]:
    style = product.style_no
    problems: list[CartProblem] = []
    if units < product.moq:
        problems.append(CartProblem("below_moq", style, positions, f"style '{style}': {units} "
                                    f"unit{'' if units == 1 else 's'} ordered, the minimum is "
                                    f"{product.moq}", required=product.moq, total=units))
    if units % product.multiple:
        # The totals on either side that are multiples and reach the MOQ (itself a multiple).
        below = units - units % product.multiple
        above = max(product.moq, below + product.multiple)
        options = f"{below} or {above}" if below >= max(product.moq, 1) else f"{above}"
        problems.append(CartProblem("not_multiple", style, positions, f"style '{style}': "
                                    f"{units} units ordered, but it is sold in multiples of "
                                    f"{product.multiple}; order {options}",
                                    required=product.multiple, total=units))
    return problems


def _check_packs(product: PricingStyle, lines: Sequence[CartLine],
                 positions: Sequence[int]) -> list[CartProblem]:
    """Each colour of a style sold in packs: its sizes ordered as a whole number of packs."""
    pack, style = product.pack, product.style_no
    colors: dict[str, dict[str, int]] = {}
    where: dict[str, list[int]] = {}
    for position in positions:
        line = lines[position]
        colors.setdefault(line.color, {})[line.size] = line.quantity
        where.setdefault(line.color, []).append(position)
    per_pack = sum(pack.values())
    composition = " ".join(f"{size}×{units}" for size, units in pack.items())
    problems = []
    for color, sizes in colors.items():
        first, count = next(iter(pack.items()))
        packs = sizes.get(first, 0) // count
        if packs >= 1 and sizes == {size: packs * units for size, units in pack.items()}:
            continue
        ordered = ", ".join(f"{size}×{units}" for size, units in sizes.items())
        problems.append(CartProblem(
            "not_whole_packs", style, tuple(where[color]),
            f"style '{style}' in {color}: {ordered} is no whole number of packs; it is sold in "
            f"packs of {per_pack} ({composition}): order each size of the pack, that many "
            "times", required=per_pack, total=sum(sizes.values()), color=color))
    return problems


def _by_style_no(styles: Styles) -> Mapping[str, PricingStyle]:
    if isinstance(styles, Mapping):
        return styles
    return {product.style_no: product for product in styles}


def _is_quantity(quantity: object) -> bool:
    # bool is an int to Python, but True is not a quantity a buyer typed.
    if type(quantity) is int:  # the usual case, told at once
        return quantity >= 1
    return isinstance(quantity, int) and not isinstance(quantity, bool) and quantity >= 1


def _quantity(line: CartLine, position: int, where: str) -> int:
    if not _is_quantity(line.quantity):
        raise PricingError(f"line {position + 1}: style '{line.style_no}' ({where}): quantity "
                           f"'{line.quantity}' is not a whole number of at least 1")
    return line.quantity
