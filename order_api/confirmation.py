"""Order confirmation page: one stored Order -> a standalone, printable HTML page in the
order's language (interface catalogs of generator/site_templates/locales, money by Babel).

Inline CSS with a print stylesheet and nothing to fetch, so the brand can open the file,
print it to PDF and send it. It carries what the buyer may see; the outbox's state is the
brand's business and stays in `linesheets orders show`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from gettext import NullTranslations
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from generator.i18n import (
    babel_locale,
    format_money,
    format_percentage,
    interface_translations,
    translate,
)
from generator.manifest import Manifest
from generator.settings import SITE_TEMPLATES
from order_api.order_text import breakdown_lines, label_lines
from order_api.packs import pack_notes
from order_api.schemas import Order
from order_api.shipping import shipping
from order_api.store import Amendment, Cancellation

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class PrintedLine:
    """An order line as the printable pages show it, amounts formatted."""

    style_no: str
    name: str
    color: str
    color_name: str
    size: str
    codes: str  # SKU and JAN, where the brand has them
    quantity: int
    unit_price: str
    amount: str
    steps: tuple[str, ...]
    delivery: str | None  # only where the order's lines ship at different times
    packs: str | None = None  # on a packed colour's first line: "3 packs of XS×1 S×2 …"


@dataclass(frozen=True)
class _Tax:
    label: str
    amount: str


def render_confirmation(order: Order, zone: ZoneInfo, brand: str | None,
                        manifest: Manifest | None = None,
                        cancellation: Cancellation | None = None,
                        amendment: Amendment | None = None) -> str:
    """Render the confirmation page of an order; times in `zone`, headed by the brand name
    (and, when the brand cancelled or amended it, by that). The link, season and term go by
    their names in the order's language where the endpoint's manifest (`manifest`) still has
    them, as in the order's e-mails; by their ids otherwise."""
    language = order.language
    names = order_names(order, manifest)
    translations = interface_translations(SITE_TEMPLATES, language)

    def money(amount: str) -> str:
        return format_money(Decimal(amount), order.currency, language)

    def percent(value: str) -> str:
        return format_percentage(Decimal(value), language)

    lines, delivery = printed_lines(order, money, translations)
    taxes = [_Tax(f"{tax.label} {percent(tax.percent)}", money(tax.amount))
             for tax in order.taxes]
    received = order.received_at.astimezone(zone)
    locale = babel_locale(language)
    return page_environment(language).get_template("confirmation.html").render(
        order=order, brand=brand, lines=lines, taxes=taxes, money=money,
        delivery=delivery,
        address=label_lines(order, language),
        deposit=percent(order.deposit_percent) if Decimal(order.deposit) else None,
        received=format_datetime(received, "long", tzinfo=zone, locale=locale),
        received_iso=received.isoformat(timespec="seconds"),
        cancelled=None if cancellation is None else format_datetime(
            cancellation.at.astimezone(zone), "long", tzinfo=zone, locale=locale),
        cancel_reason=cancellation.reason if cancellation is not None else None,
        amended=None if amendment is None else format_datetime(
            amendment.at.astimezone(zone), "long", tzinfo=zone, locale=locale),
        amend_reason=amendment.reason if amendment is not None else None,
        language_name=(locale.display_name or language), names=names)


def printed_lines(order: Order, money: Callable[[str], str], translations: NullTranslations
                  ) -> tuple[list[PrintedLine], str | None]:
    """The order's lines as printed, and the delivery they share (None when they ship at
    different times, each line then naming its own); a packed colour's first line says its
    packs."""
    ships = shipping(order.lines, order.language)
    lines = [PrintedLine(line.style_no, line.name, line.color, line.color_name, line.size,
                         " / ".join(code for code in (line.sku, line.jan) if code),
                         line.quantity, money(line.unit_price), money(line.amount),
                         breakdown_lines(line.breakdown, order.currency, order.language,
                                         translations.gettext), delivery, packs)
             for line, delivery, packs in zip(order.lines, ships.lines,
                                              pack_notes(order.lines, translations.ngettext),
                                              strict=True)]
    return lines, ships.common


def order_names(order: Order, manifest: Manifest | None) -> dict[str, str]:
    """The order's link, season and term by their names in its language, where the manifest
    still has them; by their ids otherwise."""
    names = {"link": order.link, "season": order.season, "term": order.term.upper()}
    if manifest is None:
        return names
    default = manifest.brand.default_language
    if (link := manifest.links.get(order.link)) is not None:
        names["link"] = translate(link.name, order.language, default)
        if link.term.code == order.term:
            names["term"] = translate(link.term.label, order.language, default)
    if (season := manifest.seasons.get(order.season)) is not None:
        names["season"] = translate(season.name, order.language, default)
    return names


@cache
def page_environment(language: str) -> Environment:
    """The printable pages' templates, with the interface catalog of `language`."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(  # type: ignore[attr-defined]
        interface_translations(SITE_TEMPLATES, language), newstyle=True)
    return env
