"""Plan stage: Catalog x languages x currencies -> every page that must exist, with its path.

Only this module builds the language and currency segments of URLs (DESIGN.md §4), and a
path claimed twice is a PlanError before anything renders.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from generator.errors import PlanError

if TYPE_CHECKING:  # not at run time: the build's report imports the sitemap's name from here
    from generator.catalog import Catalog

PageKind = Literal["chooser", "home", "linesheet", "style", "cart", "lookbook", "help"]


@dataclass(frozen=True, slots=True)
class PagePlan:
    """One page to render: what it shows and where it goes.

    With slots rather than a dict per page: a 96k-page plan held 50 MB of dicts, in the
    parent and again in each render worker that touched them.
    """

    kind: PageKind
    link: str
    language: str | None = None
    currency: str | None = None
    season: str | None = None
    style: str | None = None
    lookbook: str | None = None
    # The style's URL segment: its number, or an opaque token on sealed links, whose URLs
    # must not reveal the catalog.
    segment: str | None = None

    @property
    def url(self) -> str:
        """The page's URL path, ending in a slash, e.g. /l/spring/en/jpy/ss27/.

        Made on each call (about a microsecond), not kept on the plan: a render worker shares
        the plan's memory with the parent until either touches it, and the parent reads every
        page's URL while the workers render (page keys, sitemap), so 24k kept URLs and paths
        were about 5 MiB held twice at the build's peak."""
        return _url(self)

    @property
    def path(self) -> str:
        """The file the page is written to, relative to the output folder."""
        return _url(self)[1:] + "index.html"


# Where the language and the currency are in a page's URL split at "/" ("", "l", the link,
# the language, the currency, ...): the same page in another language or currency differs
# there only (`pages.Page.alternates`).
LANGUAGE_PART, CURRENCY_PART = 3, 4


def _url(page: PagePlan) -> str:
    parts = ["l", page.link]
    if page.language is not None:
        parts.append(language_segment(page.language))
    if page.kind in ("lookbook", "help"):
        parts += ["lookbook", str(page.lookbook)] if page.kind == "lookbook" else ["help"]
    elif page.currency is not None:
        parts.append(currency_segment(page.currency))
        if page.kind == "cart":
            parts.append("cart")
        elif page.season is not None:
            parts.append(page.season)
            if page.style is not None:
                parts.append(page.segment or page.style)
    return "/" + "/".join(parts) + "/"


def language_segment(language: str) -> str:
    """URL segment of a language: the tag in lowercase (zh-Hans -> zh-hans)."""
    return language.lower()


def currency_segment(currency: str) -> str:
    """URL segment of a currency: the ISO code in lowercase (JPY -> jpy)."""
    return currency.lower()


StyleSegment = Callable[[str, str, str], str]  # (link, season, style_no) -> URL segment


def _style_number(link: str, season: str, style_no: str) -> str:
    return style_no


def build_plan(
    catalog: Catalog, segment: StyleSegment = _style_number, segments: Hashable = None
) -> tuple[PagePlan, ...]:
    """List every page of every link, in a stable order; refuse two pages on one path.

    `segments`: what `segment` depends on, when the caller knows it. A process that builds
    again (a watch) then gets the last plan back, unless the catalog's shape (`_shape`) or
    the segments changed: a price edit leaves both as they were.
    """
    global _last
    key = (_shape(catalog), segments) if segments is not None else None
    if key is not None and _last is not None and _last[0] == key:
        return _last[1]
    plan = _plan(catalog, segment)
    _last = (key, plan) if key is not None else None
    return plan


_last: tuple[Hashable, tuple[PagePlan, ...]] | None = None


def _shape(catalog: Catalog) -> Hashable:
    """Everything `_plan` reads of a catalog."""
    offers = [catalog.offer(slug) for slug in catalog.links]
    links = tuple((offer.slug, offer.languages, offer.currencies, offer.seasons, offer.catalog,
                   tuple(catalog.links[offer.slug].lookbooks)) for offer in offers)
    styles = tuple((offer.slug, season, tuple(product.style_no for product
                                              in catalog.link_styles(offer.slug, season)))
                   for offer in offers for season in offer.seasons)
    return links, styles


def _plan(catalog: Catalog, segment: StyleSegment) -> tuple[PagePlan, ...]:
    pages: list[PagePlan] = []
    for slug in catalog.links:
        offer = catalog.offer(slug)
        link = catalog.links[slug]
        pages.append(PagePlan("chooser", slug))
        for language in offer.languages:
            for currency in offer.currencies:
                pages.append(PagePlan("home", slug, language, currency))
                for season in offer.seasons:
                    pages.append(PagePlan("linesheet", slug, language, currency, season))
                    pages.extend(
                        PagePlan("style", slug, language, currency, season, product.style_no,
                                 segment=segment(slug, season, product.style_no))
                        for product in catalog.link_styles(slug, season)
                    )
                if not offer.catalog:
                    pages.append(PagePlan("cart", slug, language, currency))
            pages.extend(PagePlan("lookbook", slug, language, lookbook=lookbook)
                         for lookbook in link.lookbooks)
            pages.append(PagePlan("help", slug, language))
    _refuse_collisions(pages)
    return tuple(pages)


def _refuse_collisions(pages: list[PagePlan]) -> None:
    owners: dict[str, PagePlan] = {}
    for page in pages:
        other = owners.setdefault(page.path, page)
        if other is not page:
            raise PlanError(
                f"two pages claim '{page.path}': the {other.kind} page and the {page.kind} "
                f"page of link '{page.link}'; rename the season or style that is called like "
                "a fixed page (cart, lookbook, help)")
