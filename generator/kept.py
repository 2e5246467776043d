"""Render stage, between builds: the style cards, formatted amounts and QR codes of the last
build -> the next build, keyed by what they were made from, so a rebuild after one style's
price changed does not render every card of the 48 linesheets again, nor ask Babel for every
price, nor encode each linesheet's QR code.

A card's key is the key of its inputs (`inputs.card_inputs`: the style without its prices,
its pictures, the language's catalog, the card's templates, the generator's code); an
amount's is the amount, currency and language; a QR code's its address and title; all in a
file named for the generator's code and libraries (Babel's and segno's versions among them).
An entry is only ever the bytes a fresh render would give, so a stale or foreign file costs
time, never a different page.
"""

from __future__ import annotations

import marshal
import os
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from generator.i18n import format_money
from generator.qr import qr_svg

# A file past this many entries of a kind keeps only this build's new ones: edits leave
# cards of old versions of a style behind, and nothing else removes them.
LIMIT = 1 << 18
_Amount = tuple[str, str, str]  # (amount, currency, language)
Additions = tuple[dict[str, str], dict[_Amount, str]]


@dataclass
class KeptRenders:
    """Cards and amounts of the last build, and those this process added."""

    path: Path | None = None  # where they are kept; None: nowhere (one build only)
    cards: dict[str, str] = field(default_factory=dict)  # inputs key -> HTML
    amounts: dict[_Amount, str] = field(default_factory=dict)
    added_cards: dict[str, str] = field(default_factory=dict)
    added_amounts: dict[_Amount, str] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path, version: str) -> KeptRenders:
        """Read the last build's file for this version of the generator (`version`); an
        absent or unreadable one means starting empty."""
        path = folder / f"{version}-py{sys.version_info[0]}.{sys.version_info[1]}.marshal"
        try:
            data = marshal.loads(path.read_bytes())
            cards, amounts = data["cards"], data["amounts"]
            if isinstance(cards, dict) and isinstance(amounts, dict):
                return cls(path, cards, amounts)
        except (OSError, EOFError, ValueError, TypeError, KeyError):
            pass
        return cls(path)

    def card(self, key: str) -> str | None:
        """A card rendered from these inputs before, or None."""
        return self.cards.get(key)

    def add_card(self, key: str, html: str) -> None:
        """Keep a card just rendered."""
        self.cards[key] = self.added_cards[key] = html

    def money(self, amount: Decimal, currency: str, language: str) -> str:
        """Format an amount as `i18n.format_money` does, once across builds."""
        key = (str(amount), currency, language)
        text = self.amounts.get(key)
        if text is None:
            text = self.amounts[key] = self.added_amounts[key] = format_money(
                amount, currency, language)
        return text

    def qr_code(self, address: str, label: str) -> str:
        """The QR code of an address as `qr.qr_svg` makes it (5 ms), once across builds: a
        price edit re-renders every linesheet that shows the style, whose addresses stay."""
        key = f"qr\0{label}\0{address}"  # beside the cards' hex keys, never one of them
        svg = self.cards.get(key)
        if svg is None:
            svg = self.cards[key] = self.added_cards[key] = qr_svg(address, label)
        return svg

    def draws_qr_codes(self) -> bool:
        """Whether this build draws its QR codes itself: none were kept (a first build, or
        its cache emptied); a later build finds the code of every address it had here."""
        return not any(key.startswith("qr\0") for key in self.cards)

    def additions(self) -> Additions:
        """What this process added (a render worker sends it to the parent)."""
        return self.added_cards, self.added_amounts

    def take_additions(self) -> Additions:
        """What this process added, handed over and forgotten: a render process moving on
        to another language shows none of those cards and amounts again (they are per
        language), and holding them to the end was ~2 MiB a process on the 24k-page bench."""
        cards, amounts = self.added_cards, self.added_amounts
        for card in cards:
            del self.cards[card]
        for amount in amounts:
            del self.amounts[amount]
        self.added_cards, self.added_amounts = {}, {}
        return cards, amounts

    def absorb(self, additions: Additions) -> None:
        """Take in what a render worker added."""
        cards, amounts = additions
        self.cards.update(cards)
        self.added_cards.update(cards)
        self.amounts.update(amounts)
        self.added_amounts.update(amounts)

    def save(self) -> None:
        """Write the file for the next build (once this build has succeeded) and remove the
        files of other versions; a cache that cannot be written only costs time."""
        if self.path is None or not (self.added_cards or self.added_amounts):
            return
        cards = self.cards if len(self.cards) <= LIMIT else self.added_cards
        amounts = self.amounts if len(self.amounts) <= LIMIT else self.added_amounts
        folder = self.path.parent
        temporary = folder / f".{self.path.name}.{os.getpid()}.tmp"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(marshal.dumps({"cards": cards, "amounts": amounts}))
            temporary.replace(self.path)
            for other in folder.iterdir():
                if other != self.path and not other.name.startswith("."):
                    other.unlink(missing_ok=True)
        except OSError:
            temporary.unlink(missing_ok=True)
