"""Import stage, styles: what the rows said about one style -> a SheetStyle with the cell
of every value, ready to merge into products.yaml."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from generator.errors import FieldPath
from generator.importer._columns import Column, Columns

Ref = tuple[int, int]  # (row number, 1-based column number; 0 for the whole row)
COUNT_FIELDS = ("moq", "multiple")


@dataclass(frozen=True)
class Fact:
    """A value read from one cell."""

    value: str
    row: int
    column: Column

    @property
    def ref(self) -> Ref:
        """Where the value was read."""
        return (self.row, self.column.position)


@dataclass
class StyleDraft:
    """A style while its rows are read."""

    style_no: str
    ref: Ref
    facts: dict[tuple[str, ...], Fact] = field(default_factory=dict)
    raw: dict[tuple[str, ...], str] = field(default_factory=dict)  # the first fact's cell text
    colors: dict[str, list[str]] = field(default_factory=dict)  # code -> sizes in row order
    color_refs: dict[str, Ref] = field(default_factory=dict)
    size_refs: dict[str, Ref] = field(default_factory=dict)
    cells: dict[tuple[str, str], int] = field(default_factory=dict)  # -> row that gave it
    # sku, jan, sold_out, stock: (colour, size) -> the cell's value
    codes: dict[str, dict[tuple[str, str], Fact]] = field(default_factory=dict)
    # (currency, price list) -> size -> the price the rows give it
    prices: dict[tuple[str, str], dict[str, Fact]] = field(default_factory=dict)
    # (colour, language) -> the delivery the colour's first row with one gives
    color_deliveries: dict[tuple[str, str], Fact] = field(default_factory=dict)
    pack: dict[str, Fact] = field(default_factory=dict)  # size -> its units in one pack
    broken: bool = False


@dataclass(frozen=True)
class SheetStyle:
    """What the sheet says about one style: only the values it gives, and where it gives them."""

    style_no: str
    row: int
    texts: dict[str, dict[str, str]]  # field -> language ("" for every language) -> text
    colors: list[tuple[str, dict[str, str]]]  # (code, language -> name), in sheet order
    sizes: list[str]
    prices: dict[str, dict[str, str]]  # currency -> price list -> amount
    size_prices: dict[str, dict[str, dict[str, str]]]  # size -> currency -> list: priced apart
    counts: dict[str, str]  # moq, multiple
    sold_out: dict[str, list[str]] | None  # None when the sheet has no sold-out column
    stock: dict[str, dict[str, int]] | None  # units per cell (0: none); None: no column
    # colour -> language -> its delivery where its rows give one other than the style's, or
    # the style's where they give that (the colour then ships with its style)
    color_deliveries: dict[str, dict[str, str]]
    skus: dict[str, dict[str, str]]
    jan: dict[str, dict[str, str]]
    pack: dict[str, int] | None  # size -> its units in one pack; None: no pack column
    sources: dict[FieldPath, Ref]  # path in the style's data -> the cell it came from
    broken: bool  # a row of the style had a problem


def to_style(draft: StyleDraft, columns: Columns) -> SheetStyle:
    """Turn a draft into the values the sheet gives, each with its cell."""
    sources: dict[FieldPath, Ref] = {("style_no",): (draft.ref[0],
                                                     columns.single["style_no"].position)}
    texts: dict[str, dict[str, str]] = {}
    prices: dict[str, dict[str, str]] = {}
    counts: dict[str, str] = {}
    size_prices: dict[str, dict[str, dict[str, str]]] = {}
    for (currency, price_list), by_size in draft.prices.items():
        base = _base_price(by_size)
        prices.setdefault(currency, {})[price_list] = base.value
        sources[("prices", currency, price_list)] = base.ref
        for size, fact in by_size.items():
            if fact.value != base.value and Decimal(fact.value) != Decimal(base.value):
                size_prices.setdefault(size, {}).setdefault(currency, {})[price_list] = fact.value
                sources[("size_prices", size, currency, price_list)] = fact.ref
    for key, fact in draft.facts.items():
        if key[0] in COUNT_FIELDS:
            counts[key[0]] = fact.value
            sources[key] = fact.ref
        elif key[0] != "colors":
            texts.setdefault(key[0], {})[key[1]] = fact.value
            sources.setdefault((key[0],), fact.ref)
            if key[1]:
                sources[key] = fact.ref
    sizes = order_sizes(list(draft.colors.values()))
    colors: list[tuple[str, dict[str, str]]] = []
    for index, code in enumerate(draft.colors):
        names: dict[str, str] = {}
        ref = draft.color_refs[code]
        sources[("colors", index)] = sources[("colors", index, "code")] = ref
        sources[("colors", index, "name")] = ref
        for key, fact in draft.facts.items():
            if key[:2] == ("colors", code):
                names[key[3]] = fact.value
                sources[("colors", index, "name")] = fact.ref
                if key[3]:
                    sources[("colors", index, "name", key[3])] = fact.ref
        colors.append((code, names))
    if sizes:
        sources[("sizes",)] = draft.size_refs[sizes[0]]
    for index, size in enumerate(sizes):
        sources[("sizes", index)] = draft.size_refs[size]
    maps: dict[str, dict[str, dict[str, str]]] = {}
    for name, cells in draft.codes.items():
        for (color, size), fact in cells.items():
            maps.setdefault(name, {}).setdefault(color, {})[size] = fact.value
            sources.setdefault((name, color), fact.ref)
            sources[(name, color, size)] = fact.ref
    sold_out = None
    if "sold_out" in columns.single:
        flags = maps.get("sold_out", {})
        sold_out = {color: [size for size in sizes if flags.get(color, {}).get(size) == "yes"]
                    for color in draft.colors}
        sold_out = {color: cells for color, cells in sold_out.items() if cells}
    stock = None
    if "stock" in columns.single:
        stock = {color: {size: int(units) for size, units in cells.items()}
                 for color, cells in maps.get("stock", {}).items()}
    color_deliveries: dict[str, dict[str, str]] = {}
    for (color, language), fact in draft.color_deliveries.items():
        color_deliveries.setdefault(color, {})[language] = fact.value
        index = list(draft.colors).index(color) if color in draft.colors else -1
        if index >= 0:
            sources.setdefault(("colors", index, "delivery"), fact.ref)
    size_prices = {size: size_prices[size] for size in sizes if size in size_prices}
    pack = None
    if "pack" in columns.single:
        pack = {size: int(draft.pack[size].value) for size in sizes if size in draft.pack}
        for size in pack:
            sources.setdefault(("pack",), draft.pack[size].ref)
            sources[("pack", size)] = draft.pack[size].ref
    return SheetStyle(draft.style_no, draft.ref[0], texts, colors, sizes, prices, size_prices,
                      counts, sold_out, stock, color_deliveries, maps.get("sku", {}),
                      maps.get("jan", {}), pack, sources, draft.broken)


def _base_price(by_size: dict[str, Fact]) -> Fact:
    """The style's price of a list: the one most of its sizes have (the others are priced
    apart); between as many, the first row's."""
    facts = iter(by_size.values())
    first = next(facts)
    if all(fact.value == first.value for fact in facts):
        return first  # one price for every size: the common case, for every style of a sheet
    counts = Counter(Decimal(fact.value) for fact in by_size.values())
    most = max(counts.values())
    return min((fact for fact in by_size.values() if counts[Decimal(fact.value)] == most),
               key=lambda fact: fact.row)


def order_sizes(sequences: list[list[str]]) -> list[str]:
    """Merge each colour's sizes into one run: a size first seen in a later colour goes before
    the size that follows it there (BLK: M L, ECR: S M -> S M L)."""
    order: list[str] = []
    for sequence in sequences:
        for position, size in enumerate(sequence):
            if size in order:
                continue
            later = next((s for s in sequence[position + 1:] if s in order), None)
            order.insert(order.index(later) if later is not None else len(order), size)
    return order
