"""Catalog stage: raw entries -> one validated, cross-checked Catalog, or every problem at once."""

from __future__ import annotations

import gc
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from operator import is_
from pathlib import Path
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from generator._reparse import KeptReadings
from generator._revalidate import KeptStyles
from generator.checks import check_catalog, shape_problems
from generator.content import ContentTree, RawEntry, read_content_apart
from generator.errors import ContentProblem, raise_if_any
from generator.fields import ValidationContext
from generator.links import LINK_KINDS, CustomerLink, InstantLink, Link, link_seasons
from generator.models import (
    Billing,
    Brand,
    Buyer,
    BuyerType,
    Color,
    Lookbook,
    Product,
    ProductsFile,
    Season,
    Term,
    TermsFile,
    with_colors,
)
from generator.terms import DEFAULT_TERMS, RETAIL_LIST
from generator.validate import validate_entry


@dataclass(frozen=True)
class Offer:
    """What a link offers once a customer link's buyer is resolved: the terms pricing uses."""

    slug: str
    kind: Literal["instant", "brand", "customer"]
    seasons: tuple[str, ...]
    languages: tuple[str, ...]
    currencies: tuple[str, ...]
    term: Term
    rate: Decimal | None  # for retail_rate terms; None means neutral (100 %)
    discount: Decimal | None  # for discount terms; None means neutral (0 %)
    billing: Billing
    deposit_percent: Decimal
    minimum_order: Mapping[str, Decimal]  # currency -> the least an order comes to, before tax
    apply_tax: bool
    tax_exempt: bool  # its orders carry no tax (an export)
    intra_community: bool  # no VAT on its orders: the buyer's, in another EU member state
    show_terms: bool
    buyer_type: BuyerType
    buyer: str | None  # the registered buyer of a customer link
    passcode: str | None  # the value or hash that opens the link, when it has one
    catalog: bool
    china_only: bool
    require_address: bool
    release_at: datetime | None
    expires_at: datetime | None


@dataclass(frozen=True)
class Catalog:
    """Every piece of content, validated and cross-checked; keys sorted for reproducibility."""

    root: Path
    brand: Brand
    terms: Mapping[str, Term]
    seasons: Mapping[str, Season]
    styles: Mapping[str, tuple[Product, ...]]  # season id -> its styles, in file order
    lookbooks: Mapping[str, Lookbook]
    buyers: Mapping[str, Buyer]
    links: Mapping[str, Link]

    def calling(self, api_url: str) -> Catalog:
        """The catalog with its pages calling the endpoint at `api_url` instead of brand.yaml's
        (`linesheets serve`: its own, on the pages' origin)."""
        if api_url == self.brand.api_url:
            return self
        return replace(self, brand=self.brand.model_copy(update={"api_url": api_url}))

    def can_offer(self, slug: str) -> bool:
        """Tell whether a link's term (and a customer link's buyer) resolve."""
        link = self.links[slug]
        if isinstance(link, CustomerLink):
            buyer = self.buyers.get(link.buyer)
            return buyer is not None and buyer.transaction.term in self.terms
        return link.transaction.term in self.terms

    def offer(self, slug: str) -> Offer:
        """Resolve a link's effective terms: a customer link's come from its buyer."""
        link = self.links[slug]
        if isinstance(link, CustomerLink):
            buyer = self.buyers[link.buyer]
            return Offer(
                slug=slug, kind=link.kind, seasons=tuple(link.seasons),
                languages=(buyer.language,), currencies=(buyer.currency,),
                term=self.terms[buyer.transaction.term], rate=buyer.transaction.rate,
                discount=buyer.transaction.discount, billing=buyer.billing,
                deposit_percent=buyer.deposit_percent or Decimal(0),
                minimum_order=buyer.minimum_order, tax_exempt=buyer.tax_exempt,
                intra_community=buyer.intra_community,
                apply_tax=buyer.apply_tax, show_terms=True, buyer_type=buyer.type,
                buyer=link.buyer, passcode=buyer.passcode.secret if buyer.passcode else None,
                catalog=link.catalog, china_only=False, require_address=link.require_address,
                release_at=link.release_at, expires_at=link.expires_at,
            )
        return Offer(
            slug=slug, kind=link.kind,
            seasons=tuple(link_seasons(link)),
            languages=tuple(link.languages or self.brand.languages),
            currencies=tuple(link.currencies or self.brand.currencies),
            term=self.terms[link.transaction.term], rate=link.transaction.rate,
            discount=link.transaction.discount, billing=link.billing,
            deposit_percent=link.deposit_percent or Decimal(0),
            minimum_order=link.minimum_order, tax_exempt=link.tax_exempt,
            intra_community=link.intra_community,
            apply_tax=link.apply_tax,
            show_terms=link.show_terms, buyer_type=link.buyer_type, buyer=None,
            passcode=link.passcode.secret if link.passcode else None, catalog=link.catalog,
            china_only=isinstance(link, InstantLink) and link.china_only,
            require_address=False,
            release_at=link.release_at if isinstance(link, InstantLink) else None,
            expires_at=link.expires_at,
        )

    def link_styles(self, slug: str, season: str) -> tuple[Product, ...]:
        """The styles of a season a link shows and takes orders for, in the season's order:
        its `styles` only, or every style but its `hide_styles`, and of those none exclusive
        to other links; each with the colourways the link shows (its `hide_colors` and the
        colourways exclusive to other links left out: a style with none left is left out
        too). A style that keeps every colour is the season's own Product, and a link that
        leaves nothing out gets the season's own tuple."""
        found = self._selections.get((slug, season))
        if found is None:
            found = self._selections[(slug, season)] = self._select(slug, season)
        return found

    def link_style(self, slug: str, season: str, style_no: str) -> Product:
        """One style as a link shows it (see `link_styles`), by its number."""
        index = self._link_index.get((slug, season))
        if index is None:
            index = self._link_index[(slug, season)] = {
                product.style_no: product for product in self.link_styles(slug, season)}
        return index[style_no]

    def colorway(self, product: Product) -> str:
        """The colour codes of a style a link shows only some colourways of ("" for a
        style with all of them): what tells apart, in a cache, the style's card or page
        part on that link from the same on the others."""
        return self._colorways.get(id(product), "")

    def _select(self, slug: str, season: str) -> tuple[Product, ...]:
        styles, link = self.styles[season], self.links[slug]
        named, hidden = set(link.styles), set(link.hide_styles)
        chosen: list[Product] = []
        for product in styles:
            if ((named and product.style_no not in named) or product.style_no in hidden
                    or (product.exclusive_to and slug not in product.exclusive_to)):
                continue
            left_out = set(link.hide_colors.get(product.style_no, ()))
            colors = [color for color in product.colors if color.code not in left_out
                      and (not color.exclusive_to or slug in color.exclusive_to)]
            if len(colors) == len(product.colors):
                chosen.append(product)
            elif colors:
                chosen.append(self._narrowed(product, colors))
        if len(chosen) == len(styles) and all(map(is_, chosen, styles)):
            return styles
        return tuple(chosen)

    def _narrowed(self, product: Product, colors: list[Color]) -> Product:
        """A style with only some of its colourways (`with_colors`): every page, card and
        price list of the link reads it as the whole."""
        narrowed = with_colors(product, {color.code for color in colors})
        self._colorways[id(narrowed)] = " ".join(color.code for color in colors)
        self._narrowed_kept.append(narrowed)  # its id names it in _colorways while it lives
        return narrowed

    @cached_property
    def _selections(self) -> dict[tuple[str, str], tuple[Product, ...]]:
        return {}

    @cached_property
    def _link_index(self) -> dict[tuple[str, str], dict[str, Product]]:
        return {}

    @cached_property
    def _colorways(self) -> dict[int, str]:
        return {}

    @cached_property
    def _narrowed_kept(self) -> list[Product]:
        return []

    def pictures(self) -> list[str]:
        """The media paths the pages show as pictures, once each: every offered season's
        header and its styles' colour images, each link's lookbook pages and background."""
        paths: list[str] = []
        offered = {season for slug in self.links for season in self.offer(slug).seasons}
        for season_id in sorted(offered):
            season = self.seasons[season_id]
            paths += [season.header_image] if season.header_image else []
            paths += [image for product in self.styles[season_id] for color in product.colors
                      for image in color.images]
        for link in self.links.values():
            for lookbook in link.lookbooks:
                paths += [page.image for page in self.lookbooks[lookbook].pages]
            background = link.background
            if background.type == "image" and background.src:
                paths.append(background.src)
        return list(dict.fromkeys(paths))

    def summary(self) -> str:
        """One line for `linesheets check`: what was loaded."""
        from generator.i18n import translate

        name = translate(self.brand.name, self.brand.default_language,
                         self.brand.default_language)
        styles = sum(len(styles) for styles in self.styles.values())
        counts = [(len(self.seasons), "season"), (styles, "style"),
                  (len(self.lookbooks), "lookbook"), (len(self.buyers), "buyer"),
                  (len(self.links), "link")]
        parts = [f"{count} {noun}{'' if count == 1 else 's'}" for count, noun in counts]
        return f"{name}: {', '.join(parts)}"


def load_catalog(root: Path, readings: KeptReadings | None = None) -> Catalog:
    """Read, validate and cross-check a content directory; raise ContentError with every problem.
    `readings`: the last build's readings of the content files (`_reparse.py`), updated."""
    # Reading makes hundreds of thousands of objects (YAML nodes, raw data, models) that
    # nearly all live on, and the cyclic collector would scan them again and again: without
    # a collection in between, the 24k bench catalog loads in half the time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return validate_content(read_content_apart(root, readings))
    finally:
        if enabled:
            gc.enable()


def keep_styles() -> None:
    """Keep validated styles for this process's next builds (`_revalidate.py`)."""
    global _kept
    _kept = _kept or KeptStyles()


_kept: KeptStyles | None = None


def validate_content(tree: ContentTree) -> Catalog:
    """Validate and cross-check content already read; raise ContentError with every problem.

    `linesheets import` calls this with its new products file swapped into the tree, so the
    whole catalog is checked before anything is written.
    """
    root = tree.root
    problems = list(tree.problems)
    brand_entry = next(iter(tree.of_kind("brand")), None)
    brand, context = _load_brand(brand_entry, root, problems)
    terms = _load_terms(tree, context, problems)
    if _kept is not None:
        _kept.start(context)
    seasons, styles, broken = _load_seasons(tree, context, problems)
    lookbooks = _load_each(tree, "lookbook", Lookbook, context, problems)
    buyers = _load_each(tree, "buyer", Buyer, context, problems)
    links = _load_links(tree, context, problems)
    if brand is None or brand_entry is None:
        raise_if_any(problems)
        raise AssertionError("unreachable: a missing brand is always a problem")
    catalog = Catalog(
        root=root, brand=brand, terms=terms, seasons=dict(sorted(seasons.items())),
        styles=dict(sorted(styles.items())), lookbooks=dict(sorted(lookbooks.items())),
        buyers=dict(sorted(buyers.items())), links=dict(sorted(links.items())),
    )
    problems.extend(check_catalog(catalog, tree, brand_entry, broken))
    raise_if_any(problems)
    return catalog


def _load_brand(
    entry: RawEntry | None, root: Path, problems: list[ContentProblem]
) -> tuple[Brand | None, ValidationContext]:
    """Validate brand.yaml, then again with its own languages to check its translations."""
    context: ValidationContext = {"media_root": root / "media"}
    if entry is None:
        return None, context
    brand = validate_entry(entry, Brand, {}, [])
    if brand is None:
        validate_entry(entry, Brand, context, problems)
        return None, context
    context["timezone"] = ZoneInfo(brand.timezone)
    if brand.default_language in brand.languages:
        context["languages"] = tuple(brand.languages)
        context["default_language"] = brand.default_language
    return validate_entry(entry, Brand, context, problems), context


def _load_terms(
    tree: ContentTree, context: ValidationContext, problems: list[ContentProblem]
) -> dict[str, Term]:
    entry = next(iter(tree.of_kind("terms")), None)
    if entry is None:
        return {term.code: term for term in DEFAULT_TERMS}
    terms_file = validate_entry(entry, TermsFile, context, problems)
    if terms_file is None:
        return {term.code: term for term in DEFAULT_TERMS}
    terms: dict[str, Term] = {}
    for index, term in enumerate(terms_file.terms):
        path = ("terms", index, "code")
        if term.code == RETAIL_LIST:
            problems.append(entry.problem(path, f"'{RETAIL_LIST}' names the retail price list; "
                                          "give the term another code, e.g. wsp_rrp"))
        elif term.code in terms:
            problems.append(entry.problem(path, f"term '{term.code}' is defined twice; keep one"))
        else:
            terms[term.code] = term
    return terms


def _load_seasons(
    tree: ContentTree, context: ValidationContext, problems: list[ContentProblem]
) -> tuple[dict[str, Season], dict[str, tuple[Product, ...]], dict[str, tuple[int, ...]]]:
    """Validate seasons and their styles; also name the seasons whose products are invalid,
    each with the place in its file of every style that did validate (the cross-file rules
    still check those, so a brand sees every problem in one check, not a round per style)."""
    seasons = {
        entry.ident: season for entry in tree.of_kind("season")
        if (season := validate_entry(entry, Season, context, problems)) is not None
    }
    styles: dict[str, tuple[Product, ...]] = dict.fromkeys(seasons, ())
    broken: dict[str, tuple[int, ...]] = {}
    for entry in tree.of_kind("products"):
        loaded = _load_products(entry, context, problems)
        if loaded is None:
            broken[entry.ident] = ()
            continue
        products, positions = loaded
        if positions is not None:
            broken[entry.ident] = positions
        if entry.ident in seasons:
            styles[entry.ident] = products
    return seasons, styles, broken


def _load_products(
    entry: RawEntry, context: ValidationContext, problems: list[ContentProblem]
) -> tuple[tuple[Product, ...], tuple[int, ...] | None] | None:
    """Validate styles one by one, so one bad style does not hide the others' problems: the
    styles that validated, with their places in the file when some did not (None when all
    did); None when the file itself is invalid."""
    raw_styles = entry.data.get("styles")
    if not isinstance(raw_styles, list):
        parsed = validate_entry(entry, ProductsFile, context, problems)
        return (tuple(parsed.styles), None) if parsed is not None else None
    shell = {key: value for key, value in entry.data.items() if key != "styles"}
    if validate_entry(entry, ProductsFile, context, problems, data=shell) is None:
        return None
    products: list[Product] = []
    positions: list[int] = []
    for index, raw in enumerate(raw_styles):
        product = _kept.get(raw) if _kept is not None else None
        if product is None:
            product = validate_entry(entry, Product, context, problems, data=raw,
                                     base=("styles", index))
            if product is None:
                problems += shape_problems(entry, raw, context, ("styles", index))
            elif _kept is not None:
                _kept.put(raw, product)
        if product is not None:
            products.append(product)
            positions.append(index)
    return tuple(products), None if len(products) == len(raw_styles) else tuple(positions)


_Each = TypeVar("_Each", Lookbook, Buyer)


def _load_each(
    tree: ContentTree, kind: str, model: type[_Each], context: ValidationContext,
    problems: list[ContentProblem],
) -> dict[str, _Each]:
    return {
        entry.ident: item for entry in tree.of_kind(kind)
        if (item := validate_entry(entry, model, context, problems)) is not None
    }


def _load_links(
    tree: ContentTree, context: ValidationContext, problems: list[ContentProblem]
) -> dict[str, Link]:
    links: dict[str, Link] = {}
    for entry in tree.of_kind("link"):
        kind = entry.data.get("kind")
        model = LINK_KINDS.get(kind) if isinstance(kind, str) else None
        if model is None:
            message = ("required field 'kind' is missing" if kind is None
                       else f"unknown kind '{kind}'")
            problems.append(entry.problem(("kind",), f"{message}; a link is one of: "
                                          f"{', '.join(LINK_KINDS)}"))
            continue
        link: Link | None = validate_entry(entry, model, context, problems)
        if link is not None:
            links[entry.ident] = link
    return links

