"""`linesheets orders amend | ship`: the brand's changes to a standing order, its
quantities amended and its lines shipped, each recorded and announced (docs/orders.md).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from generator.errors import LinesheetsError
from generator.i18n import format_money
from order_api.amending import amend_order
from order_api.back_office import (
    Scope,
    check_folder,
    needs_manifest,
    not_before_order,
    one_line,
    opened,
    order_of,
    right_now,
    setting_of,
    today_in,
    write_atomically,
)
from order_api.delivery_note import render_delivery_note
from order_api.ordering import stock_limits
from order_api.schemas import Order
from order_api.store import OutOfStock, ToShip, shipped_units


def amend(scope: Scope, number: str, changes: list[str], reason: str | None) -> str:
    """Change the quantities of an order's lines (LINE=QUANTITY, 0 removes a line), priced
    again from its unit prices; say what changed and who hears of it."""
    reason = one_line(reason)
    quantities = _changes(changes)
    manifest = needs_manifest("an amended order is priced again with the brand's rounding "
                              "and checked against its styles, from the built content")
    with opened(scope) as store:
        order = order_of(store, number)
        seen = len(store.amendments([number]).get(number, []))
        amended = amend_order(order, quantities, manifest)
        # Only the cells that grow are counted: fewer units never want more stock, even
        # where the brand has since lowered a stock below what orders took.
        had = {(line.style_no, line.color, line.size): line.quantity for line in order.lines}
        limits = [limit for limit in (stock_limits(manifest, amended, {})
                                      if amended.season in manifest.seasons else ())
                  if limit.quantity > had.get(limit.cell[1:], 0)]
        try:
            done = store.amend(amended, reason, right_now(), limits, seen)
        except OutOfStock as exc:
            raise LinesheetsError("not enough stock for the amendment: " + "; ".join(
                short.describe() for short in exc.shortages) + "; nothing was changed") from None
        announced = sorted(note.channel for note in store.notifications(number)
                           if note.event == "order.amended" and note.state == "pending")
    before, after = (format_money(Decimal(each.total), order.currency, "en")
                     for each in (order, amended))
    told = (f"announced like the order ({', '.join(announced)}): the running endpoint sends "
            "it within a minute" if announced else
            "no e-mail or webhook was set up for the order: tell the buyer yourself")
    return (f"amended order {number} (amendment {done.version}): "
            f"{'; '.join(_changed(order, quantities))}; total {before} → {after}; {told}")


def ship(scope: Scope, number: str, lines: list[str], shipped_on: date | None,
         carrier: str | None, tracking: str | None, note: str | None,
         html: Path | None = None) -> str:
    """Record a shipment of an order's lines (LINE: all it has still to ship, LINE=UNITS:
    some of it; none: every unit still to ship), on `shipped_on` (default today in the
    brand's timezone), and write its delivery note to `html`; say what happened."""
    manifest = None
    if html is not None:  # before the shipment is recorded
        manifest = needs_manifest("a delivery note names the sender, from the built content")
        check_folder(html)
    carrier, tracking = one_line(carrier, "the carrier"), one_line(tracking, "the tracking number")
    note = one_line(note, "the note")
    setting = setting_of(scope)
    today = today_in(setting.zone)
    day = shipped_on or today
    if day > today:
        raise LinesheetsError(f"--date {day.isoformat()} is after today ({today.isoformat()} "
                              f"in {setting.zone.key}): record a shipment once it has left")
    wanted = _shipped_lines(lines)
    with opened(scope) as store:
        order = order_of(store, number)
        if shipped_on is not None:
            not_before_order(day, order, setting.zone, "a shipment leaves after its order "
                             "came in")
        for line in wanted:
            if not 1 <= line <= len(order.lines):
                raise LinesheetsError(f"order {number} has no line {line}; its lines are 1 to "
                                      f"{len(order.lines)} (`linesheets orders show` numbers "
                                      "them)")
        cells: list[ToShip] = [(order.lines[line - 1].style_no, order.lines[line - 1].color,
                                order.lines[line - 1].size, quantity)
                               for line, quantity in wanted.items()]
        shipment = store.ship(number, cells or None, day, carrier, tracking, note,
                              right_now())
        shipments = store.shipments([number]).get(number, [])
        if html is not None and manifest is not None:
            write_atomically(html, render_delivery_note(order, shipment, shipments, manifest)
                             .encode())
        announced = sorted(each.channel for each in store.notifications(number)
                           if each.event == "order.shipped" and each.state == "pending")
    sent = shipped_units(shipments)
    left = [rest for line in order.lines
            if (rest := line.quantity - sent.get((line.style_no, line.color, line.size), 0))]
    how = ", ".join(part for part in (carrier, f"tracking {tracking}" if tracking else None)
                    if part)
    told = (f"announced like the order ({', '.join(announced)}): the running endpoint sends "
            "it within a minute" if announced else
            "no e-mail or webhook was set up for the order: tell the buyer yourself")
    count = len(shipment.cells)
    return (f"recorded shipment {shipment.shipment} of order {number} on {day.isoformat()}"
            + (f" ({how})" if how else "") + f": {count} line{'s' if count != 1 else ''}, "
            f"{sum(cell[3] for cell in shipment.cells)} units; "
            + (f"{len(left)} line{'s' if len(left) != 1 else ''} still to ship "
               f"({sum(left)} unit{'s' if sum(left) != 1 else ''})" if left
               else "every line has shipped") + f"; {told}"
            + (f"; its delivery note is in {html}" if html is not None else ""))


def _shipped_lines(lines: list[str]) -> dict[int, int | None]:
    """--line values (LINE, or LINE=UNITS) as the units shipped of each line (from 1), None
    for all it has still to ship."""
    units: dict[int, int | None] = {}
    for value in lines:
        line, equals, quantity = value.partition("=")
        if not (line.strip().isdigit() and (not equals or quantity.strip().isdigit())):
            raise LinesheetsError(f"'{value}' is not a line to ship; write LINE for all it has "
                                  "still to ship, or LINE=UNITS for some of it, e.g. 2=4 (4 "
                                  "units of line 2)")
        if int(line) in units:
            raise LinesheetsError(f"line {line.strip()} is given twice; give each line once")
        units[int(line)] = int(quantity) if equals else None
    return units


def print_delivery_note(scope: Scope, number: str, shipment: int, out: Path) -> None:
    """Write the delivery note of an order's shipment to `out`, atomically."""
    manifest = needs_manifest("a delivery note names the sender, from the built content")
    with opened(scope) as store:
        order = order_of(store, number)
        shipments = store.shipments([number]).get(number, [])
    found = next((each for each in shipments if each.shipment == shipment), None)
    if found is None:
        raise LinesheetsError(f"order {number} has no shipment {shipment}" + (
            f"; its shipments are 1 to {len(shipments)}" if shipments else
            "; nothing of it has shipped (`linesheets orders ship`)"))
    write_atomically(out, render_delivery_note(order, found, shipments, manifest).encode())


def _changes(changes: list[str]) -> dict[int, int]:
    """--line values (LINE=QUANTITY, lines from 1) as quantities by position (from 0)."""
    if not changes:
        raise LinesheetsError("say what to change: --line LINE=QUANTITY, e.g. --line 2=6 "
                              "(0 removes the line); `linesheets orders show` numbers the "
                              "lines")
    quantities: dict[int, int] = {}
    for change in changes:
        line, _, quantity = change.partition("=")
        if not (line.strip().isdigit() and quantity.strip().isdigit()):
            raise LinesheetsError(f"'{change}' is not a change; write LINE=QUANTITY, e.g. 2=6 "
                                  "(line 2 to 6 units; 0 removes it)")
        position = int(line) - 1
        if position in quantities:
            raise LinesheetsError(f"line {line.strip()} is given twice; give each line once")
        quantities[position] = int(quantity)
    return quantities


def _changed(order: Order, quantities: dict[int, int]) -> list[str]:
    said = []
    for position, quantity in sorted(quantities.items()):
        line = order.lines[position]
        cell = f"line {position + 1} ({line.style_no} {line.color} {line.size})"
        said.append(f"{cell} removed" if quantity == 0 else
                    f"{cell} {line.quantity} → {quantity}")
    return said
