"""Order display, when it ships: each line's delivery (`PricedLine.delivery`) -> what an
order's e-mails, its confirmation page and `linesheets orders show` say of it.

Lines record a window of dates as an ISO 8601 interval, for an ERP; people read it in the
order's language. An order whose lines all ship together says so once, beside its season;
one with a later drop among its lines says it on each line, where it differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from generator.i18n import format_days
from order_api.schemas import PricedLine


@dataclass(frozen=True)
class Shipping:
    """An order's deliveries as text: `common` when every line has the same one, else
    `lines`, one for each line (None where a line names none)."""

    common: str | None
    lines: tuple[str | None, ...]


def delivery_text(value: str, language: str | None) -> str:
    """A line's delivery for a reader: a window of days as `language` writes a range (ISO
    dates when None, as an operator's terminal shows them), the brand's text as it is."""
    start, slash, end = value.partition("/")
    try:
        dates = (date.fromisoformat(start), date.fromisoformat(end)) if slash else None
    except ValueError:
        dates = None
    if dates is None:
        return value
    if language is None:
        return f"{dates[0].isoformat()} – {dates[1].isoformat()}"
    return format_days(*dates, language)


def shipping(lines: Sequence[PricedLine], language: str | None) -> Shipping:
    """How an order's lines ship, in `language` (see delivery_text)."""
    values = {line.delivery for line in lines}
    if len(values) <= 1:
        value = next(iter(values), None)
        return Shipping(delivery_text(value, language) if value else None,
                        (None,) * len(lines))
    return Shipping(None, tuple(delivery_text(line.delivery, language) if line.delivery
                                else None for line in lines))
