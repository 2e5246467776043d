"""Models for the pricing and cart tests, built directly (not from content/), and shared
hypothesis settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import settings

from generator.catalog import Offer
from generator.models import Billing, Brand, Product, Rounding, Season, Term
from generator.terms import DEFAULT_TERMS

TERMS: dict[str, Term] = {term.code: term for term in DEFAULT_TERMS}
CURRENCIES = ("JPY", "USD", "EUR", "KWD")
# Same examples on every run, no example database: a failure reproduces anywhere.
DETERMINISTIC = settings(derandomize=True, database=None, deadline=None, max_examples=150)


def make_brand(
    rounding: Rounding = "half_up", tax_rate: Decimal | int = 10,
    tax_rounding: Rounding = "down",
) -> Brand:
    """Return a brand trading in the test currencies with the given rounding and tax."""
    return Brand.model_validate({
        "name": "Atelier Test", "default_language": "en", "languages": ["en", "ja"],
        "currencies": list(CURRENCIES), "timezone": "Asia/Tokyo",
        "base_url": "https://example.com", "rounding": rounding,
        "tax": {"rate": tax_rate, "rounding": tax_rounding,
                "label": {"en": "consumption tax", "ja": "消費税"}},
    })


def make_season(rates: dict[str, dict[str, Any]] | None = None) -> Season:
    """Return a season with optional per-term overrides."""
    return Season.model_validate({"id": "ss27", "name": "SS27",
                                  "order_deadline": "2027-01-31T18:00:00+09:00",
                                  "rates": rates or {}})


def make_product(
    prices: dict[str, dict[str, Any]], style_no: str = "SS27-001", **fields: Any
) -> Product:
    """Return a style with two colours and three sizes, the given prices and other fields."""
    data: dict[str, Any] = {
        "style_no": style_no, "name": "Trench coat", "category": "Outerwear",
        "colors": [{"code": "BLK", "name": "Black"}, {"code": "NVY", "name": "Navy"}],
        "sizes": ["S", "M", "L"], "prices": prices,
    }
    return Product.model_validate(data | fields)


def make_offer(
    term: str, rate: Decimal | int | None = None, discount: Decimal | int | None = None,
    apply_tax: bool = False, billing: Billing = "without_deposit",
    deposit_percent: Decimal | int = 0, term_model: Term | None = None,
    tax_exempt: bool = False,
) -> Offer:
    """Return an instant link's resolved terms."""
    return Offer(
        slug="open", kind="instant", seasons=("ss27",), languages=("en", "ja"),
        currencies=CURRENCIES, term=term_model or TERMS[term],
        rate=None if rate is None else Decimal(rate),
        discount=None if discount is None else Decimal(discount), billing=billing,
        deposit_percent=Decimal(deposit_percent), minimum_order={}, tax_exempt=tax_exempt,
        intra_community=False,
        apply_tax=apply_tax,
        show_terms=True,
        buyer_type="organization", buyer=None, passcode=None, catalog=False,
        china_only=False, require_address=False, release_at=None, expires_at=None,
    )
