"""`linesheets orders activity`: what buyers did on each link over a selection of days (pages
viewed, sealed pages opened, carts priced, orders placed, what the orders came to), the
latest first, so a brand sees who looked at the collection and did not order yet: a customer
link is one buyer's, the first to call.

The endpoint counts the views, openings and priced carts per UTC day (order_api/activity.py):
a selection by day takes the whole UTC days it touches; the orders are selected to the moment.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from babel.numbers import get_currency_precision

from generator.text_table import columns
from order_api.back_office import Scope, opened, order_filter, setting_of
from order_api.export import Row, export_csv, export_xlsx
from order_api.order_text import format_time
from order_api.sales import money_sums


@dataclass
class LinkActivity:
    """One link's activity over the selection."""

    link: str
    viewed: int = 0
    unlocked: int = 0
    quoted: int = 0
    orders: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)  # currency -> before tax
    last: datetime | None = None

    def seen(self, moment: datetime) -> None:
        self.last = moment if self.last is None else max(self.last, moment)


COLUMNS = ("link", "kind", "pages_viewed", "unlocked", "carts_priced", "orders", "currency",
           "amount_before_tax", "last_seen")


def link_activity(scope: Scope, form: Literal["text", "csv", "xlsx"] = "text"
                  ) -> tuple[bytes, int]:
    """The links' activity, the latest first: a table with the selection's sums (text), or
    one row per link and currency of its orders (CSV, XLSX); with the number of links."""
    setting = setting_of(scope)
    where = order_filter(dataclasses.replace(scope, status="placed"), setting.zone)
    found: dict[str, LinkActivity] = {}
    with opened(scope) as store:
        for each in store.activity(_day(where.since), _day(where.until, after=True),
                                   scope.link):
            row = found.setdefault(each.link, LinkActivity(each.link))
            if each.event == "viewed":
                row.viewed += each.count
            elif each.event == "unlocked":
                row.unlocked += each.count
            else:
                row.quoted += each.count
            row.seen(each.last_at)
        for order in store.orders(where):
            row = found.setdefault(order.link, LinkActivity(order.link))
            row.orders += 1
            row.amounts[order.currency] = (row.amounts.get(order.currency, Decimal(0))
                                           + Decimal(order.subtotal))
            row.seen(order.received_at)
    kinds: dict[str, str] = ({slug: link.kind for slug, link in setting.manifest.links.items()}
                             if setting.manifest else {})
    rows = sorted(found.values(), key=_latest_first)
    if form == "text":
        text = _table(rows, kinds, setting.zone) if rows else "no activity or orders match"
        return (text + "\n").encode(), len(rows)
    none: list[tuple[str, Decimal | None]] = [("", None)]  # a link without orders: one row
    table = [Row((row.link, kinds.get(row.link, ""), row.viewed, row.unlocked, row.quoted,
                  row.orders, currency, amount,
                  row.last.astimezone(setting.zone) if row.last else None),
                 get_currency_precision(currency) if currency else 0)
             for row in rows
             for currency, amount in (sorted(row.amounts.items()) or none)]
    data = export_csv(table, COLUMNS) if form == "csv" else export_xlsx(table, COLUMNS,
                                                                        "Activity")
    return data, len(rows)


def _table(rows: list[LinkActivity], kinds: Mapping[str, str], zone: ZoneInfo) -> str:
    head = ("link", "kind", "pages viewed", "unlocked", "carts priced", "orders",
            "before tax", f"last seen ({zone.key})")
    lines = [head, *((row.link, kinds.get(row.link, "-"), str(row.viewed), str(row.unlocked),
                      str(row.quoted), str(row.orders),
                      money_sums(row.amounts) if row.amounts else "-",
                      format_time(row.last, zone) if row.last else "-") for row in rows)]
    viewed = sum(row.viewed for row in rows)
    unlocked = sum(row.unlocked for row in rows)
    quoted = sum(row.quoted for row in rows)
    orders = sum(row.orders for row in rows)
    return "\n".join([*columns(lines, right={2, 3, 4, 5, 6}), "",
                      f"{len(rows)} link{'s' if len(rows) != 1 else ''}: {viewed} "
                      f"page{'s' if viewed != 1 else ''} viewed, unlocked {unlocked} "
                      f"time{'s' if unlocked != 1 else ''}, {quoted} "
                      f"cart{'s' if quoted != 1 else ''} priced, {orders} "
                      f"order{'s' if orders != 1 else ''}; days of views, unlocks and carts "
                      "are UTC days"])


def _latest_first(row: LinkActivity) -> tuple[float, str]:
    return (-(row.last or datetime.min.replace(tzinfo=UTC)).timestamp(), row.link)


def _day(moment: datetime | None, after: bool = False) -> date | None:
    """The UTC day of a selection's bound: from the day `moment` falls in, or (`after`) up to
    the end of the day before it, whole."""
    if moment is None:
        return None
    if after:
        return (moment - timedelta(microseconds=1)).astimezone(UTC).date() + timedelta(days=1)
    return moment.astimezone(UTC).date()
