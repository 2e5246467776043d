"""Render stage, between builds of one process (a watch): each linesheet's cards as placed on
it, with the page's link and price -> the next build, so a rebuild after one style's price
changed renders that style's card on the 48 linesheets that list it, and takes the other
cards of those pages as they were.

A placed card is kept under two keys from `inputs.page_inputs`: its linesheet's inputs
without the styles (the link, offer, state and sealing key, the seasons, the brand, the
templates and the language's catalog) and the style's as pages in that currency show it (its
content, pictures and prices). Whatever a card shows is read from one or the other, as the
page key it is part of is (`inputs.py`), so a kept card is the card a fresh render gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup

from generator.models import Product
from generator.plan import PagePlan

_Cards = dict[tuple[str, bool], tuple[str, Markup]]  # (style, lazy) -> (style's key, card)


@dataclass
class PlacedCards:
    """Cards by linesheet, kept across builds; the keys of the build under way."""

    # path -> (the page's key without its styles, its cards)
    pages: dict[str, tuple[str, _Cards]] = field(default_factory=dict)
    bases: dict[str, str] = field(default_factory=dict)  # a linesheet's key without its styles
    styles: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (season, style, cur)

    def start(self) -> None:
        """Forget the last build's keys; `inputs.page_inputs` sets this build's."""
        self.bases, self.styles = {}, {}

    def on(self, page: PagePlan) -> PageCards | None:
        """The cards kept for a linesheet, or None when this build has no key for it."""
        base = self.bases.get(page.path)
        if base is None:
            return None
        slot = self.pages.get(page.path)
        if slot is None or slot[0] != base:
            slot = self.pages[page.path] = (base, {})
        return PageCards(slot[1], self.styles, page.season or "", page.currency or "")


@dataclass(frozen=True, slots=True)
class PageCards:
    """One linesheet's kept cards, and this build's key of each style in its currency."""

    cards: _Cards
    styles: dict[tuple[str, str, str], str]
    season: str
    currency: str

    def card(self, product: Product, lazy: bool,
             render: Callable[[Product, bool], Markup]) -> Markup:
        """A style's card on the page: kept, or rendered and kept."""
        style_no = product.style_no
        style = self.styles.get((self.season, style_no, self.currency))
        if style is None:
            return render(product, lazy)
        known = self.cards.get((style_no, lazy))
        if known is not None and known[0] == style:
            return known[1]
        card = render(product, lazy)
        self.cards[(style_no, lazy)] = (style, card)
        return card


_kept: PlacedCards | None = None


def keep_placed_cards() -> None:
    """Keep placed cards in this process from now on (it builds again: a watch)."""
    global _kept
    _kept = _kept or PlacedCards()


def placed_cards() -> PlacedCards | None:
    """The placed cards this process keeps, ready for a new build; None when it keeps none."""
    if _kept is not None:
        _kept.start()
    return _kept
