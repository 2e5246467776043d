"""Render stage, page data: a PagePlan -> the Page object its template reads.

Templates get one typed object with the page's language, currency and state, and helpers
bound to them (translation, money, dates, URLs, prices, pictures); they never compute prices.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, get_args
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_timezone_location
from babel.numbers import get_currency_name
from markupsafe import Markup, escape

from generator._cached import cached
from generator.breakdown import render_breakdown
from generator.catalog import Catalog, Offer
from generator.fields import Text
from generator.i18n import (
    babel_locale,
    format_days,
    format_number,
    format_percentage,
    translate,
)
from generator.links import Link
from generator.models import Brand, Contact, Delivery, DeliveryWindow, Lookbook, Product, Season
from generator.plan import (
    CURRENCY_PART,
    LANGUAGE_PART,
    PageKind,
    PagePlan,
    currency_segment,
    language_segment,
)
from generator.pricing import UnitPrice
from generator.render import interface_gettext, register_plain_helpers, render_template
from generator.site import Site
from generator.state import LinkState, season_open
from generator.videos import video_player

if TYPE_CHECKING:
    from generator.assets import Picture


@cache
def _language_name(language: str) -> str:
    name = babel_locale(language).get_display_name(babel_locale(language)) or language
    return name[:1].upper() + name[1:]


@cache
def _currency_name(currency: str, language: str) -> str:
    return str(get_currency_name(currency, locale=babel_locale(language)))


# What each linesheet filter is made of, of a style (`Site.per_language`'s `uses`).
def _category_of(product: Product) -> object:
    return product.category


def _deliveries_of(product: Product) -> object:
    return product.delivery, [color.delivery for color in product.colors]


def _colors_of(product: Product) -> object:
    return [(color.name, color.swatch) for color in product.colors]


def category_key(product: Product, default_language: str) -> str:
    """A stable filter key for a style's category (its default-language text)."""
    return _key(translate(product.category, default_language, default_language))


def color_keys(product: Product, default_language: str) -> str:
    """The filter keys of a style's colours (their default-language names), space-separated."""
    keys = (_key(translate(c.name, default_language, default_language)) for c in product.colors)
    return " ".join(dict.fromkeys(keys))


# A card's delivery key when the style ships with its season (it has no delivery of its own).
SEASON_DELIVERY = "-"


def delivery_key(product: Product, default_language: str) -> str:
    """The filter keys of when a style's colours ship, space-separated: a colour's own
    delivery, else the style's own (its dates, or its default-language text), else
    SEASON_DELIVERY."""
    own = _delivery_key(product.delivery, default_language) or SEASON_DELIVERY
    return " ".join(dict.fromkeys(_delivery_key(color.delivery, default_language) or own
                                  for color in product.colors))


def _delivery_key(delivery: Delivery | None, default_language: str) -> str:
    if delivery is None:
        return ""
    if isinstance(delivery, DeliveryWindow):
        return f"{delivery.start.isoformat()}_{delivery.end.isoformat()}"
    return _key(translate(delivery, default_language, default_language)) or "text"


def _key(text: str) -> str:
    """Make a filter key of a label: lowercase, hyphens for anything else."""
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class Fragment:
    """What a shared fragment of a page sees: the language and the style, nothing of a link
    or a currency, so the same HTML is right on every page that shows it (a fragment that
    reached for more would fail to render: the templates use StrictUndefined)."""

    site: Site
    language: str

    def t(self, text: Text | None) -> str:
        """Translate content text (the one fallback rule)."""
        brand = self.site.catalog.brand
        return translate(text, self.language, brand.default_language) if text else ""

    def md(self, text: Text | None) -> Markup:
        """Translate Markdown content and render it to HTML."""
        return self.site.markdown(self.t(text)) if text is not None else Markup("")

    def picture(self, media_path: str) -> Picture:
        """A responsive image of a media file."""
        return self.site.assets.picture(media_path)

    def sold_out(self, product: Product) -> bool:
        """Whether every colour and size of a style is sold out (its card says so); of a
        style sold in packs, whether every colour lacks a size of the pack."""
        if product.pack:
            return all(any(size in product.sold_out.get(color.code, ()) for size in product.pack)
                       for color in product.colors)
        return all(size in product.sold_out.get(color.code, ()) for color in product.colors
                   for size in product.sizes)

    def card_cells(self, product: Product) -> str:
        """What the linesheet's order form needs of a style beyond its card's text (JSON):
        its sizes, its multiple, its pack and its sold-out cells; the colour codes are on the
        swatches. The style pages carry the same, but an order form covers a whole linesheet."""
        cells: dict[str, object] = {"sizes": product.sizes}
        if product.multiple > 1:
            cells["multiple"] = product.multiple
        if product.pack:
            cells["pack"] = list(product.pack.items())
        sold_out = {color: sizes for color, sizes in product.sold_out.items() if sizes}
        if sold_out:
            cells["soldOut"] = sold_out
        return json.dumps(cells, ensure_ascii=False, separators=(",", ":"))

    def measure(self, value: Decimal | None) -> str:
        """A size chart's measure in the page's language, or a dash where a size has none."""
        return format_number(value, self.language) if value is not None else "–"

    def category_key(self, product: Product) -> str:
        """The linesheet filter key of a style's category."""
        return category_key(product, self.site.catalog.brand.default_language)

    def color_keys(self, product: Product) -> str:
        """The linesheet filter keys of a style's colours."""
        return color_keys(product, self.site.catalog.brand.default_language)

    def delivery_key(self, product: Product) -> str:
        """The linesheet filter key of a style's own delivery."""
        return delivery_key(product, self.site.catalog.brand.default_language)

    def delivery_text(self, delivery: Delivery) -> str:
        """A delivery as the page's language writes it: the brand's text, or a date window."""
        if isinstance(delivery, Text):
            return self.t(delivery)
        return format_days(delivery.start, delivery.end, self.language)


@dataclass(frozen=True)
class LinkFragment(Fragment):
    """What a part of the page shell shared by every page of a link in a language sees
    (its background, its contacts): the link's, nothing of a page or a currency."""

    link: Link
    contacts: list[Contact]

    def media(self, media_path: str) -> str:
        """The URL of a media file copied as it is (a background video)."""
        return self.site.assets.media(media_path)


# Stand-ins a shared fragment carries for what each page fills in (never in real content).
_HREF, _PRICE = Markup("\x00href\x00"), Markup("\x00price\x00")
CARD_TEMPLATE = "_style_card.html"  # kept between builds (`kept.py`)
# Templates the helpers below render for a page of a kind, beyond those its templates name.
_UI_TEXT = "_ui_text.html"
# Templates a page renders through its helpers (page.cards(), page.ui_text()) rather than by
# include: the build's per-page inputs (inputs.py) must know them too.
HELPER_TEMPLATES: dict[PageKind, tuple[str, ...]] = {
    kind: (_UI_TEXT, CARD_TEMPLATE) if kind == "linesheet" else (_UI_TEXT,)
    for kind in get_args(PageKind)}


@dataclass(frozen=True)
class Page:
    """One page as its template sees it."""

    site: Site
    plan: PagePlan
    offer: Offer
    state: LinkState  # as of build time; the page script asks the endpoint for the state now
    sealed: bool  # passcode, customer or not yet released: private metadata only

    # -- what the page is -------------------------------------------------------------
    @property
    def kind(self) -> PageKind:
        """The page's kind (home, linesheet, style …)."""
        return self.plan.kind

    @property
    def catalog(self) -> Catalog:
        """Every piece of content."""
        return self.site.catalog

    @property
    def brand(self) -> Brand:
        """The brand's settings."""
        return self.site.catalog.brand

    @property
    def link(self) -> Link:
        """The link's content file as validated."""
        return self.site.catalog.links[self.offer.slug]

    @property
    def checkout_defaults(self) -> dict[str, str]:
        """The checkout form's fields a customer link's registered buyer fills in advance, by
        name (the buyer may change them; the link has a passcode, so this page is sealed)."""
        if self.offer.buyer is None:
            return {}
        buyer = self.site.catalog.buyers[self.offer.buyer]
        values = {"company": buyer.company, "name": buyer.name, "email": buyer.email,
                  "phone": buyer.phone, "country": buyer.country,
                  "vat_number": buyer.vat_number}
        if buyer.address is not None:
            values |= buyer.address.model_dump()
        return {name: value for name, value in values.items() if value}

    @property
    def language(self) -> str:
        """The page's language (the chooser page uses the brand's default)."""
        return self.plan.language or self.offer.languages[0]

    @property
    def currency(self) -> str | None:
        """The page's currency; None on pages without prices (lookbook, help, chooser)."""
        return self.plan.currency

    @cached
    def season(self) -> Season | None:
        """The season of a linesheet or style page."""
        return self.catalog.seasons[self.plan.season] if self.plan.season else None

    @cached
    def product(self) -> Product | None:
        """The style of a style page, with the colourways its link shows."""
        if self.plan.season is None or self.plan.style is None:
            return None
        return self.catalog.link_style(self.plan.link, self.plan.season, self.plan.style)

    @cached
    def neighbours(self) -> tuple[Product | None, Product | None]:
        """A style page's previous and next styles in the linesheet's order."""
        if self.plan.season is None or self.plan.style is None:
            return None, None
        return self.site.neighbours(self.plan.link, self.plan.season, self.plan.style)

    @cached
    def lookbook(self) -> Lookbook | None:
        """The lookbook of a lookbook page."""
        return self.catalog.lookbooks[self.plan.lookbook] if self.plan.lookbook else None

    @cached
    def contacts(self) -> list[Contact]:
        """The link's contacts, or the brand's."""
        return self.link.contacts if self.link.contacts is not None else self.brand.contacts

    # -- text -------------------------------------------------------------------------
    def t(self, text: Text | None) -> str:
        """Translate content text into the page's language (with the one fallback rule)."""
        if text is None:
            return ""
        return translate(text, self.language, self.brand.default_language)

    def md(self, text: Text | None) -> Markup:
        """Translate Markdown content and render it to HTML."""
        return self.site.markdown(self.t(text)) if text is not None else Markup("")

    def money(self, amount: Decimal) -> str:
        """Format an amount in the page's currency and locale."""
        return self.site.kept.money(amount, self.currency or "", self.language)

    @cached
    def minimum_order(self) -> Decimal | None:
        """The least an order in the page's currency may come to before tax, if any."""
        return self.offer.minimum_order.get(self.currency) if self.currency else None

    def percent(self, value: Decimal | int) -> str:
        """Format a percent for the page's locale (an int: a template's literal, such as the
        100 % of a retail-rate term without a rate)."""
        return format_percentage(Decimal(value), self.language)

    def when(self, moment: datetime) -> str:
        """Format a date and time in the brand's timezone, with the zone shown."""
        zone = ZoneInfo(self.brand.timezone)
        local = moment.astimezone(zone)
        locale = babel_locale(self.language)
        day = format_date(local, "long", locale=locale)
        clock = format_time(local, "short", tzinfo=zone, locale=locale)
        return f"{day} {clock} ({get_timezone_location(zone, locale=locale)})"

    def day(self, value: date) -> str:
        """Format a date for the page's locale."""
        return str(format_date(value, "long", locale=babel_locale(self.language)))

    def language_name(self, language: str) -> str:
        """A language's name in that language (日本語, 简体中文), for the switcher."""
        return _language_name(language)

    def currency_name(self, currency: str) -> str:
        """A currency's name in the page's language."""
        return _currency_name(currency, self.language)

    def gettext(self, message: str) -> str:
        """Translate an interface string outside a template (breakdown labels)."""
        return interface_gettext(self.site.settings.templates, self.language)(message)

    def delivery(self, season: Season) -> str:
        """A season's delivery, as text or as a date window."""
        if season.delivery is None:
            return ""
        return Fragment(self.site, self.language).delivery_text(season.delivery)

    def delivery_text(self, delivery: Delivery) -> str:
        """A style's or colourway's own delivery, as text or as a date window."""
        return Fragment(self.site, self.language).delivery_text(delivery)

    def style_delivery(self, product: Product) -> str:
        """When a style ships: its own delivery, else its season's ("" if neither says, or
        if every colour ships on its own)."""
        assert self.season is not None
        delivery = product.delivery or self.season.delivery
        if delivery is None or all(color.delivery for color in product.colors):
            return ""
        return Fragment(self.site, self.language).delivery_text(delivery)

    def style(self, season: str | None, style_no: str) -> Product:
        """A style of a season, by its number."""
        return self.site.style(season or "", style_no)

    def styles(self, season: str) -> tuple[Product, ...]:
        """The styles of a season this page's link shows (its selection, if it has one)."""
        return self.catalog.link_styles(self.plan.link, season)

    def shown_styles(self, season: str | None, style_nos: Sequence[str]) -> list[str]:
        """Those of a lookbook page's styles that this page's link shows: a lookbook shared
        by several links names on each only its styles (not another link's exclusive)."""
        if season is None:
            return []
        shown = {product.style_no for product in self.styles(season)}
        return [style_no for style_no in style_nos if style_no in shown]

    # -- filters of the linesheet -------------------------------------------------------
    def categories(self, styles: Sequence[Product]) -> list[tuple[str, str]]:
        """(key, label) of every category among the styles, in first-seen order."""
        return self.site.per_language("categories", self.language, styles,
                                      lambda: self._categories(styles), _category_of)

    def _categories(self, styles: Sequence[Product]) -> list[tuple[str, str]]:
        found: dict[str, str] = {}
        for product in styles:
            found.setdefault(category_key(product, self.brand.default_language),
                             self.t(product.category))
        return list(found.items())

    def deliveries(self, styles: Sequence[Product]) -> list[tuple[str, str]]:
        """(keys, label) of each delivery the styles ship in, dated windows first in date
        order, when there are two or more (else none: nothing to filter). `keys` are the
        cards' delivery keys, space-separated: a style of its own delivery that is the
        season's ships with the season's styles."""
        assert self.season is not None
        # The season's delivery is in the memo's name: it is not one of the styles.
        return self.site.per_language(f"deliveries {self.season.delivery!r}", self.language,
                                      styles, lambda: self._deliveries(styles), _deliveries_of)

    def _deliveries(self, styles: Sequence[Product]) -> list[tuple[str, str]]:
        assert self.season is not None
        default = self.brand.default_language
        season = self.season.delivery
        view = Fragment(self.site, self.language)
        groups: dict[str, tuple[Delivery | None, list[str]]] = {}
        for product in styles:
            style_key = _delivery_key(product.delivery, default) or SEASON_DELIVERY
            for color in product.colors:  # a colourway may ship on its own
                delivery = color.delivery or product.delivery or season
                keys = groups.setdefault(_delivery_key(delivery, default), (delivery, []))[1]
                own = _delivery_key(color.delivery, default) or style_key
                if own not in keys:
                    keys.append(own)
        if len(groups) < 2:
            return []

        def order(group: tuple[Delivery | None, list[str]]) -> tuple[int, date]:
            delivery = group[0]
            if isinstance(delivery, DeliveryWindow):
                return (0, delivery.start)
            return (1 if delivery is not None else 2, date.min)  # stable: first seen first

        return [(" ".join(keys), view.delivery_text(delivery) if delivery is not None
                 else self.gettext("Other styles"))
                for delivery, keys in sorted(groups.values(), key=order)]

    def color_families(self, styles: Sequence[Product]) -> list[tuple[str, str, str]]:
        """(key, label, swatch) of every colour name among the styles, in first-seen order."""
        return self.site.per_language("color_families", self.language, styles,
                                      lambda: self._color_families(styles), _colors_of)

    def _color_families(self, styles: Sequence[Product]) -> list[tuple[str, str, str]]:
        found: dict[str, tuple[str, str, str]] = {}
        for product in styles:
            for color in product.colors:
                key = _key(translate(color.name, self.brand.default_language,
                                     self.brand.default_language))
                swatch = color.swatch if color.swatch and color.swatch.startswith("#") else "#ccc"
                found.setdefault(key, (key, self.t(color.name), swatch))
        return list(found.values())

    @cached
    def share_image(self) -> Picture | None:
        """The image a shared link previews with: the style's, the season's, or the link's."""
        product = self.product
        if product is not None and product.colors[0].images:
            return self.picture(product.colors[0].images[0])
        season = self.season or self.catalog.seasons[self.offer.seasons[0]]
        if season.header_image:
            return self.picture(season.header_image)
        background = self.link.background
        if background.type == "image" and background.src:
            return self.picture(background.src)
        return None

    def fragment(self, name: str, orderable: bool = False) -> Markup:
        """A part of this style page shared by every link and currency (rendered once)."""
        product = self.product
        assert product is not None and self.plan.season is not None
        key = (name, self.language, self.plan.season, self._shared_as(product), orderable)
        return self.site.fragment(key, lambda: render_template(
            self.site.settings.templates, self.language, name,
            Fragment(self.site, self.language), f"fragment {name} of {product.style_no}",
            {"product": product, "orderable": orderable}).decode("utf-8"), style_page=True)

    def _shared_as(self, product: Product) -> str:
        """A style as the key of its shared fragments: its number, and the colours shown
        where a link shows only some (that link's fragments are its own)."""
        colorway = self.catalog.colorway(product)
        return f"{product.style_no} {colorway}" if colorway else product.style_no

    def link_part(self, name: str) -> Markup:
        """A part of the page shell that is the same on every page of the link in the
        language (`LinkFragment` says what it sees), rendered once: included as it is, with
        the whitespace an include would give."""
        key = (name, self.language, self.offer.slug, "", False)
        view = LinkFragment(self.site, self.language, self.link, self.contacts)
        return self.site.fragment(key, lambda: render_template(
            self.site.settings.templates, self.language, name, view,
            f"{name} of link '{self.offer.slug}'").decode("utf-8"), strip=False)

    def ui_text(self) -> Markup:
        """The page scripts' interface text as JSON in the page's language (_ui_text.html).

        Only the style, cart and linesheet pages carry the grid's, the checkout's and the
        order form's text; the JSON is rendered once per language and kind, like the shared
        fragments.
        """
        kind = self.kind if self.kind in ("style", "cart", "linesheet") else ""
        key = (_UI_TEXT, self.language, kind, "", False)
        return self.site.fragment(key, lambda: render_template(
            self.site.settings.templates, self.language, _UI_TEXT,
            Fragment(self.site, self.language), f"interface text of {kind or 'a'} page",
            {"kind": kind}).decode("utf-8"))

    def cards(self, styles: Sequence[Product]) -> Markup:
        """Every style's card on this linesheet, one a line (one call from the template, not
        one per card: 2,000 cards a page at 96k pages)."""
        placed = self.site.placed
        kept = placed.on(self.plan) if placed is not None else None
        # The first row of cards loads its pictures at once, the others lazily.
        if kept is None:
            cards = [self.card(product, position > 4)
                     for position, product in enumerate(styles, start=1)]
        else:
            cards = [kept.card(product, position > 4, self.card)
                     for position, product in enumerate(styles, start=1)]
        return Markup("".join([f"{card}\n" for card in cards]))

    def card(self, product: Product, lazy: bool) -> Markup:
        """A style's card on this linesheet: the shared card with this page's link and price."""
        season = self.plan.season
        assert season is not None
        key = (CARD_TEMPLATE, self.language, season, self._shared_as(product), lazy)
        shared = self.site.fragment(key, lambda: render_template(
            self.site.settings.templates, self.language, CARD_TEMPLATE,
            Fragment(self.site, self.language), f"card of {product.style_no}",
            {"product": product, "lazy": lazy, "href": _HREF, "price": _PRICE}).decode("utf-8"),
            kept=self.site.card_key(self.language, season, product.style_no,
                                    self.catalog.colorway(product), lazy))
        href = escape(self.href("style", season=season, style=product.style_no))
        # str.replace: Markup.replace would escape both (already escaped) parts again.
        return Markup(str.replace(shared, _HREF, href).replace(_PRICE, self.price_tag(product)))

    def price_tag(self, product: Product) -> Markup:
        """A style's unit price under the link's terms, with the RRP on a retail-rate term.

        Built here rather than in a template: a linesheet shows hundreds of them.
        """
        # Concatenation of escaped parts: what Markup.format would give, without its formatter.
        base, rrp = self.price(product).display, self.rrp(product)
        if product.size_prices:  # sizes priced apart: from the least to the most
            units, rrps = [base], [rrp] if rrp is not None else []
            for size, price in self.size_prices(product):
                units.append(price.display)
                rrps += [self.rrp(product, size) or rrp] if rrp is not None else []
            unit, least = self._span(units), min(units)
            rrp_text, least_rrp = (self._span(rrps), min(rrps)) if rrps else ("", None)
        else:  # one price: the common case, on every card of every linesheet
            unit, least = self.money(base), base
            rrp_text, least_rrp = (self.money(rrp), rrp) if rrp is not None else ("", None)
        note = data = ""
        if least_rrp is not None:
            label = self.gettext("RRP %(price)s") % {"price": rrp_text}
            note = f'\n  <span class="rrp">{escape(label)}</span>'
            data = f' data-rrp="{least_rrp}"'
        # The least unit price and RRP as numbers, for the linesheet's sort and spreadsheet.
        return Markup(f'<p class="price" data-amount="{least}"{data}>\n  '
                      f'<span class="unit">{escape(unit)}</span>{note}\n</p>')

    def _span(self, amounts: Sequence[Decimal]) -> str:
        """The least and the most of some amounts ("¥21,600 – ¥23,400"), or the one."""
        low, high = min(amounts), max(amounts)
        return self.money(low) if low == high else f"{self.money(low)} – {self.money(high)}"

    def size_prices(self, product: Product) -> list[tuple[str, UnitPrice]]:
        """The unit prices of the style's sizes priced apart, in size order, under the link's
        terms in the page's currency (priced once per build by the site)."""
        if not product.size_prices or self.currency is None:
            return []
        season = self.plan.season or ""
        return [(size, self.site.size_price(self.offer, season, product, self.currency, size))
                for size in product.sizes if size in product.size_prices]

    def size_breakdowns(self, product: Product) -> list[tuple[str, UnitPrice]]:
        """(sizes, unit price) for each price the style's sizes have, when they differ: the
        sizes at one price together ("XS · S · M"), in the order of its sizes; the style page
        shows each price, with its derivation where the link shows its terms."""
        if not product.size_prices:
            return []
        sized = dict(self.size_prices(product))
        base = self.price(product)
        groups: dict[Decimal, tuple[UnitPrice, list[str]]] = {}
        for size in product.sizes:
            price = sized.get(size, base)
            groups.setdefault(price.display, (price, []))[1].append(size)
        if len(groups) < 2:
            return []
        return [(" · ".join(sizes), price) for price, sizes in groups.values()]

    def size_units(self, product: Product) -> str:
        """The grid script's unit price of each size priced apart, as JSON ({"XL": "23400"})."""
        return json.dumps({size: str(price.display) for size, price in self.size_prices(product)},
                          separators=(",", ":"))

    # -- prices -------------------------------------------------------------------------
    def price(self, product: Product, season: str | None = None) -> UnitPrice:
        """The style's unit price under this link's terms in the page's currency."""
        season_id = season or self.plan.season or ""
        return self.site.price(self.offer, season_id, product, self.currency or "")

    def breakdown(self, price: UnitPrice) -> tuple[str, ...]:
        """The lines of a price's derivation, in the page's language."""
        return render_breakdown(price.breakdown, self.language, self.brand.default_language,
                                self.gettext)

    def rrp(self, product: Product, size: str | None = None) -> Decimal | None:
        """The recommended retail price (of a size, when it has its own), shown where the term
        is a retail rate."""
        if self.offer.term.basis != "retail_rate" or self.currency is None:
            return None
        own = product.size_prices.get(size, {}).get(self.currency, {}) if size else {}
        return own.get("rrp") or product.prices.get(self.currency, {}).get("rrp")

    def orderable(self, season: str | None = None) -> bool:
        """Tell whether the buyer can order this season here (build-time state).

        A link not yet released is rendered as it will open: its body stays sealed until the
        endpoint releases the key, and the page script disables ordering while the server
        says the link is not open, so a page built before the release takes orders after it.
        """
        season_id = season or self.plan.season
        if self.state not in ("open", "upcoming") or self.offer.catalog:
            return False
        return season_id is None or season_open(self.catalog.seasons[season_id],
                                                self.site.settings.now)

    def season_open(self, season: str) -> bool:
        """Tell whether a season still takes orders (build-time state)."""
        return season_open(self.catalog.seasons[season], self.site.settings.now)

    # -- URLs and media -------------------------------------------------------------------
    def href(self, kind: PageKind, season: str | None = None, style: str | None = None,
             lookbook: str | None = None, language: str | None = None,
             currency: str | None = None) -> str:
        """The URL of another page of this link (same language and currency by default)."""
        lang: str | None = language or self.plan.language
        cur: str | None = currency or self.plan.currency or self.offer.currencies[0]
        if kind in ("lookbook", "help"):
            cur = None
        if kind == "chooser":
            lang, cur = None, None
        return self.site.url(kind, self.offer.slug, lang, cur, season, style, lookbook)

    def qr_code(self, label: str) -> Markup:
        """This page's address as a QR code (SVG), for its printout."""
        return Markup(self.site.kept.qr_code(self.absolute(self.same_page()), label))

    def same_page(self, language: str | None = None, currency: str | None = None) -> str:
        """The URL of this page in another language or currency."""
        plan = self.plan
        return self.href(plan.kind, plan.season, plan.style, plan.lookbook, language, currency)

    @cached
    def alternates(self) -> list[tuple[str, str]]:
        """(language, URL) of this page in each of the link's languages, for hreflang."""
        if self.plan.language is None:
            return []
        return [(language, self._variant(LANGUAGE_PART, language_segment(language)))
                for language in self.offer.languages]

    @cached
    def currency_choices(self) -> list[tuple[str, str]]:
        """(currency, URL) of this page in each of the link's currencies."""
        if self.plan.currency is None:
            return []
        return [(currency, self._variant(CURRENCY_PART, currency_segment(currency)))
                for currency in self.offer.currencies]

    def _variant(self, part: int, segment: str) -> str:
        """This page's URL with its language or currency segment replaced: what same_page
        gives, made from the URL at hand rather than kept in the site's URL memo, where a
        page's variants in every language and currency filled tens of MB on a large site."""
        parts = list(self._url_parts)
        parts[part] = segment
        return self.site.base_path + "/".join(parts)

    @cached
    def _url_parts(self) -> tuple[str, ...]:
        return tuple(self.plan.url.split("/"))

    def absolute(self, url: str) -> str:
        """An absolute URL for metadata and sharing."""
        return self.site.origin + url

    def picture(self, media_path: str) -> Picture:
        """A responsive image of a media file."""
        return self.site.assets.picture(media_path)

    def asset(self, name: str) -> str:
        """The fingerprinted URL of a static file (CSS, JS)."""
        return self.site.assets.static(name)

    def media(self, media_path: str) -> str:
        """The URL of a media file copied as it is (video, logo)."""
        return self.site.assets.media(media_path)

    def media_size(self, media_path: str) -> tuple[int, int] | None:
        """The width and height of an image copied as it is (the logo), or None."""
        return self.site.assets.size(media_path)

    @cached
    def video_embed(self) -> str | None:
        """The player URL of the link's YouTube, Vimeo or Bilibili video, else None."""
        video = self.link.video
        return video_player(video) if video is not None and "://" in video else None

    @cached
    def video_file(self) -> str | None:
        """The URL of the link's video file, published from media/ as it is, else None."""
        video = self.link.video
        return self.media(video) if video is not None and "://" not in video else None


register_plain_helpers(Page, Fragment, LinkFragment)
