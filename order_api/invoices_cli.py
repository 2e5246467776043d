"""`linesheets orders invoice | paid | invoices`: an order's invoices issued, printed and
e-mailed, their payments recorded, and the register of what is outstanding (docs/orders.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from generator.errors import LinesheetsError
from generator.i18n import format_money
from generator.manifest import Manifest
from generator.models import Invoicing
from order_api.back_office import (
    Scope,
    check_folder,
    mailed,
    needs_manifest,
    not_before_order,
    one_line,
    opened,
    order_of,
    parse_amount,
    right_now,
    setting_of,
    today_in,
    write_atomically,
)
from order_api.export import export_csv, export_xlsx
from order_api.invoice import amount_due, render_invoice, still_owed
from order_api.order_text import format_time
from order_api.receivables import COLUMNS as REGISTER_COLUMNS
from order_api.receivables import Standing, register, register_rows, register_text
from order_api.schemas import Order
from order_api.store import (
    Cancellation,
    Installment,
    Invoice,
    InvoicePart,
    OrderStore,
)


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
    manifest = needs_manifest("an invoice names the brand and where to pay, from the built "
                              "content")
    if out is not None:
        check_folder(out)  # before the invoice is recorded
    zone = scope.timezone or ZoneInfo(manifest.brand.timezone)
    with opened(scope) as store:
        order = order_of(store, number)
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
            day = issued_on or today_in(zone)
            if issued_on is not None:
                not_before_order(day, order, zone, "an invoice comes after the order it bills")
            terms = manifest.brand.invoicing or Invoicing()  # its defaults without one
            days = terms.deposit_due_days if part == "deposit" else terms.balance_due_days
            made = store.issue_invoice(Invoice(number, part, day, day + timedelta(days=days)),
                                       right_now())
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
    if not mailed(store, number):
        raise LinesheetsError(
            f"order {number} was placed without e-mails (LINESHEETS_SMTP_URL was not set): "
            "its invoice cannot be e-mailed from here; leave out --send and send the page "
            "yourself")


def _send(store: OrderStore, invoice: Invoice, zone: ZoneInfo) -> str:
    """Queue the invoice's e-mails; say what was queued, or how the earlier ones stand."""
    queued = store.send_invoice(invoice, right_now())
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


def record_payment(scope: Scope, number: str, paid_on: date | None, note: str | None,
                   amount: str | None = None, settle: bool = False) -> str:
    """Record money received for an issued invoice (on `paid_on`, default today in the brand's
    timezone): without `amount`, all that is outstanding, which pays it; with it, a part, or
    with `settle` the last part, the rest written off. Say what happened."""
    parsed = Invoice.parse_number(number)
    if parsed is None:
        raise LinesheetsError(f"'{number}' is not an invoice number; they read "
                              "INV-SS27-000042, or with -D (deposit) or -B (balance): "
                              "`linesheets orders invoices` lists them")
    if settle and amount is None:
        raise LinesheetsError("--settle records a payment of less than is outstanding as "
                              "paying the invoice: give the amount received with --amount")
    note = one_line(note, "the note")
    setting = setting_of(scope)
    today = today_in(setting.zone)
    day = paid_on or today
    if day > today:
        raise LinesheetsError(f"--date {day.isoformat()} is after today ({today.isoformat()} "
                              f"in {setting.zone.key}): record a payment once it is made")
    order_number, part = parsed
    with opened(scope) as store:
        invoice = next((each for each in store.invoices(order_number) if each.part == part),
                       None)
        order = store.order(order_number)
        if invoice is None or order is None:
            raise LinesheetsError(f"no invoice {number} was issued; `linesheets orders "
                                  "invoices` lists those that were")
        if paid_on is not None:
            not_before_order(day, order, setting.zone, "a payment comes after the order it "
                             "pays")
        due = amount_due(order, invoice)
        if invoice.paid_on is not None:
            if amount is not None:
                raise LinesheetsError(f"invoice {invoice.number} was recorded paid on "
                                      f"{invoice.paid_on.isoformat()}: nothing is outstanding")
            return (f"invoice {invoice.number} was recorded paid on "
                    f"{invoice.paid_on.isoformat()} already: nothing changed")
        outstanding = still_owed(order, invoice)
        if outstanding <= 0:
            raise LinesheetsError(f"invoice {invoice.number} asks nothing any more: its credit "
                                  "notes give back all it asked")
        received = outstanding if amount is None else parse_amount(amount, order.currency)
        if received > outstanding:
            raise LinesheetsError(
                f"--amount {amount} is more than is outstanding of invoice {invoice.number}: "
                f"{_money(outstanding, order)} (of {_money(invoice.owed(due), order)}); record "
                "what it asks")
        now = right_now()
        if not invoice.received and received == outstanding:  # paid whole, at once
            done = store.record_payment(order_number, part, day, note, now, received)
            stored = None if done is None else done[0]
        else:
            pays = settle or received == outstanding
            stored = store.receive(
                order_number, part, Installment(day, received, note), now,
                seen=len(invoice.received), pays=pays,
                written_off=outstanding - received if pays and received < outstanding else None)
    if stored is None:  # gone meanwhile: a store emptied by hand
        raise LinesheetsError(f"no invoice {number} was issued; `linesheets orders invoices` "
                              "lists those that were")
    if stored.paid_on is None:
        left = still_owed(order, stored)
        return (f"recorded {_money(received, order)} received on {day.isoformat()} for invoice "
                f"{stored.number}: {_money(stored.received_of(due), order)} of "
                f"{_money(stored.owed(due), order)} received, {_money(left, order)} outstanding")
    if stored.written_off:
        return (f"recorded invoice {stored.number} paid on {day.isoformat()} with "
                f"{_money(received, order)}, {_money(stored.written_off, order)} written off "
                f"(of {_money(stored.owed(due), order)})")
    if stored.received:
        return (f"recorded invoice {stored.number} ({_money(stored.owed(due), order)}) paid on "
                f"{day.isoformat()}, its last {_money(received, order)}")
    return (f"recorded invoice {stored.number} ({_money(stored.owed(due), order)}) paid on "
            f"{day.isoformat()}")


def _money(amount: Decimal, order: Order) -> str:
    return format_money(amount, order.currency, "en")


def invoice_register(scope: Scope, standing: Standing | None,
                     form: Literal["text", "csv", "xlsx"]) -> tuple[bytes, int]:
    """The invoices issued (of --season; paid, unpaid or overdue), as a table or rows; with
    their number."""
    setting = setting_of(scope)
    today = today_in(setting.zone)
    with opened(scope) as store:
        invoices = store.invoices()
        # Only the invoiced orders are read: a brand's store holds many more orders than
        # invoices in a season's weeks of invoicing.
        numbers = sorted({each.order_number for each in invoices})
        orders = {number: order for number in numbers
                  if (order := store.order(number)) is not None}
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


def remind(scope: Scope, numbers: list[str]) -> str:
    """Queue payment reminders: of the invoices named, or of every invoice overdue today (in
    the brand's timezone); each order's reminder lists all its unpaid invoices. Say what was
    queued, and for which orders no e-mail can go."""
    setting = setting_of(scope)
    today = today_in(setting.zone)
    with opened(scope) as store:
        issued = {each.number: each for each in store.invoices()}
        cancelled = store.cancellations()
        if numbers:
            chosen = [_remindable(number, issued, cancelled, store) for number in numbers]
        else:
            late = [each for each in issued.values() if each.paid_on is None
                    and each.due_on < today and each.order_number not in cancelled]
            # Only their orders are read: what credit notes and payments left of each.
            owing = {number: order for number in {each.order_number for each in late}
                     if (order := store.order(number)) is not None}
            chosen = [each for each in late if each.order_number in owing
                      and still_owed(owing[each.order_number], each) > 0]
        if not chosen:
            return "no invoice is overdue: nothing to remind"
        orders = sorted({each.order_number for each in chosen})
        queued = {number: store.remind(number, right_now()) for number in orders}
    sent = [number for number in orders if queued[number]]
    unsent = [number for number in orders if not queued[number]]
    said = []
    if sent:
        said.append(f"queued payment reminders of {len(sent)} order"
                    f"{'s' if len(sent) != 1 else ''} ({', '.join(sent)}): the running "
                    "endpoint sends them within a minute, each with the order's unpaid invoices")
    if unsent:
        said.append(f"none for {', '.join(unsent)}: placed without e-mails "
                    "(LINESHEETS_SMTP_URL was not set); remind the buyer yourself")
    return "; ".join(said)


def _remindable(number: str, issued: dict[str, Invoice], cancelled: Mapping[str, Cancellation],
                store: OrderStore) -> Invoice:
    """The issued, unpaid invoice of a standing order `number` names, or why not."""
    if Invoice.parse_number(number) is None:
        raise LinesheetsError(f"'{number}' is not an invoice number; they read "
                              "INV-SS27-000042, or with -D (deposit) or -B (balance)")
    invoice = issued.get(number.strip())
    if invoice is None:
        raise LinesheetsError(f"no invoice {number} was issued; `linesheets orders invoices` "
                              "lists those that were")
    if invoice.paid_on is not None:
        raise LinesheetsError(f"invoice {number} was paid on {invoice.paid_on.isoformat()}: "
                              "nothing to remind")
    if invoice.order_number in cancelled:
        raise LinesheetsError(f"the order of invoice {number} was cancelled: the invoice is "
                              "void, nothing to remind")
    order = store.order(invoice.order_number)
    if order is None or still_owed(order, invoice) <= 0:
        raise LinesheetsError(f"invoice {number} asks nothing any more: its credit notes "
                              "give back all it asked, nothing to remind")
    return invoice
