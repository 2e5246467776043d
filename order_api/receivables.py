"""Invoice register: the invoices issued x their orders x today -> what each asks, whether it
was paid, is due or overdue, and what is outstanding per currency (`linesheets orders
invoices`), as a table or as rows for the brand's accounting.

"Today" is the brand's day (its timezone), so an invoice due on the 15th is overdue from the
16th there, as the buyer reads its due date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from babel.numbers import get_currency_precision

from generator.i18n import format_money
from generator.text_table import columns
from order_api.export import Row
from order_api.invoice import amount_due, still_owed
from order_api.schemas import Order
from order_api.store import Invoice

# void: an unpaid invoice nobody owes any more: of an order the brand cancelled, or given back
# whole by its credit notes.
Standing = Literal["paid", "unpaid", "overdue", "void"]
# Columns are only ever added at the end: an accounting import reads them by position.
COLUMNS = ("invoice_number", "order_number", "part", "issued_on", "due_on", "buyer_company",
           "buyer_name", "buyer_email", "currency", "amount_due", "status", "paid_on",
           "payment_note", "order_status", "received", "outstanding", "written_off", "credited",
           "to_refund")


@dataclass(frozen=True)
class Entry:
    """One invoice with its order, what it asks and where it stands today."""

    invoice: Invoice
    order: Order
    amount: Decimal
    standing: Standing
    cancelled: bool  # its order was cancelled after it was issued

    @property
    def received(self) -> Decimal:
        """What was received of it so far (with the currency's digits, as its amount)."""
        return self.invoice.received_of(self.amount).quantize(self.amount)

    @property
    def credited(self) -> Decimal:
        """What the brand gave back of it (its credit notes)."""
        return (self.amount - self.invoice.owed(self.amount)).quantize(self.amount)

    @property
    def outstanding(self) -> Decimal:
        """What the buyer still owes of it: nothing once it is paid or void."""
        owed = Decimal(0) if self.standing == "void" else still_owed(self.order, self.invoice)
        return owed.quantize(self.amount)

    @property
    def to_refund(self) -> Decimal:
        """What the brand owes the buyer back: received beyond what it asks now (credited
        after it was paid; all of it, of an order cancelled since)."""
        owed = Decimal(0) if self.cancelled else self.invoice.owed(self.amount)
        return max(self.received - owed, Decimal(0)).quantize(self.amount)

    def state(self, today: date) -> str:
        """E.g. "paid 2027-01-20", "overdue 12 days", "due in 5 days, ¥50,000 received",
        "due today", "void (order cancelled)"."""
        invoice = self.invoice
        credited = f", {self._money(self.credited)} credited" if invoice.credited else ""
        if invoice.paid_on is not None:
            off, back = invoice.written_off, self.to_refund
            return f"paid {invoice.paid_on.isoformat()}" + (
                f", {self._money(off)} written off" if off else "") + credited + (
                f", {self._money(back)} to refund" if back else "") + (
                " (order cancelled)" if self.cancelled else "")
        part = credited + (f", {self._money(self.received)} received" if invoice.received
                           else "")
        if self.standing == "void":
            back = self.to_refund
            return ("void (order cancelled)" if self.cancelled else
                    "void (credited in full)") + part + (
                f", {self._money(back)} to refund" if back else "")
        days = (invoice.due_on - today).days
        if days < 0:
            return f"overdue {-days} day{'s' if days != -1 else ''}" + part
        return ("due today" if days == 0 else
                f"due in {days} day{'s' if days != 1 else ''}") + part

    def _money(self, amount: Decimal) -> str:
        return format_money(amount, self.order.currency, "en")


def register(invoices: Sequence[Invoice], orders: Mapping[str, Order],
             cancelled: frozenset[str], today: date,
             standing: Standing | None = None) -> list[Entry]:
    """The invoices (of one standing) with their orders, by date of issue."""
    entries = []
    rank = {"deposit": 0, "full": 1, "balance": 2}
    for invoice in sorted(invoices, key=lambda each: (each.issued_on, each.order_number,
                                                      rank[each.part])):
        order = orders[invoice.order_number]
        due = amount_due(order, invoice)
        state: Standing = ("paid" if invoice.paid_on is not None else
                           "void" if order.order_number in cancelled
                           or still_owed(order, invoice) <= 0 else
                           "overdue" if invoice.due_on < today else "unpaid")
        if standing in (None, state) or (standing == "unpaid" and state == "overdue"):
            entries.append(Entry(invoice, order, due, state, order.order_number in cancelled))
    return entries


def register_text(entries: Sequence[Entry], today: date) -> str:
    """A table of the invoices and a summary of what is outstanding and overdue."""
    if not entries:
        return "no invoices match"
    rows = [("invoice", "issued", "due", "buyer", "amount", "status")]
    for entry in entries:
        invoice, buyer = entry.invoice, entry.order.buyer
        rows.append((invoice.number, invoice.issued_on.isoformat(), invoice.due_on.isoformat(),
                     buyer.company or buyer.name,
                     format_money(entry.amount, entry.order.currency, "en"),
                     entry.state(today)))
    owed: dict[str, Decimal] = defaultdict(Decimal)
    late: dict[str, Decimal] = defaultdict(Decimal)
    for entry in entries:
        if entry.standing in ("unpaid", "overdue"):
            owed[entry.order.currency] += entry.outstanding
        if entry.standing == "overdue":
            late[entry.order.currency] += entry.outstanding
    back: dict[str, Decimal] = defaultdict(Decimal)
    for entry in entries:
        if entry.to_refund:
            back[entry.order.currency] += entry.to_refund
    count = len(entries)
    summary = f"{count} invoice{'s' if count != 1 else ''}; outstanding " + (
        _sums(owed) or "nothing") + (f", of which overdue {_sums(late)}" if late else "") + (
        f"; to refund {_sums(back)}" if back else "")
    return "\n".join([*columns(rows, right={4}), "", summary])


def register_rows(entries: Sequence[Entry]) -> list[Row]:
    """One row per invoice, in COLUMNS order, for CSV or XLSX."""
    return [Row((entry.invoice.number, entry.order.order_number, entry.invoice.part,
                 entry.invoice.issued_on.isoformat(), entry.invoice.due_on.isoformat(),
                 entry.order.buyer.company, entry.order.buyer.name, entry.order.buyer.email,
                 entry.order.currency, entry.amount, entry.standing,
                 entry.invoice.paid_on.isoformat() if entry.invoice.paid_on else None,
                 entry.invoice.payment_note, "cancelled" if entry.cancelled else "placed",
                 entry.received, entry.outstanding, entry.invoice.written_off,
                 entry.credited, entry.to_refund),
                get_currency_precision(entry.order.currency))
            for entry in entries]


def _sums(amounts: Mapping[str, Decimal]) -> str:
    return " + ".join(format_money(amount, currency, "en")
                      for currency, amount in sorted(amounts.items()))
