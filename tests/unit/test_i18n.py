"""Translation fallback, and money and percentages as text: Babel's output, cached."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from babel.numbers import format_currency

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

    def counting(amount: Decimal, currency: str, **kwargs: Any) -> str:
        calls.append((amount, currency))
        return format_currency(amount, currency, **kwargs)

    clear_format_caches()
    monkeypatch.setattr(i18n, "format_currency", counting)
    try:
        for _ in range(3):
            assert format_money(Decimal(12600), "JPY", "ja") == "￥12,600"
            assert format_money(Decimal(12600), "JPY", "en") == "¥12,600"
        assert len(calls) == 2
    finally:
        clear_format_caches()


@pytest.mark.parametrize(("percent", "locale", "expected"), [
    ("45", "en", "45%"), ("42.5", "en", "42.5%"), ("10", "fr", "10\xa0%"),
    ("7.25", "ja", "7.25%"), ("100", "zh-Hans", "100%"), ("0", "en", "0%"),
])
def test_format_percentage_keeps_every_digit(percent: str, locale: str, expected: str) -> None:
    assert format_percentage(Decimal(percent), locale) == expected
