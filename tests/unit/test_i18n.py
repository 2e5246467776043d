"""Translation fallback, and money and percentages as text: Babel's output, cached."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import i18n
from generator.fields import Text
from generator.i18n import clear_format_caches, format_money, format_percentage, translate


def test_translate_falls_back_to_the_all_language_value_then_the_default() -> None:
    text = Text({"en": "Coat", "ja": "コート"})
    assert translate(text, "ja", "en") == "コート"
    assert translate(text, "fr", "en") == "Coat"
    assert translate(Text({"": "Tote"}), "ja", "en") == "Tote"


@pytest.mark.parametrize(("amount", "currency", "locale", "expected"), [
    ("28000", "JPY", "en", "¥28,000"),
    ("1234.50", "USD", "en", "$1,234.50"),
    ("120.00", "EUR", "en", "€120.00"),
    ("1.235", "KWD", "en", "KWD1.235"),
    ("28000", "JPY", "ja", "￥28,000"),
    ("120.00", "EUR", "fr", "120,00\xa0€"),
    ("28000", "JPY", "zh-Hans", "JP¥28,000"),
])
def test_format_money_for_a_locale_and_currency(
    amount: str, currency: str, locale: str, expected: str
) -> None:
    assert format_money(Decimal(amount), currency, locale) == expected


@pytest.mark.parametrize("locale", ["en", "ja", "fr", "zh-Hans", "de-CH", "pt-BR"])
@pytest.mark.parametrize(("amount", "currency"), [("12600", "JPY"), ("108.00", "EUR"),
                                                  ("3.300", "KWD"), ("0.00", "USD")])
def test_format_money_is_babels_format_currency(amount: str, currency: str, locale: str) -> None:
    babel_locale = locale.replace("-", "_")
    assert format_money(Decimal(amount), currency, locale) == format_currency(
        Decimal(amount), currency, locale=babel_locale)


def test_format_money_shows_exactly_the_currency_digits() -> None:
    assert format_money(Decimal(12600), "USD", "en") == "$12,600.00"
    assert format_money(Decimal("3.3"), "KWD", "en") == "KWD3.300"


def test_format_money_formats_each_distinct_amount_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []
    format_once = i18n._MoneyFormat.format

    def counting(self: i18n._MoneyFormat, amount: Decimal) -> str:
        calls.append((amount, self.prefixes))
        return format_once(self, amount)

    clear_format_caches()
    monkeypatch.setattr(i18n._MoneyFormat, "format", counting)
    try:
        for _ in range(3):
            assert format_money(Decimal(12600), "JPY", "ja") == "￥12,600"
            assert format_money(Decimal(12600), "JPY", "en") == "¥12,600"
        assert len(calls) == 2 + 2 * len(i18n._PROBES)  # each format checked once, first
    finally:
        clear_format_caches()


_LOCALES = ["en", "ja", "fr", "de", "de-CH", "it", "es", "pt-BR", "zh-Hans", "zh-Hant", "ko",
            "hi", "ar", "nl", "sv", "da", "nb", "fi", "pl", "ru", "tr", "th", "he", "en-IN"]
_CURRENCIES = ["JPY", "USD", "EUR", "GBP", "CNY", "KRW", "CHF", "INR", "KWD", "SEK", "BRL",
               "TWD", "HKD", "AUD", "CAD", "THB"]


@settings(max_examples=400, deadline=None)
@given(amount=st.decimals(min_value=-10 ** 12, max_value=10 ** 12, places=4,
                          allow_nan=False, allow_infinity=False),
       locale=st.sampled_from(_LOCALES), currency=st.sampled_from(_CURRENCIES))
def test_format_money_prints_what_babel_prints(amount: Decimal, locale: str,
                                               currency: str) -> None:
    """The fast path is Babel's format_currency to the character, for any amount."""
    assert format_money(amount, currency, locale) == format_currency(
        amount, currency, locale=locale.replace("-", "_"))


def test_format_money_takes_babels_way_where_the_fast_one_differs(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A locale and currency whose checks fail (here: Babel made to write something else)
    are formatted by Babel for every amount."""
    clear_format_caches()
    monkeypatch.setattr(i18n, "format_currency",
                        lambda amount, currency, locale: f"{amount} {currency} ({locale})")
    try:
        assert i18n._money_format("EUR", "fr") is None
        assert format_money(Decimal("108.00"), "EUR", "fr") == "108.00 EUR (fr)"
    finally:
        clear_format_caches()


def test_format_money_has_a_fast_format_for_the_usual_locales() -> None:
    """Every pair the fast path is meant for passes its checks (else it silently costs 20 µs
    an amount again)."""
    missing = [(locale, currency) for locale in _LOCALES for currency in _CURRENCIES
               if i18n._money_format(currency, locale) is None]
    # de-CH groups with "'", which Babel then strips as quotes from some amounts ("¥ 1'000"
    # but "¥ 1234567"): only Babel itself prints that, so it keeps Babel's way.
    assert missing == [("de-CH", currency) for currency in _CURRENCIES]


@pytest.mark.parametrize(("percent", "locale", "expected"), [
    ("45", "en", "45%"), ("42.5", "en", "42.5%"), ("10", "fr", "10\xa0%"),
    ("7.25", "ja", "7.25%"), ("100", "zh-Hans", "100%"), ("0", "en", "0%"),
])
def test_format_percentage_keeps_every_digit(percent: str, locale: str, expected: str) -> None:
    assert format_percentage(Decimal(percent), locale) == expected
