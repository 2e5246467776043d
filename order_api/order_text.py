"""Orders as terminal text: stored Orders -> the table of `linesheets orders list`, and one
Order with its outbox status -> the breakdown `linesheets orders show` prints.

Labels are English (the brand's operator reads them); amounts are formatted by Babel, names
and labels inside the order stay in the buyer's language. Columns are padded by display width,
so Japanese and Chinese names line up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from gettext import NullTranslations
from zoneinfo import ZoneInfo

from generator.breakdown import render_breakdown
from generator.fields import Text
from generator.i18n import babel_locale, format_money, format_percentage
from generator.pricing import Breakdown, Step
from generator.text_table import columns, display_width
from order_api.packs import pack_notes
from order_api.schemas import Order, PriceStep
from order_api.shipping import shipping
from order_api.store import (
    Amendment,
    Cancellation,
    Invoice,
    NotificationStatus,
    Shipment,
    shipped_units,
    shipping_state,
)

LOCALE = "en"
_NAME_WIDTH = 32  # a longer company / contact is cut with an ellipsis, so rows stay one line


def format_time(moment: datetime, zone: ZoneInfo) -> str:
    """A moment in a zone with its offset, e.g. 2027-01-10 11:00 +09:00."""
    local = moment.astimezone(zone)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"


def buyer_label(order: Order) -> str:
    """The buyer as a brand names it: the company and the contact, or the person."""
    buyer = order.buyer
    return f"{buyer.company} / {buyer.name}" if buyer.company else buyer.name


def units(order: Order) -> int:
    """The units an order asks for, all lines together."""
    return sum(line.quantity for line in order.lines)


def list_table(orders: Sequence[Order], zone: ZoneInfo,
               cancelled: Mapping[str, Cancellation] | None = None,
               shipped: Mapping[str, int] | None = None) -> str:
    """The orders as a table, oldest first, with each one's status (placed, part shipped,
    shipped, cancelled; `shipped`: the units shipped of each order), and a summary line
    (counts and totals per currency, of the orders not cancelled); a message instead when no
    order matches."""
    if not orders:
        return "no orders match"
    cancelled = cancelled or {}
    rows = [("number", f"received ({zone.key})", "link", "season", "buyer", "lines", "units",
             "total", "status")]
    for order in orders:
        rows.append((order.order_number, format_time(order.received_at, zone), order.link,
                     order.season, _cut(buyer_label(order)), str(len(order.lines)),
                     str(units(order)), _money(order.total, order.currency),
                     _status(order, cancelled, shipped or {})))
    standing = [order for order in orders if order.order_number not in cancelled]
    dropped = len(orders) - len(standing)
    # Counts and amounts align on their last digit.
    return "\n".join([*columns(rows, right={5, 6, 7}), "", summary(standing) + (
        f"; {dropped} cancelled, not counted" if dropped else "")])


def _status(order: Order, cancelled: Mapping[str, Cancellation],
            shipped: Mapping[str, int]) -> str:
    """placed, cancelled, part shipped or shipped (`shipped`: units shipped per order)."""
    if order.order_number in cancelled:
        return "cancelled"
    return {"none": "placed", "part": "part shipped", "all": "shipped"}[
        shipping_state(order, shipped.get(order.order_number, 0))]


def stock_table(levels: Sequence[tuple[str, str, str, str, int, int]]) -> str:
    """Each colour and size with a stock, as (season, style, colour, size, stock, ordered):
    a table of what is left, and a summary line; a message when there is none."""
    if not levels:
        return "no colour and size has a stock (`stock` in a season's products.yaml)"
    rows = [("season", "style", "colour", "size", "stock", "ordered", "left")]
    rows += [(season, style, color, size, str(stock), str(taken), str(max(0, stock - taken)))
             for season, style, color, size, stock, taken in levels]
    gone = sum(1 for *_, stock, taken in levels if taken >= stock)
    cells = f"{len(levels)} colour{'s' if len(levels) != 1 else ''} and sizes with a stock"
    return "\n".join([*columns(rows, right={4, 5, 6}), "",
                      f"{cells}; {gone} with none left" if gone else cells])


def summary(orders: Sequence[Order]) -> str:
    """E.g. "3 orders, 14 units; total ¥150,920 + $316.80" (a total per currency)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for order in orders:
        totals[order.currency] += Decimal(order.total)
    count = len(orders)
    money = " + ".join(_money(str(amount), currency)
                       for currency, amount in sorted(totals.items()))
    return (f"{count} order{'s' if count != 1 else ''}, "
            f"{sum(units(order) for order in orders)} units; total {money}")


def order_details(order: Order, outbox: Iterable[NotificationStatus], zone: ZoneInfo,
                  cancellation: Cancellation | None = None,
                  invoices: Iterable[Invoice] = (),
                  amendments: Iterable[Amendment] = (),
                  shipments: Iterable[Shipment] = ()) -> str:
    """One order: header (with its cancellation), buyer, address, note, every line with its
    price breakdown, the totals, the invoices issued, and where each notification stands."""
    out = [f"Order {order.order_number}"]
    if cancellation is not None:
        out.append(f"  CANCELLED  {format_time(cancellation.at, zone)}"
                   + (f": {cancellation.reason}" if cancellation.reason else ""))
    out += [f"  AMENDED    {format_time(amendment.at, zone)} (amendment {amendment.version})"
            + (f": {amendment.reason}" if amendment.reason else "") for amendment in amendments]
    out += [f"  received   {format_time(order.received_at, zone)} ({zone.key})",
           f"  link       {order.link}", f"  season     {order.season}",
           f"  term       {order.term}", f"  language   {order.language}",
           f"  currency   {order.currency}"]
    ships = shipping(order.lines, None)
    if ships.common is not None:
        out.append(f"  delivery   {ships.common}")
    out += ["", "Buyer"]
    buyer = order.buyer
    out += [f"  {label:<10} {value}" for label, value in (
        ("company", buyer.company), ("name", buyer.name), ("e-mail", buyer.email),
        ("phone", buyer.phone), ("VAT number", buyer.vat_number)) if value]
    if order.address is not None:
        out += ["", "Address", *(f"  {line}" for line in address_lines(order))]
    if order.note:
        out += ["", "Note", *(f"  {line}" for line in order.note.splitlines())]
    out += ["", "Lines"]
    notes = pack_notes(order.lines, NullTranslations().ngettext)  # English, untranslated
    for number, (line, delivery, packs) in enumerate(zip(order.lines, ships.lines, notes,
                                                         strict=True), start=1):
        codes = ", ".join(f"{name} {code}" for name, code in (("SKU", line.sku),
                                                               ("JAN", line.jan)) if code)
        out.append(f"  {number}. {line.style_no} {line.name} — {line.color} {line.color_name}"
                   f", size {line.size}" + (f" ({codes})" if codes else ""))
        out.append(f"     {line.quantity} × {_money(line.unit_price, order.currency)} = "
                   f"{_money(line.amount, order.currency)}")
        if delivery is not None:
            out.append(f"     delivery {delivery}")
        if packs is not None:
            out.append(f"     {packs} (the colour's lines together)")
        out += [f"     {step}" for step in breakdown_lines(line.breakdown, order.currency)]
    out += ["", *totals_lines(order)]
    shipments = list(shipments)
    if shipments:
        out += ["", "Shipments"]
        for shipment in shipments:
            how = ", ".join(part for part in (shipment.carrier, f"tracking {shipment.tracking}"
                                              if shipment.tracking else None) if part)
            out.append(f"  {shipment.shipment}. {shipment.shipped_on.isoformat()}"
                       + (f" ({how})" if how else "") + (f": {shipment.note}"
                                                         if shipment.note else ""))
            out += [f"     {style} {color} {size} × {quantity}"
                    for style, color, size, quantity in shipment.cells]
        sent = shipped_units(shipments)
        left = [f"     line {number}: {line.style_no} {line.color} {line.size} × {rest}"
                for number, line in enumerate(order.lines, start=1)
                if (rest := line.quantity - sent.get((line.style_no, line.color, line.size),
                                                     0)) > 0]
        if left:  # numbered as the lines are, for `orders ship --line`
            out += ["  still to ship", *left]
    issued = list(invoices)
    if issued:
        out += ["", "Invoices"]
        for invoice in issued:
            out.append(f"  {invoice.number:<20} {invoice.part:<8} issued "
                       f"{invoice.issued_on.isoformat()}, due {invoice.due_on.isoformat()}"
                       + (f", paid {invoice.paid_on.isoformat()}" if invoice.paid_on else ""))
            out += [f"     received {format_money(payment.amount, order.currency, 'en')} on "
                    f"{payment.paid_on.isoformat()}" + (f": {payment.note}" if payment.note
                                                        else "")
                    for payment in invoice.received]
            if invoice.written_off:
                out.append("     written off "
                           f"{format_money(invoice.written_off, order.currency, 'en')}")
            out += [f"     credit note {note.number} of {note.issued_on.isoformat()}: "
                    f"{format_money(note.amount, order.currency, 'en')} given back, {note.reason}"
                    for note in invoice.credited]
    out += ["", "Notifications"]
    statuses = list(outbox)
    if not statuses:
        out.append("  none (no e-mail or webhook was set when the order came in)")
    for status in statuses:
        state = f"{status.state}, {status.attempts} attempt{'s' if status.attempts != 1 else ''}"
        if status.state == "sent" and status.sent_at is not None:
            state += f", sent {format_time(status.sent_at, zone)}"
        elif status.state == "pending" and status.next_attempt_at is not None:
            state += f", next {format_time(status.next_attempt_at, zone)}"
        if status.last_error:
            state += f", last error: {status.last_error}"
        name = status.channel if status.event == "order.placed" else (
            f"{status.channel} (cancellation)" if status.event == "order.cancelled" else
            f"{status.channel} (amendment)" if status.event == "order.amended" else
            f"{status.channel} (shipment)" if status.event == "order.shipped" else
            f"{status.channel} (payment reminder)" if status.event == "invoice.reminder" else
            f"{status.channel} (credit notes)" if status.event == "invoice.credit_note" else
            f"{status.channel} ({status.event.removeprefix('invoice.')} invoice)")
        out.append(f"  {name:<12} {state}")
    return "\n".join(out)


def address_lines(order: Order, country: str | None = None) -> list[str]:
    """The delivery address as the lines of a label, empty parts left out; the same in the
    e-mails, `orders show` and the printable confirmation (`country`: the country's name in
    the reader's language; its code without)."""
    address = order.address
    if address is None:
        return []
    place = " ".join(part for part in (address.postal_code, address.region, address.city)
                     if part)
    return [line for line in (address.line1, address.line2, place, country or address.country)
            if line]


def label_lines(order: Order, language: str) -> list[str]:
    """The delivery address as a label in `language` (the order's, on what the buyer reads:
    the e-mails and the printable pages), its country by name, e.g. "France" for FR."""
    if order.address is None:
        return []
    code = order.address.country
    return address_lines(order, babel_locale(language).territories.get(code, code))


def totals_lines(order: Order, locale: str = LOCALE) -> list[str]:
    """Subtotal, each tax, total, deposit and balance, labelled in English."""
    lines = [f"  subtotal   {_money(order.subtotal, order.currency, locale)}"]
    lines += [f"  {tax.label} {format_percentage(Decimal(tax.percent), locale)} on "
              f"{_money(tax.base, order.currency, locale)}: "
              f"{_money(tax.amount, order.currency, locale)}" for tax in order.taxes]
    if order.intra_community:
        lines.append("  no VAT     an exempt intra-Community supply (Directive 2006/112/EC, "
                     "art. 138)")
    lines += [f"  total      {_money(order.total, order.currency, locale)}",
              f"  deposit    {_money(order.deposit, order.currency, locale)} "
              f"({format_percentage(Decimal(order.deposit_percent), locale)})",
              f"  balance    {_money(order.balance, order.currency, locale)}"]
    return lines


def breakdown_lines(steps: Sequence[PriceStep], currency: str, language: str = LOCALE,
                    gettext: Callable[[str], str] = str) -> tuple[str, ...]:
    """A stored unit price's derivation as the pages show it, e.g. "RRP ¥48,000 × 45% =
    ¥21,600" (the labels stored with the order are already in the buyer's language)."""
    breakdown = Breakdown(currency, tuple(_step(step) for step in steps))
    return render_breakdown(breakdown, language, language, gettext)


def _step(step: PriceStep) -> Step:
    return Step(kind=step.kind, amount=Decimal(step.amount),
                percent=Decimal(step.percent) if step.percent is not None else None,
                list_name=step.list_name, source=step.source,
                label=Text({"": step.label}) if step.label is not None else None)


def _money(amount: str, currency: str, locale: str = LOCALE) -> str:
    return format_money(Decimal(amount), currency, locale)


def _cut(text: str) -> str:
    if display_width(text) <= _NAME_WIDTH:
        return text
    while display_width(text) > _NAME_WIDTH - 1:
        text = text[:-1]
    return text + "…"
