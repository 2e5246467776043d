"""Pricing, between builds of one process (a watch): a style's unit price for a link and
currency -> the next build, while what the price is made of is as it was: the very same
Product (validated styles are kept while unchanged, `_revalidate.py`), an equal offer of the
link, an equal season and an equal brand (rounding, tax). The endpoint's manifest prices
every style for every link and currency, 24,000 prices at 96k pages: a price edit now makes
those of one style again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from generator.models import Brand, Product, Season
from generator.pricing import UnitPrice

if TYPE_CHECKING:  # the catalog imports nothing of the render stage
    from generator.catalog import Offer

_Key = tuple[str, str, str, str]  # (link, season, style, currency)
_T = TypeVar("_T")


class KeptPrices:
    """Prices of the last builds, each with the versions of the offer and season it used."""

    def __init__(self) -> None:
        self._brand: Brand | None = None
        self._prices: dict[_Key, tuple[Product, int, int, UnitPrice]] = {}
        self._offers: dict[str, tuple[Offer, int]] = {}  # link -> (offer, version)
        self._seasons: dict[str, tuple[Season, int]] = {}
        # the links and seasons whose offer and season were compared in this build
        self._seen_offers: set[str] = set()
        self._seen_seasons: set[str] = set()

    def start(self, brand: Brand) -> None:
        """Begin a build; a brand that changed leaves no price standing."""
        if brand != self._brand:
            self._prices.clear()
        self._brand = brand
        self._seen_offers, self._seen_seasons = set(), set()

    def get(self, key: _Key, offer: Offer, season: Season, product: Product) -> UnitPrice | None:
        """The price kept for these very inputs, or None."""
        found = self._prices.get(key)
        if found is None or found[0] is not product:
            return None
        if (found[1], found[2]) != self._versions(offer, key[1], season):
            return None
        return found[3]

    def put(self, key: _Key, offer: Offer, season: Season, product: Product,
            price: UnitPrice) -> None:
        """Keep a price just made."""
        self._prices[key] = (product, *self._versions(offer, key[1], season), price)

    def _versions(self, offer: Offer, season_id: str, season: Season) -> tuple[int, int]:
        return (_version(self._offers, offer.slug, offer, self._seen_offers),
                _version(self._seasons, season_id, season, self._seen_seasons))


def _version(known: dict[str, tuple[_T, int]], name: str, value: _T, seen: set[str]) -> int:
    """The version of a link's offer or of a season: the last build's if equal, else one
    more; compared once a build (`seen`)."""
    found = known.get(name)
    if found is not None and (name in seen or found[0] == value):
        seen.add(name)
        return found[1]
    version = found[1] + 1 if found is not None else 0
    known[name] = (value, version)
    seen.add(name)
    return version


_kept: KeptPrices | None = None


def keep_prices() -> None:
    """Keep unit prices for this process's next builds."""
    global _kept
    _kept = _kept or KeptPrices()


def kept_prices(brand: Brand) -> KeptPrices | None:
    """The prices this process keeps, ready for a build under `brand`; None if it keeps none."""
    if _kept is not None:
        _kept.start(brand)
    return _kept
