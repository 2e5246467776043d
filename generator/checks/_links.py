"""Cross-file rules for order links: what they name exists, their terms and window make sense."""

from __future__ import annotations

from generator.checks._common import (
    Problems,
    Scope,
    check_deposit,
    check_duplicates,
    check_in_brand,
    check_minimum_order,
    check_parameter,
    check_tax,
    unknown_message,
)
from generator.content import RawEntry
from generator.errors import FieldPath
from generator.links import BrandLink, CustomerLink, InstantLink, Link


def check_link(scope: Scope, link: Link, entry: RawEntry) -> Problems:
    """Check one link against the rest of the catalog."""
    catalog = scope.catalog
    problems = _check_window(link, entry)
    seasons = [link.season] if isinstance(link, InstantLink) else link.seasons
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
    if isinstance(link, CustomerLink):
        return problems + _check_customer(scope, link, entry)
    return problems + _check_terms(scope, link, entry)


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
