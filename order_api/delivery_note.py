"""Delivery note: a stored Order x one of its shipments -> a standalone, printable HTML page in
the order's language that travels with the goods (納品書 / packing list).

It names the sender (the brand's legal name and address where brand.yaml's `invoicing` has
them), the buyer and where the goods go, the order and the shipment (date, carrier, tracking
number) and each line shipped with its units; no prices, since a box is opened by people the
prices are not for.
"""

from __future__ import annotations

from babel.dates import format_date

from generator.i18n import babel_locale, interface_translations
from generator.manifest import Manifest
from generator.settings import SITE_TEMPLATES
from order_api.confirmation import order_names, page_environment, printed_lines
from order_api.invoice import letterhead
from order_api.order_text import address_lines
from order_api.schemas import Order
from order_api.store import Shipment


def render_delivery_note(order: Order, shipment: Shipment, manifest: Manifest) -> str:
    """Render the delivery note of one shipment of an order."""
    language = order.language
    head = letterhead(manifest, language, order.currency)
    gettext = interface_translations(SITE_TEMPLATES, language).gettext
    carried = {cell[:3] for cell in shipment.cells}
    lines, _ = printed_lines(order, lambda amount: amount, gettext)
    lines = [line for line in lines if (line.style_no, line.color, line.size) in carried]
    return page_environment(language).get_template("delivery_note.html").render(
        order=order, shipment=shipment, lines=lines, names=order_names(order, manifest),
        sender=head.sender, sender_address=head.address, registration=None,
        address=address_lines(order),
        shipped=format_date(shipment.shipped_on, "long", locale=babel_locale(language)),
        shipped_iso=shipment.shipped_on.isoformat(),
        units=sum(line.quantity for line in lines))
