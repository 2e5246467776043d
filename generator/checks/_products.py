"""Cross-file rules for styles: codes unique, cells and codes refer to real colours and sizes,
prices fit their currency and the brand's terms, and every style a link offers is priced."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import ConfigDict, ValidationError, create_model

from generator.checks._common import (
    Problems,
    Scope,
    check_duplicates,
    check_parameter,
    decimals_problem,
    unknown_message,
)
from generator.content import RawEntry
from generator.errors import FieldPath, format_field_path
from generator.fields import ValidationContext
from generator.links import link_seasons
from generator.models import Product
from generator.terms import RETAIL_LIST, price_list_of

if TYPE_CHECKING:
    from generator.catalog import Catalog

# What _check_shape reads of a style; a style that failed its own validation is checked by
# these of its fields that passed (shape_problems), validated as Product validates them.
_SHAPE = ("colors", "sizes", "moq", "multiple", "pack", "sold_out", "stock", "skus", "jan",
          "measurements")
_SHAPE_FIELDS: dict[str, Any] = {
    name: (Product.model_fields[name].annotation, Product.model_fields[name]) for name in _SHAPE}
_StyleShape = create_model(
    "_StyleShape", __config__=ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True),
    **_SHAPE_FIELDS)


def check_products(scope: Scope, styles: Sequence[Product], entry: RawEntry) -> Problems:
    """Check every style of one season's products file."""
    catalog = scope.catalog
    problems: Problems = []
    seen: dict[str, int] = {}
    # An ERP or a scanner finds an item by its SKU or JAN code: one code on two cells of the
    # season would book one item's order lines as another's.
    codes: dict[tuple[str, str], FieldPath] = {}
    for at, product in enumerate(styles):
        index = scope.place(entry.ident, at)  # its place in the file
        path: FieldPath = ("styles", index)
        if product.style_no in seen:
            problems.append(entry.problem((*path, "style_no"), f"style '{product.style_no}' "
                                          f"is already styles[{seen[product.style_no]}]; style "
                                          "numbers are unique within a season"))
        seen.setdefault(product.style_no, index)
        problems += _check_product(catalog, product, entry, path)
        problems += _check_codes(product, entry, path, codes)
        problems += _check_exclusive(scope, product, entry, path)
    return problems


def _check_exclusive(scope: Scope, product: Product, entry: RawEntry,
                     path: FieldPath) -> Problems:
    """Each link a style or one of its colourways is exclusive to exists, once, and offers
    the style's season (a colourway's, one the style is shown on)."""
    catalog, season = scope.catalog, entry.ident
    problems = check_duplicates(entry, (*path, "exclusive_to"), product.exclusive_to, "link")
    for index, slug in enumerate(product.exclusive_to):
        where = (*path, "exclusive_to", index)
        if not scope.exists("link", slug):
            problems.append(entry.problem(where, unknown_message("link", slug, catalog.links)))
        elif slug in catalog.links and season not in link_seasons(catalog.links[slug]):
            problems.append(entry.problem(where, f"link '{slug}' does not offer season "
                                          f"'{season}'; add the season to the link or take "
                                          "the link off this list"))
    for at, color in enumerate(product.colors):
        path_of = (*path, "colors", at, "exclusive_to")
        problems += check_duplicates(entry, path_of, color.exclusive_to, "link")
        for index, slug in enumerate(color.exclusive_to):
            where = (*path_of, index)
            if not scope.exists("link", slug):
                problems.append(entry.problem(where, unknown_message("link", slug,
                                                                     catalog.links)))
            elif slug in catalog.links and season not in link_seasons(catalog.links[slug]):
                problems.append(entry.problem(where, f"link '{slug}' does not offer season "
                                              f"'{season}'; add the season to the link or "
                                              "take the link off this list"))
            elif product.exclusive_to and slug not in product.exclusive_to:
                problems.append(entry.problem(where, (
                    f"the style is exclusive to {', '.join(product.exclusive_to)}, so link "
                    f"'{slug}' never shows it; add '{slug}' to the style's exclusive_to or "
                    "take it off this list")))
    return problems


def _check_codes(
    product: Product, entry: RawEntry, path: FieldPath,
    codes: dict[tuple[str, str], FieldPath],
) -> Problems:
    """Report a SKU or JAN code that an earlier cell of the season (`codes`) already has."""
    problems: Problems = []
    for field, noun in (("skus", "SKU"), ("jan", "JAN code")):
        cells: Mapping[str, Mapping[str, str]] = getattr(product, field)
        for color, sizes in cells.items():
            for size, code in sizes.items():
                where = (*path, field, color, size)
                first = codes.setdefault((field, code), where)
                if first != where:
                    problems.append(entry.problem(where, f"{noun} '{code}' is already "
                                                  f"{format_field_path(first)}; each colour and "
                                                  f"size needs its own {noun}"))
    return problems


def _check_product(
    catalog: Catalog, product: Product, entry: RawEntry, path: FieldPath
) -> Problems:
    problems = _check_shape(product, entry, path)
    problems += _check_prices(catalog, product.prices, entry, (*path, "prices"))
    for size, prices in product.size_prices.items():
        where = (*path, "size_prices", size)
        if size not in product.sizes:
            problems.append(entry.problem(where, f"size '{size}' is not one of this style's "
                                          f"sizes ({', '.join(product.sizes)})"))
            continue
        problems += _check_prices(catalog, prices, entry, where)
        for currency, lists in prices.items():
            for name in lists:
                if name not in product.prices.get(currency, {}):
                    problems.append(entry.problem((*where, currency, name), (
                        f"size '{size}' has a {currency} '{name}' price, but the style has "
                        f"none: give the style's own under prices.{currency}.{name} first; a "
                        "size's price replaces it")))
    for code, parameter in product.rates.items():
        problems += check_parameter(catalog.terms, code, parameter.rate, parameter.discount,
                                    entry, (*path, "rates", code))
    return problems


def shape_problems(entry: RawEntry, raw: object, context: ValidationContext,
                   path: FieldPath) -> Problems:
    """The problems of a style that failed its own validation with its colours, sizes and
    cells (a size listed twice, a stock cell of no colour of it), from the fields that did
    validate: the brand sees them in the same check as the fields' own, not a round later."""
    if not isinstance(raw, dict):
        return []
    try:
        Product.model_validate(raw, context=dict(context))
        return []  # valid after all: the catalog checks it whole
    except ValidationError as exc:
        failed = {error["loc"][0] for error in exc.errors(include_url=False) if error["loc"]}
    sound = {key: value for key, value in raw.items() if key in _SHAPE and key not in failed}
    try:
        shape = _StyleShape.model_validate(sound, context=dict(context))
    except ValidationError:  # its colours or sizes failed: nothing to check the cells by
        return []
    # Only the shape's fields are read by _check_shape; the rest are never set.
    return _check_shape(Product.model_construct(**dict(shape)), entry, path)


def _check_shape(product: Product, entry: RawEntry, path: FieldPath) -> Problems:
    """A style's colours, sizes and colour × size cells (sold out, stock, codes, pack,
    measurements) and its order quantities, against each other."""
    codes = [color.code for color in product.colors]
    problems = check_duplicates(entry, (*path, "colors"), codes, "colour code")
    problems += check_duplicates(entry, (*path, "sizes"), product.sizes, "size")
    for field, cells in (("sold_out", {c: dict.fromkeys(s) for c, s in
                                       product.sold_out.items()}),
                         ("skus", product.skus), ("jan", product.jan),
                         ("stock", product.stock)):
        problems += _check_cells(product, field, cells, entry, (*path, field))
    for color, units_by_size in product.stock.items():
        for size, units in units_by_size.items():
            if units == 0:
                problems.append(entry.problem((*path, "stock", color, size), (
                    f"0 units of {color} / {size}: a size with none to sell is sold out; list "
                    f"it under sold_out ({color}: [{size}]) and remove it from stock")))
            elif size in product.sold_out.get(color, ()):
                problems.append(entry.problem((*path, "stock", color, size), (
                    f"{color} / {size} is sold out and has a stock of {units}: remove it from "
                    "sold_out to take orders for those units, or from stock")))
    for color, sizes in product.jan.items():
        for size, code in sizes.items():
            if not _valid_jan(code):
                problems.append(entry.problem((*path, "jan", color, size), f"'{code}' fails the "
                                              "JAN/EAN check digit; check the code"))
    for index, point in enumerate(product.measurements):
        for size in point.values:
            if size not in product.sizes:
                problems.append(entry.problem(
                    (*path, "measurements", index, "values", size), f"size '{size}' is not one "
                    f"of this style's sizes ({', '.join(product.sizes)})"))
    for size in product.pack:
        if size not in product.sizes:
            problems.append(entry.problem((*path, "pack", size), f"size '{size}' is not one of "
                                          f"this style's sizes ({', '.join(product.sizes)})"))
    missing = [size for size in product.sizes if product.pack and size not in product.pack]
    if missing:
        problems.append(entry.problem((*path, "pack"), (
            f"size{'s' if len(missing) > 1 else ''} {', '.join(missing)} of this style "
            f"{'are' if len(missing) > 1 else 'is'} not in its pack, so a buyer could never "
            "order them: give each a number of units in the pack, or take it out of sizes")))
    if product.pack and product.multiple > 1:
        problems.append(entry.problem((*path, "multiple"), "a style sold in packs is ordered in "
                                      "whole packs, which are its multiple: remove `multiple`, "
                                      "or `pack` to sell it in multiples of units"))
    if product.moq % product.multiple:
        smallest = -(-product.moq // product.multiple) * product.multiple
        problems.append(entry.problem((*path, "moq"), f"moq {product.moq} is not a multiple of "
                                      f"`multiple` {product.multiple}, so the smallest order "
                                      f"would be {smallest}; make moq a multiple"))
    return problems


def _check_cells(
    product: Product, field: str, cells: Mapping[str, Mapping[str, object]], entry: RawEntry,
    path: FieldPath,
) -> Problems:
    """Check that a colour × size map names only the style's colours and sizes."""
    codes = [color.code for color in product.colors]
    problems: Problems = []
    for color, sizes in cells.items():
        if color not in codes:
            problems.append(entry.problem((*path, color), f"colour '{color}' is not one of this "
                                          f"style's colours ({', '.join(codes)})"))
            continue
        for position, size in enumerate(sizes):
            if size not in product.sizes:
                where = (*path, color, position) if field == "sold_out" else (*path, color, size)
                problems.append(entry.problem(where, f"size '{size}' is not one of this style's "
                                              f"sizes ({', '.join(product.sizes)})"))
    return problems


def _valid_jan(code: str) -> bool:
    """Check the GS1 check digit of an 8- or 13-digit JAN/EAN code."""
    digits = [int(char) for char in code]
    body, check = digits[:-1], digits[-1]
    weights = (3, 1) if len(code) == 8 else (1, 3)
    total = sum(digit * weights[index % 2] for index, digit in enumerate(body))
    return (10 - total % 10) % 10 == check


def _check_prices(
    catalog: Catalog, prices: Mapping[str, Mapping[str, Decimal]], entry: RawEntry,
    path: FieldPath,
) -> Problems:
    allowed = [RETAIL_LIST, *(t.code for t in catalog.terms.values() if t.basis == "discount")]
    problems: Problems = []
    for currency, lists in prices.items():
        if currency not in catalog.brand.currencies:
            problems.append(entry.problem((*path, currency), f"currency '{currency}' is not one "
                                          f"of the brand's ({', '.join(catalog.brand.currencies)}"
                                          "); add it to brand.yaml or remove these prices"))
        for name, amount in lists.items():
            where = (*path, currency, name)
            if name not in allowed:
                problems.append(entry.problem(where, f"'{name}' is not a price list; use "
                                              f"{', '.join(allowed)}"))
            too_precise = decimals_problem(currency, amount)
            if too_precise:
                problems.append(entry.problem(where, too_precise))
    return problems


def check_price_coverage(scope: Scope, entries: Mapping[tuple[str, str], RawEntry]) -> Problems:
    """Every style a link offers needs a price in each of the link's currencies for its term."""
    catalog = scope.catalog
    needs: dict[tuple[str, int, str, str], list[str]] = defaultdict(list)
    for slug in catalog.links:
        offer = catalog.offer(slug) if catalog.can_offer(slug) else None
        if offer is None:
            continue
        list_name = price_list_of(offer.term)
        # currencies the brand lacks, or listed twice, are reported on the link itself
        currencies = [c for c in dict.fromkeys(offer.currencies) if c in catalog.brand.currencies]
        for season in offer.seasons:
            if season not in catalog.styles:
                continue
            shown = {id(product) for product in catalog.link_styles(slug, season)}
            for index, product in enumerate(catalog.styles[season]):
                if id(product) not in shown:  # not on the link: needs none of its prices
                    continue
                for currency in currencies:
                    if list_name not in product.prices.get(currency, {}):
                        needs[(season, index, currency, list_name)].append(slug)
    problems: Problems = []
    for (season, index, currency, list_name), slugs in sorted(needs.items()):
        product = catalog.styles[season][index]
        plural = len(slugs) > 1
        problems.append(entries[("products", season)].problem(
            ("styles", scope.place(season, index), "prices"),
            f"style '{product.style_no}' has no {currency} '{list_name}' price, which "
            f"link{'s' if plural else ''} {', '.join(slugs)} need{'' if plural else 's'}; add "
            f"prices.{currency}.{list_name}"))
    return problems
