"""Pricing stage, unit prices: a style's price lists × a link's terms × a currency -> exact
Decimal unit prices with their breakdown; pure, no I/O (docs/pricing.md).

Pages and the order endpoint call the same functions, so a displayed price and a charged one
cannot differ. Cart totals, tax and deposits are in `cart.py`; the text of a breakdown is
rendered by `breakdown.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from functools import lru_cache
from typing import Literal, Protocol

from babel.numbers import get_currency_precision, is_currency

from generator.errors import PricingError
from generator.fields import Text
from generator.models import Billing, Rounding, Tax, Term, TermParameter
from generator.terms import RETAIL_LIST, price_list_of

StepKind = Literal["list_price", "rate", "discount", "tax"]
Source = Literal["product", "season", "link", "neutral"]

_MODES: dict[str, str] = {"down": ROUND_DOWN, "half_up": ROUND_HALF_UP, "up": ROUND_UP}
# Every product and sum is exact: an intermediate that would have to be rounded raises instead
# of silently becoming a wrong price. Only `round_money` rounds, under its own context.
_EXACT = Context(prec=60, traps=[Inexact, InvalidOperation, Overflow, DivisionByZero])
_ROUND = Context(prec=60, traps=[InvalidOperation, Overflow])
_NEUTRAL = {"retail_rate": Decimal(100), "discount": Decimal(0)}


class PricingBrand(Protocol):
    """What pricing reads of a brand: `models.Brand`, or the endpoint's manifest copy."""

    @property
    def rounding(self) -> Rounding: ...
    @property
    def tax(self) -> Tax: ...


class PricingSeason(Protocol):
    """What pricing reads of a season: its per-term rate overrides."""

    @property
    def rates(self) -> Mapping[str, TermParameter]: ...


class PricingColor(Protocol):
    """A colourway, as far as cart rules care: its code."""

    @property
    def code(self) -> str: ...


class PricedStyle(Protocol):
    """What pricing reads of a style (or of one of its sizes, `SizedStyle`)."""

    @property
    def style_no(self) -> str: ...
    @property
    def prices(self) -> Mapping[str, Mapping[str, Decimal]]: ...
    @property
    def rates(self) -> Mapping[str, TermParameter]: ...


class PricingStyle(PricedStyle, Protocol):
    """What pricing and cart rules read of a style: `models.Product` or a manifest style."""

    @property
    def colors(self) -> Sequence[PricingColor]: ...
    @property
    def sizes(self) -> Sequence[str]: ...
    @property
    def sold_out(self) -> Mapping[str, Sequence[str]]: ...
    @property
    def moq(self) -> int: ...
    @property
    def multiple(self) -> int: ...
    @property
    def pack(self) -> Mapping[str, int]: ...
    @property
    def size_prices(self) -> Mapping[str, Mapping[str, Mapping[str, Decimal]]]: ...


@dataclass(frozen=True)
class SizedStyle:
    """A style as one of its sizes is priced: the style's price lists, with the amounts the
    size has of its own (`size_prices`) in their place. Everything else is the style's."""

    style: PricingStyle
    size: str

    @property
    def style_no(self) -> str:
        return self.style.style_no

    @property
    def prices(self) -> Mapping[str, Mapping[str, Decimal]]:
        own = self.style.size_prices.get(self.size, {})
        return {currency: {**lists, **own.get(currency, {})}
                for currency, lists in self.style.prices.items()}

    @property
    def rates(self) -> Mapping[str, TermParameter]:
        return self.style.rates


class Terms(Protocol):
    """The resolved terms of a link or a customer link's buyer; `catalog.Offer` is one."""

    @property
    def term(self) -> Term: ...
    @property
    def rate(self) -> Decimal | None: ...  # retail_rate terms; None means 100 %
    @property
    def discount(self) -> Decimal | None: ...  # discount terms; None means 0 %
    @property
    def billing(self) -> Billing: ...
    @property
    def deposit_percent(self) -> Decimal: ...
    @property
    def apply_tax(self) -> bool: ...
    @property
    def tax_exempt(self) -> bool: ...  # no tax on its orders (an export)
    @property
    def intra_community(self) -> bool: ...  # no VAT: supplies to businesses in the EU


@dataclass(frozen=True, slots=True)
class Parameter:
    """The rate or discount that applies to a style, and the level that set it."""

    kind: Literal["rate", "discount"]
    percent: Decimal
    source: Source


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a price's derivation; amounts are exact, text comes only at render time."""

    kind: StepKind
    amount: Decimal  # the price after this step, in the currency's minor unit
    percent: Decimal | None = None  # rate, discount, tax: the percent applied
    list_name: str | None = None  # list_price: `rrp` or a discount term's code
    source: Source | None = None  # rate, discount: which level set the percent
    label: Text | None = None  # list_price of a discount term: its label; tax: the tax label


@dataclass(frozen=True, slots=True)
class Breakdown:
    """How a price was derived, step by step, in one currency."""

    currency: str
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class UnitPrice:
    """A style's unit price for a link in a currency (this and the classes it is made of
    have slots: a build keeps one per link, style and currency, 24k for the 96k-page bench
    site, where a dict each took 40 MB)."""

    style_no: str
    currency: str
    term: str  # the term's code
    net: Decimal  # tax-exclusive, rounded once: what orders multiply by the quantity
    display: Decimal  # what a page shows: `net`, plus the unit's tax when the link applies tax
    breakdown: Breakdown  # how `display` was derived (ends with a tax step when applied)

    @property
    def net_breakdown(self) -> Breakdown:
        """Return the breakdown of `net` alone, as an order line stores it."""
        steps = tuple(step for step in self.breakdown.steps if step.kind != "tax")
        return Breakdown(self.currency, steps)


def minor_digits(currency: str) -> int:
    """Return a currency's number of decimals (CLDR through Babel: JPY 0, USD 2, KWD 3)."""
    return _quantum(currency)[1]


def round_money(amount: Decimal, currency: str, rounding: Rounding) -> Decimal:
    """Round an amount to the currency's minor unit with a brand's rounding mode."""
    mode = _MODES.get(rounding)
    if mode is None:
        raise PricingError(f"unknown rounding mode '{rounding}'; use down, half_up or up")
    try:
        return amount.quantize(_quantum(currency)[0], rounding=mode, context=_ROUND)
    except InvalidOperation:
        raise PricingError(f"{currency} amount '{amount}' is too large to price") from None


@contextmanager
def exact_arithmetic(where: str) -> Iterator[None]:
    """Compute Decimals exactly inside the block; what would need rounding is a PricingError."""
    with localcontext(_EXACT):
        try:
            yield
        except (Inexact, InvalidOperation, Overflow, DivisionByZero):
            raise PricingError(f"{where}: the amounts are too large to compute exactly; check "
                               "the prices and quantities") from None


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """Return amount × percent / 100, exact and unrounded (decimal.Inexact if it cannot be)."""
    return _EXACT.multiply(amount, percent).scaleb(-2, context=_EXACT)


def resolve_parameter(
    terms: Terms, season: PricingSeason, product: PricingStyle
) -> Parameter:
    """Find the rate or discount for a style: product override, season override, link terms."""
    return _resolve(terms, season, product, _where(product, None, terms.term))


def price_style(
    brand: PricingBrand, terms: Terms, season: PricingSeason, product: PricedStyle,
    currency: str,
) -> UnitPrice:
    """Price one style for a link in a currency: list price, rate or discount, tax if shown."""
    term = terms.term
    where = _where(product, currency, term)
    parameter = _resolve(terms, season, product, where)
    list_name = price_list_of(term)
    listed = _list_price(product, currency, list_name, where)
    with exact_arithmetic(where):
        factor = parameter.percent if parameter.kind == "rate" else 100 - parameter.percent
        net = round_money(percent_of(listed, factor), currency, brand.rounding)
    steps = [
        Step("list_price", listed, list_name=list_name,
             label=None if list_name == RETAIL_LIST else term.label),
        Step(parameter.kind, net, percent=parameter.percent, source=parameter.source),
    ]
    display = net
    if terms.apply_tax:
        # Shown per unit, rounded like the order's tax so that a one-unit order's total equals
        # the displayed price; the order itself taxes its subtotal once (cart.py).
        rate = checked_percent(brand.tax.rate, f"{where}: the brand's tax rate")
        with exact_arithmetic(where):
            display = net + round_money(percent_of(net, rate), currency, brand.tax.rounding)
        steps.append(Step("tax", display, percent=rate, label=brand.tax.label))
    return UnitPrice(style_no=product.style_no, currency=currency, term=term.code, net=net,
                     display=display, breakdown=Breakdown(currency, tuple(steps)))


def checked_percent(value: Decimal, what: str) -> Decimal:
    """Return a percent that lies within 0–100, or raise a PricingError naming `what`."""
    if not is_percent(value):
        raise PricingError(f"{what}: '{value}' is not a percent between 0 and 100")
    return value


def is_percent(value: Decimal) -> bool:
    """Tell whether a value is a percent within 0–100 (checked_percent's test, for callers that
    build its message only when it fails)."""
    return value.is_finite() and 0 <= value <= 100


@lru_cache(maxsize=512)
def _quantum(currency: str) -> tuple[Decimal, int]:
    """Return the currency's minor unit (Decimal('0.01') for USD) and its digits."""
    # Babel answers 2 for any code it does not know, so unknown codes must be caught first.
    if not re.fullmatch(r"[A-Z]{3}", currency) or not is_currency(currency):
        raise PricingError(f"unknown currency '{currency}'; use an ISO 4217 code such as JPY, "
                           "USD or EUR")
    digits = int(get_currency_precision(currency))
    return Decimal(1).scaleb(-digits), digits


def _where(product: PricedStyle, currency: str | None, term: Term) -> str:
    """Name what is being priced, for error messages."""
    place = f" in {currency}" if currency else ""
    return f"style '{product.style_no}'{place} on term '{term.code}'"


def _resolve(
    terms: Terms, season: PricingSeason, product: PricedStyle, where: str
) -> Parameter:
    term = terms.term
    if term.basis not in _NEUTRAL:
        raise PricingError(f"{where}: unknown basis '{term.basis}' of the term; use "
                           "retail_rate or discount")
    kind: Literal["rate", "discount"] = "rate" if term.basis == "retail_rate" else "discount"
    overrides: tuple[tuple[Source, TermParameter | None], ...] = (
        ("product", product.rates.get(term.code)), ("season", season.rates.get(term.code)))
    for source, override in overrides:
        if override is not None:
            return _parameter(kind, source, override.rate, override.discount, where)
    if terms.rate is None and terms.discount is None:
        return Parameter(kind, _NEUTRAL[term.basis], "neutral")
    return _parameter(kind, "link", terms.rate, terms.discount, where)


def _parameter(
    kind: Literal["rate", "discount"], source: Source, rate: Decimal | None,
    discount: Decimal | None, where: str,
) -> Parameter:
    """Check that one level gives the parameter its term takes, within 0–100."""
    given, other = (rate, discount) if kind == "rate" else (discount, rate)
    if other is not None or given is None:
        wrong = "discount" if kind == "rate" else "rate"
        raise PricingError(f"{where}: the {source} terms give a {wrong} ('{other}'), but the "
                           f"term is priced by {kind}; give `{kind}` instead")
    return Parameter(kind, checked_percent(given, f"{where}: the {source} {kind}"), source)


def _list_price(product: PricedStyle, currency: str, list_name: str, where: str) -> Decimal:
    quantum, digits = _quantum(currency)
    listed = product.prices.get(currency, {}).get(list_name)
    if listed is None:
        raise PricingError(f"{where}: no {currency} '{list_name}' price; add "
                           f"prices.{currency}.{list_name} to the style")
    if not listed.is_finite() or listed <= 0:
        raise PricingError(f"{where}: the {currency} '{list_name}' price '{listed}' is not a "
                           "positive amount")
    try:
        exact = listed.quantize(quantum, context=_ROUND)
    except InvalidOperation:
        raise PricingError(f"{where}: the {currency} '{list_name}' price '{listed}' is too "
                           "large to price") from None
    if exact != listed:
        raise PricingError(f"{where}: the {currency} '{list_name}' price '{listed}' has more "
                           f"than {digits} decimal{'' if digits == 1 else 's'}")
    return exact
