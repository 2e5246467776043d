"""Manifest stage: Catalog x link keys -> build/private/manifest.json, all the endpoint needs.

The endpoint (order_api) loads this file and never reads content/: link windows and terms,
season deadlines, the offer (styles, colours, sizes, sold-out cells, MOQ, multiples, price
lists) and each link's unit prices from the pricing module. Passcodes are stored hashed
(scrypt), never in plain; page keys stay in the key store, the manifest names their version.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from generator.fields import Text
from generator.models import (
    Billing,
    BuyerType,
    Delivery,
    DeliveryWindow,
    Invoicing,
    Notifications,
    Product,
    Rounding,
    Season,
    Tax,
    Term,
    TermParameter,
)
from generator.passcode import hash_passcode, is_passcode_hash
from generator.pricing import UnitPrice, price_style
from generator.seal import LinkKey

if TYPE_CHECKING:  # the endpoint loads manifests without the content checks
    from generator.catalog import Catalog, Offer

    # A style's unit price for a link: (offer, season id, style, currency) -> price.
    StylePrice = Callable[[Offer, str, Product, str], UnitPrice]

MANIFEST_VERSION: Literal[1] = 1


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ManifestBrand(_Record):
    """The brand settings orders need: names for messages, rounding, tax, notifications,
    what its invoices carry."""

    name: Text
    default_language: str
    timezone: str
    rounding: Rounding
    tax: Tax
    notifications: Notifications
    invoicing: Invoicing | None = None
    # Where the pages are and where they call the endpoint, for the endpoint to check its
    # CORS setting against at start (None in a manifest of an earlier build).
    base_url: str | None = None
    api_url: str | None = None


class ManifestColor(_Record):
    """A colourway: its code and name (order confirmations name it)."""

    code: str
    name: Text
    # Its own delivery, when it ships apart from its style (the form of ManifestStyle's).
    delivery: Text | None = None


class ManifestStyle(_Record):
    """A style as orders see it; satisfies pricing.PricingStyle."""

    style_no: str
    name: Text
    colors: list[ManifestColor]
    sizes: list[str]
    prices: dict[str, dict[str, Decimal]]
    size_prices: dict[str, dict[str, dict[str, Decimal]]] = {}  # sizes priced apart
    rates: dict[str, TermParameter]
    moq: int
    multiple: int
    pack: dict[str, int] = {}  # a prepack's units by size: each colour ordered in whole packs
    sold_out: dict[str, list[str]]
    stock: dict[str, dict[str, int]] = {}  # colour -> size -> units orders may take in all
    skus: dict[str, dict[str, str]]
    jan: dict[str, dict[str, str]]
    # When it ships, its own or its season's: a window as an ISO 8601 interval of dates
    # (2027-04-15/2027-05-15), or the brand's text; each order line carries it.
    delivery: Text | None = None


class ManifestSeason(_Record):
    """A season: its order deadline, rate overrides and styles."""

    id: str
    name: Text
    order_deadline: datetime
    rates: dict[str, TermParameter]
    styles: list[ManifestStyle]


class ManifestLink(_Record):
    """A link's window and resolved terms; satisfies pricing.Terms."""

    slug: str
    kind: Literal["instant", "brand", "customer"]
    name: Text
    seasons: list[str]
    languages: list[str]
    currencies: list[str]
    term: Term
    rate: Decimal | None
    discount: Decimal | None
    billing: Billing
    deposit_percent: Decimal
    minimum_order: dict[str, Decimal] = {}  # currency -> the least an order comes to, before tax
    apply_tax: bool
    tax_exempt: bool = False  # its orders carry no tax (an export)
    # No VAT on its orders: each buyer, a business in another EU member state, accounts for
    # it and gives its VAT number (False in a manifest of an earlier build)
    intra_community: bool = False
    catalog: bool
    china_only: bool
    require_address: bool
    buyer_type: BuyerType
    buyer: str | None
    release_at: datetime | None
    expires_at: datetime | None
    passcode_hash: str | None  # scrypt; None: the link opens without a passcode
    key_version: int | None  # the page key to release; None: the link is not sealed
    # season -> style -> currency -> tax-exclusive unit price, as the pages show it; a style
    # not here is not on the link (its `styles`, `hide_styles`, exclusives): not ordered here
    unit_prices: dict[str, dict[str, dict[str, Decimal]]]
    # season -> style -> the colour codes it offers, for the styles of which it offers only
    # some colourways (its `hide_colors`, colourways exclusive to other links): another
    # colour of them is not ordered here; a style not here offers every colour
    colors: dict[str, dict[str, list[str]]] = {}
    # The check value of that key (LinkKey.check; None in a manifest of an earlier build).
    key_check: str | None = None


class Manifest(_Record):
    """build/private/manifest.json."""

    version: Literal[1] = MANIFEST_VERSION
    brand: ManifestBrand
    seasons: dict[str, ManifestSeason]
    links: dict[str, ManifestLink]


def build_manifest(catalog: Catalog, keys: dict[str, LinkKey],
                   price: StylePrice | None = None) -> Manifest:
    """Describe the catalog for the endpoint; `keys` are the sealed links' current keys.

    `price`: the build's memoised pricing (pricing.price_style underneath), so that the
    render workers forked afterwards find every price computed.
    """
    brand = catalog.brand
    if price is None:
        def price(offer: Offer, season: str, product: Product, currency: str) -> UnitPrice:
            return price_style(brand, offer, catalog.seasons[season], product, currency)
    seasons = {
        season_id: ManifestSeason(
            id=season_id, name=season.name, order_deadline=season.order_deadline,
            rates=dict(season.rates),
            styles=[_style(product, season) for product in catalog.styles[season_id]])
        for season_id, season in catalog.seasons.items()
    }
    links = {slug: _link(catalog, slug, keys.get(slug), price) for slug in catalog.links}
    return Manifest(
        brand=ManifestBrand(name=brand.name, default_language=brand.default_language,
                            timezone=brand.timezone, rounding=brand.rounding, tax=brand.tax,
                            notifications=brand.notifications, invoicing=brand.invoicing,
                            base_url=brand.base_url, api_url=brand.api_url),
        seasons=seasons, links=links)


def manifest_bytes(manifest: Manifest) -> bytes:
    """Serialize a manifest (stable field order, so unchanged content gives the same bytes)."""
    return manifest.model_dump_json(indent=1).encode() + b"\n"


def _style(product: Product, season: Season) -> ManifestStyle:
    return ManifestStyle(
        style_no=product.style_no, name=product.name,
        colors=[ManifestColor(code=color.code, name=color.name,
                              delivery=_delivery(color.delivery)) for color in product.colors],
        sizes=list(product.sizes), prices=product.prices, size_prices=product.size_prices,
        rates=dict(product.rates),
        moq=product.moq, multiple=product.multiple, pack=dict(product.pack),
        sold_out=dict(product.sold_out),
        stock=dict(product.stock),
        skus=dict(product.skus), jan=dict(product.jan),
        delivery=_delivery(product.delivery or season.delivery))


def _delivery(delivery: Delivery | None) -> Text | None:
    """A delivery as orders record it: an ERP reads a window's dates as an interval."""
    if isinstance(delivery, DeliveryWindow):
        return Text({"": f"{delivery.start.isoformat()}/{delivery.end.isoformat()}"})
    return delivery


def _link(catalog: Catalog, slug: str, key: LinkKey | None, price: StylePrice) -> ManifestLink:
    offer = catalog.offer(slug)
    prices = {
        season: {
            product.style_no: {
                currency: price(offer, season, product, currency).net
                for currency in offer.currencies}
            for product in catalog.link_styles(slug, season)}
        for season in offer.seasons
    }
    colors = {season: narrowed for season in offer.seasons
              if (narrowed := {product.style_no: [color.code for color in product.colors]
                               for product in catalog.link_styles(slug, season)
                               if catalog.colorway(product)})}
    return ManifestLink(
        slug=slug, kind=offer.kind, name=catalog.links[slug].name, seasons=list(offer.seasons),
        languages=list(offer.languages), currencies=list(offer.currencies), term=offer.term,
        rate=offer.rate, discount=offer.discount, billing=offer.billing,
        deposit_percent=offer.deposit_percent, minimum_order=dict(offer.minimum_order),
        tax_exempt=offer.tax_exempt, intra_community=offer.intra_community,
        apply_tax=offer.apply_tax,
        catalog=offer.catalog, china_only=offer.china_only,
        require_address=offer.require_address, buyer_type=offer.buyer_type, buyer=offer.buyer,
        release_at=offer.release_at, expires_at=offer.expires_at,
        passcode_hash=_hashed(offer.passcode, key),
        key_version=key.version if key is not None else None, unit_prices=prices,
        colors=colors, key_check=key.check if key is not None else None)


def _hashed(passcode: str | None, key: LinkKey | None) -> str | None:
    """Hash a plain passcode; the salt comes from the link key so rebuilds give equal bytes."""
    if passcode is None or is_passcode_hash(passcode):
        return passcode
    salt = key.derive("passcode-salt", "", 16) if key is not None else None
    return hash_passcode(passcode, salt=salt)
