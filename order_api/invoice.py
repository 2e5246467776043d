"""Invoice page: a stored Order x the part it bills x the brand's invoicing settings -> a
standalone, printable HTML invoice in the order's language.

It carries what a Japanese qualified invoice (適格請求書) must: the issuer's name and
registration number, the date, the buyer, what was sold, the amount taxed at each rate with
the rate, and the tax of each rate, computed once on that amount as the order was priced
(docs/pricing.md); and what any invoice needs: a number, the amount due and by when, where to
pay. The amounts are the stored order's, never priced again, so the invoice and the
confirmation the buyer received cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from generator.fields import Text
from generator.i18n import (
    babel_locale,
    format_money,
    format_percentage,
    interface_translations,
    translate,
)
from generator.manifest import Manifest
from generator.settings import SITE_TEMPLATES
from order_api.confirmation import order_names, page_environment, printed_lines
from order_api.order_text import label_lines
from order_api.schemas import Order
from order_api.store import Cancellation, Invoice


@dataclass(frozen=True)
class _Rate:
    """One tax rate's part of the order: the amount taxed at it and its tax."""

    label: str  # the brand's tax label and the rate, e.g. 消費税 10%
    percent: str
    base: str
    tax: str


@dataclass(frozen=True)
class Letterhead:
    """The brand as the sender of its invoices, delivery notes and their e-mails, in one
    language: brand.yaml's `invoicing`, or its name alone without it."""

    sender: str  # the legal name, else the brand's name
    address: list[str]  # the sender's address, line by line; empty: none given
    registration: str | None
    vat_number: str | None  # the brand's VAT number
    account: list[str]  # the bank account of the currency, line by line; empty: none
    note: str | None


def letterhead(manifest: Manifest, language: str, currency: str) -> Letterhead:
    """What a page or mail in `language` for an order in `currency` says of its sender."""
    brand = manifest.brand
    invoicing = brand.invoicing

    def text(value: Text) -> str:
        return translate(value, language, brand.default_language)

    if invoicing is None:
        return Letterhead(text(brand.name), [], None, None, [], None)
    account = invoicing.account(currency)
    return Letterhead(
        sender=text(invoicing.issuer or brand.name),
        address=text(invoicing.address).splitlines() if invoicing.address else [],
        registration=invoicing.registration_number, vat_number=invoicing.vat_number,
        account=text(account.details).splitlines() if account else [],
        note=text(invoicing.note) if invoicing.note else None)


def amount_due(order: Order, invoice: Invoice) -> Decimal:
    """What the invoice asks the buyer to pay: the total, the deposit, or the balance."""
    return Decimal({"full": order.total, "deposit": order.deposit,
                    "balance": order.balance}[invoice.part])


def still_owed(order: Order, invoice: Invoice) -> Decimal:
    """What the buyer still owes of an invoice: what it asks once its credit notes are taken
    off, less what was received; nothing once it is paid."""
    if invoice.paid_on is not None:
        return Decimal(0)
    due = amount_due(order, invoice)
    return max(invoice.owed(due) - invoice.received_of(due), Decimal(0))


def render_invoice(order: Order, invoice: Invoice, manifest: Manifest, zone: ZoneInfo,
                   deposit: Invoice | None = None,
                   cancellation: Cancellation | None = None) -> str:
    """Render the invoice of an order's part; `deposit` is the order's deposit invoice, which
    a balance invoice names; `cancellation` is printed when the brand cancelled the order
    after invoicing it."""
    language = order.language
    translations = interface_translations(SITE_TEMPLATES, language)
    locale = babel_locale(language)

    def money(amount: str | Decimal) -> str:
        return format_money(Decimal(amount), order.currency, language)

    def day(value: date) -> str:
        return format_date(value, "long", locale=locale)

    head = letterhead(manifest, language, order.currency)
    lines, delivery = printed_lines(order, money, translations)
    rates = [_Rate(f"{tax.label} {format_percentage(Decimal(tax.percent), language)}",
                   format_percentage(Decimal(tax.percent), language), money(tax.base),
                   money(tax.amount)) for tax in order.taxes]
    received = order.received_at.astimezone(zone)
    return page_environment(language).get_template("invoice.html").render(
        order=order, invoice=invoice, lines=lines, rates=rates, money=money,
        delivery=delivery, names=order_names(order, manifest),
        address=label_lines(order, language),
        sender=head.sender, sender_address=head.address, registration=head.registration,
        vat_number=head.vat_number, account=head.account, note=head.note,
        deposit_percent=format_percentage(Decimal(order.deposit_percent), language),
        deposit_number=deposit.number if deposit else None,
        due=money(amount_due(order, invoice)),
        issued=day(invoice.issued_on), issued_iso=invoice.issued_on.isoformat(),
        due_on=day(invoice.due_on), due_iso=invoice.due_on.isoformat(),
        received=day(received.date()),
        received_iso=received.date().isoformat(),
        cancelled=None if cancellation is None else format_datetime(
            cancellation.at.astimezone(zone), "long", tzinfo=zone, locale=locale),
        cancel_reason=cancellation.reason if cancellation is not None else None)
