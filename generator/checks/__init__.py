"""Catalog stage, cross-file rules: references exist, terms fit, every offered style is priced.

Each rule reports a ContentProblem located in the file a brand has to change to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from generator.checks._buyers import check_buyer
from generator.checks._common import Problems, Scope, check_duplicates, check_parameter
from generator.checks._links import check_link
from generator.checks._lookbooks import check_lookbook
from generator.checks._products import check_price_coverage, check_products, shape_problems
from generator.content import ContentTree, RawEntry
from generator.errors import ContentProblem
from generator.models import LOCAL_HOSTS, Brand

if TYPE_CHECKING:
    from generator.catalog import Catalog

__all__ = ["check_catalog", "shape_problems"]

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
# Season pages sit beside the cart page in a link's URLs (DESIGN.md §4).
_RESERVED_SEASON_IDS = frozenset({"cart"})


def check_catalog(
    catalog: Catalog, tree: ContentTree, brand_entry: RawEntry,
    broken_seasons: Mapping[str, tuple[int, ...]],
) -> Problems:
    """Run every rule that needs more than one file; return all problems found.

    `broken_seasons`: the seasons whose products file did not validate whole, each with the
    place in the file of every style of it that the catalog holds."""
    entries = {(entry.kind, entry.ident): entry for entry in tree.entries}
    declared: dict[str, frozenset[str]] = {}
    for kind in ("season", "lookbook", "buyer", "link"):
        declared[kind] = frozenset(entry.ident for entry in tree.of_kind(kind))
    scope = Scope(catalog, declared, broken_seasons)
    problems = _check_ids(tree)
    problems += _check_brand(catalog.brand, brand_entry)
    problems += _check_https(catalog, brand_entry)
    for ident, season in catalog.seasons.items():
        entry = entries[("season", ident)]
        if season.id is not None and season.id != ident:
            problems.append(entry.problem(("id",), f"id '{season.id}' differs from the folder "
                                          f"name '{ident}'; make them equal or drop `id`"))
        for code, parameter in season.rates.items():
            problems += check_parameter(catalog.terms, code, parameter.rate,
                                        parameter.discount, entry, ("rates", code))
    for ident, styles in catalog.styles.items():
        if (products_entry := entries.get(("products", ident))) is not None:
            problems += check_products(scope, styles, products_entry)
    for ident, lookbook in catalog.lookbooks.items():
        problems += check_lookbook(scope, lookbook, entries[("lookbook", ident)])
    for ident, buyer in catalog.buyers.items():
        problems += check_buyer(scope, buyer, entries[("buyer", ident)])
    for slug, link in catalog.links.items():
        problems += check_link(scope, link, entries[("link", slug)])
    problems += check_price_coverage(scope, entries)
    return problems


def _check_ids(tree: ContentTree) -> Problems:
    """Ids given by file and folder names end up in URLs: they must be URL-safe."""
    problems: Problems = []
    for entry in tree.entries:
        if entry.kind == "season" and entry.ident in _RESERVED_SEASON_IDS:
            problems.append(ContentProblem(
                entry.name, 0, "", f"a season cannot be called '{entry.ident}': its pages would "
                "share their address with a fixed page; rename the folder"))
            continue
        if entry.kind in ("brand", "terms", "products") or _SLUG.match(entry.ident):
            continue
        suggestion = re.sub(r"[^a-z0-9]+", "-", entry.ident.lower()).strip("-") or "my-id"
        where = "folder" if entry.kind == "season" else "file"
        problems.append(ContentProblem(
            entry.name, 0, "", f"the id '{entry.ident}' (the {where} name) is not URL-safe; "
            f"use lowercase letters, digits and hyphens, e.g. '{suggestion}'"))
    return problems


def _check_https(catalog: Catalog, entry: RawEntry) -> Problems:
    """Pages of links with a passcode open only on https: browsers give the decryption they
    need (WebCrypto) to https pages alone, and on plain http passcodes and orders would cross
    the network readable on the way. This machine's own addresses are exempt, as browsers
    exempt them."""
    site = urlsplit(catalog.brand.base_url)
    if site.scheme != "http" or site.hostname in LOCAL_HOSTS:
        return []
    locked = [slug for slug in catalog.links
              if catalog.can_offer(slug) and catalog.offer(slug).passcode is not None]
    if not locked:
        return []
    named = ", ".join(locked[:3]) + (f" and {len(locked) - 3} more" if len(locked) > 3 else "")
    return [entry.problem(("base_url",), f"'{catalog.brand.base_url}' is plain http, and "
                          f"links have a passcode ({named}): browsers open their pages only "
                          "on https, and passcodes and orders would cross the network "
                          "readable on the way; serve the site on https:// (every CDN does) "
                          "and write that address here")]


def _check_brand(brand: Brand, entry: RawEntry) -> Problems:
    problems: Problems = []
    if brand.default_language not in brand.languages:
        problems.append(entry.problem(("default_language",), f"'{brand.default_language}' is "
                                      "not in languages; add it there"))
    problems += check_duplicates(entry, ("languages",), brand.languages, "language")
    problems += check_duplicates(entry, ("currencies",), brand.currencies, "currency")
    accounts = brand.invoicing.bank_accounts if brand.invoicing else []
    for index, account in enumerate(accounts):
        for place, currency in enumerate(account.currencies):
            if currency not in brand.currencies:
                problems.append(entry.problem(
                    ("invoicing", "bank_accounts", index, "currencies", place),
                    f"{currency} is not one of the brand's currencies "
                    f"({', '.join(brand.currencies)}); add it to currencies, or remove it"))
    return problems
