"""Cross-file rules for order links: what they name exists, their terms and window make sense."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

from generator.checks._common import (
    Problems,
    Scope,
    check_deposit,
    check_duplicates,
    check_in_brand,
    check_intra_community,
    check_minimum_order,
    check_parameter,
    check_tax,
    unknown_message,
)
from generator.content import RawEntry
from generator.errors import FieldPath
from generator.links import BrandLink, CustomerLink, InstantLink, Link, link_seasons
from generator.models import Product
from generator.videos import BLOCKED_IN_CHINA, video_player


def check_link(scope: Scope, link: Link, entry: RawEntry) -> Problems:
    """Check one link against the rest of the catalog."""
    catalog = scope.catalog
    problems = _check_window(link, entry) + _check_china(link, entry)
    seasons = link_seasons(link)
    path: FieldPath = ("season",) if isinstance(link, InstantLink) else ("seasons",)
    for index, season in enumerate(seasons):
        where = path if isinstance(link, InstantLink) else (*path, index)
        if not scope.exists("season", season):
            problems.append(entry.problem(where, unknown_message("season", season,
                                                                 catalog.seasons)))
        elif season in catalog.seasons and season not in scope.broken_seasons and (
                not catalog.styles.get(season)):
            problems.append(entry.problem(where, f"season '{season}' has no styles yet; add "
                                          f"seasons/{season}/products.yaml or offer another "
                                          "season"))
    if not isinstance(link, InstantLink):
        problems += check_duplicates(entry, path, seasons, "season")
    for index, lookbook in enumerate(link.lookbooks):
        if not scope.exists("lookbook", lookbook):
            problems.append(entry.problem(("lookbooks", index),
                                          unknown_message("lookbook", lookbook,
                                                          catalog.lookbooks)))
            continue
        shown = catalog.lookbooks.get(lookbook)
        # A lookbook shows its season's styles: on a link that does not offer that season it
        # would reveal them (a preview season behind a public link, say).
        if shown is not None and shown.season is not None and shown.season not in seasons:
            problems.append(entry.problem(("lookbooks", index), f"lookbook '{lookbook}' shows "
                                          f"season '{shown.season}', which this link does not "
                                          "offer; offer the season or remove the lookbook"))
    problems += _check_selection(scope, link, seasons, entry)
    if isinstance(link, CustomerLink):
        return problems + _check_customer(scope, link, entry)
    return problems + _check_terms(scope, link, entry)


def _check_china(link: Link, entry: RawEntry) -> Problems:
    """A link dedicated to buyers from China shows no video of a player blocked there: its
    buyers would see an empty frame where the brand's film should play."""
    if not isinstance(link, InstantLink) or not link.china_only or link.video is None:
        return []
    player = video_player(link.video)
    site = next((name for host, name in BLOCKED_IN_CHINA.items()
                 if player is not None and player.startswith(host + "/")), None)
    if site is None:  # a video file under media/ (served with the pages), or on Bilibili
        return []
    return [entry.problem(("video",), f"'{link.video}' plays on {site}, which is blocked in "
                          "mainland China, where this link's buyers are (china_only): they "
                          "would see an empty frame; give the film as a video file under "
                          "media/ (e.g. films/ss27.mp4), which the pages play themselves, or "
                          "its address on Bilibili")]


def _check_selection(scope: Scope, link: Link, seasons: list[str],
                     entry: RawEntry) -> Problems:
    """Each style a link's `styles` or `hide_styles` names is a style of its seasons, and
    every season keeps a style to show."""
    catalog = scope.catalog
    if any(not catalog.styles.get(season) or season in scope.broken_seasons
           for season in seasons):
        return []  # a season missing, empty or broken is reported already
    slug, field = entry.ident, "styles" if link.styles else "hide_styles"
    offered = {product.style_no: product for season in seasons
               for product in catalog.styles[season]}
    problems: Problems = []
    for index, style_no in enumerate(link.styles or link.hide_styles):
        product = offered.get(style_no)
        if product is None:
            problems.append(entry.problem((field, index),
                                          _unknown_style(style_no, offered, seasons)))
        elif link.styles and product.exclusive_to and slug not in product.exclusive_to:
            owners = ", ".join(product.exclusive_to)
            problems.append(entry.problem((field, index), (
                f"style '{style_no}' is exclusive to {owners}; add '{slug}' to its "
                "exclusive_to, or take it off this list")))
    problems += _check_hidden_colors(link, offered, seasons, entry)
    for index, style_no in enumerate(link.styles):
        product = offered.get(style_no)
        if product is not None and all(color.exclusive_to and slug not in color.exclusive_to
                                       for color in product.colors):
            problems.append(entry.problem(("styles", index), (
                f"every colour of style '{style_no}' is exclusive to other links; add "
                f"'{slug}' to the exclusive_to of one of its colours, or take it off this list")))
    for season in seasons if not problems else ():
        if not catalog.link_styles(slug, season):
            problems.append(entry.problem((field,) if link.styles or link.hide_styles else (),
                                          f"the link shows no style of season '{season}' "
                                          "(each is hidden, or exclusive to other links); "
                                          "show one of them, or take the season off the link"))
    return problems


def _check_hidden_colors(link: Link, offered: dict[str, Product], seasons: list[str],
                         entry: RawEntry) -> Problems:
    """Each style `hide_colors` names is a style of the link's seasons, each colour one of
    its colours, and it keeps a colour to show."""
    problems: Problems = []
    for style_no, codes in link.hide_colors.items():
        product = offered.get(style_no)
        if product is None:
            problems.append(entry.problem(("hide_colors", style_no),
                                          _unknown_style(style_no, offered, seasons)))
            continue
        colors = [color.code for color in product.colors]
        for index, code in enumerate(codes):
            if code not in colors:
                problems.append(entry.problem(("hide_colors", style_no, index), (
                    f"style '{style_no}' has no colour '{code}' (its colours: "
                    f"{', '.join(colors)})")))
        if set(colors) <= set(codes):
            problems.append(entry.problem(("hide_colors", style_no), (
                f"leaves out every colour of style '{style_no}'; to leave the style out, put "
                "it in hide_styles")))
    return problems


def _unknown_style(style_no: str, offered: Iterable[str], seasons: list[str]) -> str:
    """Say that a link names a style its seasons do not have, with the nearest numbers."""
    near = get_close_matches(style_no, sorted(offered), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(near)}?" if near else ""
    return (f"no style '{style_no}' in season{'s' if len(seasons) > 1 else ''} "
            f"{', '.join(seasons)}{hint}")


def _check_window(link: Link, entry: RawEntry) -> Problems:
    release = link.release_at if isinstance(link, InstantLink | CustomerLink) else None
    if release is not None and link.expires_at is not None and release >= link.expires_at:
        return [entry.problem(("expires_at",), f"the link expires ({link.expires_at}) before "
                              f"it is released ({release}); move one of the dates")]
    return []


def _check_terms(scope: Scope, link: InstantLink | BrandLink, entry: RawEntry) -> Problems:
    catalog = scope.catalog
    brand = catalog.brand
    problems: Problems = []
    if link.languages is not None:
        problems += check_in_brand(brand, entry, ("languages",), link.languages)
    if link.currencies is not None:
        problems += check_in_brand(brand, entry, ("currencies",), link.currencies)
    transaction = link.transaction
    problems += check_parameter(catalog.terms, transaction.term, transaction.rate,
                                transaction.discount, entry, ("transaction",),
                                 ("transaction", "term"))
    problems += check_minimum_order(link.minimum_order,
                                    link.currencies or brand.currencies, entry)
    problems += check_tax(link.apply_tax, link.tax_exempt, entry)
    problems += check_intra_community(brand, link.intra_community, link.apply_tax,
                                      link.tax_exempt, link.buyer_type, entry)
    return problems + check_deposit(link.billing, link.deposit_percent, entry)


def _check_customer(scope: Scope, link: CustomerLink, entry: RawEntry) -> Problems:
    if not scope.exists("buyer", link.buyer):
        return [entry.problem(("buyer",), unknown_message("buyer", link.buyer,
                                                          scope.catalog.buyers))]
    buyer = scope.catalog.buyers.get(link.buyer)
    if buyer is None:
        return []  # the buyer's own file is invalid and reported on its own
    if buyer.passcode is None or not buyer.passcode.enabled:
        return [entry.problem(("buyer",), f"buyer '{link.buyer}' has no passcode, and a "
                              "customer link opens with the buyer's passcode; add `passcode:` "
                              f"to buyers/{link.buyer}.yaml")]
    return []
