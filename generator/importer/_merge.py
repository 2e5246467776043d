"""Import stage, merge: the sheet's styles + the current products.yaml -> the new styles, and
what changed (styles by style number, SKUs by code, each added / updated / unchanged / removed).

The sheet is the season's list of styles, in its order; or, keeping the others, the styles it
adds and updates, the file's other styles staying as they are, where they are (new styles
follow the file's). A value the sheet gives replaces the file's; what the sheet does not give
is kept: a text in a language without a column, swatches, images, rates, and any field a
column is missing for or a cell is empty for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from generator.importer._brand import BrandInfo
from generator.importer._style import SheetStyle
from generator.models import Color, Product

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

STYLE_KEYS = tuple(Product.model_fields)
COLOR_KEYS = tuple(Color.model_fields)


@dataclass(frozen=True)
class Changes:
    """How many things an import added, updated, left unchanged and removed."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def __str__(self) -> str:
        return (f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.removed} removed")


@dataclass(frozen=True)
class Merged:
    """The styles to write, and what changed against the file."""

    styles: list[dict[str, Any]]
    style_changes: Changes
    sku_changes: Changes
    removed_styles: tuple[str, ...]


def merge_styles(
    sheet: Sequence[SheetStyle], existing: Sequence[Any], brand: BrandInfo,
    keep_others: bool = False,
) -> Merged:
    """Merge the sheet's styles into the file's (raw data as read, every scalar text);
    `keep_others`: the file's styles the sheet does not list stay, instead of going."""
    old = {str(style.get("style_no")): style for style in existing if isinstance(style, dict)}
    taken = {name: {code for style in sheet for cells in getattr(style, name).values()
                    for code in cells.values()} for name in ("skus", "jan")}
    merged = {style.style_no: _merge_style(old.get(style.style_no), style, brand, taken)
              for style in sheet}
    styles = list(merged.values())
    if keep_others:
        styles = [merged.pop(number, style) for number, style in old.items()]
        styles += merged.values()
    added = sum(style.style_no not in old for style in sheet)
    unchanged = sum(old.get(style["style_no"]) == style for style in styles)
    sheet_numbers = {style.style_no for style in sheet}
    removed = () if keep_others else tuple(number for number in old
                                           if number not in sheet_numbers)
    style_changes = Changes(added, len(styles) - added - unchanged, unchanged, len(removed))
    sku_changes = _count_skus([sku for style in old.values() for sku in _skus_of(style)],
                              [sku for style in styles for sku in _skus_of(style)])
    return Merged(styles, style_changes, sku_changes, removed)


def _merge_style(
    old: dict[str, Any] | None, new: SheetStyle, brand: BrandInfo, taken: Mapping[str, set[str]]
) -> dict[str, Any]:
    result = dict(old or {})
    result["style_no"] = new.style_no
    for name, values in new.texts.items():
        merge = merge_delivery if name == "delivery" else merge_text
        result[name] = merge(result.get(name), values, brand)
    result["colors"] = _merge_colors(result.get("colors"), new.colors, brand,
                                     new.color_deliveries, new.texts.get("delivery"))
    result["sizes"] = list(new.sizes)
    prices = {currency: dict(lists) for currency, lists in _mapping(result.get("prices")).items()
              if isinstance(lists, dict)}
    for currency, lists in new.prices.items():
        merged = prices.setdefault(currency, {})
        for price_list, amount in lists.items():
            # An equal amount keeps the file's spelling (320.00 stays 320.00, not 320).
            if not _same_amount(merged.get(price_list), amount):
                merged[price_list] = amount
    prices = {currency: lists for currency, lists in prices.items() if lists}
    if prices:
        result["prices"] = _order({currency: _order(lists, brand.price_lists)
                                   for currency, lists in prices.items()}, brand.currencies)
    for name, count in new.counts.items():
        if not _same_amount(result.get(name), count):
            result[name] = count
    colors = [code for code, _ in new.colors]
    if new.sold_out is not None:
        result["sold_out"] = new.sold_out
    else:
        result["sold_out"] = {color: [size for size in sizes if size in new.sizes]
                              for color, sizes in _mapping(result.get("sold_out")).items()
                              if color in colors and isinstance(sizes, list)}
    for name in ("skus", "jan"):
        kept: dict[str, dict[str, Any]] = {}
        for color, cells in _mapping(result.get(name)).items():
            if color in colors and isinstance(cells, dict):
                # A code the sheet gives to another cell has moved there.
                kept[color] = {size: code for size, code in cells.items()
                               if size in new.sizes and code not in taken[name]}
        for color, cells in getattr(new, name).items():
            kept.setdefault(color, {}).update(cells)
        result[name] = {color: _order(cells, new.sizes) for color, cells in
                        _order(kept, colors).items() if cells}
    result["stock"], result["sold_out"] = _merge_stock(_mapping(result.get("stock")), new,
                                                       result["sold_out"], colors)
    for name in ("sold_out", "stock", "skus", "jan"):
        if not result[name]:
            del result[name]
    if new.pack:  # the pack a pack column gives; empty cells erase nothing, as elsewhere
        result["pack"] = new.pack
    size_prices = _merge_size_prices(_mapping(result.get("size_prices")), new, brand)
    if size_prices:
        result["size_prices"] = size_prices
    else:
        result.pop("size_prices", None)
    return _order(result, STYLE_KEYS)


def _merge_stock(
    old: Mapping[str, Any], new: SheetStyle, sold_out: Mapping[str, list[str]], colors: list[str]
) -> tuple[dict[str, dict[str, int]], dict[str, list[str]]]:
    """The style's stock and sold-out cells. The file's stock stays for the colours and sizes
    that remain; a stock column's numbers replace it cell by cell (an empty cell keeps it): 0
    makes the cell sold out, more makes it available again, unless the sheet's sold-out
    column says it is sold out."""
    stock: dict[str, dict[str, int]] = {
        color: {size: units for size, units in _mapping(cells).items() if size in new.sizes}
        for color, cells in old.items() if color in colors}
    if new.stock is None:
        # A cell the sheet says is sold out has no stock left to take orders for.
        return ({color: kept for color, cells in stock.items()
                 if (kept := {size: units for size, units in cells.items()
                              if size not in sold_out.get(color, ())})}, dict(sold_out))
    sold = {color: list(sizes) for color, sizes in sold_out.items()}
    flagged = new.sold_out or {}
    for color, cells in new.stock.items():
        for size, units in cells.items():
            out = sold.setdefault(color, [])
            stock.setdefault(color, {}).pop(size, None)
            if units == 0:
                if size not in out:
                    out.append(size)
            elif size not in flagged.get(color, ()):
                if size in out:
                    out.remove(size)
                stock[color][size] = units
    stock = {color: {size: units for size, units in cells.items()
                     if size not in sold.get(color, ())} for color, cells in stock.items()}
    return ({color: _order(cells, new.sizes) for color, cells in _order(stock, colors).items()
             if cells},
            {color: [size for size in new.sizes if size in sizes]
             for color, sizes in _order(sold, colors).items() if sizes})


def _merge_colors(
    old: Any, new: Sequence[tuple[str, dict[str, str]]], brand: BrandInfo,
    deliveries: Mapping[str, Mapping[str, str]], style_delivery: Mapping[str, str] | None,
) -> list[dict[str, Any]]:
    """The sheet's colours, each keeping what the file says of it that the sheet has no
    column for (swatch, images); its delivery where its rows give one other than the style's
    (none where they give the style's: it ships with its style; kept where they give none)."""
    by_code = {str(color.get("code")): color for color in old or []
               if isinstance(color, dict)} if isinstance(old, list) else {}
    colors = []
    for code, names in new:
        color = dict(by_code.get(code, {}))
        color["code"] = code
        if names:
            color["name"] = merge_text(color.get("name"), names, brand)
        elif not color.get("name"):
            color["name"] = code  # a sheet with codes only: the code is the name shown
        given = deliveries.get(code)
        if given is not None and dict(given) == dict(style_delivery or {}):
            color.pop("delivery", None)
        elif given is not None:
            color["delivery"] = merge_delivery(color.get("delivery"), given, brand)
        colors.append(_order(color, COLOR_KEYS))
    return colors


def merge_text(old: Any, new: Mapping[str, str], brand: BrandInfo) -> Any:
    """Merge a translatable text: one value for every language replaces the text; values per
    language replace those languages and keep the others. One value that is already the
    text of one of its languages changes nothing: a sheet with one `商品名` column of the
    Japanese names would otherwise replace the English and Chinese ones with them."""
    if "" in new:
        if _same(old, new[""]) or (isinstance(old, dict) and any(
                _same(value, new[""]) for value in old.values())):
            return old
        return new[""]
    if isinstance(old, dict):
        merged = dict(old)
    elif isinstance(old, str):
        merged = {brand.default_language: old}  # the one text was the default language's
    else:
        merged = {}
    merged.update({language: value for language, value in new.items()
                   if not _same(merged.get(language), value)})
    return _order(merged, brand.languages)


def _merge_size_prices(old: Mapping[str, Any], new: SheetStyle,
                       brand: BrandInfo) -> dict[str, Any]:
    """Sizes priced apart: the sheet's, for each price list it has a column of; products.yaml's
    for the others (written there by hand), but for sizes the sheet no longer has."""
    given = {(currency, name) for currency, lists in new.prices.items() for name in lists}
    merged: dict[str, dict[str, dict[str, Any]]] = {}
    for size, currencies in old.items():
        if size not in new.sizes:
            continue
        for currency, lists in _mapping(currencies).items():
            for name, amount in _mapping(lists).items():
                if (currency, name) not in given:
                    merged.setdefault(size, {}).setdefault(currency, {})[name] = amount
    for size, currencies in new.size_prices.items():
        for currency, lists in currencies.items():
            for name, amount in lists.items():
                kept = _mapping(_mapping(old.get(size)).get(currency)).get(name)
                # An equal amount keeps the file's spelling, as the style's prices do.
                merged.setdefault(size, {}).setdefault(currency, {})[name] = (
                    kept if _same_amount(kept, amount) else amount)
    return {size: {currency: _order(lists, brand.price_lists) for currency, lists in
                   _order(merged[size], brand.currencies).items()}
            for size in new.sizes if size in merged}


def merge_delivery(old: Any, new: Mapping[str, str], brand: BrandInfo) -> Any:
    """Merge a style's delivery: days the sheet gives (read as an ISO 8601 interval by
    `parse_delivery`) are a window `{from, to}`; text merges as text, in place of a window."""
    intervals = set(new.values())
    if len(intervals) == 1:
        start, slash, end = next(iter(intervals)).partition("/")
        if slash and _ISO_DAY.match(start) and _ISO_DAY.match(end):
            window = {"from": start, "to": end}
            return old if old == window else window
    return merge_text(None if isinstance(old, dict) and "from" in old else old, new, brand)


def _same(old: Any, new: str) -> bool:
    """Tell whether a cell's text is the file's, which may end in the line break of a YAML
    block (`|`) that a cell, read without its surrounding spaces, never has."""
    return isinstance(old, str) and old.strip() == new


def _order(mapping: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """Put known keys in their order, then the others as they were."""
    known = [key for key in keys if key in mapping]
    return {**{key: mapping[key] for key in known},
            **{key: value for key, value in mapping.items() if key not in known}}


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _same_amount(old: Any, new: str) -> bool:
    try:
        return isinstance(old, str) and Decimal(old) == Decimal(new)
    except InvalidOperation:
        return False


@dataclass(frozen=True)
class _Sku:
    style_no: str
    color: str
    size: str
    code: str | None
    jan: str | None
    sold_out: bool
    stock: object  # as written: a count, or None without one


def _skus_of(style: Any) -> list[_Sku]:
    """Every colour × size of a style, as written (the old file's may be malformed)."""
    if not isinstance(style, dict):
        return []
    colors = [str(c.get("code")) for c in style.get("colors") or [] if isinstance(c, dict)]
    sizes = [s for s in style.get("sizes") or [] if isinstance(s, str)]
    skus, jan, sold_out, stock = (_mapping(style.get(name))
                                  for name in ("skus", "jan", "sold_out", "stock"))
    return [_Sku(str(style.get("style_no")), color, size, _mapping(skus.get(color)).get(size),
                 _mapping(jan.get(color)).get(size),
                 size in (sold_out.get(color) or []), _mapping(stock.get(color)).get(size))
            for color in colors for size in sizes]


def _count_skus(old: Sequence[_Sku], new: Sequence[_Sku]) -> Changes:
    """Match SKUs by code first, then by style, colour and size."""
    by_code = {sku.code: index for index, sku in enumerate(old) if sku.code}
    by_cell = {(sku.style_no, sku.color, sku.size): index for index, sku in enumerate(old)}
    matched: set[int] = set()
    added = updated = 0
    for sku in new:
        index = by_code.get(sku.code) if sku.code else None
        if index is None or index in matched:
            index = by_cell.get((sku.style_no, sku.color, sku.size))
        if index is None or index in matched:
            added += 1
            continue
        matched.add(index)
        updated += old[index] != sku
    return Changes(added, updated, len(matched) - updated, len(old) - len(matched))
