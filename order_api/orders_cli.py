"""`linesheets orders` list, show, export, totals, cancel, stock, resend: the order store
(DATABASE_URL, as the endpoint) x a selection -> the text, export bytes or confirmation page
the command prints or writes (docs/orders.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from babel.numbers import get_currency_precision

from generator.errors import LinesheetsError
from order_api.back_office import (
    Scope,
    needs_manifest,
    one_line,
    opened,
    order_filter,
    order_of,
    right_now,
    setting_of,
    write_atomically,
)
from order_api.confirmation import render_confirmation
from order_api.export import Format, Row, export_csv, export_json, export_rows, export_xlsx
from order_api.order_text import format_time, list_table, order_details, stock_table, units
from order_api.ordering import stocked_cells
from order_api.sales import FIGURES as SALES_FIGURES
from order_api.sales import LABELS as SALES_LABELS
from order_api.sales import By, sales, sales_rows, sales_text
from order_api.schemas import Order, PricedLine
from order_api.store import CHANNELS, Channel, shipped_units
from order_api.totals import COLUMNS as TOTAL_COLUMNS
from order_api.totals import style_totals, totals_rows, totals_text


def list_orders(scope: Scope, to_ship: bool = False) -> str:
    """The orders of a selection as a table with a summary line (`to_ship`: only the
    standing ones with units still to ship)."""
    setting = setting_of(scope)
    if to_ship and scope.status is None:  # a cancelled order does not ship
        scope = dataclasses.replace(scope, status="placed")
    with opened(scope) as store:
        shipped = {number: sum(shipped_units(shipments).values())
                   for number, shipments in store.shipments().items()}
        orders = list(store.orders(order_filter(scope, setting.zone)))
        cancelled = store.cancellations()
    if to_ship:
        orders = [order for order in orders if order.order_number not in cancelled
                  and shipped.get(order.order_number, 0) < units(order)]
    return list_table(orders, setting.zone, cancelled, shipped)


def show_order(scope: Scope, number: str) -> str:
    """One order with its breakdown, totals and notifications."""
    setting = setting_of(scope)
    with opened(scope) as store:
        order = order_of(store, number)
        return order_details(order, store.notifications(number), setting.zone,
                             store.cancellations([number]).get(number), store.invoices(number),
                             store.amendments([number]).get(number, []),
                             store.shipments([number]).get(number, []))


def print_order(scope: Scope, number: str, out: Path) -> None:
    """Write an order's printable confirmation page to `out`, atomically."""
    setting = setting_of(scope)
    with opened(scope) as store:
        order = order_of(store, number)
        cancellation = store.cancellations([number]).get(number)
        amended = store.amendments([number]).get(number, [])
    page = render_confirmation(order, setting.zone, setting.brand, setting.manifest,
                               cancellation, amended[-1] if amended else None)
    write_atomically(out, page.encode("utf-8"))


def export_orders(scope: Scope, form: Format) -> tuple[bytes, int, int]:
    """The orders of a selection in a format, with the number of orders and of line rows."""
    setting = setting_of(scope)
    with opened(scope) as store:
        orders = list(store.orders(order_filter(scope, setting.zone)))
        cancelled = store.cancellations()
        amended = {number: each[-1] for number, each in store.amendments().items()}
        shipments = store.shipments()
    rows = export_rows(orders, setting.zone, cancelled, amended, shipments)
    data = (export_json(orders, cancelled, amended, shipments) if form == "json"
            else export_csv(rows) if form == "csv" else export_xlsx(rows))
    return data, len(orders), len(rows)


def order_totals(scope: Scope, form: Literal["text", "csv", "xlsx"],
                 to_ship: bool = False) -> tuple[bytes, int, int]:
    """The units ordered of each style, colour and size in the selection's standing orders
    (or, with --status cancelled, its cancelled ones; with `to_ship`, only the units of their
    lines not shipped yet: the pick list), as a text grid per style or one row per colour and
    size;
    with the number of orders and of rows."""
    setting = setting_of(scope)
    if scope.status is None:  # a cancelled order is not produced
        scope = dataclasses.replace(scope, status="placed")
    with opened(scope) as store:
        orders = list(store.orders(order_filter(scope, setting.zone)))
        if to_ship:
            shipped = {number: shipped_units(shipments)
                       for number, shipments in store.shipments().items()}
            orders = [order.model_copy(update={"lines": left}) for order in orders
                      if (left := _left_to_ship(order, shipped.get(order.order_number, {})))]
    styles = style_totals(orders, setting.manifest)
    if form == "text":
        return (totals_text(styles, len(orders)) + "\n").encode(), len(orders), len(styles)
    rows = [Row(cells, 0) for cells in totals_rows(styles)]
    data = (export_csv(rows, TOTAL_COLUMNS) if form == "csv"
            else export_xlsx(rows, TOTAL_COLUMNS, "Totals"))
    return data, len(orders), len(rows)


def _left_to_ship(order: Order, shipped: Mapping[tuple[str, str, str], int]) -> list[PricedLine]:
    """The order's lines with the units each has still to ship, those with none left out."""
    return [line.model_copy(update={"quantity": left}) for line in order.lines
            if (left := line.quantity - shipped.get((line.style_no, line.color, line.size), 0))
            > 0]


def order_sales(scope: Scope, by: By, form: Literal["text", "csv", "xlsx"]
                ) -> tuple[bytes, int, int]:
    """What the selection's standing orders sold, by style, buyer, country or link, as a
    table or one row per group and currency; with the number of orders and of groups."""
    setting = setting_of(scope)
    if scope.status is None:  # a cancelled order sold nothing
        scope = dataclasses.replace(scope, status="placed")
    with opened(scope) as store:
        orders = list(store.orders(order_filter(scope, setting.zone)))
    groups = sales(orders, by, setting.manifest)
    if form == "text":
        return (sales_text(groups, by, len(orders)) + "\n").encode(), len(orders), len(groups)
    rows = [Row(cells, get_currency_precision(currency)) for cells, currency
            in sales_rows(groups)]
    names = (*SALES_LABELS[by], *SALES_FIGURES)
    data = (export_csv(rows, names) if form == "csv" else export_xlsx(rows, names, "Sales"))
    return data, len(orders), len(groups)


def cancel_order(scope: Scope, number: str, reason: str | None) -> str:
    """Cancel a stored order (its units go back to the stock); say what happened."""
    reason = one_line(reason)
    setting = setting_of(scope)
    with opened(scope) as store:
        shipments = store.shipments([number]).get(number)
        if shipments:
            raise LinesheetsError(
                f"order {number} has shipped lines (shipment 1 on "
                f"{shipments[0].shipped_on.isoformat()}): it cannot be cancelled; amend the "
                "lines still to ship instead (`linesheets orders amend`)")
        done = store.cancel(number, reason, right_now())
        if done is None:
            raise LinesheetsError(f"no order '{number}' in the order store; "
                                  "`linesheets orders list` shows the numbers")
        announced = sorted(note.channel for note in store.notifications(number)
                           if note.event == "order.cancelled")
    cancellation, new = done
    when = format_time(cancellation.at, setting.zone)
    why = f" ({cancellation.reason})" if cancellation.reason else ""
    if not new:
        return f"order {number} was already cancelled at {when}{why}: nothing changed"
    told = (f"announced like the order ({', '.join(announced)}): the running endpoint sends "
            "it within a minute" if announced else
            "no e-mail or webhook was set up for the order: tell the buyer yourself")
    return f"cancelled order {number} at {when}{why}; its units are back in the stock; {told}"


def stock_levels(scope: Scope) -> str:
    """What orders took and left of each colour and size with a stock (of --season), from
    the manifest the endpoint serves and the stored orders."""
    manifest = needs_manifest("the stock is the built content's")
    if scope.season is not None and scope.season not in manifest.seasons:
        raise LinesheetsError(f"no season '{scope.season}' in the manifest; it has "
                              f"{', '.join(sorted(manifest.seasons))}")
    stock = {cell: units for season in manifest.seasons.values()
             if scope.season in (None, season.id)
             for cell, units in stocked_cells(season).items()}
    with opened(scope) as store:
        taken = store.taken(list(stock))
    return stock_table([(*cell, units, taken.get(cell, 0)) for cell, units in stock.items()])


def resend_notifications(scope: Scope, number: str, channel: Channel | None) -> str:
    """Queue an order's given-up notifications (of one channel) again; say what happened."""
    with opened(scope) as store:
        order_of(store, number)
        queued = store.resend(number, (channel,) if channel else CHANNELS,
                              right_now())
        if queued:
            return (f"queued again for order {number}: {', '.join(queued)}; the running "
                    "endpoint sends them within a minute (`linesheets orders show "
                    f"{number}` tells how they went)")
        states = {note.channel: note.state for note in store.notifications(number)}
    wanted = [channel] if channel else sorted(states)
    if not states or (channel and channel not in states):
        return (f"order {number} has no {channel + ' ' if channel else ''}notification to "
                "send: none was set up when it was placed")
    standing = ", ".join(f"{name} {states[name]}" for name in wanted if name in states)
    return f"nothing to resend for order {number}: none was given up ({standing})"
