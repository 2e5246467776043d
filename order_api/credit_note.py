"""Credit note page: an issued invoice x a credit note of it x the brand's invoicing -> a
standalone, printable HTML credit note in the order's language.

It carries what a Japanese qualified credit note (適格返還請求書) must: the issuer's name and
registration number, the date, the invoice and sale it corrects, the amount given back with
tax and its tax at the order's rate (worked back from the amount with the brand's tax
rounding, as the order's tax was rounded), and what any credit note needs: a number, the
buyer, the reason, and what the invoice asks once it is taken off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date

from generator.i18n import babel_locale, format_money, format_percentage
from generator.manifest import Manifest
from generator.pricing import round_money
from order_api.confirmation import order_names, page_environment
from order_api.invoice import amount_due, letterhead
from order_api.order_text import label_lines
from order_api.schemas import Order
from order_api.store import CreditNote, Invoice


@dataclass(frozen=True)
class CreditTax:
    """The tax included in a credit note's amount, at the order's rate."""

    label: str  # e.g. 消費税 10%
    percent: str  # e.g. 10%
    base: Decimal  # the amount given back without its tax
    tax: Decimal


def credit_tax(order: Order, amount: Decimal, manifest: Manifest) -> CreditTax | None:
    """The tax in `amount` (given back with tax) at the order's one rate; None for an order
    without tax. An order taxed at several rates cannot say which rate a sum given back of
    its total was taxed at: ValueError."""
    taxed = [tax for tax in order.taxes if Decimal(tax.percent) > 0]
    if not taxed:
        return None
    if len(taxed) > 1:
        raise ValueError(f"order {order.order_number} is taxed at several rates: a credit note "
                         "of it must say what it gives back at each, which this version "
                         "cannot; give a credit note per rate by hand")
    rate = Decimal(taxed[0].percent)
    tax = round_money(amount * rate / (100 + rate), order.currency,
                      manifest.brand.tax.rounding)
    percent = format_percentage(rate, order.language)
    return CreditTax(f"{taxed[0].label} {percent}", percent, amount - tax, tax)


def render_credit_note(order: Order, invoice: Invoice, note: CreditNote, manifest: Manifest,
                       zone: ZoneInfo) -> str:
    """Render a credit note of an order's invoice: what it gives back, with its tax, and
    what the invoice asks once every credit note up to this one is taken off."""
    language = order.language
    locale = babel_locale(language)

    def money(amount: Decimal) -> str:
        return format_money(amount, order.currency, language)

    def day(value: date) -> str:
        return format_date(value, "long", locale=locale)

    head = letterhead(manifest, language, order.currency)
    due = amount_due(order, invoice)
    before = [each for each in invoice.credited if each.seq <= note.seq]
    tax = credit_tax(order, note.amount, manifest)
    received = order.received_at.astimezone(zone)
    return page_environment(language).get_template("credit_note.html").render(
        order=order, invoice=invoice, note=note, names=order_names(order, manifest),
        address=label_lines(order, language), money=money, tax=tax,
        sender=head.sender, sender_address=head.address, registration=head.registration,
        vat_number=head.vat_number,
        issued=day(note.issued_on), issued_iso=note.issued_on.isoformat(),
        invoice_issued=day(invoice.issued_on), invoice_issued_iso=invoice.issued_on.isoformat(),
        received=day(received.date()), received_iso=received.date().isoformat(),
        due=money(due), earlier=money(sum((each.amount for each in before[:-1]), Decimal(0))),
        has_earlier=len(before) > 1,
        remaining=money(due - sum((each.amount for each in before), Decimal(0))))
