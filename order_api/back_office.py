"""The back office's common ground (`linesheets orders …`): which order store, which
orders, which timezone, the manifest the endpoint serves, and how a command writes a file.

Times are shown in the brand's timezone, read from the manifest the endpoint serves
(LINESHEETS_MANIFEST), because a brand thinks of "orders of 10 January" in its own day;
`--timezone` overrides, and without either they are UTC. Every time is printed with its offset.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from babel.numbers import get_currency_precision
from pydantic import ValidationError

from generator.errors import LinesheetsError
from generator.i18n import translate
from generator.manifest import Manifest
from order_api.schemas import Order
from order_api.settings import utc_now
from order_api.store import DEFAULT_DATABASE_URL, OrderFilter, OrderStore, open_store, sqlite_path

DEFAULT_MANIFEST = "build/private/manifest.json"
MAX_REASON = 500  # characters of a cancellation's reason

# The back office's clock (aware, UTC): what the commands record as the time of a change, and
# "today" for the dates they take. One place, so a test runs the commands at its shop's time.
CLOCK: Callable[[], datetime] = utc_now


@dataclass(frozen=True)
class Scope:
    """Where the orders are, how to show their times, and which of them a command takes."""

    database: str | None = None  # --database; None: DATABASE_URL, else the default file
    timezone: ZoneInfo | None = None  # --timezone; None: the brand's, from the manifest
    link: str | None = None
    season: str | None = None
    since: date | datetime | None = None  # a date: from its start; naive: in the zone
    until: date | datetime | None = None  # a date: to its end (inclusive); a moment: before it
    status: Literal["placed", "cancelled"] | None = None  # --status


@dataclass(frozen=True)
class Setting:
    """How a command shows a selection: its timezone, the brand's name and the manifest."""

    zone: ZoneInfo
    brand: str | None  # the brand's name, when the manifest is there
    manifest: Manifest | None


def right_now() -> datetime:
    """The moment a change is recorded (UTC)."""
    return CLOCK()


def today_in(zone: ZoneInfo) -> date:
    """Today in `zone` (the brand's): the default date of a shipment, an invoice, a payment."""
    return CLOCK().astimezone(zone).date()


def not_before_order(day: date, order: Order, zone: ZoneInfo, what: str) -> None:
    """Refuse a --date before the day the order was received (in `zone`): a mistyped year
    would otherwise date a shipment, an invoice or a payment before the order existed."""
    received = order.received_at.astimezone(zone).date()
    if day < received:
        raise LinesheetsError(f"--date {day.isoformat()} is before order {order.order_number} "
                              f"was received ({received.isoformat()} in {zone.key}): {what}")


def check_folder(path: Path) -> None:
    """Refuse, before anything is recorded, a file whose folder is not there."""
    if not path.parent.is_dir():
        raise LinesheetsError(f"cannot write '{path}': the folder '{path.parent}' does not "
                              "exist; create it or choose another --out")


def write_atomically(path: Path, data: bytes) -> None:
    """Write a temporary file beside `path` and rename it into place, so a failed write never
    leaves half a file and a reader never sees one."""
    check_folder(path)
    folder = path.parent
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise LinesheetsError(f"cannot write '{path}': {exc.strerror}; nothing was "
                              "written") from None


def order_of(store: OrderStore, number: str) -> Order:
    order = store.order(number)
    if order is None:
        raise LinesheetsError(f"no order '{number}' in the order store; "
                              "`linesheets orders list` shows the numbers")
    return order


def database_url(given: str | None) -> str:
    """The order store a command works on: --database, else DATABASE_URL, else the default."""
    return given or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def stored_file(url: str) -> Path | None:
    """The SQLite file `url` names (None for PostgreSQL), which must be there: the commands
    work on the orders the endpoint stored, and a file that is not there is a mistyped path,
    not a new, empty store."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise LinesheetsError(f"no order database at '{path}'; check --database (or "
                              "DATABASE_URL): the endpoint's file, e.g. "
                              f"{DEFAULT_DATABASE_URL}")
    return path


@contextmanager
def opened(scope: Scope) -> Iterator[OrderStore]:
    url = database_url(scope.database)
    stored_file(url)
    store = open_store(url)
    try:
        yield store
    finally:
        store.close()


def setting_of(scope: Scope) -> Setting:
    manifest = read_manifest()
    brand = (translate(manifest.brand.name, manifest.brand.default_language,
                       manifest.brand.default_language) if manifest else None)
    if scope.timezone is not None:
        return Setting(scope.timezone, brand, manifest)
    return Setting(ZoneInfo(manifest.brand.timezone) if manifest else ZoneInfo("UTC"), brand,
                    manifest)


def read_manifest() -> Manifest | None:
    path = Path(os.environ.get("LINESHEETS_MANIFEST", DEFAULT_MANIFEST))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LinesheetsError(f"cannot read the manifest '{path}' for the brand's timezone: "
                              f"{exc.strerror}; give --timezone instead") from None
    try:
        return Manifest.model_validate_json(data)
    except ValidationError:
        raise LinesheetsError(f"the manifest '{path}' is not valid; rebuild it with "
                              "`linesheets build`, or give --timezone") from None


def order_filter(scope: Scope, zone: ZoneInfo) -> OrderFilter:
    since = _moment(scope.since, zone, end=False)
    until = _moment(scope.until, zone, end=True)
    if since is not None and until is not None and since >= until:
        raise LinesheetsError(f"--since {scope.since} is not before --until {scope.until}; "
                              "no order can match")
    return OrderFilter(link=scope.link, season=scope.season, since=since, until=until,
                       status=scope.status)


def _moment(value: date | datetime | None, zone: ZoneInfo, *, end: bool) -> datetime | None:
    if value is None:
        return None
    try:
        if isinstance(value, datetime):
            moment = value if value.tzinfo is not None else value.replace(tzinfo=zone)
            return moment.astimezone(UTC)
        # A date is a whole day of the brand: --until 2027-01-31 includes the 31st.
        day = value + timedelta(days=1) if end else value
        return datetime.combine(day, time(), zone).astimezone(UTC)
    except OverflowError:  # the calendar's first or last day, moved by the zone
        raise LinesheetsError(f"--{'until' if end else 'since'} {value.isoformat()} is at the "
                              "edge of the calendar; give a date between the years 2 and "
                              "9998, or leave the option out") from None


def one_line(text: str | None, what: str = "the reason") -> str | None:
    """A cancellation's reason (a payment's note): one line of at most MAX_REASON printable
    characters."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if len(text) > MAX_REASON:
        raise LinesheetsError(f"{what} is {len(text)} characters; keep it to {MAX_REASON}")
    odd = next((char for char in text if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")),
               None)
    if odd is not None:
        raise LinesheetsError(f"{what} holds the invisible character U+{ord(odd):04X}; "
                              "write it on one line of plain text")
    return text


def mailed(store: OrderStore, number: str) -> bool:
    """Whether an order was placed with e-mails (to the brand, the buyer): where its later
    documents (invoices, credit notes) can be e-mailed too."""
    return any(note.event == "order.placed" and note.channel in ("buyer-email", "brand-email")
               for note in store.notifications(number))


def needs_manifest(purpose: str) -> Manifest:
    """The manifest the endpoint serves, which a command cannot do without: LinesheetsError
    saying why (`purpose`) and how to get one when it is not there."""
    manifest = read_manifest()
    if manifest is None:
        raise LinesheetsError(
            f"no manifest at '{os.environ.get('LINESHEETS_MANIFEST', DEFAULT_MANIFEST)}': "
            f"{purpose}; run `linesheets build`, or set LINESHEETS_MANIFEST to the endpoint's "
            "manifest.json")
    return manifest


def parse_amount(text: str, currency: str, option: str = "--amount") -> Decimal:
    """An amount given on the command line (`option`) in the currency's units: positive, at
    most its minor digits."""
    digits = get_currency_precision(currency)
    example = "42000" if digits == 0 else f"4200.{'5' * digits}"
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0 or value != round(value, digits) or "e" in text.lower():
        raise LinesheetsError(f"{option} '{text}' is not an amount of {currency}: write it as "
                              f"a number with at most {digits} decimals, without separators, "
                              f"e.g. {example}")
    return value
