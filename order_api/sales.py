"""Sales: the standing orders of a selection -> what sold, grouped by style, buyer, country or
link: orders, units and the amount before tax in each currency, best sellers first. For a
season's review (which styles to carry on, which buyers to call first), beside `totals`,
which says what to produce.

Amounts are the orders' own (as amended), before tax, never converted: a buyer who ordered in
yen and in dollars has a sum in each. Names are in the brand's default language where the
manifest has them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from generator.i18n import format_money, translate
from generator.manifest import Manifest
from generator.text_table import columns
from order_api.schemas import Order

By = Literal["style", "buyer", "country", "link"]
# What names a group in each grouping, before the figures (CSV and XLSX column names).
LABELS: dict[By, tuple[str, ...]] = {
    "style": ("season", "style_no", "style_name"),
    "buyer": ("buyer_company", "buyer_name", "buyer_email"),
    "country": ("country",),
    "link": ("link",),
}
FIGURES = ("currency", "amount_before_tax", "units", "orders")


@dataclass
class Group:
    """One style, buyer, country or link with what its orders came to."""

    labels: tuple[str, ...]
    orders: set[str] = field(default_factory=set)
    units: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)  # currency -> before tax


def sales(orders: Iterable[Order], by: By, manifest: Manifest | None) -> list[Group]:
    """Group the orders' lines (by style) or the orders (by buyer, country, link), most units
    first, then by their labels."""
    found: dict[tuple[str, ...], Group] = {}
    names = _style_names(manifest)

    def add(key: tuple[str, ...], labels: tuple[str, ...], order: Order, units: int,
            amount: Decimal) -> None:
        group = found.setdefault(key, Group(labels))
        group.orders.add(order.order_number)
        group.units += units
        group.amounts[order.currency] = group.amounts.get(order.currency, Decimal(0)) + amount

    for order in orders:
        if by == "style":
            for line in order.lines:
                style = (order.season, line.style_no)
                add(style, (*style, names.get(style, line.name)), order, line.quantity,
                    Decimal(line.amount))
            continue
        buyer = order.buyer
        key: tuple[str, ...] = {"buyer": (buyer.email.lower(),),
                                "country": (order.address.country if order.address else "-",),
                                "link": (order.link,)}[by]
        labels = ((buyer.company or "", buyer.name, buyer.email) if by == "buyer" else key)
        add(key, labels, order, sum(line.quantity for line in order.lines),
            Decimal(order.subtotal))
    return sorted(found.values(), key=lambda group: (-group.units, group.labels))


def sales_text(groups: Sequence[Group], by: By, orders: int) -> str:
    """A table, best sellers first, with the selection's sums per currency."""
    if not groups:
        return "no orders match"
    heads = {"style": ("season", "style", "name"), "buyer": ("buyer", "contact", "e-mail"),
             "country": ("country",), "link": ("link",)}[by]
    rows = [(*heads, "orders", "units", "before tax")]
    for group in groups:
        rows.append((*group.labels, str(len(group.orders)), str(group.units),
                     money_sums(group.amounts)))
    first = len(heads)
    units = sum(group.units for group in groups)
    total: dict[str, Decimal] = {}
    for group in groups:
        for currency, amount in group.amounts.items():
            total[currency] = total.get(currency, Decimal(0)) + amount
    return "\n".join([*columns(rows, right={first, first + 1, first + 2}), "",
                      f"{orders} order{'s' if orders != 1 else ''}, {units} units; before tax "
                      f"{money_sums(total)}"])


def sales_rows(groups: Sequence[Group]) -> list[tuple[tuple[str | int | Decimal, ...], str]]:
    """One row per group and currency, labels then FIGURES; with each row's currency."""
    return [((*group.labels, currency, amount, group.units, len(group.orders)), currency)
            for group in groups for currency, amount in sorted(group.amounts.items())]


def _style_names(manifest: Manifest | None) -> dict[tuple[str, str], str]:
    """Each style's name in the brand's default language, by season and style number."""
    if manifest is None:
        return {}
    language = manifest.brand.default_language
    return {(season.id, style.style_no): translate(style.name, language, language)
            for season in manifest.seasons.values() for style in season.styles}


def money_sums(amounts: dict[str, Decimal]) -> str:
    """Amounts in several currencies, each formatted, joined by +."""
    return " + ".join(format_money(amount, currency, "en")
                      for currency, amount in sorted(amounts.items()))
