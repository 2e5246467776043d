"""Languages and numbers: which translation of a text a page shows (the one fallback rule of the
project), the interface's gettext catalogs, and money and percentages as text for a locale
(Babel)."""

from __future__ import annotations

import gettext
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import NamedTuple

from babel import Locale
from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
)
from babel.support import Translations

from generator.fields import Text

# A build prints few distinct prices many times (one per page of each link × language ×
# currency); formatting was 39 % of a naive renderer's time. The bound keeps a long-running
# endpoint's memory flat (about 350 bytes an entry) while a whole build's prices still fit.
MONEY_CACHE_SIZE = 1 << 17


def translate(text: Text, language: str, default_language: str) -> str:
    """Pick the text for a language: its own value, else the all-language one, else the default.

    `catalog.py` guarantees the default language is present in every per-language map.
    """
    values = text.values
    for key in (language, "", default_language):
        if key in values:
            return values[key]
    return next(iter(values.values()))


@lru_cache(maxsize=256)
def babel_locale(tag: str) -> Locale:
    """Parse a language tag as the content writes it (`ja`, `zh-Hans`) into a Babel locale."""
    return Locale.parse(tag, sep="-")


def locale_dir(language: str) -> str:
    """Name a language's catalog folder as Babel does: zh-Hans -> zh_Hans."""
    return str(babel_locale(language))


@cache
def interface_translations(templates: Path, language: str) -> gettext.NullTranslations:
    """Return a language's interface catalog, compiled in memory from
    <templates>/locales/<locale>/LC_MESSAGES/messages.po (compiled files are not committed);
    a missing catalog falls back to the English source strings."""
    po = templates / "locales" / locale_dir(language) / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as stream:
        catalog = read_po(stream, locale=locale_dir(language))
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def interface_gettext(templates: Path, language: str) -> Callable[[str], str]:
    """Return the gettext of a language's interface catalog, for text made outside templates."""
    return interface_translations(templates, language).gettext


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """Format an amount in a currency for a locale, e.g. "¥12,600" or "108,00 €"; cached.

    The amount should already carry the currency's minor digits (`pricing.round_money`);
    Babel shows exactly those digits either way.
    """
    return _format_money(amount, currency, locale)


@lru_cache(maxsize=MONEY_CACHE_SIZE)
def _format_money(amount: Decimal, currency: str, locale: str) -> str:
    # Equal Decimals (12600 and 12600.0) share an entry, which is right: Babel prints the
    # currency's digits, not the Decimal's.
    money = _money_format(currency, locale)
    if money is None or not amount.is_finite():
        return str(format_currency(amount, currency, locale=babel_locale(locale)))
    return money.format(amount)


class _MoneyFormat(NamedTuple):
    """Babel's standard currency format of one locale and currency, taken apart once.

    `format_currency` works the affixes out again for every amount (and the currency's
    plural name, which the standard pattern never shows): 20–30 µs an amount, some 15,000
    distinct amounts in a 24k-page build. This does the same steps as its
    `NumberPattern.apply` for this pattern, in a few microseconds.
    """

    prefixes: tuple[str, str]  # positive, negative: ¤ resolved, quotes removed
    suffixes: tuple[str, str]
    quantum: Decimal  # the currency's minor unit
    min_digits: int  # integer digits the pattern always shows
    grouping: tuple[int, int]  # first group, then every other
    group: str
    decimal: str

    def format(self, amount: Decimal) -> str:
        """The amount as Babel's format_currency writes it."""
        negative = int(amount.is_signed())
        number = abs(amount).normalize().quantize(self.quantum)
        whole, _, fraction = f"{number:f}".partition(".")
        whole = whole.rjust(self.min_digits, "0")
        size, grouped = self.grouping[0], ""
        while len(whole) > size:
            grouped = self.group + whole[-size:] + grouped
            whole = whole[:-size]
            size = self.grouping[1]
        text = whole + grouped + (self.decimal + fraction if fraction else "")
        return self.prefixes[negative] + text + self.suffixes[negative]


# Amounts each _MoneyFormat is checked on against Babel before it is used.
_PROBES = tuple(Decimal(text) for text in (
    "0", "1", "-1", "0.5", "12.345", "-12.355", "999", "1000", "-1000", "123456.789",
    "1234567", "-98765432.1", "100000000000", "0.004"))


@lru_cache(maxsize=256)
def _money_format(currency: str, locale: str) -> _MoneyFormat | None:
    """The fast format of a currency in a locale, or None where it would not print exactly
    what Babel prints (a pattern with the currency's name, quotes in the number …)."""
    where = babel_locale(locale)
    pattern = where.currency_formats["standard"]
    digits = get_currency_precision(currency)
    if pattern.exp_prec or "@" in pattern.pattern or pattern.scale or digits < 0:
        return None
    symbol = get_currency_symbol(currency, where)

    def affix(text: str) -> str | None:
        if "¤¤" in text or "'" in text:  # a name or code, or quoted text: Babel's way only
            return None
        return text.replace("¤", symbol)

    prefixes = (affix(pattern.prefix[0]), affix(pattern.prefix[1]))
    suffixes = (affix(pattern.suffix[0]), affix(pattern.suffix[1]))
    group, decimal = get_group_symbol(where), get_decimal_symbol(where)
    if None in prefixes or None in suffixes or "'" in group + decimal:
        return None
    money = _MoneyFormat(
        (str(prefixes[0]), str(prefixes[1])), (str(suffixes[0]), str(suffixes[1])),
        Decimal(1).scaleb(-digits), pattern.int_prec[0], pattern.grouping, group, decimal)
    if any(money.format(probe) != format_currency(probe, currency, locale=where)
           for probe in _PROBES):
        return None
    return money


def format_percentage(percent: Decimal, locale: str) -> str:
    """Format a percent (45, 42.5) for a locale, e.g. "45%" or "42,5 %"; every digit kept."""
    return _format_percentage(percent, locale)


@lru_cache(maxsize=4096)
def _format_percentage(percent: Decimal, locale: str) -> str:
    # Without decimal_quantization=False, Babel's pattern (#,##0%) would print 42.5 as 43 %.
    return str(format_percent(percent.scaleb(-2), locale=babel_locale(locale),
                              decimal_quantization=False))


def format_number(number: Decimal, locale: str) -> str:
    """Format a measure (52, 52.5) for a locale, e.g. "52,5" in French; every digit kept."""
    return str(format_decimal(number, locale=babel_locale(locale), decimal_quantization=False))


@lru_cache(maxsize=1024)  # every style page of a season says when it ships: 13 µs each
def format_days(start: date, end: date, locale: str) -> str:
    """Format a window of days with short month names: "Apr 15, 2027 – May 15, 2027",
    "2027年4月15日 – 2027年5月15日"; one day when start is end. Each day as CLDR's yMMMd, which
    the page scripts' Intl.DateTimeFormat writes alike (its ranges differ from Babel's)."""
    days = [format_skeleton("yMMMd", day, locale=babel_locale(locale))
            for day in ((start,) if start == end else (start, end))]
    return " – ".join(days)


def clear_format_caches() -> None:
    """Forget every formatted amount (benchmarks and tests measure a cold cache)."""
    _format_money.cache_clear()
    _money_format.cache_clear()
    _format_percentage.cache_clear()
    format_days.cache_clear()
