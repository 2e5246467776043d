"""Delivery note: a stored Order x one of its shipments -> a standalone, printable HTML page in
the order's language that travels with the goods (納品書 / packing list).

It names the sender (the brand's legal name and address where brand.yaml's `invoicing` has
them), the buyer and where the goods go, the order and the shipment (date, carrier, tracking
number), each line shipped with the units this box carries (a packed colour's packs too,
where the box holds whole ones), and what is still to follow (a back order: the units of the
order's lines not shipped by this shipment or before it); no prices, since a box is opened
by people the prices are not for. Printed again later, it reads as it did: later shipments
do not change what was to follow.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from babel.dates import format_date

from generator.i18n import babel_locale, interface_translations
from generator.manifest import Manifest
from generator.settings import SITE_TEMPLATES
from order_api.confirmation import order_names, page_environment, printed_lines
from order_api.invoice import letterhead
from order_api.order_text import label_lines
from order_api.packs import pack_notes
from order_api.schemas import Order, PricedLine
from order_api.store import Shipment, shipped_units


def _cell(line: PricedLine) -> tuple[str, str, str]:
    return line.style_no, line.color, line.size


def render_delivery_note(order: Order, shipment: Shipment, shipments: Sequence[Shipment],
                         manifest: Manifest) -> str:
    """Render the delivery note of one shipment of an order (`shipments`: all of the order's,
    for what is still to follow after it)."""
    language = order.language
    head = letterhead(manifest, language, order.currency)
    carried = {cell[:3]: cell[3] for cell in shipment.cells}
    sent = shipped_units(each for each in shipments if each.shipment <= shipment.shipment)
    translations = interface_translations(SITE_TEMPLATES, language)
    printed, _ = printed_lines(order, lambda amount: amount, translations)
    # Each line's units in this box and still to follow; a packed colour says its packs only
    # where every size of it is there in the same whole number of packs (a box may carry
    # part of a pack's sizes, which its lines then count in units).
    in_box = [carried.get(_cell(line), 0) for line in order.lines]
    left = [line.quantity - sent.get(_cell(line), 0) for line in order.lines]

    def packs(counts: list[int]) -> tuple[str | None, ...]:  # each line with these units
        return pack_notes([line.model_copy(update={"quantity": units})
                           for line, units in zip(order.lines, counts, strict=True)],
                          translations.ngettext)

    lines = [dataclasses.replace(line, quantity=units, packs=said) for line, units, said
             in zip(printed, in_box, packs(in_box), strict=True) if units > 0]
    to_follow = [dataclasses.replace(line, quantity=units, packs=said) for line, units, said
                 in zip(printed, left, packs(left), strict=True) if units > 0]
    return page_environment(language).get_template("delivery_note.html").render(
        order=order, shipment=shipment, lines=lines, to_follow=to_follow,
        names=order_names(order, manifest), sender=head.sender, sender_address=head.address,
        registration=None, vat_number=None, address=label_lines(order, language),
        shipped=format_date(shipment.shipped_on, "long", locale=babel_locale(language)),
        shipped_iso=shipment.shipped_on.isoformat(),
        units=sum(line.quantity for line in lines),
        units_to_follow=sum(line.quantity for line in to_follow))
