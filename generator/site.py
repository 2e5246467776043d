"""Render stage, what pages share: the catalog, settings, assets, and the build's memo tables
(rendered Markdown, unit prices), so each is computed once per build, not once per page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar
from urllib.parse import urlsplit

import markdown as markdown_lib
from markupsafe import Markup

from generator._kept_prices import KeptPrices
from generator.assets import AssetPipeline
from generator.catalog import Catalog, Offer
from generator.kept import KeptRenders
from generator.models import Product
from generator.placed import PlacedCards
from generator.plan import PageKind, PagePlan
from generator.pricing import SizedStyle, UnitPrice, price_style
from generator.seal import LinkKey
from generator.settings import BuildSettings

_T = TypeVar("_T")


# (what, language, default language, the first style's number) -> the styles it was last
# computed from, and the value
_last_per_language: dict[tuple[str, str, str, str], tuple[tuple[Product, ...], Any]] = {}


def site_path(base_url: str) -> str:
    """The path of base_url without its last slash ("" at a host's root, "/wholesale" under a
    folder): what every page and asset URL starts with."""
    return urlsplit(base_url).path.rstrip("/")


@dataclass
class Site:
    """What every page of one build shares: the catalog, settings, assets and memo tables."""

    catalog: Catalog
    settings: BuildSettings
    assets: AssetPipeline
    keys: dict[str, LinkKey] = field(default_factory=dict)  # the sealed links' current keys
    kept: KeptRenders = field(default_factory=KeptRenders)  # cards and amounts across builds
    # The key of each style card's inputs, by language, season and style (`inputs.py`).
    card_keys: dict[tuple[str, str, str], str] = field(default_factory=dict)
    placed: PlacedCards | None = None  # linesheets' cards kept across builds (a watch)
    kept_prices: KeptPrices | None = None  # unit prices kept across builds (a watch)
    _markdown: dict[str, Markup] = field(default_factory=dict)
    # Fragments shared in a language (style cards, link parts), and those of the style page
    # being rendered (gallery, size grid …), shared by its links and currencies.
    _fragments: dict[tuple[str, str, str, str, bool], Markup] = field(default_factory=dict)
    _style_fragments: dict[tuple[str, str, str, str, bool], Markup] = field(
        default_factory=dict)
    # The link, language and currency, and the season and style, of the page being rendered
    # (`rendering`).
    _unit: tuple[str, str | None, str | None] = ("", None, None)
    _style: tuple[str | None, str | None] = (None, None)
    _prices: dict[tuple[str, str, str, str], UnitPrice] = field(default_factory=dict)
    _size_prices: dict[tuple[str, str, str, str, str], UnitPrice] = field(default_factory=dict)
    # URLs asked for: of a link's pages that show no style (a few per link, language and
    # currency), and of its style pages (a linesheet's cards ask for hundreds).
    _urls: dict[tuple[str | None, ...], str] = field(default_factory=dict)
    _style_urls: dict[tuple[str | None, ...], str] = field(default_factory=dict)
    # (what, language, id of the styles) -> (the styles, kept alive so the id stays theirs;
    # the value)
    _per_language: dict[tuple[str, str, int], tuple[Sequence[Product], Any]] = field(
        default_factory=dict)

    @cached_property
    def base_path(self) -> str:
        """The path part of base_url, so a site served under a folder links correctly."""
        return site_path(self.catalog.brand.base_url)

    @cached_property
    def origin(self) -> str:
        """scheme://host of base_url, for absolute URLs in metadata and the sitemap."""
        parts = urlsplit(self.catalog.brand.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @cached_property
    def _styles(self) -> dict[tuple[str, str], Product]:
        return {(season, product.style_no): product
                for season, styles in self.catalog.styles.items() for product in styles}

    def style(self, season: str, style_no: str) -> Product:
        """A style of a season by its number (an index: pages ask for it many times)."""
        return self._styles[(season, style_no)]

    @cached_property
    def _selected_positions(self) -> dict[tuple[str, str], dict[str, int]]:
        return {}

    @cached_property
    def _positions(self) -> dict[tuple[str, str], int]:
        return {(season, product.style_no): index
                for season, styles in self.catalog.styles.items()
                for index, product in enumerate(styles)}

    def neighbours(self, link: str, season: str,
                   style_no: str) -> tuple[Product | None, Product | None]:
        """The styles before and after one in the link's linesheet of its season, or None
        at either end."""
        styles = self.catalog.link_styles(link, season)
        if styles is self.catalog.styles[season]:
            return self.season_neighbours(season, style_no)
        positions = self._selected_positions.get((link, season))
        if positions is None:  # the link's selection, indexed once
            positions = self._selected_positions[(link, season)] = {
                product.style_no: at for at, product in enumerate(styles)}
        index = positions[style_no]
        return (styles[index - 1] if index > 0 else None,
                styles[index + 1] if index + 1 < len(styles) else None)

    def season_neighbours(self, season: str,
                          style_no: str) -> tuple[Product | None, Product | None]:
        """The styles before and after one in its season's order, or None at either end."""
        styles = self.catalog.styles[season]
        index = self._positions[(season, style_no)]
        return (styles[index - 1] if index > 0 else None,
                styles[index + 1] if index + 1 < len(styles) else None)

    def style_segment(self, link: str, season: str, style_no: str) -> str:
        """A style page's URL segment: opaque on a sealed link, the style number elsewhere."""
        key = self.keys.get(link)
        return key.opaque(f"{season}/{style_no}") if key is not None else style_no

    def fragment(self, key: tuple[str, str, str, str, bool], render: Callable[[], str],
                 kept: str | None = None, strip: bool = True, style_page: bool = False
                 ) -> Markup:
        """A shared page fragment, rendered the first time a page asks for it (`kept`: the
        key of its inputs, when it is kept between builds; `strip`: False to keep the
        whitespace around it; `style_page`: a part of the style page being rendered, kept
        only while pages of that style are)."""
        memo = self._style_fragments if style_page else self._fragments
        html = memo.get(key)
        if html is None:
            text = self.kept.card(kept) if kept is not None else None
            if text is None:
                text = render()
                if strip:
                    text = text.strip()  # the including line gives the indentation
                if kept is not None:
                    self.kept.add_card(kept, text)
            html = memo[key] = Markup(text)
        return html

    def rendering(self, page: PagePlan) -> None:
        """Say which page is rendered next. Moving on to another link, language or currency,
        a render worker drops the style pages' URLs it kept (a linesheet's hundreds); to
        another language, also the other URLs and the shared fragments, which those pages do
        not show (on the 96k-page bench site one language's fragments held about 20 MiB); to
        another style's page, the last style's page fragments (`rendering.render_all` sends
        a style's pages together, in every link and currency)."""
        unit = (page.link, page.language, page.currency)
        if unit != self._unit:
            self._style_urls.clear()
            if page.language != self._unit[1]:
                self._urls.clear()
                self._fragments.clear()
                self._style_fragments.clear()
            self._unit = unit
        style = (page.season, page.style)
        if page.style is not None and style != self._style:
            self._style_fragments.clear()
            self._style = style

    def card_key(self, language: str, season: str, style_no: str, colorway: str,
                 lazy: bool) -> str | None:
        """The key under which a style card is kept between builds, or None (`colorway`:
        the colours shown where a link shows only some, `Catalog.colorway`)."""
        inputs = self.card_keys.get((language, season, style_no))
        if inputs is None:
            return None
        shown = f"{colorway}:" if colorway else ""
        return f"{inputs}:{shown}{'lazy' if lazy else 'eager'}"

    def per_language(self, what: str, language: str, styles: Sequence[Product],
                     compute: Callable[[], _T], uses: Callable[[Product], object]) -> _T:
        """A value derived from a list of styles in a language (the linesheet's filters),
        computed once per build rather than once per link and currency (`uses`: what of a
        style the value is made of, e.g. its colours)."""
        key = (what, language, id(styles))
        known = self._per_language.get(key)
        if known is not None and known[0] is styles:
            value: _T = known[1]
            return value
        # The last build of this process may have computed it from the same styles: a watch
        # keeps an unchanged style's Product, and a price edit's style has the same colours,
        # category and deliveries; then it is the same value.
        last_key = (what, language, self.catalog.brand.default_language,
                    styles[0].style_no if styles else "")
        last = _last_per_language.get(last_key)
        if last is not None and len(last[0]) == len(styles) and all(
                old is new or (old.style_no == new.style_no and uses(old) == uses(new))
                for old, new in zip(last[0], styles, strict=True)):
            value = last[1]
        else:
            value = compute()
        _last_per_language[last_key] = (tuple(styles), value)
        self._per_language[key] = (styles, value)
        return value

    def markdown(self, source: str) -> Markup:
        """Render brand-written Markdown once per distinct text."""
        html = self._markdown.get(source)
        if html is None:
            html = Markup(self._markdown_parser.reset().convert(source))
            self._markdown[source] = html
        return html

    @cached_property
    def _markdown_parser(self) -> markdown_lib.Markdown:
        # One parser, reset between texts: building a new one per text was half of Markdown's
        # time (what markdown.markdown() does).
        return markdown_lib.Markdown(output_format="html")

    def url(self, kind: PageKind, link: str, language: str | None, currency: str | None,
            season: str | None = None, style: str | None = None,
            lookbook: str | None = None) -> str:
        """The URL of a page of a link (memoised: every page links to dozens of others)."""
        key = (kind, link, language, currency, season, style, lookbook)
        memo = self._urls if style is None else self._style_urls
        url = memo.get(key)
        if url is None:
            segment = None
            if style is not None and season is not None:
                segment = self.style_segment(link, season, style)
            plan = PagePlan(kind, link, language, currency, season, style, lookbook, segment)
            url = memo[key] = self.base_path + plan.url
        return url

    def price(self, offer: Offer, season: str, product: Product, currency: str) -> UnitPrice:
        """Price a style for a link once per build (every language shows the same number)."""
        key = (offer.slug, season, product.style_no, currency)
        price = self._prices.get(key)
        if price is None:
            kept, season_model = self.kept_prices, self.catalog.seasons[season]
            price = kept.get(key, offer, season_model, product) if kept is not None else None
            if price is None:
                price = price_style(self.catalog.brand, offer, season_model, product, currency)
                if kept is not None:
                    kept.put(key, offer, season_model, product, price)
            self._prices[key] = price
        return price

    def size_price(self, offer: Offer, season: str, product: Product, currency: str,
                   size: str) -> UnitPrice:
        """Price a size the style prices apart (`size_prices`) for a link, once per build: a
        style page shows it three times, and each language's linesheet again."""
        key = (offer.slug, season, product.style_no, currency, size)
        price = self._size_prices.get(key)
        if price is None:
            price = self._size_prices[key] = price_style(
                self.catalog.brand, offer, self.catalog.seasons[season],
                SizedStyle(product, size), currency)
        return price
