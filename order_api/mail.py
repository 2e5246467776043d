"""Outbox stage, e-mail: a stored Order x the manifest -> the brand's or the buyer's message,
plain text and HTML, in the order's language.

The templates (order_api/templates/order_mail.*) get a view of ready-made strings, so
amounts, dates and countries are formatted once here, for the locale, the way the pages
format them; the interface words come from the project's gettext catalogs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from functools import cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from generator.i18n import babel_locale, format_money, format_percentage, interface_translations
from generator.i18n import translate as pick
from generator.manifest import Manifest
from generator.settings import SITE_TEMPLATES
from order_api.credit_note import render_credit_note
from order_api.export import export_csv, export_rows
from order_api.invoice import amount_due, letterhead, render_invoice, still_owed
from order_api.order_text import label_lines
from order_api.packs import pack_notes
from order_api.schemas import BuyerDetails, Order
from order_api.shipping import shipping
from order_api.store import Amendment, Cancellation, Invoice, Notification, shipped_units

Audience = Literal["brand", "buyer"]
TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class MailLine:
    """One order line, its amounts formatted."""

    style_no: str
    name: str
    color: str  # the colour's name and code, e.g. "Black (BLK)"
    size: str
    quantity: int
    unit_price: str
    amount: str
    delivery: str | None  # only where the order's lines ship at different times
    packs: str | None = None  # on a packed colour's first line: "3 packs of XS×1 S×2 …"


@dataclass(frozen=True)
class MailView:
    """What the mail templates show; every value is already text in the order's language."""

    audience: Audience
    language: str
    brand: str
    number: str
    received: str
    link: str
    season: str
    delivery: str | None  # when every line ships together
    buyer: BuyerDetails
    address: list[str]  # the delivery address, line by line; empty: none given
    note: str | None
    lines: list[MailLine]
    subtotal: str
    taxes: list[tuple[str, str]]  # (label with its percent, amount)
    total: str
    deposit_percent: str | None  # None: no deposit
    deposit: str
    balance: str
    cancelled: str | None = None  # when the brand cancelled the order; None: it stands
    cancel_reason: str | None = None
    amended: str | None = None  # when the brand last amended the order
    amend_reason: str | None = None
    intra_community: bool = False  # no VAT: the exempt supply's mention follows the total


def compose_order_mail(order: Order, manifest: Manifest, audience: Audience, *,
                       sender: str, recipients: list[str], reply_to: list[str],
                       message_id: str,
                       cancellation: Cancellation | None = None,
                       amendment: Amendment | None = None) -> EmailMessage:
    """Write the order's e-mail to the brand or to the buyer, as multipart/alternative; with
    `cancellation`, the e-mail that says the brand cancelled it; with `amendment`, the one
    that says it amended it, with the order as it now stands."""
    view = order_view(order, manifest, audience, cancellation, amendment)
    gettext = interface_translations(SITE_TEMPLATES, order.language).gettext
    values = {"number": view.number, "buyer": order.buyer.company or order.buyer.name,
              "brand": view.brand}
    if cancellation is not None:
        subject = (gettext("Order %(number)s from %(buyer)s cancelled") if audience == "brand"
                   else gettext("Your order %(number)s with %(brand)s was cancelled")) % values
    elif amendment is not None:
        subject = (gettext("Order %(number)s from %(buyer)s amended") if audience == "brand"
                   else gettext("Your order %(number)s with %(brand)s was amended")) % values
    else:
        subject = (gettext("New order %(number)s from %(buyer)s") if audience == "brand"
                   else gettext("Your order %(number)s with %(brand)s")) % values
    sent = (cancellation.at if cancellation is not None else
            amendment.at if amendment is not None else order.received_at)
    message = _headed(subject, order, audience, sender, recipients, reply_to, message_id,
                      sent.timestamp())
    _write_parts(message, order.language, "order_mail", view)
    if audience == "brand":
        # The order's lines as `linesheets orders export` writes them, for the brand's
        # spreadsheet or ERP import, straight from the mail.
        rows = export_rows([order], ZoneInfo(manifest.brand.timezone),
                           {order.order_number: cancellation} if cancellation else None,
                           {order.order_number: amendment} if amendment else None)
        message.add_attachment(export_csv(rows), maintype="text", subtype="csv",
                               filename=f"{order.order_number}.csv")
    # Last: set_content clears the Content-* headers, and an attachment moves them inside.
    message["Content-Language"] = order.language
    return message


@dataclass(frozen=True)
class InvoiceMailView:
    """What the invoice mail templates show, in the order's language."""

    audience: Audience
    language: str
    invoice: str  # its number
    number: str  # the order's
    email: str  # the buyer's address, which the brand's copy names
    due: str
    due_on: str
    account: list[str]  # the bank account of the order's currency, line by line
    issuer: str


def compose_invoice_mail(note: Notification, invoice: Invoice, manifest: Manifest, *,
                         sender: str, recipients: list[str], reply_to: list[str],
                         message_id: str) -> EmailMessage:
    """Write an invoice's e-mail, to the buyer or the brand's copy: a few lines in the order's
    language, the invoice attached as its printable page (`orders invoice`'s)."""
    order = note.order
    audience: Audience = "brand" if note.channel == "brand-email" else "buyer"
    language, brand = order.language, manifest.brand
    zone = ZoneInfo(brand.timezone)
    page = render_invoice(order, invoice, manifest, zone,
                          next((each for each in note.invoices if each.part == "deposit"),
                               None), note.cancellation)
    head = letterhead(manifest, language, order.currency)
    view = InvoiceMailView(
        audience=audience, language=language, invoice=invoice.number,
        number=order.order_number, email=order.buyer.email,
        due=format_money(amount_due(order, invoice), order.currency, language),
        due_on=format_date(invoice.due_on, "long", locale=babel_locale(language)),
        account=head.account, issuer=head.sender)
    gettext = interface_translations(SITE_TEMPLATES, language).gettext
    values = {"invoice": invoice.number, "brand": pick(brand.name, language,
                                                       brand.default_language),
              "buyer": order.buyer.company or order.buyer.name}
    subject = (gettext("Invoice %(invoice)s sent to %(buyer)s") if audience == "brand"
               else gettext("Invoice %(invoice)s from %(brand)s")) % values
    message = _headed(subject, order, audience, sender, recipients, reply_to, message_id)
    _write_parts(message, language, "invoice_mail", view)
    message.add_attachment(page, subtype="html", charset="utf-8",
                           filename=f"{invoice.number}.html")
    message["Content-Language"] = language
    return message


@dataclass(frozen=True)
class CreditMailView:
    """What the credit note mail templates show, in the order's language."""

    audience: Audience
    language: str
    number: str  # the order's
    email: str  # the buyer's address, which the brand's copy names
    notes: list[str]  # "CN-SS27-000042-B-1, 20 February 2027: ¥10,800 (2 coats returned)"
    issuer: str


def compose_credit_mail(note: Notification, manifest: Manifest, *, sender: str,
                        recipients: list[str], reply_to: list[str],
                        message_id: str) -> EmailMessage:
    """Write the e-mail of an order's credit notes, to the buyer or the brand's copy: every
    one issued so far, the latest first, each with its date, amount and reason and attached
    as its printable page (`orders credit`'s); the order has at least one."""
    order = note.order
    credited = sorted(((invoice, each) for invoice in note.invoices
                       for each in invoice.credited),
                      key=lambda pair: (pair[1].issued_on, pair[1].part, pair[1].seq),
                      reverse=True)
    audience: Audience = "brand" if note.channel == "brand-email" else "buyer"
    language, brand = order.language, manifest.brand
    locale = babel_locale(language)
    gettext = interface_translations(SITE_TEMPLATES, language).gettext
    view = CreditMailView(
        audience=audience, language=language, number=order.order_number,
        email=order.buyer.email,
        notes=[gettext("%(note)s, %(date)s: %(amount)s (%(reason)s)") % {
            "note": each.number, "date": format_date(each.issued_on, "long", locale=locale),
            "amount": format_money(each.amount, order.currency, language),
            "reason": each.reason} for _, each in credited],
        issuer=letterhead(manifest, language, order.currency).sender)
    values = {"note": credited[0][1].number,
              "brand": pick(brand.name, language, brand.default_language),
              "buyer": order.buyer.company or order.buyer.name}
    subject = (gettext("Credit note %(note)s sent to %(buyer)s") if audience == "brand"
               else gettext("Credit note %(note)s from %(brand)s")) % values
    message = _headed(subject, order, audience, sender, recipients, reply_to, message_id)
    _write_parts(message, language, "credit_mail", view)
    zone = ZoneInfo(brand.timezone)
    for invoice, each in credited:
        message.add_attachment(render_credit_note(order, invoice, each, manifest, zone),
                               subtype="html", charset="utf-8", filename=f"{each.number}.html")
    message["Content-Language"] = language
    return message


@dataclass(frozen=True)
class ReminderMailView:
    """What the payment reminder templates show, in the order's language."""

    audience: Audience
    language: str
    number: str
    email: str
    unpaid: list[str]  # "INV-SS27-000042-D: ¥42,768, due 15 January 2027"
    account: list[str]
    issuer: str


def compose_reminder_mail(note: Notification, unpaid: list[Invoice], manifest: Manifest, *,
                          sender: str, recipients: list[str], reply_to: list[str],
                          message_id: str) -> EmailMessage:
    """Write a payment reminder of the order's unpaid invoices, to the buyer or the brand's
    copy: each invoice with its amount and due date, where to pay, the pages attached."""
    order = note.order
    audience: Audience = "brand" if note.channel == "brand-email" else "buyer"
    language, brand = order.language, manifest.brand
    default, locale = brand.default_language, babel_locale(language)
    gettext = interface_translations(SITE_TEMPLATES, language).gettext
    head = letterhead(manifest, language, order.currency)
    view = ReminderMailView(
        audience=audience, language=language, number=order.order_number,
        email=order.buyer.email,
        unpaid=[_still_owed(invoice, order, gettext, locale) for invoice in unpaid],
        account=head.account, issuer=head.sender)
    values = {"number": order.order_number, "brand": pick(brand.name, language, default),
              "buyer": order.buyer.company or order.buyer.name}
    subject = (gettext("Payment reminder sent to %(buyer)s (order %(number)s)")
               if audience == "brand" else
               gettext("Payment reminder: order %(number)s with %(brand)s")) % values
    message = _headed(subject, order, audience, sender, recipients, reply_to, message_id)
    _write_parts(message, language, "reminder_mail", view)
    zone = ZoneInfo(brand.timezone)
    deposit = next((each for each in note.invoices if each.part == "deposit"), None)
    for invoice in unpaid:
        message.add_attachment(render_invoice(order, invoice, manifest, zone, deposit),
                               subtype="html", charset="utf-8",
                               filename=f"{invoice.number}.html")
    message["Content-Language"] = language
    return message


def _still_owed(invoice: Invoice, order: Order, gettext: Callable[[str], str],
                locale: Locale) -> str:
    """A reminder's line of an unpaid invoice: what it asks, or what is left of it when part
    was received, and its due date."""
    due = amount_due(order, invoice)
    values = {"invoice": invoice.number, "date": format_date(invoice.due_on, "long",
                                                             locale=locale),
              "amount": format_money(due, order.currency, order.language)}
    if not invoice.received and not invoice.credited:
        return gettext("%(invoice)s: %(amount)s, due %(date)s") % values
    left = format_money(still_owed(order, invoice), order.currency, order.language)
    return gettext("%(invoice)s: %(left)s still to pay of %(amount)s, due %(date)s") % {
        **values, "left": left}


@dataclass(frozen=True)
class ShippedView:
    """One shipment as the mail shows it."""

    shipped_on: str
    carrier: str | None
    tracking: str | None
    note: str | None
    lines: list[str]  # "SS27-001 Trench coat — Black (BLK), M × 4"


@dataclass(frozen=True)
class ShipmentMailView:
    """What the shipment mail templates show, in the order's language."""

    audience: Audience
    language: str
    number: str
    buyer: str
    brand: str
    shipments: list[ShippedView]  # the latest first
    to_ship: list[str]  # the lines still to ship, as above


def compose_shipment_mail(note: Notification, manifest: Manifest, *, sender: str,
                          recipients: list[str], reply_to: list[str],
                          message_id: str) -> EmailMessage:
    """Write the e-mail that tells the buyer (or the brand's copy) what has shipped of the
    order: each shipment so far, the latest first, with its carrier and tracking number,
    and what is still to ship."""
    order = note.order
    audience: Audience = "brand" if note.channel == "brand-email" else "buyer"
    language, locale = order.language, babel_locale(order.language)
    names = {(line.style_no, line.color, line.size):
             f"{line.style_no} {line.name} — {line.color_name} ({line.color}), {line.size}"
             for line in order.lines}
    shipped = shipped_units(note.shipments)
    view = ShipmentMailView(
        audience=audience, language=language, number=order.order_number,
        buyer=order.buyer.company or order.buyer.name,
        brand=pick(manifest.brand.name, language, manifest.brand.default_language),
        shipments=[ShippedView(
            shipped_on=format_date(shipment.shipped_on, "long", locale=locale),
            carrier=shipment.carrier, tracking=shipment.tracking, note=shipment.note,
            lines=[f"{names.get(cell[:3], ' '.join(cell[:3]))} × {cell[3]}"
                   for cell in shipment.cells]) for shipment in reversed(note.shipments)],
        to_ship=[f"{names[key]} × {line.quantity - shipped.get(key, 0)}"
                 for line in order.lines
                 if line.quantity > shipped.get(key := (line.style_no, line.color, line.size), 0)])
    gettext = interface_translations(SITE_TEMPLATES, language).gettext
    values = {"number": view.number, "buyer": view.buyer, "brand": view.brand}
    subject = (gettext("Order %(number)s from %(buyer)s shipped") if audience == "brand"
               else gettext("Your order %(number)s with %(brand)s has shipped")) % values
    message = _headed(subject, order, audience, sender, recipients, reply_to, message_id)
    _write_parts(message, language, "shipment_mail", view)
    message["Content-Language"] = language
    return message


def order_view(order: Order, manifest: Manifest, audience: Audience,
               cancellation: Cancellation | None = None,
               amendment: Amendment | None = None) -> MailView:
    """Format an order (and its cancellation or amendment) for the mail templates in its
    language."""
    language, default = order.language, manifest.brand.default_language

    def money(amount: str) -> str:
        return format_money(Decimal(amount), order.currency, language)

    link = manifest.links.get(order.link)
    season = manifest.seasons.get(order.season)
    received = order.received_at.astimezone(ZoneInfo(manifest.brand.timezone))
    deposit_percent = Decimal(order.deposit_percent)
    ships = shipping(order.lines, language)
    notes = pack_notes(order.lines, interface_translations(SITE_TEMPLATES, language).ngettext)
    return MailView(
        audience=audience, language=language, brand=pick(manifest.brand.name, language, default),
        number=order.order_number,
        received=str(format_datetime(received, "long", locale=babel_locale(language))),
        link=pick(link.name, language, default) if link is not None else order.link,
        season=pick(season.name, language, default) if season is not None else order.season,
        delivery=ships.common, buyer=order.buyer, address=label_lines(order, language),
        note=order.note,
        lines=[MailLine(style_no=line.style_no, name=line.name,
                        color=f"{line.color_name} ({line.color})", size=line.size,
                        quantity=line.quantity, unit_price=money(line.unit_price),
                        amount=money(line.amount), delivery=delivery, packs=packs)
               for line, delivery, packs in zip(order.lines, ships.lines, notes, strict=True)],
        subtotal=money(order.subtotal),
        taxes=[(f"{tax.label} {format_percentage(Decimal(tax.percent), language)}",
                money(tax.amount)) for tax in order.taxes],
        total=money(order.total), intra_community=order.intra_community,
        deposit_percent=format_percentage(deposit_percent, language) if deposit_percent
        else None,
        deposit=money(order.deposit), balance=money(order.balance),
        cancelled=None if cancellation is None else str(format_datetime(
            cancellation.at.astimezone(ZoneInfo(manifest.brand.timezone)), "long",
            locale=babel_locale(language))),
        cancel_reason=cancellation.reason if cancellation is not None else None,
        amended=None if amendment is None else str(format_datetime(
            amendment.at.astimezone(ZoneInfo(manifest.brand.timezone)), "long",
            locale=babel_locale(language))),
        amend_reason=amendment.reason if amendment is not None else None)


def _headed(subject: str, order: Order, audience: Audience, sender: str,
            recipients: list[str], reply_to: list[str], message_id: str,
            sent: float | None = None) -> EmailMessage:
    """A new message with the headers every notification mail carries; `sent`: its Date
    (unix seconds), now by default."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    if audience == "buyer":
        message["To"] = Address(display_name=order.buyer.name, addr_spec=order.buyer.email)
    else:
        message["To"] = ", ".join(recipients)
    if reply_to:
        message["Reply-To"] = ", ".join(reply_to)
    message["Date"] = formatdate(sent, usegmt=True)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to this
    return message


def mail_domain(sender: str) -> str:
    """The domain of a sender address, for the Message-IDs of its mails."""
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


def _write_parts(message: EmailMessage, language: str, template: str, view: object) -> None:
    """A mail's body from its templates in `language`: `template`.txt as the plain-text part,
    `template`.html as its HTML alternative."""
    environment = _environment(language)
    message.set_content(environment.get_template(f"{template}.txt").render(view=view))
    message.add_alternative(environment.get_template(f"{template}.html").render(view=view),
                            subtype="html")


@cache
def _environment(language: str) -> Environment:
    # Autoescaped HTML only: the plain-text part must show "<" and "&" as typed.
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, extensions=["jinja2.ext.i18n"])
    environment.install_gettext_translations(  # type: ignore[attr-defined]
        interface_translations(SITE_TEMPLATES, language), newstyle=True)
    return environment
