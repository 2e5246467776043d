"""Build stage, change detection per page: the catalog, templates, catalogs of messages and
assets -> a key of each planned page's inputs, so a rebuild renders only the pages whose
inputs changed (one style's price: its style pages and the linesheets that list it).

A page's key covers what its template and helpers read: the generator's code and libraries,
the brand, the published static files, the page's language (its interface catalog) and its
templates (its kind's template and every template that one names, transitively); its link
(content, resolved offer, state at the build's moment, sealing key), the link's seasons and
lookbooks and their images; then by kind the style (a style page) or every style of the
season (a linesheet), each with its prices in the page's currency only, with a style page the
numbers and names of the styles before and after it, or the names of the styles a lookbook
shows. A template or helper that starts reading more of the catalog for a
page must add it here; `tests/e2e/test_incremental.py` compares incremental builds with clean
ones.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.metadata import version
from pathlib import Path

from generator.models import Product
from generator.pages import CARD_TEMPLATE, HELPER_TEMPLATES
from generator.plan import PageKind, PagePlan
from generator.render import locale_dir
from generator.rendering import Renderer
from generator.site import Site
from generator.state import season_open

_GENERATOR = Path(__file__).resolve().parent
_LIBRARIES = ("jinja2", "markupsafe", "babel", "markdown", "cryptography", "pillow",
              "segno")
# A template names others in quotes: extends, include, import, and page.fragment("…").
_TEMPLATE_NAME = re.compile(r"""["']([\w./-]+\.html)["']""")
_KEY = 32  # hex digits kept of a SHA-256: 128 bits tell any two inputs apart


def style_inputs(site: Site) -> dict[tuple[str, str], str]:
    """Return the key of what pages show of each style but its prices (its content and its
    pictures), by season and style number.

    Call after the assets are prepared: image URLs (content hashes) are part of the keys.
    """
    assets = site.assets
    keys = {(sid, product.style_no): _digest(
                [_shown(product)] + [repr(assets.picture(image)) for color in product.colors
                                     for image in color.images])
            for sid, products in site.catalog.styles.items() for product in products}
    if _kept is not None:
        _kept.turn()
    return keys


def _shown(product: Product) -> str:
    """A style's text but its prices: kept for the same Product by a process that builds
    again (an unchanged style stays the same Product there), 0.15 ms a style to make."""
    if _kept is None:
        return repr(product.model_copy(update={"prices": {}}))
    found = _kept.styles.get(id(product))
    if found is None or found[0] is not product:
        found = (product, repr(product.model_copy(update={"prices": {}})))
    _kept.styles_now[id(product)] = found
    return found[1]


@dataclass
class _Kept:
    """What a process that builds again keeps of its last build's keys (`keep_inputs`)."""

    styles: dict[int, tuple[Product, str]] = field(default_factory=dict)
    styles_now: dict[int, tuple[Product, str]] = field(default_factory=dict)
    last: _Last | None = None

    def turn(self) -> None:
        """The build's styles become the last build's."""
        self.styles, self.styles_now = self.styles_now, {}


@dataclass(frozen=True)
class _Last:
    """The last build's plan, parts and keys (by path; `bases`: its linesheets' but their
    styles)."""

    plan: Sequence[PagePlan]
    parts: _Parts
    keys: dict[str, str]
    bases: dict[str, str]

    @cached_property
    def showing(self) -> dict[tuple[str, str, str | None] | tuple[str, str | None],
                              list[PagePlan]]:
        """The style pages by (season, style, currency), the linesheets by (season,
        currency): the pages a style's or a linesheet's part is in."""
        found: dict[tuple[str, str, str | None] | tuple[str, str | None],
                    list[PagePlan]] = {}
        for page in self.plan:
            if page.kind == "style" and page.season is not None and page.style is not None:
                found.setdefault((page.season, page.style, page.currency), []).append(page)
            elif page.kind == "linesheet" and page.season is not None:
                found.setdefault((page.season, page.currency), []).append(page)
        return found


def _changed(last: _Last, parts: _Parts) -> list[PagePlan]:
    """The pages of the styles and linesheets whose parts differ from the last build's."""
    showing = last.showing
    changed: list[PagePlan] = []
    for key, value in parts.styles.items():
        if last.parts.styles.get(key) != value:
            changed += showing.get(key, [])
    for sheet, value in parts.linesheets.items():
        if last.parts.linesheets.get(sheet) != value:
            changed += showing.get(sheet, [])
    return changed


_kept: _Kept | None = None


def keep_inputs() -> None:
    """Keep each style's text and each page's key for this process's next builds (see
    `page_inputs`)."""
    global _kept
    _kept = _kept or _Kept()


def card_inputs(site: Site, shown: dict[tuple[str, str], str]) -> dict[tuple[str, str, str],
                                                                        str]:
    """Return the key of each style card's inputs in each language (`pages.Page.card`), by
    language, season and style number: the card shows no price and no link of its own."""
    templates = site.settings.templates
    parts = [_common(site), _closure(templates, [CARD_TEMPLATE])]
    keys: dict[tuple[str, str, str], str] = {}
    for language in site.catalog.brand.languages:
        language_key = _messages(templates, language)
        for (sid, style_no), style in shown.items():
            keys[(language, sid, style_no)] = _digest([*parts, language_key, language, style])
    return keys


def page_inputs(renderer: Renderer, plan: Sequence[PagePlan],
                shown: dict[tuple[str, str], str]) -> dict[str, str]:
    """Return the key of each planned page's inputs, by output path (`shown`: as
    `style_inputs` gives it).

    A process that builds again (`keep_inputs`) and finds the same plan, links, languages,
    templates and lookbooks as its last build keys again only the pages of the styles and
    linesheets whose parts changed, and takes the others' keys as they were."""
    parts = _parts(renderer, plan, shown)
    placed = renderer.site.placed
    if placed is not None:  # a style's part, for the cards of each linesheet
        placed.styles.update({(sid, style, currency): key
                              for (sid, style, currency), key in parts.styles.items()
                              if currency is not None})
    last = _kept.last if _kept is not None else None
    if last is not None and last.plan is plan and last.parts.frame() == parts.frame():
        keys, bases = dict(last.keys), dict(last.bases)
        for page in _changed(last, parts):
            keys[page.path], base = _page_key(page, parts)
            if base:
                bases[page.path] = base
    else:
        keys, bases = {}, {}
        for page in plan:
            keys[page.path], base = _page_key(page, parts)
            if base:
                bases[page.path] = base
    if placed is not None:  # the cards' own keys: their page's but its styles
        placed.bases.update(bases)
    if _kept is not None:
        _kept.last = _Last(plan, parts, keys, bases)
        if last is not None and last.plan is plan and "showing" in last.__dict__:
            _kept.last.__dict__["showing"] = last.showing  # the same plan's index
    return keys


@dataclass(frozen=True)
class _Parts:
    """What page keys are made of: each link's, language's and page kind's key, each style's
    as one currency's pages show it, each season's list of styles in a currency, and what a
    lookbook shows of each style."""

    links: dict[str, str]
    languages: dict[str | None, str]
    kinds: dict[PageKind, str]
    styles: dict[tuple[str, str, str | None], str]
    linesheets: dict[tuple[str, str | None], str]
    names: dict[tuple[str, str], str]
    lookbooks: dict[str, list[tuple[str, str]]]  # lookbook -> (season, style) it shows
    first: dict[str, str]  # link -> its first language, a chooser page's
    # What a style page shows of the styles before and after it (their numbers and names),
    # by link ("" for the season's own order), season and style.
    neighbours: dict[tuple[str, str, str], str]

    def frame(self) -> tuple[object, ...]:
        """Every part but the styles' and the linesheets'."""
        return (self.links, self.languages, self.kinds, self.names, self.lookbooks, self.first,
                self.neighbours)


def _parts(renderer: Renderer, plan: Sequence[PagePlan],
           shown: dict[tuple[str, str], str]) -> _Parts:
    site = renderer.site
    catalog, assets, now = site.catalog, site.assets, site.settings.now
    templates = site.settings.templates
    common = _common(site)
    seasons = {sid: _digest([repr(season), repr(season_open(season, now)),
                             str(len(catalog.styles[sid])),
                             repr(assets.picture(season.header_image))
                             if season.header_image else ""])
               for sid, season in catalog.seasons.items()}
    # A style as the pages of one currency show it: its prices in that currency only.
    styles: dict[tuple[str, str, str | None], str] = {}
    for sid, products in catalog.styles.items():
        for product in products:
            for currency in catalog.brand.currencies:
                styles[(sid, product.style_no, currency)] = _digest(
                    [shown[(sid, product.style_no)], currency,
                     repr(product.prices.get(currency))])
    linesheets: dict[tuple[str, str | None], str] = {}
    for sid, products in catalog.styles.items():
        for currency in catalog.brand.currencies:
            linesheets[(sid, currency)] = _digest(styles[(sid, product.style_no, currency)]
                                                  for product in products)
    names = {(sid, product.style_no): repr(product.name)  # what a lookbook shows of a style
             for sid, products in catalog.styles.items() for product in products}
    def around(sid: str, styles: tuple[Product | None, Product | None]) -> str:
        return _digest(part for style in styles for part in (
            (style.style_no, names[(sid, style.style_no)]) if style else ("", "")))

    # In the season's order ("" for every link showing the whole season), and in each
    # link's own selection where it has one.
    neighbours = {("", sid, product.style_no): around(sid, site.season_neighbours(
                      sid, product.style_no))
                  for sid, products in catalog.styles.items() for product in products}
    for slug, offer in renderer.offers.items():
        for sid in offer.seasons:
            selected = catalog.link_styles(slug, sid)
            if selected is not catalog.styles[sid]:
                neighbours.update({(slug, sid, product.style_no): around(sid, site.neighbours(
                    slug, sid, product.style_no)) for product in selected})
    links: dict[str, str] = {}
    for slug, link in catalog.links.items():
        offer = renderer.offers[slug]
        key = site.keys.get(slug)
        lookbooks = [catalog.lookbooks[name] for name in link.lookbooks]
        parts = [repr(link), repr(offer), renderer.states[slug],
                 key.derive("inputs", slug, 16).hex() if key is not None else "public"]
        parts += [seasons[sid] for sid in offer.seasons]
        parts += [" ".join(product.style_no for product in catalog.link_styles(slug, sid))
                  for sid in offer.seasons]  # what it shows of them (a count on its home)
        parts += [repr(lookbook) for lookbook in lookbooks]
        parts += [repr(assets.picture(page.image)) for lookbook in lookbooks
                  for page in lookbook.pages]
        background = link.background
        if background.type == "image" and background.src:
            parts.append(repr(assets.picture(background.src)))
        if offer.buyer is not None:
            parts.append(repr(catalog.buyers[offer.buyer]))
        links[slug] = _digest([common, *parts])
    # A page without a language (the chooser) is in its link's first.
    first = {slug: offer.languages[0] for slug, offer in renderer.offers.items()}
    used = {page.language or first[page.link] for page in plan}
    return _Parts(
        links=links,
        languages={language: _messages(templates, language) for language in sorted(used)},
        kinds={kind: _templates(templates, kind) for kind in sorted({p.kind for p in plan})},
        styles=styles, linesheets=linesheets, names=names,
        lookbooks={name: [(lookbook.season or "", style) for look in lookbook.pages
                          for style in look.styles]
                   for name, lookbook in catalog.lookbooks.items()},
        first=first, neighbours=neighbours)


def _page_key(page: PagePlan, parts: _Parts) -> tuple[str, str]:
    """A page's key, and for a linesheet its key but its styles (its cards' part)."""
    language = parts.languages[page.language or parts.first[page.link]]
    head = [parts.links[page.link], language, parts.kinds[page.kind], repr(page)]
    shows: list[str] = []
    if page.kind == "style" and page.season is not None and page.style is not None:
        shows.append(parts.styles[(page.season, page.style, page.currency)])
        shows.append(parts.neighbours.get((page.link, page.season, page.style))
                     or parts.neighbours[("", page.season, page.style)])
    elif page.kind == "linesheet" and page.season is not None:
        return _digest([*head, parts.linesheets[(page.season, page.currency)]]), _digest(head)
    elif page.kind == "lookbook" and page.lookbook is not None:
        shows += [parts.names.get(shown, shown[1]) for shown in parts.lookbooks[page.lookbook]]
    return _digest([*head, *shows]), ""


def sitemap_inputs(site: Site, public: Sequence[PagePlan]) -> str:
    """Return the key of the sitemap's inputs: the public pages' URLs (which name their link,
    language, currency, season and style), each link's languages (its pages' alternates),
    the site's origin and path, and the generator's code. A price edit leaves it as it was,
    and a 24k-page sitemap is then not made again (0.4 s; 1.6 s at 96k)."""
    catalog = site.catalog
    languages = {slug: catalog.offer(slug).languages for slug in catalog.links}
    return _digest([code_version(), site.origin, site.base_path, repr(languages),
                    *(page.url for page in public)])


def _common(site: Site) -> str:
    """What every page and card depends on: code, templates folder, brand, static files."""
    return _digest([code_version(), site.settings.templates.as_posix(),
                    repr(site.catalog.brand), repr(site.assets.published())])


def _digest(parts: Iterable[str]) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:_KEY]


@cache
def code_version() -> str:
    """The generator's own code and the versions of the libraries that shape its output."""
    digest = hashlib.sha256()
    for path in sorted(_GENERATOR.rglob("*.py")):
        digest.update(path.relative_to(_GENERATOR).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in _LIBRARIES:
        digest.update(f"{name}={version(name)}\0".encode())
    return digest.hexdigest()


def _messages(templates: Path, language: str) -> str:
    """A language's interface catalog (its .po file), or its absence."""
    po = templates / "locales" / locale_dir(language) / "LC_MESSAGES" / "messages.po"
    return _digest([language, hashlib.sha256(po.read_bytes()).hexdigest()
                    if po.is_file() else "none"])


def template_closure(templates: Path, kind: PageKind) -> list[str]:
    """The templates a page of this kind can render: its own, those the page helpers render
    for it, and every template any of them names, transitively (sorted)."""
    return _named(templates, [f"{kind}.html", *HELPER_TEMPLATES.get(kind, ())])


def _named(templates: Path, names: Iterable[str]) -> list[str]:
    """These templates and every template they name, transitively (sorted)."""
    pending = list(names)
    found: set[str] = set()
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.add(name)
        path = templates / name
        if path.is_file():
            pending += _TEMPLATE_NAME.findall(path.read_text(encoding="utf-8"))
    return sorted(found)


def _templates(templates: Path, kind: PageKind) -> str:
    return _closure(templates, template_closure(templates, kind))


def _closure(templates: Path, names: Iterable[str]) -> str:
    """The key of these templates' sources and of those they name."""
    parts = []
    for name in _named(templates, names):
        path = templates / name
        parts += [name, hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file()
                  else "missing"]
    return _digest(parts)
