"""Order totals: the standing orders of a selection -> the units ordered of each style, colour
and size, what a brand produces or buys from its factories (a "cut sheet").

Styles come in the season's order, and each style's whole size run, when the manifest the
endpoint serves is there; otherwise in the order they first appear in the orders (a style or
colour gone from the content since keeps its place after the others). Names are in the brand's
default language where the manifest has them, else as the first order line gave them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from generator.i18n import translate
from generator.manifest import Manifest
from generator.text_table import columns
from order_api.schemas import Order

COLUMNS = ("season", "style_no", "style_name", "color", "color_name", "size", "sku", "jan",
           "units", "orders")


@dataclass
class StyleTotal:
    """A style's units by colour and size, with the numbers of the orders that take each."""

    season: str
    style_no: str
    name: str
    colors: dict[str, str] = field(default_factory=dict)  # code -> name, in order
    sizes: list[str] = field(default_factory=list)  # in the size run's order
    units: dict[tuple[str, str], int] = field(default_factory=dict)  # (colour, size) -> units
    orders: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    codes: dict[tuple[str, str], tuple[str | None, str | None]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Every unit of the style ordered."""
        return sum(self.units.values())


def style_totals(orders: Iterable[Order], manifest: Manifest | None) -> list[StyleTotal]:
    """Sum the orders' lines per style, colour and size, in the content's order."""
    found: dict[tuple[str, str], StyleTotal] = {}
    for order in orders:
        for line in order.lines:
            key = (order.season, line.style_no)
            style = found.get(key)
            if style is None:
                style = found[key] = StyleTotal(order.season, line.style_no, line.name)
            style.colors.setdefault(line.color, line.color_name)
            if line.size not in style.sizes:
                style.sizes.append(line.size)
            cell = (line.color, line.size)
            style.units[cell] = style.units.get(cell, 0) + line.quantity
            style.orders.setdefault(cell, set()).add(order.order_number)
            style.codes.setdefault(cell, (line.sku, line.jan))
    if manifest is not None:
        _in_content_order(found, manifest)
    return list(found.values())


def _in_content_order(found: dict[tuple[str, str], StyleTotal], manifest: Manifest) -> None:
    """Reorder `found` (in place) by the seasons' styles, colours and size runs; name them in
    the brand's default language."""
    language = manifest.brand.default_language
    place: dict[tuple[str, str], tuple[int, int]] = {}
    for season_rank, season in enumerate(manifest.seasons.values()):
        for style_rank, content in enumerate(season.styles):
            key = (season.id, content.style_no)
            place[key] = (season_rank, style_rank)
            style = found.get(key)
            if style is None:
                continue
            style.name = translate(content.name, language, language)
            # The whole size run, as the grid on the pages; a size since dropped after it.
            style.sizes = [*content.sizes,
                           *(size for size in style.sizes if size not in content.sizes)]
            named = {color.code: translate(color.name, language, language)
                     for color in content.colors}
            ranks = {code: rank for rank, code in enumerate(named)}
            style.colors = {code: named.get(code, name) for code, name in sorted(
                style.colors.items(), key=lambda item: ranks.get(item[0], len(ranks)))}
    last = (len(manifest.seasons), 0)
    ordered = sorted(found.items(), key=lambda item: place.get(item[0], last))
    found.clear()
    found.update(ordered)


def totals_text(styles: Sequence[StyleTotal], orders: int) -> str:
    """Each style as a colour × size grid of units, with its totals; a summary line."""
    if not styles:
        return "no orders match"
    blocks = []
    for style in styles:
        header = ("colour", *style.sizes, "units")
        rows = [header]
        for code, name in style.colors.items():
            counts = [style.units.get((code, size), 0) for size in style.sizes]
            rows.append((f"{code} {name}", *(str(n) if n else "-" for n in counts),
                         str(sum(counts))))
        sums = [sum(style.units.get((code, size), 0) for code in style.colors)
                for size in style.sizes]
        rows.append(("total", *(str(n) if n else "-" for n in sums), str(style.total)))
        right = set(range(1, len(header)))
        blocks.append("\n".join([f"{style.season} · {style.style_no} {style.name}",
                                 *columns(rows, right)]))
    units = sum(style.total for style in styles)
    cells = sum(len(style.units) for style in styles)
    plural = "s" if cells != 1 else ""
    return "\n\n".join([*blocks, f"{orders} order{'s' if orders != 1 else ''}; "
                        f"{len(styles)} style{'s' if len(styles) != 1 else ''}, {cells} "
                        f"colour{plural} and size{plural}, {units} units"])


def totals_rows(styles: Sequence[StyleTotal]) -> list[tuple[str | int | None, ...]]:
    """One row per style, colour and size ordered, in COLUMNS order."""
    return [(style.season, style.style_no, style.name, code, name, size,
             *style.codes[(code, size)], style.units[(code, size)],
             len(style.orders[(code, size)]))
            for style in styles for code, name in style.colors.items()
            for size in style.sizes if (code, size) in style.units]
