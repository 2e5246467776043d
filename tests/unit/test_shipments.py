"""Shipments (`linesheets orders ship`): lines shipped whole or in parts (the rest on back
order), with the carrier and tracking number; the buyer and the brand told of every shipment
so far and of what is still to ship; shipped units kept from amendments and their order from
cancellation; every shipment it cannot record refused with the reason. On SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import html5lib
import pytest

from generator.cli import main
from order_api.notify import DeliveryWorker
from order_api.store import Shipment, ShipmentRefused
from order_api.webhook import webhook_body
from tests.unit.endpoint import OFFICE_TODAY, weeks_later
from tests.unit.old_stores import sqlite_at
from tests.unit.receivers import SmtpSink
from tests.unit.shop import Shop, order

LINES = [{"style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 2},
         {"style_no": "SS27-001", "color": "ECR", "size": "S", "quantity": 2},
         {"style_no": "SS27-002", "color": "001", "size": "One size", "quantity": 3}]


def _place(shop: Shop, key: str = "key-0001", **changes: Any) -> str:
    answer = shop.post("open", order(lines=LINES, **changes), key=key)
    assert answer.status == 201, answer.json()
    number: str = answer.json()["order_number"]
    return number


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["orders", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_lines_ship_once_each_and_every_view_says_so(
    orders: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _place(orders)
    weeks_later(orders.clock)
    day = OFFICE_TODAY - timedelta(days=1)
    code, out, _ = _run(capsys, "ship", number, "--line", "1", "--line", "3", "--carrier",
                        "Yamato Transport", "--tracking", "4455-6677-8899", "--date",
                        day.isoformat(), "--note", "2 boxes")
    assert (code, out) == (0, f"recorded shipment 1 of order {number} on {day.isoformat()} "
                              "(Yamato Transport, tracking 4455-6677-8899): 2 lines, 5 units; "
                              "1 line still to ship (2 units); no e-mail or webhook was set up "
                              "for the order: tell the buyer yourself\n")
    assert _run(capsys, "list")[1].splitlines()[1].endswith("part shipped")
    code, out, _ = _run(capsys, "ship", number)
    assert code == 0 and "shipment 2" in out and "1 line, 2 units; every line has shipped" in out
    assert _run(capsys, "list")[1].splitlines()[1].endswith("shipped")
    [first, second] = orders.store.shipments([number])[number]
    assert first == Shipment(number, 1, day, "Yamato Transport", "4455-6677-8899", "2 boxes",
                             (("SS27-001", "BLK", "M", 2), ("SS27-002", "001", "One size", 3)))
    assert second.cells == (("SS27-001", "ECR", "S", 2),) and second.carrier is None
    shown = _run(capsys, "show", number)[1].split("Shipments\n", 1)[1]
    assert shown.splitlines()[:3] == [
        f"  1. {day.isoformat()} (Yamato Transport, tracking 4455-6677-8899): 2 boxes",
        "     SS27-001 BLK M × 2", "     SS27-002 001 One size × 3"]
    _, exported, _ = _run(capsys, "export", "--out", "-")
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert [(r["size"], r["shipped_on"], r["tracking"], r["shipped_quantity"])
            for r in rows] == [
        ("M", day.isoformat(), "4455-6677-8899", "2"), ("S", second.shipped_on.isoformat(), "",
                                                         "2"),
        ("One size", day.isoformat(), "4455-6677-8899", "3")]
    code, _, err = _run(capsys, "ship", number)
    assert code == 1 and f"every line of order {number} has shipped" in err


@pytest.mark.parametrize(("argv", "message"), [
    (["--line", "4"], "has no line 4; its lines are 1 to 3"),
    (["--line", "1", "--line", "1=1"], "line 1 is given twice; give each line once"),
    (["--date", "2099-01-01"], "--date 2099-01-01 is after today ("),
    (["--date", "2026-01-10"], "--date 2026-01-10 is before order SS27-000001 was received "
                               "(2027-01-10 in Asia/Tokyo): a shipment leaves after its order "
                               "came in"),
    (["--tracking", "12\u202e34"], "the tracking number holds the invisible character U+202E"),
])
def test_a_shipment_it_cannot_record_is_refused_and_nothing_is_stored(
    orders: Shop, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    number = _place(orders)
    code, _, err = _run(capsys, "ship", number, *argv)
    assert code == 1 and message in err, err
    assert orders.store.shipments() == {}


def test_shipped_lines_stay_as_they_shipped(
    orders: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _place(orders)
    assert _run(capsys, "ship", number, "--line", "1")[0] == 0
    assert _run(capsys, "ship", number, "--line", "1")[2].endswith(
        "line SS27-001 BLK M has shipped whole (2 units)\n")
    code, _, err = _run(capsys, "amend", number, "--line", "1=1")
    assert code == 1 and ("line SS27-001 BLK M has shipped 2 units: it cannot go below them"
                          in err)
    # The lines still to ship may change, and the shipped one keeps its shipment.
    code, out, _ = _run(capsys, "amend", number, "--line", "2=0")
    assert code == 0 and "line 2 (SS27-001 ECR S) removed" in out
    code, _, err = _run(capsys, "cancel", number)
    assert code == 1 and f"order {number} has shipped lines (shipment 1 on " in err
    assert orders.store.cancellations() == {}
    cancelled = _place(orders, key="key-0002")
    assert _run(capsys, "cancel", cancelled)[0] == 0
    code, _, err = _run(capsys, "ship", cancelled)
    assert (code, err) == (1, f"error: order {cancelled} was cancelled: it does not ship\n")
    code, _, err = _run(capsys, "ship", "SS27-000999")
    assert code == 1 and "no order 'SS27-000999' in the order store" in err


def test_a_line_ships_in_parts_and_the_rest_is_on_back_order(
    orders: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    """Part of a line leaves now and the rest later: every view counts units, not lines, and
    an amendment may raise a shipped line (more to follow) but not take it below what left."""
    number = _place(orders)
    code, out, _ = _run(capsys, "ship", number, "--line", "3=1", "--line", "1")
    assert code == 0 and out.startswith(
        f"recorded shipment 1 of order {number} on ") and (
        ": 2 lines, 3 units; 2 lines still to ship (4 units); " in out)
    assert _run(capsys, "list")[1].splitlines()[1].endswith("part shipped")
    code, _, err = _run(capsys, "ship", number, "--line", "3=3")
    assert code == 1 and ("line SS27-002 001 One size has 2 of its 3 units still to ship, "
                          "not 3" in err)
    code, out, _ = _run(capsys, "amend", number, "--line", "1=5")  # 3 more of a shipped line
    assert code == 0 and "line 1 (SS27-001 BLK M) 2 → 5" in out
    out = _run(capsys, "totals", "--to-ship")[1]  # the pick list: what has not left yet
    assert "BLK Black  -  3  -      3" in out and out.endswith(
        "1 order; 2 styles, 3 colours and sizes, 7 units\n")
    shown = _run(capsys, "show", number)[1].split("Shipments\n", 1)[1]
    assert ("  still to ship\n     line 1: SS27-001 BLK M × 3\n     line 2: SS27-001 ECR S × 2\n"
            "     line 3: SS27-002 001 One size × 2\n") in shown
    code, out, _ = _run(capsys, "ship", number, "--line", "3=2", "--line", "1=2")
    assert code == 0 and "2 lines, 4 units; 2 lines still to ship (3 units); " in out
    [first, second] = orders.store.shipments([number])[number]
    assert first.cells == (("SS27-001", "BLK", "M", 2), ("SS27-002", "001", "One size", 1))
    assert second.cells == (("SS27-001", "BLK", "M", 2), ("SS27-002", "001", "One size", 2))
    # The back orders: this one, not another that has shipped whole, nor a cancelled one.
    whole = _place(orders, key="key-0002")
    assert _run(capsys, "ship", whole)[0] == 0
    cancelled = _place(orders, key="key-0003")
    assert _run(capsys, "cancel", cancelled)[0] == 0
    listed = _run(capsys, "list", "--to-ship")[1].splitlines()
    assert [row.split()[0] for row in listed[1:-2]] == [number]
    assert listed[1].endswith("part shipped")
    code, out, _ = _run(capsys, "ship", number)  # the rest: 1 of line 1, all of line 2
    assert code == 0 and "2 lines, 3 units; every line has shipped" in out
    assert _run(capsys, "list", "--to-ship")[1] == "no orders match\n"
    assert orders.store.shipments([number])[number][2].cells == (
        ("SS27-001", "BLK", "M", 1), ("SS27-001", "ECR", "S", 2))
    assert _run(capsys, "list")[1].splitlines()[1].endswith(" shipped")
    _, exported, _ = _run(capsys, "export", "--out", "-")
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert [(r["quantity"], r["shipped_quantity"]) for r in rows
            if r["order_number"] == number] == [("5", "5"), ("2", "2"), ("3", "3")]
    _, exported, _ = _run(capsys, "export", "--format", "json", "--out", "-")
    documents = {each["order_number"]: each for each in json.loads(exported)}
    assert [[(line["size"], line["quantity"]) for line in each["lines"]]
            for each in documents[number]["shipments"]] == [
        [("M", 2), ("One size", 1)], [("M", 2), ("One size", 2)], [("M", 1), ("S", 2)]]
    assert "shipments" not in documents[cancelled]
    assert _run(capsys, "totals", "--to-ship")[1] == "no orders match\n"


@pytest.mark.parametrize(("line", "message"), [
    ("1=0", "a shipment carries at least 1 unit of a line, not 0"),
    ("1=3", "has 2 of its 2 units still to ship, not 3"),
    ("1=x", "'1=x' is not a line to ship; write LINE for all it has still to ship"),
    ("=2", "'=2' is not a line to ship"),
])
def test_a_part_it_cannot_ship_is_refused_and_nothing_is_stored(
    orders: Shop, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    number = _place(orders)
    code, _, err = _run(capsys, "ship", number, "--line", "2", "--line", line)
    assert code == 1 and message in err, err
    assert orders.store.shipments() == {}


def _placed_and_told(shop: Shop, sink: SmtpSink) -> tuple[str, DeliveryWorker]:
    """An order placed, its own e-mails sent and cleared from the sink: its number, and the
    delivery worker that sends what comes next."""
    number = _place(shop)
    worker = shop.worker()
    assert asyncio.run(worker.deliver_due()) == 2
    sink.mails.clear()
    return number, worker


def test_the_buyer_hears_of_every_shipment_with_its_tracking_number(
    announcing: Shop, smtp_sink: SmtpSink, capsys: pytest.CaptureFixture[str]
) -> None:
    number, worker = _placed_and_told(announcing, smtp_sink)
    code, out, _ = _run(capsys, "ship", number, "--line", "1", "--carrier", "ヤマト運輸",
                        "--tracking", "4455-6677-8899")
    assert code == 0 and out.endswith("announced like the order (brand-email, buyer-email): "
                                      "the running endpoint sends it within a minute\n")
    assert asyncio.run(worker.deliver_due()) == 2
    buyer = next(mail for mail in smtp_sink.mails if mail.recipients == ["aiko@example.com"])
    assert buyer.message["Subject"] == f"【Atelier Test】ご注文 {number} の商品を発送しました"
    text = buyer.part("plain")
    for expected in (f"ご注文 {number} の商品を発送いたしました。", "配送業者: ヤマト運輸",
                     "お問い合わせ番号: 4455-6677-8899",
                     "- SS27-001 トレンチコート — ブラック (BLK), M × 2", "未発送の商品",
                     "- SS27-001 トレンチコート — エクリュ (ECR), S × 2"):
        assert expected in text, expected
    # The next shipment tells both, the latest first, and that nothing is left.
    assert _run(capsys, "ship", number)[0] == 0
    smtp_sink.mails.clear()
    assert asyncio.run(worker.deliver_due()) == 2
    text = next(mail for mail in smtp_sink.mails
                if mail.recipients == ["aiko@example.com"]).part("plain")
    assert "ご注文の全商品を発送いたしました。" in text and text.count(" 発送") >= 2
    assert text.index("エクリュ") < text.index("ヤマト運輸")


def test_the_buyer_hears_what_is_left_of_a_line_shipped_in_part(
    announcing: Shop, smtp_sink: SmtpSink, capsys: pytest.CaptureFixture[str]
) -> None:
    number, worker = _placed_and_told(announcing, smtp_sink)
    assert _run(capsys, "ship", number, "--line", "1=1")[0] == 0
    assert asyncio.run(worker.deliver_due()) == 2
    text = next(mail for mail in smtp_sink.mails
                if mail.recipients == ["aiko@example.com"]).part("plain")
    shipped, left = text.split("未発送の商品", 1)
    assert "- SS27-001 トレンチコート — ブラック (BLK), M × 1" in shipped
    for expected in ("- SS27-001 トレンチコート — ブラック (BLK), M × 1",
                     "- SS27-001 トレンチコート — エクリュ (ECR), S × 2"):
        assert expected in left, expected


def test_the_webhook_posts_every_shipment_with_its_lines() -> None:
    from order_api.schemas import Order
    from tests.unit.sample_orders import ORDERS

    placed = Order.model_validate({**ORDERS[0], "order_number": "SS27-000001"})
    shipment = Shipment("SS27-000001", 1, date(2027, 2, 10), "DHL", "JD0001", None,
                        (("SS27-001", "BLK", "M", 2),))
    body = json.loads(webhook_body(placed, "order.shipped", shipments=[shipment]))
    assert body["event"] == "order.shipped"
    assert body["shipments"] == [{"shipment": 1, "shipped_on": "2027-02-10", "carrier": "DHL",
                                  "tracking": "JD0001", "note": None, "lines": [
                                      {"style_no": "SS27-001", "color": "BLK", "size": "M",
                                       "quantity": 2}]}]


def test_a_delivery_note_goes_with_each_shipment(
    orders: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _place(orders)
    note = tmp_path / "note.html"
    code, out, _ = _run(capsys, "ship", number, "--line", "1", "--carrier", "ヤマト運輸",
                        "--tracking", "4455-6677-8899", "--html", str(note))
    assert code == 0 and out.rstrip().endswith(f"; its delivery note is in {note}")
    page = note.read_text("utf-8")
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    text = " ".join(" ".join(tree.itertext()).split())
    assert tree.get("lang") == "ja"
    for expected in ("納品書", "Atelier Test", "Select Shop Aoyama", f"注文番号 {number}",
                     "配送業者 ヤマト運輸", "お問い合わせ番号 4455-6677-8899",
                     "SS27-001 トレンチコート BLK ブラック M", "合計 2"):
        assert expected in text, expected
    assert "￥" not in text  # no prices in the box
    again = tmp_path / "again.html"
    code, out, _ = _run(capsys, "show", number, "--shipment", "1", "--html", str(again))
    assert (code, out) == (0, f"wrote {again}: the delivery note of shipment 1 of order "
                              f"{number}\n")
    assert again.read_text("utf-8") == page
    code, _, err = _run(capsys, "show", number, "--shipment", "2", "--html", str(again))
    assert code == 1 and f"order {number} has no shipment 2; its shipments are 1 to 1" in err
    code, _, err = _run(capsys, "show", number, "--shipment", "1")
    assert code == 1 and "--shipment N prints a delivery note: add --html FILE" in err


def test_a_delivery_note_of_a_part_names_what_is_still_to_follow(
    orders: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _place(orders)
    note = tmp_path / "note.html"
    assert _run(capsys, "ship", number, "--line", "3=1", "--html", str(note))[0] == 0
    page = note.read_text("utf-8")
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    [carried, to_follow] = tree.findall(".//table")
    assert _rows(carried) == [["SS27-002", "001", "One size", "1"], ["合計", "1"]]
    assert _rows(to_follow) == [["SS27-001", "BLK", "M", "2"], ["SS27-001", "ECR", "S", "2"],
                                ["SS27-002", "001", "One size", "2"], ["後日発送分 合計", "6"]]
    assert "後日発送分" in " ".join(tree.itertext())
    # The rest ships: the last note has nothing to follow, and the first prints as it was.
    last = tmp_path / "last.html"
    assert _run(capsys, "ship", number, "--html", str(last))[0] == 0
    tree = html5lib.HTMLParser(namespaceHTMLElements=False).parse(last.read_text("utf-8"))
    [carried] = tree.findall(".//table")
    assert _rows(carried)[-1] == ["合計", "6"]
    again = tmp_path / "again.html"
    assert _run(capsys, "show", number, "--shipment", "1", "--html", str(again))[0] == 0
    assert again.read_text("utf-8") == page


def _rows(table: Any) -> list[list[str]]:
    """A table's body and foot rows: style no., colour code, size and units of each line (the
    first words of those cells), then the total's label and units."""
    rows = []
    for row in [*table.findall("./tbody/tr"), *table.findall("./tfoot/tr")]:
        cells = [" ".join(" ".join(cell.itertext()).split()) for cell in row]
        rows.append([cells[0], cells[2].split()[0], cells[3], cells[5]] if len(cells) > 2
                    else cells)
    return rows


def test_a_shipment_whose_note_cannot_be_written_is_not_recorded(
    orders: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _place(orders)
    missing = tmp_path / "no-such-folder" / "note.html"
    code, _, err = _run(capsys, "ship", number, "--html", str(missing))
    assert code == 1 and f"the folder '{missing.parent}' does not exist" in err
    assert orders.store.shipments() == {}


def test_totals_to_ship_leave_out_what_has_shipped(
    orders: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = _place(orders), _place(orders, key="key-0002")
    assert _run(capsys, "ship", first, "--line", "1", "--line", "3")[0] == 0
    assert _run(capsys, "ship", second)[0] == 0
    out = _run(capsys, "totals", "--to-ship")[1]
    assert out.startswith("ss27 · SS27-001 Trench coat\ncolour    S  M  L  units\n"
                          "ECR Ecru  2  -  -      2\n")
    assert "SS27-002" not in out and out.endswith("1 order; 1 style, 1 colour and size, "
                                                  "2 units\n")
    assert _run(capsys, "totals")[1].endswith("2 orders; 2 styles, 3 colours and sizes, "
                                              "14 units\n")
    assert _run(capsys, "ship", first)[0] == 0
    assert _run(capsys, "totals", "--to-ship")[1] == "no orders match\n"


def test_a_database_of_whole_line_shipments_is_migrated_and_ships_in_parts(
    tmp_path: Path,
) -> None:
    """Schema 12 keyed a shipped line by its cell alone (each line shipped once): its
    shipment is kept, and a line not shipped then can now leave in parts."""
    from order_api.store import SQLiteStore

    path = tmp_path / "orders.sqlite3"
    with sqlite_at(path, 12) as db:
        db.execute("INSERT INTO orders VALUES (1, 'SS27-000001', 'open', 'ss27', 'ja', 'JPY', "
                   "'wsp', NULL, 'Aiko', 'aiko@example.com', '64800', "
                   "'2027-01-10T02:00:00.000000Z', '{}')")
        for position, (color, units) in enumerate((("BLK", 4), ("ECR", 2))):
            db.execute("INSERT INTO order_lines VALUES (1, ?, 'SS27-001', ?, 'M', NULL, NULL, "
                       "?, '10800', ?, '[]')", (position, color, units, str(10800 * units)))
        db.execute("INSERT INTO shipments VALUES (1, 1, '2027-01-20', 'DHL', 'JD1', NULL, "
                   "'2027-01-20T02:00:00.000000Z')")
        db.execute("INSERT INTO shipment_lines VALUES (1, 1, 'SS27-001', 'BLK', 'M', 4)")
    store = SQLiteStore(path)
    try:
        moment = datetime(2027, 1, 21, tzinfo=UTC)
        for units in (1, 1):
            store.ship("SS27-000001", [("SS27-001", "ECR", "M", units)], date(2027, 1, 21),
                       None, None, None, moment)
        assert [each.cells for each in store.shipments()["SS27-000001"]] == [
            (("SS27-001", "BLK", "M", 4),), (("SS27-001", "ECR", "M", 1),),
            (("SS27-001", "ECR", "M", 1),)]
        with pytest.raises(ShipmentRefused, match="has shipped whole"):
            store.ship("SS27-000001", [("SS27-001", "BLK", "M", None)], date(2027, 1, 21),
                       None, None, None, moment)
    finally:
        store.close()
