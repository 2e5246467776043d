"""`linesheets orders credit`: a credit note of an issued invoice (a discount after delivery,
goods sent back, a cancelled order's refund) recorded once and written as a printable page,
or one issued before printed again (docs/orders.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.errors import LinesheetsError
from generator.i18n import format_money
from generator.manifest import Manifest
from order_api.back_office import (
    Scope,
    check_folder,
    mailed,
    needs_manifest,
    one_line,
    opened,
    order_of,
    parse_amount,
    right_now,
    today_in,
    write_atomically,
)
from order_api.credit_note import credit_tax, render_credit_note
from order_api.invoice import amount_due
from order_api.schemas import Order
from order_api.store import CreditNote, CreditRefused, Invoice, OrderStore


@dataclass(frozen=True)
class Credited:
    """What `orders credit` did: the credit note, whether it is new, where its page went,
    and what the invoice asks now."""

    note: CreditNote
    new: bool
    path: Path
    said: str
    sent: str | None = None  # with --send: what happened to its e-mails


def credit_invoice(scope: Scope, number: str, amount: str | None, reason: str | None,
                   issued_on: date | None, out: Path | None, send: bool = False) -> Credited:
    """Issue a credit note of invoice `number` giving back `amount` (with tax) for `reason`,
    on `issued_on` (default today in the brand's timezone); or, for a credit note's own
    number, print it again. Its page goes to `out` (default: its number .html, here); with
    `send`, queue the e-mail of the order's credit notes to the buyer and the brand."""
    manifest = needs_manifest("a credit note names the brand and the tax given back, from the "
                              "built content")
    zone = scope.timezone or ZoneInfo(manifest.brand.timezone)
    if out is not None:
        check_folder(out)  # before the credit note is recorded
    again = CreditNote.parse_number(number)
    parsed = Invoice.parse_number(number) if again is None else again[:2]
    if parsed is None:
        raise LinesheetsError(f"'{number}' is neither an invoice number (INV-SS27-000042, with "
                              "-D or -B for a deposit or balance) nor a credit note's "
                              "(CN-SS27-000042-1): `linesheets orders invoices` lists them")
    order_number, part = parsed
    with opened(scope) as store:
        order = order_of(store, order_number)
        if send:
            _check_mailable(store, order_number)
        invoice = next((each for each in store.invoices(order_number) if each.part == part),
                       None)
        if invoice is None:
            raise LinesheetsError(f"no invoice {Invoice.number_of(order_number, part)} was "
                                  "issued; `linesheets orders invoices` lists those that were")
        due = amount_due(order, invoice)
        if again is not None:
            note = _issued(invoice, again[2], number, amount, reason, issued_on)
            new = False
        else:
            if amount is None or reason is None:
                raise LinesheetsError("a credit note says what it gives back and why: give "
                                      "--amount (with tax, in the invoice's currency) and "
                                      "--reason")
            note = _recorded(store, order, invoice, manifest, amount, reason, issued_on, zone)
            invoice = next(each for each in store.invoices(order_number) if each.part == part)
            new = True
        path = out or Path(f"{note.number}.html")
        write_atomically(path, render_credit_note(order, invoice, note, manifest,
                                                  zone).encode("utf-8"))
        sent = _send(store, order_number) if send else None

    def money(value: Decimal) -> str:
        return format_money(value, order.currency, "en")

    left = invoice.owed(due)
    said = (f"{money(note.amount)} given back of invoice {invoice.number}, which asks "
            f"{money(left)} now")
    back = invoice.received_of(due) - left if invoice.paid_on is not None else Decimal(0)
    if new and back > 0:
        said += f"; it was paid: refund the buyer {money(back)}"
    return Credited(note, new, path, said, sent)


def _check_mailable(store: OrderStore, number: str) -> None:
    """Refuse --send, before anything is written, where no e-mail could go (a cancelled
    order's credit notes go: they are its refund)."""
    if not mailed(store, number):
        raise LinesheetsError(
            f"order {number} was placed without e-mails (LINESHEETS_SMTP_URL was not set): "
            "its credit note cannot be e-mailed from here; leave out --send and send the page "
            "yourself")


def _send(store: OrderStore, number: str) -> str:
    """Queue the e-mails of the order's credit notes; say where they go."""
    queued = store.send_credit_notes(number, right_now())
    return (f"e-mail queued ({', '.join(queued)}), with the order's credit notes so far: the "
            "running endpoint sends it within a minute")


def _issued(invoice: Invoice, seq: int, number: str, amount: str | None, reason: str | None,
            issued_on: date | None) -> CreditNote:
    """A credit note issued before, to print again (nothing about it may be given anew)."""
    if amount is not None or reason is not None or issued_on is not None:
        raise LinesheetsError(f"{number} was issued already and keeps its amount, reason and "
                              "date: leave out --amount, --reason and --date to print it "
                              "again, or name the invoice to issue another")
    note = next((each for each in invoice.credited if each.seq == seq), None)
    if note is None:
        raise LinesheetsError(f"no credit note {number} was issued; `linesheets orders show "
                              f"{invoice.order_number}` lists those that were")
    return note


def _recorded(store: OrderStore, order: Order, invoice: Invoice, manifest: Manifest,
              amount: str, reason: str, issued_on: date | None, zone: ZoneInfo) -> CreditNote:
    """Record a new credit note of the invoice, refused with the reason where it cannot be."""
    currency, due = order.currency, amount_due(order, invoice)
    value = parse_amount(amount, currency)
    why = one_line(reason, "the reason")
    if not why:
        raise LinesheetsError("--reason is empty: say why the amount is given back, e.g. "
                              "\"2 coats returned, stained\"")
    left = invoice.owed(due)
    if value > left:
        raise LinesheetsError(
            f"--amount {amount} is more than invoice {invoice.number} asks now: "
            f"{format_money(left, currency, 'en')} (of {format_money(due, currency, 'en')}, "
            "less its credit notes); a credit note gives back at most that")
    today = today_in(zone)
    day = issued_on or today
    if day > today:
        raise LinesheetsError(f"--date {day.isoformat()} is after today ({today.isoformat()} "
                              f"in {zone.key}): issue a credit note on or before today")
    if day < invoice.issued_on:
        raise LinesheetsError(f"--date {day.isoformat()} is before invoice {invoice.number} "
                              f"was issued ({invoice.issued_on.isoformat()}): a credit note "
                              "comes after the invoice it corrects")
    try:
        credit_tax(order, value, manifest)  # at several rates, it cannot say which this is
    except ValueError as exc:
        raise LinesheetsError(str(exc)) from None
    note = CreditNote(invoice.order_number, invoice.part, len(invoice.credited) + 1, day, value,
                      why)
    try:
        stored = store.credit(note, right_now())
    except CreditRefused as exc:
        raise LinesheetsError(str(exc)) from None
    if stored is None:  # gone meanwhile: a store emptied by hand
        raise LinesheetsError(f"no invoice {invoice.number} was issued; `linesheets orders "
                              "invoices` lists those that were")
    return note
