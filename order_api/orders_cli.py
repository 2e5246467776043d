"""`linesheets orders`: the order store (DATABASE_URL, as the endpoint) x a selection ->
the text, export bytes or confirmation page the command prints or writes (docs/orders.md).

Times are shown in the brand's timezone, read from the manifest the endpoint serves
(LINESHEETS_MANIFEST), because a brand thinks of "orders of 10 January" in its own day;
`--timezone` overrides, and without either they are UTC. Every time is printed with its offset.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from generator.errors import LinesheetsError
from generator.i18n import format_money, translate
from generator.manifest import Manifest
from order_api.amending import amend_order
from order_api.confirmation import render_confirmation
from order_api.export import Format, Row, export_csv, export_json, export_rows, export_xlsx
from order_api.invoice import amount_due, render_invoice
from order_api.order_text import format_time, list_table, order_details, stock_table
from order_api.ordering import stock_limits, stocked_cells
from order_api.receivables import COLUMNS as REGISTER_COLUMNS
from order_api.receivables import Standing, register, register_rows, register_text
from order_api.schemas import Order
from order_api.store import (
    CHANNELS,
    DEFAULT_DATABASE_URL,
    Cancellation,
    Channel,
    Invoice,
    InvoicePart,
    OrderFilter,
    OrderStore,
    OutOfStock,
    open_store,
    sqlite_path,
)
from order_api.totals import COLUMNS as TOTAL_COLUMNS
from order_api.totals import style_totals, totals_rows, totals_text

DEFAULT_MANIFEST = "build/private/manifest.json"
MAX_REASON = 500  # characters of a cancellation's reason


@dataclass(frozen=True)
class Scope:
    """Where the orders are, how to show their times, and which of them a command takes."""

    database: str | None = None  # --database; None: DATABASE_URL, else the default file
    timezone: ZoneInfo | None = None  # --timezone; None: the brand's, from the manifest
    link: str | None = None
    season: str | None = None
    since: date | datetime | None = None  # a date: from its start; naive: in the zone
    until: date | datetime | None = None  # a date: to its end (inclusive); a moment: before it
    status: Literal["placed", "cancelled"] | None = None  # --status


@dataclass(frozen=True)
class _Setting:
    zone: ZoneInfo
    brand: str | None  # the brand's name, when the manifest is there
    manifest: Manifest | None


def list_orders(scope: Scope) -> str:
    """The orders of a selection as a table with a summary line."""
    setting = _setting(scope)
    with _store(scope) as store:
        shipped = {number: sum(len(each.cells) for each in shipments)
                   for number, shipments in store.shipments().items()}
        return list_table(list(store.orders(_filter(scope, setting.zone))), setting.zone,
                          store.cancellations(), shipped)


def show_order(scope: Scope, number: str) -> str:
    """One order with its breakdown, totals and notifications."""
    setting = _setting(scope)
    with _store(scope) as store:
        order = _order(store, number)
        return order_details(order, store.notifications(number), setting.zone,
                             store.cancellations([number]).get(number), store.invoices(number),
                             store.amendments([number]).get(number, []),
                             store.shipments([number]).get(number, []))


def print_order(scope: Scope, number: str, out: Path) -> None:
    """Write an order's printable confirmation page to `out`, atomically."""
    setting = _setting(scope)
    with _store(scope) as store:
        order = _order(store, number)
        cancellation = store.cancellations([number]).get(number)
        amended = store.amendments([number]).get(number, [])
    page = render_confirmation(order, setting.zone, setting.brand, setting.manifest,
                               cancellation, amended[-1] if amended else None)
    write_atomically(out, page.encode("utf-8"))


def export_orders(scope: Scope, form: Format) -> tuple[bytes, int, int]:
    """The orders of a selection in a format, with the number of orders and of line rows."""
    setting = _setting(scope)
    with _store(scope) as store:
        orders = list(store.orders(_filter(scope, setting.zone)))
        cancelled = store.cancellations()
        amended = {number: each[-1] for number, each in store.amendments().items()}
        shipments = store.shipments()
    rows = export_rows(orders, setting.zone, cancelled, amended, shipments)
    data = (export_json(orders, cancelled, amended) if form == "json"
            else export_csv(rows) if form == "csv" else export_xlsx(rows))
    return data, len(orders), len(rows)


def order_totals(scope: Scope, form: Literal["text", "csv", "xlsx"]) -> tuple[bytes, int, int]:
    """The units ordered of each style, colour and size in the selection's standing orders
    (or, with --status cancelled, its cancelled ones), as a text grid per style or one row
    per colour and size; with the number of orders and of rows."""
    setting = _setting(scope)
    if scope.status is None:  # a cancelled order is not produced
        scope = dataclasses.replace(scope, status="placed")
    with _store(scope) as store:
        orders = list(store.orders(_filter(scope, setting.zone)))
    styles = style_totals(orders, setting.manifest)
    if form == "text":
        return (totals_text(styles, len(orders)) + "\n").encode(), len(orders), len(styles)
    rows = [Row(cells, 0) for cells in totals_rows(styles)]
    data = (export_csv(rows, TOTAL_COLUMNS) if form == "csv"
            else export_xlsx(rows, TOTAL_COLUMNS, "Totals"))
    return data, len(orders), len(rows)


def cancel_order(scope: Scope, number: str, reason: str | None) -> str:
    """Cancel a stored order (its units go back to the stock); say what happened."""
    reason = _reason(reason)
    setting = _setting(scope)
    with _store(scope) as store:
        shipments = store.shipments([number]).get(number)
        if shipments:
            raise LinesheetsError(
                f"order {number} has shipped lines (shipment 1 on "
                f"{shipments[0].shipped_on.isoformat()}): it cannot be cancelled; amend the "
                "lines still to ship instead (`linesheets orders amend`)")
        done = store.cancel(number, reason, datetime.now(UTC))
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


@dataclass(frozen=True)
class Issued:
    """What `orders invoice` did: the invoice, whether it is new, where its page went, and
    what the brand should know about it."""

    invoice: Invoice
    new: bool
    path: Path
    due: str  # the amount due, formatted
    warnings: tuple[str, ...]
    sent: str | None = None  # with --send: what happened to its e-mails


def invoice_order(scope: Scope, number: str, part: InvoicePart | None, issued_on: date | None,
                  out: Path | None, send: bool = False) -> Issued:
    """Issue (or print again) an order's invoice of `part` (default: the whole order, or the
    deposit where its terms bill one) and write its page to `out` (default: the invoice's
    number .html, here), atomically; with `send`, queue its e-mails to the buyer and the
    brand, where the order's own went."""
    manifest = _manifest()
    if manifest is None:
        raise LinesheetsError(
            f"no manifest at '{os.environ.get('LINESHEETS_MANIFEST', DEFAULT_MANIFEST)}': an "
            "invoice names the brand and where to pay, from the built content; run "
            "`linesheets build`, or set LINESHEETS_MANIFEST to the endpoint's manifest.json")
    zone = scope.timezone or ZoneInfo(manifest.brand.timezone)
    invoicing = manifest.brand.invoicing
    with _store(scope) as store:
        order = _order(store, number)
        issued = {each.part: each for each in store.invoices(number)}
        part = _invoice_part(order, part)
        invoice = issued.get(part)
        if invoice is not None and issued_on is not None and issued_on != invoice.issued_on:
            raise LinesheetsError(
                f"invoice {invoice.number} was issued on {invoice.issued_on.isoformat()}; an "
                "issued invoice keeps its date: leave out --date to print it again")
        cancellation = store.cancellations([number]).get(number)
        if send:
            _check_mailable(store, number, cancellation)
        new = invoice is None
        if invoice is None:
            if cancellation is not None:
                raise LinesheetsError(
                    f"order {number} was cancelled at {format_time(cancellation.at, zone)}: "
                    "no invoice can be issued for it")
            day = issued_on or datetime.now(zone).date()
            days = (invoicing.deposit_due_days if part == "deposit"
                    else invoicing.balance_due_days) if invoicing else (
                14 if part == "deposit" else 30)
            made = store.issue_invoice(Invoice(number, part, day, day + timedelta(days=days)),
                                       datetime.now(UTC))
            if made is None:  # cancelled between the look and the write
                raise LinesheetsError(f"order {number} was cancelled meanwhile: no invoice "
                                      "was issued")
            invoice, new = made
        page = render_invoice(order, invoice, manifest, zone, issued.get("deposit"),
                              cancellation)
        path = out or Path(f"{invoice.number}.html")
        write_atomically(path, page.encode("utf-8"))
        sent = _send(store, invoice, zone) if send else None
    due = format_money(amount_due(order, invoice), order.currency, "en")
    return Issued(invoice, new, path, due, _invoice_warnings(manifest, order), sent)


def _check_mailable(store: OrderStore, number: str, cancellation: Cancellation | None) -> None:
    """Refuse --send, before anything is written, where no invoice e-mail could go."""
    if cancellation is not None:
        raise LinesheetsError(f"order {number} was cancelled: its invoices are not sent; "
                              "leave out --send to print one")
    if not any(note.event == "order.placed" and note.channel in ("buyer-email", "brand-email")
               for note in store.notifications(number)):
        raise LinesheetsError(
            f"order {number} was placed without e-mails (LINESHEETS_SMTP_URL was not set): "
            "its invoice cannot be e-mailed from here; leave out --send and send the page "
            "yourself")


def _send(store: OrderStore, invoice: Invoice, zone: ZoneInfo) -> str:
    """Queue the invoice's e-mails; say what was queued, or how the earlier ones stand."""
    queued = store.send_invoice(invoice, datetime.now(UTC))
    if queued:
        return (f"e-mail queued ({', '.join(queued)}): the running endpoint sends it within "
                "a minute")
    standing = [note for note in store.notifications(invoice.order_number)
                if note.event == f"invoice.{invoice.part}"]
    states = ", ".join(
        f"{note.channel} {note.state}" + (f" {format_time(note.sent_at, zone)}"
                                          if note.sent_at else "") for note in standing)
    return (f"its e-mail was queued before ({states}); `linesheets orders resend "
            f"{invoice.order_number}` sends a given-up one again")


def _invoice_part(order: Order, part: InvoicePart | None) -> InvoicePart:
    """The part asked for, by default the first the order's terms bill (the balance is
    always asked for: running the command again must not invoice it by surprise); refused
    where the terms bill otherwise."""
    with_deposit = Decimal(order.deposit) > 0
    if part is None:
        return "deposit" if with_deposit else "full"
    if with_deposit and part == "full":
        raise LinesheetsError(
            f"order {order.order_number} bills a {order.deposit_percent}% deposit: issue "
            "--part deposit, then --part balance")
    if not with_deposit and part != "full":
        raise LinesheetsError(
            f"order {order.order_number} has no deposit (its terms bill without one): issue "
            "--part full, or leave --part out")
    return part


def _invoice_warnings(manifest: Manifest, order: Order) -> tuple[str, ...]:
    invoicing = manifest.brand.invoicing
    if invoicing is None:
        return ("brand.yaml has no `invoicing`: the invoice names the brand only, with no "
                "address, registration number or bank account (docs/content-format.md)",)
    if invoicing.account(order.currency) is None:
        return (f"brand.yaml's invoicing has no bank account for {order.currency}: the "
                "invoice does not say where to pay",)
    return ()


def amend(scope: Scope, number: str, changes: list[str], reason: str | None) -> str:
    """Change the quantities of an order's lines (LINE=QUANTITY, 0 removes a line), priced
    again from its unit prices; say what changed and who hears of it."""
    reason = _reason(reason)
    quantities = _changes(changes)
    manifest = _manifest()
    if manifest is None:
        raise LinesheetsError(
            f"no manifest at '{os.environ.get('LINESHEETS_MANIFEST', DEFAULT_MANIFEST)}': an "
            "amended order is priced again with the brand's rounding and checked against its "
            "styles, from the built content; run `linesheets build`, or set "
            "LINESHEETS_MANIFEST to the endpoint's manifest.json")
    with _store(scope) as store:
        order = _order(store, number)
        amended = amend_order(order, quantities, manifest)
        # Only the cells that grow are counted: fewer units never want more stock, even
        # where the brand has since lowered a stock below what orders took.
        had = {(line.style_no, line.color, line.size): line.quantity for line in order.lines}
        limits = [limit for limit in (stock_limits(manifest, amended, {})
                                      if amended.season in manifest.seasons else ())
                  if limit.quantity > had.get(limit.cell[1:], 0)]
        try:
            done = store.amend(amended, reason, datetime.now(UTC), limits)
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


def ship(scope: Scope, number: str, lines: list[int], shipped_on: date | None,
         carrier: str | None, tracking: str | None, note: str | None) -> str:
    """Record a shipment of an order's lines (by their numbers; none: every line still to
    ship), on `shipped_on` (default today in the brand's timezone); say what happened."""
    carrier, tracking = _reason(carrier, "the carrier"), _reason(tracking, "the tracking number")
    note = _reason(note, "the note")
    setting = _setting(scope)
    today = datetime.now(setting.zone).date()
    day = shipped_on or today
    if day > today:
        raise LinesheetsError(f"--date {day.isoformat()} is after today ({today.isoformat()} "
                              f"in {setting.zone.key}): record a shipment once it has left")
    if len(set(lines)) != len(lines):
        raise LinesheetsError("a line is given twice; give each line once")
    with _store(scope) as store:
        order = _order(store, number)
        for line in lines:
            if not 1 <= line <= len(order.lines):
                raise LinesheetsError(f"order {number} has no line {line}; its lines are 1 to "
                                      f"{len(order.lines)} (`linesheets orders show` numbers "
                                      "them)")
        cells = [(order.lines[line - 1].style_no, order.lines[line - 1].color,
                  order.lines[line - 1].size) for line in lines] or None
        shipment = store.ship(number, cells, day, carrier, tracking, note, datetime.now(UTC))
        shipped = {cell[:3] for each in store.shipments([number]).get(number, [])
                   for cell in each.cells}
        announced = sorted(each.channel for each in store.notifications(number)
                           if each.event == "order.shipped" and each.state == "pending")
    units = sum(cell[3] for cell in shipment.cells)
    left = sum(1 for line in order.lines
               if (line.style_no, line.color, line.size) not in shipped)
    how = ", ".join(part for part in (carrier, f"tracking {tracking}" if tracking else None)
                    if part)
    told = (f"announced like the order ({', '.join(announced)}): the running endpoint sends "
            "it within a minute" if announced else
            "no e-mail or webhook was set up for the order: tell the buyer yourself")
    count = len(shipment.cells)
    return (f"recorded shipment {shipment.shipment} of order {number} on {day.isoformat()}"
            + (f" ({how})" if how else "") + f": {count} line{'s' if count != 1 else ''}, "
            f"{units} units; " + (f"{left} line{'s' if left != 1 else ''} still to ship"
                                  if left else "every line has shipped") + f"; {told}")


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


def _reason(text: str | None, what: str = "the reason") -> str | None:
    """A cancellation's reason (a payment's note): one line of at most MAX_REASON printable
    characters."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if len(text) > MAX_REASON:
        raise LinesheetsError(f"{what} is {len(text)} characters; keep it to {MAX_REASON}")
    odd = next((char for char in text if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")),
               None)
    if odd is not None:
        raise LinesheetsError(f"{what} holds the invisible character U+{ord(odd):04X}; "
                              "write it on one line of plain text")
    return text


def record_payment(scope: Scope, number: str, paid_on: date | None, note: str | None) -> str:
    """Record that an issued invoice was paid (on `paid_on`, default today in the brand's
    timezone); say what happened."""
    parsed = Invoice.parse_number(number)
    if parsed is None:
        raise LinesheetsError(f"'{number}' is not an invoice number; they read "
                              "INV-SS27-000042, or with -D (deposit) or -B (balance): "
                              "`linesheets orders invoices` lists them")
    note = _reason(note, "the note")
    setting = _setting(scope)
    today = datetime.now(setting.zone).date()
    day = paid_on or today
    if day > today:
        raise LinesheetsError(f"--date {day.isoformat()} is after today ({today.isoformat()} "
                              f"in {setting.zone.key}): record a payment once it is made")
    order_number, part = parsed
    with _store(scope) as store:
        done = store.record_payment(order_number, part, day, note, datetime.now(UTC))
        order = store.order(order_number)
    if done is None or order is None:
        raise LinesheetsError(f"no invoice {number} was issued; `linesheets orders invoices` "
                              "lists those that were")
    invoice, new = done
    paid = (invoice.paid_on or day).isoformat()
    if not new:
        return f"invoice {invoice.number} was recorded paid on {paid} already: nothing changed"
    amount = format_money(amount_due(order, invoice), order.currency, "en")
    return f"recorded invoice {invoice.number} ({amount}) paid on {paid}"


def invoice_register(scope: Scope, standing: Standing | None,
                     form: Literal["text", "csv", "xlsx"]) -> tuple[bytes, int]:
    """The invoices issued (of --season; paid, unpaid or overdue), as a table or rows; with
    their number."""
    setting = _setting(scope)
    today = datetime.now(setting.zone).date()
    with _store(scope) as store:
        invoices = store.invoices()
        orders = {order.order_number: order for order in store.orders(OrderFilter())}
        cancelled = frozenset(store.cancellations())
    if scope.season is not None:
        invoices = [each for each in invoices
                    if orders[each.order_number].season == scope.season]
    entries = register(invoices, orders, cancelled, today, standing)
    if form == "text":
        return (register_text(entries, today) + "\n").encode(), len(entries)
    rows = register_rows(entries)
    return (export_csv(rows, REGISTER_COLUMNS) if form == "csv"
            else export_xlsx(rows, REGISTER_COLUMNS, "Invoices")), len(entries)


def stock_levels(scope: Scope) -> str:
    """What orders took and left of each colour and size with a stock (of --season), from
    the manifest the endpoint serves and the stored orders."""
    manifest = _manifest()
    if manifest is None:
        raise LinesheetsError(
            f"no manifest at '{os.environ.get('LINESHEETS_MANIFEST', DEFAULT_MANIFEST)}': the "
            "stock is the built content's; run `linesheets build`, or set LINESHEETS_MANIFEST "
            "to the endpoint's manifest.json")
    if scope.season is not None and scope.season not in manifest.seasons:
        raise LinesheetsError(f"no season '{scope.season}' in the manifest; it has "
                              f"{', '.join(sorted(manifest.seasons))}")
    stock = {cell: units for season in manifest.seasons.values()
             if scope.season in (None, season.id)
             for cell, units in stocked_cells(season).items()}
    with _store(scope) as store:
        taken = store.taken(list(stock))
    return stock_table([(*cell, units, taken.get(cell, 0)) for cell, units in stock.items()])


def resend_notifications(scope: Scope, number: str, channel: Channel | None) -> str:
    """Queue an order's given-up notifications (of one channel) again; say what happened."""
    with _store(scope) as store:
        _order(store, number)
        queued = store.resend(number, (channel,) if channel else CHANNELS,
                              datetime.now(UTC))
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


def write_atomically(path: Path, data: bytes) -> None:
    """Write a temporary file beside `path` and rename it into place, so a failed write never
    leaves half a file and a reader never sees one."""
    folder = path.parent
    if not folder.is_dir():
        raise LinesheetsError(f"cannot write '{path}': the folder '{folder}' does not exist; "
                              "create it or choose another --out")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise LinesheetsError(f"cannot write '{path}': {exc.strerror}; nothing was "
                              "written") from None


def _order(store: OrderStore, number: str) -> Order:
    order = store.order(number)
    if order is None:
        raise LinesheetsError(f"no order '{number}' in the order store; "
                              "`linesheets orders list` shows the numbers")
    return order


@contextmanager
def _store(scope: Scope) -> Iterator[OrderStore]:
    url = scope.database or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    path = sqlite_path(url)
    # These commands read the orders the endpoint stored: a file that is not there is a
    # mistyped path, not a new, empty store.
    if path is not None and not path.exists():
        raise LinesheetsError(f"no order database at '{path}'; check --database (or "
                              "DATABASE_URL): the endpoint's file, e.g. "
                              f"{DEFAULT_DATABASE_URL}")
    store = open_store(url)
    try:
        yield store
    finally:
        store.close()


def _setting(scope: Scope) -> _Setting:
    manifest = _manifest()
    brand = (translate(manifest.brand.name, manifest.brand.default_language,
                       manifest.brand.default_language) if manifest else None)
    if scope.timezone is not None:
        return _Setting(scope.timezone, brand, manifest)
    return _Setting(ZoneInfo(manifest.brand.timezone) if manifest else ZoneInfo("UTC"), brand,
                    manifest)


def _manifest() -> Manifest | None:
    path = Path(os.environ.get("LINESHEETS_MANIFEST", DEFAULT_MANIFEST))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LinesheetsError(f"cannot read the manifest '{path}' for the brand's timezone: "
                              f"{exc.strerror}; give --timezone instead") from None
    try:
        return Manifest.model_validate_json(data)
    except ValidationError:
        raise LinesheetsError(f"the manifest '{path}' is not valid; rebuild it with "
                              "`linesheets build`, or give --timezone") from None


def _filter(scope: Scope, zone: ZoneInfo) -> OrderFilter:
    since = _moment(scope.since, zone, end=False)
    until = _moment(scope.until, zone, end=True)
    if since is not None and until is not None and since >= until:
        raise LinesheetsError(f"--since {scope.since} is not before --until {scope.until}; "
                              "no order can match")
    return OrderFilter(link=scope.link, season=scope.season, since=since, until=until,
                       status=scope.status)


def _moment(value: date | datetime | None, zone: ZoneInfo, *, end: bool) -> datetime | None:
    if value is None:
        return None
    try:
        if isinstance(value, datetime):
            moment = value if value.tzinfo is not None else value.replace(tzinfo=zone)
            return moment.astimezone(UTC)
        # A date is a whole day of the brand: --until 2027-01-31 includes the 31st.
        day = value + timedelta(days=1) if end else value
        return datetime.combine(day, time(), zone).astimezone(UTC)
    except OverflowError:  # the calendar's first or last day, moved by the zone
        raise LinesheetsError(f"--{'until' if end else 'since'} {value.isoformat()} is at the "
                              "edge of the calendar; give a date between the years 2 and "
                              "9998, or leave the option out") from None
