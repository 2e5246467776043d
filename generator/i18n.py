"""Languages and numbers: which translation of a text a page shows (the one fallback rule of the
project), the interface catalogs, and money and percentages as text for a locale (Babel)."""

from __future__ import annotations

import gettext
from decimal import Decimal
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_percent
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
def interface_translations(locales: Path, language: str) -> gettext.NullTranslations:
    """Load a language's interface catalog, compiled in memory from
    `<locales>/<locale>/LC_MESSAGES/messages.po` (compiled files are not committed); a language
    without a catalog gets the English source strings."""
    po = locales / locale_dir(language) / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as stream:
        catalog = read_po(stream, locale=locale_dir(language))
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


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
    return str(format_currency(amount, currency, locale=babel_locale(locale)))


def format_percentage(percent: Decimal, locale: str) -> str:
    """Format a percent (45, 42.5) for a locale, e.g. "45%" or "42,5 %"; every digit kept."""
    return _format_percentage(percent, locale)


@lru_cache(maxsize=4096)
def _format_percentage(percent: Decimal, locale: str) -> str:
    # Without decimal_quantization=False, Babel's pattern (#,##0%) would print 42.5 as 43 %.
    return str(format_percent(percent.scaleb(-2), locale=babel_locale(locale),
                              decimal_quantization=False))


def clear_format_caches() -> None:
    """Forget every formatted amount (benchmarks and tests measure a cold cache)."""
    _format_money.cache_clear()
    _format_percentage.cache_clear()
