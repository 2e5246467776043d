"""Amending orders (`linesheets orders amend`): the quantities of an order's lines changed,
priced again from its own unit prices, the acknowledged answer kept for its Idempotency-Key,
the cart rules and the stock applied, the buyer and the brand told; every amendment it cannot
make refused with the reason and nothing changed. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from generator.cli import main
from order_api.store import Amendment, OrderFilter
from order_api.webhook import webhook_body
from tests.unit.receivers import SmtpSink
from tests.unit.shop import Shop, order

LINES = [{"style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 2},
         {"style_no": "SS27-001", "color": "ECR", "size": "S", "quantity": 2},
         {"style_no": "SS27-002", "color": "001", "size": "One size", "quantity": 3}]


def _place(shop: Shop, key: str = "key-0001", **changes: Any) -> tuple[str, bytes]:
    answer = shop.post("open", order(lines=LINES, **changes), key=key)
    assert answer.status == 201, answer.json()
    return answer.json()["order_number"], answer.body


def _amend(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["orders", "amend", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_amendment_prices_the_order_again_and_keeps_its_acknowledgement(
    orders: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    number, acknowledged = _place(orders)
    assert json.loads(acknowledged)["total"] == "112860"
    code, out, _ = _amend(capsys, number, "--line", "1=4", "--line", "3=0", "--reason",
                          "The buyer asked by phone")
    assert (code, out) == (0, f"amended order {number} (amendment 1): line 1 (SS27-001 BLK M) "
                              "2 → 4; line 3 (SS27-002 001 One size) removed; total ¥112,860 → "
                              "¥142,560; no e-mail or webhook was set up for the order: tell "
                              "the buyer yourself\n")
    amended = orders.store.order(number)
    assert amended is not None
    assert [(line.style_no, line.color, line.quantity, line.amount) for line in amended.lines
            ] == [("SS27-001", "BLK", 4, "86400"), ("SS27-001", "ECR", 2, "43200")]
    assert (amended.subtotal, amended.tax, amended.total, amended.taxes[0].base,
            amended.taxes[0].amount) == ("129600", "12960", "142560", "129600", "12960")
    assert amended.lines[0].unit_price == "21600" and amended.lines[0].breakdown
    # The acknowledged answer stays the Idempotency-Key's.
    again = orders.post("open", order(lines=LINES), key="key-0001")
    assert (again.status, again.body) == (201, acknowledged)
    # The order as it stands everywhere the brand reads it; its units counted once.
    assert [line.quantity for stored in orders.store.orders(OrderFilter())
            for line in stored.lines] == [4, 2]
    cell = ("ss27", "SS27-001", "BLK", "M")
    assert orders.store.taken([cell]) == {cell: 4}
    assert orders.store.amendments([number])[number][0].reason == "The buyer asked by phone"
    assert main(["orders", "show", number]) == 0
    shown = capsys.readouterr().out
    assert shown.splitlines()[1].split()[0] == "AMENDED"
    assert shown.splitlines()[1].endswith("(amendment 1): The buyer asked by phone")
    assert main(["orders", "list"]) == 0
    assert "¥142,560" in capsys.readouterr().out
    assert main(["orders", "export", "--format", "json", "--out", "-"]) == 0
    [exported] = json.loads(capsys.readouterr().out)
    assert exported["total"] == "142560" and exported["amended"]["version"] == 1
    assert exported["amended"]["reason"] == "The buyer asked by phone"
    assert main(["orders", "export", "--out", "-"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff"))))
    assert [(r["quantity"], r["amend_reason"]) for r in rows] == [
        ("4", "The buyer asked by phone"), ("2", "The buyer asked by phone")]
    assert rows[0]["amended_at"].endswith("+09:00")
    code, out, _ = _amend(capsys, number, "--line", "2=4")
    assert code == 0 and "(amendment 2)" in out and "total ¥142,560 → ¥190,080" in out
    assert [each.version for each in orders.store.amendments()[number]] == [1, 2]


@pytest.mark.parametrize(("argv", "message"), [
    (["--line", "4=2"], "has no line 4; its lines are 1 to 3"),
    (["--line", "1=10001"], "line 1: 10001 is not a quantity; give 0 (to remove the line) "
                            "to 10,000"),
    (["--line", "1=x"], "'1=x' is not a change; write LINE=QUANTITY"),
    (["--line", "1=2", "--line", "1=3"], "line 1 is given twice"),
    ([], "say what to change: --line LINE=QUANTITY"),
    (["--line", "1=0", "--line", "2=0", "--line", "3=0"],
     "every line of order SS27-000001 would be removed: cancel it instead"),
    (["--line", "1=2"], "order SS27-000001 already has these quantities: nothing to amend"),
    (["--line", "1=0", "--line", "2=1"],
     "style SS27-001 would have 1 units, below its minimum order of 2"),
    (["--line", "3=4"], "style SS27-002 would have 4 units, not a multiple of 3"),
    (["--line", "1=3", "--reason", "late\u202e"], "invisible character U+202E"),
])
def test_an_amendment_it_cannot_make_is_refused_and_changes_nothing(
    orders: Shop, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    number, _ = _place(orders)
    assert number == "SS27-000001"
    before = orders.store.order(number)
    code, _, err = _amend(capsys, number, *argv)
    assert code == 1 and message in err, err
    assert orders.store.order(number) == before and orders.store.amendments() == {}


def test_a_cancelled_or_invoiced_order_is_not_amended(
    orders: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    cancelled, _ = _place(orders)
    invoiced, _ = _place(orders, key="key-0002")
    assert main(["orders", "cancel", cancelled]) == 0
    assert main(["orders", "invoice", invoiced]) == 0
    capsys.readouterr()
    code, _, err = _amend(capsys, cancelled, "--line", "1=4")
    assert (code, err) == (1, f"error: order {cancelled} was cancelled: it cannot be "
                              "amended\n")
    code, _, err = _amend(capsys, invoiced, "--line", "1=4")
    assert code == 1 and "has been invoiced, and an invoice keeps its amounts" in err
    code, _, err = _amend(capsys, "SS27-000999", "--line", "1=4")
    assert code == 1 and "no order 'SS27-000999' in the order store" in err
    assert orders.store.amendments() == {}


def test_an_amendment_counts_the_stock_without_the_orders_own_units(
    orders: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    orders.content.edit("seasons/ss27/products.yaml", "    sold_out: {BLK: [L]}\n",
                        "    sold_out: {BLK: [L]}\n    stock: {BLK: {M: 5}}\n")
    orders.republish()
    number, _ = _place(orders)
    assert _amend(capsys, number, "--line", "1=5")[0] == 0  # its own 2, and 3 more of 5
    code, _, err = _amend(capsys, number, "--line", "1=6")
    assert code == 1 and err == ("error: not enough stock for the amendment: SS27-001 BLK / M: "
                                 "5 left, 6 wanted; nothing was changed\n")
    assert [line.quantity for line in orders.store.order(number).lines] == [5, 2, 3]  # type: ignore[union-attr]
    assert len(orders.store.amendments()[number]) == 1
    # With the stock lowered below what the order holds, fewer units are still taken.
    orders.content.edit("seasons/ss27/products.yaml", "stock: {BLK: {M: 5}}",
                        "stock: {BLK: {M: 3}}")
    orders.republish()
    assert _amend(capsys, number, "--line", "1=4")[0] == 0
    assert _amend(capsys, number, "--line", "1=5")[0] == 1


def test_an_amendment_is_announced_with_the_order_as_it_stands(
    announcing: Shop, smtp_sink: SmtpSink, capsys: pytest.CaptureFixture[str]
) -> None:
    number, _ = _place(announcing)
    worker = announcing.worker()
    assert asyncio.run(worker.deliver_due()) == 2
    smtp_sink.mails.clear()
    code, out, _ = _amend(capsys, number, "--line", "1=4", "--reason", "Two more, by phone")
    assert code == 0 and out.endswith("announced like the order (brand-email, buyer-email): "
                                      "the running endpoint sends it within a minute\n")
    assert asyncio.run(worker.deliver_due()) == 2
    buyer = next(mail for mail in smtp_sink.mails if mail.recipients == ["aiko@example.com"])
    assert buyer.message["Subject"] == (f"【Atelier Test】ご注文 {number} の内容が変更されました")
    text = buyer.part("plain")
    assert "に変更されました。変更後の内容は以下のとおりです。" in text
    assert "Two more, by phone" in text and "￥86,400" in text and "￥21,600" in text
    # A second amendment announces again, with the order as it then stands, as a new message.
    assert _amend(capsys, number, "--line", "1=6")[0] == 0
    first = buyer.message["Message-ID"]
    smtp_sink.mails.clear()
    assert asyncio.run(worker.deliver_due()) == 2
    assert all("￥129,600" in mail.part("plain") for mail in smtp_sink.mails)
    assert all(mail.message["Message-ID"] != first for mail in smtp_sink.mails)


def test_the_webhook_posts_the_amended_order_with_its_amendment() -> None:
    from order_api.schemas import Order
    from tests.unit.sample_orders import ORDERS

    amended = Order.model_validate({**ORDERS[0], "order_number": "SS27-000001"})
    at = datetime(2027, 1, 12, 3, 0, tzinfo=UTC)
    body = json.loads(webhook_body(amended, "order.amended", None,
                                   Amendment("SS27-000001", 2, at, "Two more")))
    assert body["event"] == "order.amended" and body["order"]["order_number"] == "SS27-000001"
    assert body["amended"] == {"at": "2027-01-12T03:00:00Z", "reason": "Two more",
                               "version": 2}


def test_an_amendment_made_on_an_order_amended_since_is_refused(
    orders: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two people amending at once: the second change, made on what the first replaced, does
    not overwrite it."""
    from generator.manifest import Manifest
    from order_api.amending import amend_order
    from order_api.store import AmendmentRefused

    number, _ = _place(orders)
    manifest = Manifest.model_validate_json((orders.private / "manifest.json").read_bytes())
    stale = orders.store.order(number)
    assert stale is not None
    assert _amend(capsys, number, "--line", "1=4")[0] == 0  # the first person's
    late = amend_order(stale, {1: 4}, manifest)  # the second's, made on the order before
    with pytest.raises(AmendmentRefused, match="was amended meanwhile \\(amendment 1\\)"):
        orders.store.amend(late, None, datetime(2027, 1, 12, tzinfo=UTC), (), after=0)
    current = orders.store.order(number)
    assert current is not None and [line.quantity for line in current.lines] == [4, 2, 3]
    assert [each.version for each in orders.store.amendments()[number]] == [1]
