"""The printable order confirmation, invoice, credit note and delivery note are valid HTML by
the Nu HTML Checker, in every language and shape of order (company or person, address or none,
deposit or none, amended or not), every part an invoice bills, a first and a later credit
note."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.catalog import load_catalog
from generator.manifest import build_manifest
from order_api.confirmation import render_confirmation
from order_api.credit_note import render_credit_note
from order_api.delivery_note import render_delivery_note
from order_api.invoice import render_invoice
from order_api.schemas import Order
from order_api.store import Amendment, CreditNote, Invoice, InvoicePart, Shipment
from tests.e2e.test_html_valid import VNU
from tests.unit.sample_orders import ORDERS


def test_every_printable_page_is_valid_html(tmp_path: Path) -> None:
    java = shutil.which("java")
    assert java, "Java is missing: apt-get install -y openjdk-17-jre-headless"
    assert VNU.is_file(), "vnu.jar is missing: run `npm ci` (make test does)"
    pages = []
    manifest = build_manifest(load_catalog(Path(__file__).parents[2] / "content"), {})
    for language in ("en", "ja", "zh-Hans", "zh-Hant", "ko", "fr", "it"):
        for index, document in enumerate(ORDERS):
            order = Order.model_validate({**document, "language": language,
                                          "order_number": f"SS27-00000{index}"})
            page = tmp_path / f"{language}-{index}.html"
            # The first order as the brand amended it, the others as placed.
            amended = Amendment(order.order_number, 1, datetime(2027, 1, 12, 3, tzinfo=UTC),
                                "Two more, by phone") if index == 0 else None
            page.write_text(render_confirmation(order, ZoneInfo("Asia/Tokyo"), "ASAGIRI",
                                                amendment=amended), "utf-8")
            pages.append(str(page))
            parts: tuple[InvoicePart, ...] = (("deposit", "balance") if Decimal(order.deposit)
                                              else ("full",))
            deposit = Invoice(order.order_number, "deposit", date(2027, 1, 12),
                              date(2027, 1, 26))
            for part in parts:
                invoice = Invoice(order.order_number, part, date(2027, 1, 12),
                                  date(2027, 2, 11))
                page = tmp_path / f"{language}-{index}-{part}.html"
                page.write_text(render_invoice(order, invoice, manifest, ZoneInfo("Asia/Tokyo"),
                                               deposit if part == "balance" else None),
                                "utf-8")
                pages.append(str(page))
            notes = tuple(CreditNote(order.order_number, parts[-1], seq, date(2027, 2, 20),
                                     Decimal(order.total) / 10, "2 returned, <stained> & torn")
                          for seq in (1, 2))
            credited = Invoice(order.order_number, parts[-1], date(2027, 1, 12),
                               date(2027, 2, 11), credited=notes)
            for note in notes:
                page = tmp_path / f"{language}-{index}-credit-{note.seq}.html"
                page.write_text(render_credit_note(order, credited, note, manifest,
                                                   ZoneInfo("Asia/Tokyo")), "utf-8")
                pages.append(str(page))
            # One unit of the first line: the rest is on the note as to follow.
            first = order.lines[0]
            shipment = Shipment(order.order_number, 1, date(2027, 2, 10), "Yamato Transport",
                                "4455-6677-8899", "2 boxes",
                                ((first.style_no, first.color, first.size, 1),))
            page = tmp_path / f"{language}-{index}-delivery.html"
            page.write_text(render_delivery_note(order, shipment, [shipment], manifest),
                            "utf-8")
            assert "to-follow" in page.read_text("utf-8")
            pages.append(str(page))
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--stdout", *pages],
        capture_output=True, text=True, timeout=300, check=False,
    )
    messages = json.loads(result.stdout)["messages"]
    shown = [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}" for m in messages]
    assert messages == [], "\n".join(shown)
