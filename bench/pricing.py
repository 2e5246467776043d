"""Pricing benchmark: price and check 100,000 cart lines, and format 1,000,000 amounts with the
cached `format_money` against Babel's uncached `format_currency`, in the same run."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_currency

from bench import Result, best_of
from generator.cart import CartLine, check_cart, price_cart
from generator.i18n import clear_format_caches, format_money
from generator.models import Billing, Brand, Product, Season, Term
from generator.pricing import minor_digits, price_style, round_money
from generator.terms import DEFAULT_TERMS

STYLES = 500
COLORS = ("BLK", "NVY", "ECR", "OLV")
SIZES = ("XS", "S", "M", "L", "XL", "XXL")
CURRENCIES = ("JPY", "USD", "EUR")
LOCALES = ("en", "ja", "fr", "zh-Hans")
CARTS, LINES_PER_CART = 1_000, 100  # 100,000 lines, the way the endpoint meets them
AMOUNTS = 1_000_000
DISTINCT_PER_CURRENCY = 2_000  # × 3 currencies × 4 locales = 24,000 distinct formats
NAIVE_SAMPLE = 100_000  # uncached Babel takes 30–50 µs an amount: a sample gives its rate
ALL_DISTINCT = 50_000
REPEATS = 3
_EXCHANGE = {"JPY": Decimal(1), "USD": Decimal(150), "EUR": Decimal(160)}


@dataclass(frozen=True)
class _Terms:
    """A link's resolved terms (what `catalog.Offer` carries), without the rest of a link."""

    term: Term
    rate: Decimal | None
    discount: Decimal | None
    billing: Billing
    deposit_percent: Decimal
    apply_tax: bool
    tax_exempt: bool = False
    intra_community: bool = False


def run() -> list[Result]:
    """Run the pricing cases and return their results."""
    brand, season, styles = _catalog()
    terms = {term.code: term for term in DEFAULT_TERMS}
    offers = (
        _Terms(terms["wsp_rrp"], Decimal(55), None, "without_deposit", Decimal(0), True),
        _Terms(terms["exw"], None, Decimal(10), "with_deposit", Decimal(30), False),
    )
    carts = _carts(styles)
    work = [(offers[index % 2], CURRENCIES[index % 3], lines) for index, lines in enumerate(carts)]
    assert not any(check_cart(styles, lines) for lines in carts), "bench carts break a rule"
    single = [line for lines in carts for line in lines]
    lines = sum(len(lines) for lines in carts)
    results = [
        Result(f"price_cart: {CARTS:,} carts × {LINES_PER_CART} lines", lines,
               best_of(REPEATS, lambda: [price_cart(brand, offer, season, styles, currency,
                                                    cart) for offer, currency, cart in work]),
               "lines; best of 3"),
        Result(f"price_cart: one cart of {len(single):,} lines", len(single),
               best_of(REPEATS, lambda: price_cart(brand, offers[0], season, styles, "JPY",
                                                   single)), "lines; best of 3"),
        Result(f"check_cart: {CARTS:,} carts × {LINES_PER_CART} lines", lines,
               best_of(REPEATS, lambda: [check_cart(styles, cart) for cart in carts]),
               "lines; best of 3"),
        Result(f"price_style: {STYLES} styles × 3 currencies × 2 links", STYLES * 6,
               best_of(REPEATS, lambda: [price_style(brand, offer, season, product, currency)
                                         for offer in offers for currency in CURRENCIES
                                         for product in styles]), "unit prices; best of 3"),
    ]
    return results + _formatting()


def _formatting() -> list[Result]:
    rng = random.Random(27)
    distinct = [(currency, round_money(Decimal(rng.randrange(10**3, 10**7)).scaleb(
        -minor_digits(currency)), currency, "half_up")) for currency in CURRENCIES
        for _ in range(DISTINCT_PER_CURRENCY)]
    amounts = [(rng.choice(LOCALES), *rng.choice(distinct)) for _ in range(AMOUNTS)]
    clear_format_caches()
    cold = best_of(1, lambda: [format_money(amount, currency, locale)
                          for locale, currency, amount in amounts])
    warm = best_of(1, lambda: [format_money(amount, currency, locale)
                          for locale, currency, amount in amounts])
    # The naive renderer passed Babel a locale string per call, as a Jinja filter would.
    sample = [(locale.replace("-", "_"), currency, amount)
              for locale, currency, amount in amounts[:NAIVE_SAMPLE]]
    naive = best_of(1, lambda: [format_currency(amount, currency, locale=locale)
                           for locale, currency, amount in sample])
    unique = [(LOCALES[index % 4], "JPY", Decimal(10**6 + index)) for index in range(ALL_DISTINCT)]
    clear_format_caches()
    misses = best_of(1, lambda: [format_money(amount, currency, locale)
                            for locale, currency, amount in unique])
    clear_format_caches()
    naive_rate = NAIVE_SAMPLE / naive
    return [
        Result("format_currency, uncached (Babel)", NAIVE_SAMPLE, naive,
               f"first {NAIVE_SAMPLE:,} of the 1,000,000 amounts"),
        Result("format_money, cold cache", AMOUNTS, cold,
               f"{len(distinct) * len(LOCALES):,} distinct; "
               f"{AMOUNTS / cold / naive_rate:.0f}× the uncached rate"),
        Result("format_money, warm cache", AMOUNTS, warm,
               f"{AMOUNTS / warm / naive_rate:.0f}× the uncached rate"),
        Result("format_money, every amount distinct", ALL_DISTINCT, misses,
               f"all misses: {ALL_DISTINCT / misses / naive_rate:.2f}× the uncached rate"),
    ]


def _catalog() -> tuple[Brand, Season, tuple[Product, ...]]:
    """Build a season of 500 styles priced in JPY, USD and EUR (rrp and exw lists)."""
    rng = random.Random(3)
    brand = Brand.model_validate({
        "name": "Bench", "default_language": "en", "languages": list(LOCALES),
        "currencies": list(CURRENCIES), "timezone": "Asia/Tokyo",
        "base_url": "https://example.com", "tax": {"rate": 10, "label": "Tax"},
    })
    season = Season.model_validate({"id": "ss27", "name": "SS27",
                                    "order_deadline": "2027-01-31T18:00:00+09:00"})
    styles = []
    for index in range(STYLES):
        retail = Decimal(rng.randrange(80, 1200) * 100)
        prices = {currency: {"rrp": round_money(retail / rate, currency, "half_up"),
                             "exw": round_money(retail * Decimal("0.4") / rate, currency,
                                                "half_up")}
                  for currency, rate in _EXCHANGE.items()}
        styles.append(Product.model_validate({
            "style_no": f"SS27-{index:03d}", "name": f"Style {index}", "category": "Tops",
            "colors": [{"code": code, "name": code} for code in COLORS], "sizes": list(SIZES),
            "prices": prices, "moq": 2, "multiple": 2,
            "rates": {"wsp_rrp": {"rate": 50}} if index % 10 == 0 else {},
        }))
    return brand, season, tuple(styles)


def _carts(styles: tuple[Product, ...]) -> list[list[CartLine]]:
    """Make carts of distinct cells: a few styles, one colour each, every size."""
    rng = random.Random(5)
    carts = []
    for _ in range(CARTS):
        lines: list[CartLine] = []
        for product in rng.sample(styles, -(-LINES_PER_CART // len(SIZES))):
            color = rng.choice(COLORS)
            lines += [CartLine(product.style_no, color, size, rng.choice((2, 4, 6, 12)))
                      for size in SIZES]
        carts.append(lines[:LINES_PER_CART])
    return carts


def main() -> None:
    """Run this case alone and print its table."""
    from bench.__main__ import _table

    print(_table(run()))


if __name__ == "__main__":
    main()
