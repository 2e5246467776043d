"""Order export: stored Orders -> one row per order line -> CSV, XLSX or JSON bytes for a
brand's spreadsheet or ERP import (docs/orders.md lists the columns).

Order-level amounts (tax, total, deposit, balance) are not repeated on line rows: a column
summed in a spreadsheet would count them once per line. The JSON export carries whole orders.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from babel.numbers import get_currency_precision

from order_api.schemas import Order
from order_api.store import Amendment, Cancellation, Shipment, shipped_units

Format = Literal["csv", "xlsx", "json"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "json")

COLUMNS = (
    "order_number", "received_at", "link", "season", "language", "currency", "term",
    "deposit_percent", "buyer_company", "buyer_name", "buyer_email", "buyer_phone",
    "ship_country", "style_no", "style_name", "color", "color_name", "size", "sku", "jan",
    "quantity", "unit_price", "line_total", "delivery", "status", "cancelled_at",
    "cancel_reason", "amended_at", "amend_reason", "shipped_on", "carrier", "tracking",
    "shipped_quantity", "pack", "buyer_vat_number",
)
_MONEY = frozenset({"unit_price", "line_total", "amount_due", "amount_before_tax"})
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_WIDTHS = {"order_number": 14, "received_at": 19, "buyer_company": 24, "buyer_name": 18,
           "buyer_email": 26, "style_name": 24, "color_name": 14, "jan": 14,
           "delivery": 23, "cancelled_at": 19, "cancel_reason": 24, "amended_at": 19,
           "amend_reason": 24, "shipped_on": 11, "carrier": 16, "tracking": 18}

Cell = str | int | Decimal | datetime | None


@dataclass(frozen=True)
class Row:
    """One order line with its order's details, in COLUMNS order."""

    cells: tuple[Cell, ...]
    decimals: int  # the currency's minor digits, for the money cells


def export_rows(orders: Iterable[Order], zone: ZoneInfo,
                cancelled: Mapping[str, Cancellation] | None = None,
                amended: Mapping[str, Amendment] | None = None,
                shipments: Mapping[str, Sequence[Shipment]] | None = None) -> list[Row]:
    """Flatten orders (as they stand) into one row per line; times in `zone`. Each row says
    whether its order stands (`placed`) or was cancelled, when and why, when and why the
    brand last amended it (`amended`: the latest amendment of each order amended), and when
    and how the line last shipped, and how many of its units have (`shipments`: each
    order's; a line may ship in parts)."""
    cancelled, amended, shipments = cancelled or {}, amended or {}, shipments or {}
    rows = []
    for order in orders:
        sent = {cell[:3]: each for each in shipments.get(order.order_number, ())
                for cell in each.cells}  # each line's latest shipment
        units = shipped_units(shipments.get(order.order_number, ()))
        cancellation = cancelled.get(order.order_number)
        amendment = amended.get(order.order_number)
        status: tuple[Cell, ...] = (
            ("placed", None, None) if cancellation is None else
            ("cancelled", cancellation.at.astimezone(zone), cancellation.reason))
        status += ((None, None) if amendment is None else
                   (amendment.at.astimezone(zone), amendment.reason))
        decimals = get_currency_precision(order.currency)
        buyer, address = order.buyer, order.address
        head = (order.order_number, order.received_at.astimezone(zone), order.link,
                order.season, order.language, order.currency, order.term,
                Decimal(order.deposit_percent), buyer.company, buyer.name, buyer.email,
                buyer.phone, address.country if address else None)
        for line in order.lines:
            shipment = sent.get((line.style_no, line.color, line.size))
            cell = (line.style_no, line.color, line.size)
            shipped: tuple[Cell, ...] = (None, None, None) if shipment is None else (
                shipment.shipped_on.isoformat(), shipment.carrier, shipment.tracking)
            shipped += (units.get(cell, 0),)
            rows.append(Row((*head, line.style_no, line.name, line.color, line.color_name,
                             line.size, line.sku, line.jan, line.quantity,
                             Decimal(line.unit_price), Decimal(line.amount), line.delivery,
                             *status, *shipped, line.pack, buyer.vat_number), decimals))
    return rows


def export_csv(rows: Sequence[Row], columns: Sequence[str] = COLUMNS) -> bytes:
    """CSV as RFC 4180 (CRLF, quotes where needed) in UTF-8 with a BOM, which Excel needs to
    read it as UTF-8 rather than the machine's code page."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(_csv_cell(cell) for cell in row.cells)
    return text.getvalue().encode("utf-8-sig")


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.isoformat(timespec="seconds")
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return str(cell)


def export_xlsx(rows: Sequence[Row], columns: Sequence[str] = COLUMNS,
                title: str = "Order lines") -> bytes:
    """One sheet with a frozen header row; amounts are numbers with the currency's decimals,
    times are Excel date-times (which have no zone: they are in the zone of the export)."""
    # openpyxl loads in a fraction of a second, which only an XLSX export should pay.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=False)
    sheet = book.active
    assert sheet is not None  # a new workbook always has its one sheet
    sheet.title = title
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        for column, (name, value) in enumerate(zip(columns, row.cells, strict=True), start=1):
            cell = sheet.cell(row=number, column=column)
            if isinstance(value, datetime):
                cell.value = value.replace(tzinfo=None)
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(value, str):
                cell.value = value
                # openpyxl makes a string that starts with "=" a formula; text stays text.
                cell.data_type = "s"
            else:
                cell.value = value
                if name in _MONEY:
                    cell.number_format = "#,##0" + ("." + "0" * row.decimals
                                                    if row.decimals else "")
    sheet.freeze_panes = "A2"
    for column, name in enumerate(columns, start=1):
        width = max(len(name), _WIDTHS.get(name, 10)) + 2
        sheet.column_dimensions[get_column_letter(column)].width = width
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def export_json(orders: Iterable[Order],
                cancelled: Mapping[str, Cancellation] | None = None,
                amended: Mapping[str, Amendment] | None = None,
                shipments: Mapping[str, Sequence[Shipment]] | None = None) -> bytes:
    """The whole order documents as they stand (times in UTC); a cancelled one with
    `cancelled`: when (UTC) and why; an amended one with `amended`: when, why and which
    amendment it is; a shipped one with `shipments`: each, with the units of each line it
    carried (as the webhook posts them)."""
    cancelled, amended, shipments = cancelled or {}, amended or {}, shipments or {}
    documents = []
    for order in orders:
        document = order.model_dump(mode="json")
        cancellation = cancelled.get(order.order_number)
        if cancellation is not None:
            document["cancelled"] = {"at": _utc(cancellation.at),
                                     "reason": cancellation.reason}
        amendment = amended.get(order.order_number)
        if amendment is not None:
            document["amended"] = {"at": _utc(amendment.at), "reason": amendment.reason,
                                   "version": amendment.version}
        sent = shipments.get(order.order_number)
        if sent:
            document["shipments"] = [each.as_json() for each in sent]
        documents.append(document)
    return (json.dumps(documents, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
