"""Order display, in packs: the lines of a style sold in packs (one a size, each with the units
of its size in a pack, `PricedLine.pack`) -> how many packs of each colour the buyer ordered,
as the cart showed them, for an order's e-mails, its printable pages, `linesheets orders show`.

The lines stay as they are stored, a size each (what the stock, the shipments, the invoice's
items and an ERP count); the packs are said once, beside each colour's first line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from order_api.schemas import PricedLine

Ngettext = Callable[[str, str, int], str]


@dataclass(frozen=True)
class ColourPacks:
    """The packs of one colour of an order: how many, and what one holds."""

    count: int
    sizes: tuple[tuple[str, int], ...]  # each size of the pack with its units, as ordered

    def text(self, ngettext: Ngettext) -> str:
        """E.g. "3 packs of XS×1 S×2 M×2 L×2 XL×1", in the language of `ngettext`."""
        return ngettext("%(num)d pack of %(sizes)s", "%(num)d packs of %(sizes)s",
                        self.count) % {"num": self.count, "sizes": " ".join(
                            f"{size}×{units}" for size, units in self.sizes)}


def colour_packs(lines: Sequence[PricedLine]) -> dict[int, ColourPacks]:
    """Each colour of a style sold in packs, by the position of its first line among `lines`.

    A colour whose sizes are not the same whole number of packs is left out, its lines saying
    what it holds (the endpoint and amendments keep whole packs; lines stored before they
    carried their pack name none and are not counted at all).
    """
    colours: dict[tuple[str, str], list[tuple[int, PricedLine, int]]] = {}
    for position, line in enumerate(lines):
        if line.pack is not None:
            colours.setdefault((line.style_no, line.color), []).append((position, line, line.pack))
    found: dict[int, ColourPacks] = {}
    for sizes in colours.values():
        counts = {divmod(line.quantity, pack) for _, line, pack in sizes}
        if len(counts) == 1 and (count := counts.pop())[1] == 0 and count[0] > 0:
            found[sizes[0][0]] = ColourPacks(count[0], tuple(
                (line.size, pack) for _, line, pack in sizes))
    return found


def pack_notes(lines: Sequence[PricedLine], ngettext: Ngettext) -> tuple[str | None, ...]:
    """What to say beside each line: its colour's packs on the colour's first line, in the
    language of `ngettext`; None elsewhere."""
    packs = colour_packs(lines)
    return tuple(packs[at].text(ngettext) if at in packs else None for at in range(len(lines)))
