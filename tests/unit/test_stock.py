"""Stock: a colour × size with a number of units that orders take from, over every link; an
order or a quote that wants more than is left is refused with what is left, and concurrent
orders (on SQLite and on PostgreSQL) never take the same units twice."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.manifest import Manifest
from order_api.store import OrderFilter
from tests.unit.conftest import ContentDir
from tests.unit.endpoint import Answer, call
from tests.unit.old_stores import ORDER, sqlite_at
from tests.unit.shop import Shop, order

PROBLEM = "https://linesheets.dev/problems/"
PRODUCTS = "seasons/ss27/products.yaml"
# After the shop's own edits, SS27-001 (moq 2, BLK L sold out) gets its stock here.
SOLD_OUT = "    sold_out: {BLK: [L]}\n"


def _stock(shop: Shop, stock: str) -> None:
    shop.content.edit(PRODUCTS, SOLD_OUT, f"{SOLD_OUT}    stock: {stock}\n")
    shop.republish()


def _line(quantity: int, color: str = "BLK", size: str = "M") -> dict[str, Any]:
    return {"style_no": "SS27-001", "color": color, "size": size, "quantity": quantity}


def _units(shop: Shop, color: str = "BLK", size: str = "M") -> int:
    """The units of SS27-001 in that colour and size that stored orders hold."""
    return sum(line.quantity for stored in shop.store.orders(OrderFilter())
               for line in stored.lines
               if (line.style_no, line.color, line.size) == ("SS27-001", color, size))


def test_stock_names_the_styles_cells_and_a_size_with_none_is_sold_out(
    content: ContentDir,
) -> None:
    content.edit(PRODUCTS, "    moq: 2", "    moq: 2\n"
                 "    stock: {BLK: {M: 0, XL: 4}, NVY: {S: 2}, ECR: {S: -1}}")
    invalid = [(p.field, p.message) for p in content.problems()]
    assert ("styles[0].stock.ECR.S", "Input should be greater than or equal to 0, got '-1'") in (
        invalid)
    content.edit(PRODUCTS, "ECR: {S: -1}", "ECR: {S: 1}")
    problems = [(p.line, p.field, p.message) for p in content.problems()]
    assert problems == [
        (14, "styles[0].stock.BLK.M", "0 units of BLK / M: a size with none to sell is sold "
                                      "out; list it under sold_out (BLK: [M]) and remove it "
                                      "from stock"),
        (14, "styles[0].stock.BLK.XL", "size 'XL' is not one of this style's sizes (S, M, L)"),
        (14, "styles[0].stock.NVY", "colour 'NVY' is not one of this style's colours (BLK, ECR)"),
    ]


def test_a_cell_both_sold_out_and_stocked_is_refused(content: ContentDir) -> None:
    content.edit(PRODUCTS, "    moq: 2", "    moq: 2\n    sold_out: {ECR: [L]}\n"
                 "    stock: {ECR: {L: 5, M: 3}}")
    problem = content.problem()
    assert (problem.field, problem.message) == (
        "styles[0].stock.ECR.L", "ECR / L is sold out and has a stock of 5: remove it from "
        "sold_out to take orders for those units, or from stock")


def test_the_manifest_gives_the_endpoint_each_cells_stock(shop: Shop) -> None:
    _stock(shop, "{BLK: {M: 10}, ECR: {S: 3}}")
    manifest = Manifest.model_validate_json((shop.private / "manifest.json").read_bytes())
    [coat] = [style for style in manifest.seasons["ss27"].styles if style.style_no == "SS27-001"]
    assert coat.stock == {"BLK": {"M": 10}, "ECR": {"S": 3}}


def test_orders_take_from_the_stock_until_none_is_left(shop: Shop) -> None:
    _stock(shop, "{BLK: {M: 6}}")
    assert shop.post("open", order(lines=[_line(4)]), key="key-0001").status == 201
    quote = shop.post("open", order(buyer=None, lines=[_line(4)]), path="quote")
    assert quote.status == 409
    problem = quote.json()
    assert problem["type"] == PROBLEM + "out-of-stock"
    assert problem["errors"] == [{"field": "lines[0].quantity", "code": "out_of_stock",
                                  "left": 2, "message": "only 2 left of BLK / M; order at "
                                                        "most 2"}]
    assert problem["quote"]["total"]  # the cart keeps showing its prices
    refused = shop.post("open", order(lines=[_line(4)]), key="key-0002")
    assert (refused.status, refused.json()["type"]) == (409, PROBLEM + "out-of-stock")
    assert refused.json()["errors"][0]["left"] == 2
    assert shop.stored() == 1
    # The key that was refused stored nothing: the buyer sends it again with what is left.
    assert shop.post("open", order(lines=[_line(2)]), key="key-0002").status == 201
    assert _units(shop) == 6
    last = shop.post("open", order(lines=[_line(2)]), key="key-0003").json()
    assert last["errors"][0] == {"field": "lines[0].quantity", "code": "out_of_stock",
                                 "left": 0, "message": "none left of BLK / M; remove the line"}
    # An acknowledged order is answered again even now that its units are all taken.
    again = shop.post("open", order(lines=[_line(4)]), key="key-0001")
    assert (again.status, again.headers["idempotent-replayed"]) == (201, "true")
    # Cells without a stock, and other cells, are not limited.
    other = order(lines=[_line(8, "ECR", "S"), _line(2, "BLK", "S")])
    assert shop.post("open", other, key="key-0004").status == 201


def test_only_the_lines_short_of_stock_are_named(shop: Shop) -> None:
    _stock(shop, "{BLK: {M: 2}, ECR: {S: 4}}")
    lines = [_line(2, "BLK", "S"), _line(4, "BLK", "M"), _line(4, "ECR", "S")]
    answer = shop.post("open", order(lines=lines))
    assert answer.status == 409
    assert [(e["field"], e["left"]) for e in answer.json()["errors"]] == [
        ("lines[1].quantity", 2)]
    assert "SS27-001 BLK / M: 2 left, 4 wanted" in answer.json()["detail"]
    assert shop.stored() == 0


def test_a_new_build_with_more_stock_takes_more_orders(shop: Shop) -> None:
    _stock(shop, "{BLK: {M: 2}}")
    assert shop.post("open", order(lines=[_line(2)]), key="key-0001").status == 201
    assert shop.post("open", order(lines=[_line(2)]), key="key-0002").status == 409
    shop.content.edit(PRODUCTS, "stock: {BLK: {M: 2}}", "stock: {BLK: {M: 4}}")
    shop.republish()  # the stock counts every order: 2 of the 4 are taken
    assert shop.post("open", order(lines=[_line(2)]), key="key-0002").status == 201
    assert shop.post("open", order(lines=[_line(2)]), key="key-0003").status == 409


@pytest.mark.parametrize("orders", [12])
def test_concurrent_orders_never_take_the_same_units_twice(shop: Shop, orders: int) -> None:
    """Orders that arrive together (one batch, or several on PostgreSQL) for 10 units, 2
    each: five are placed, the rest refused with none left, and the numbers have no gap."""
    _stock(shop, "{BLK: {M: 10}}")

    async def together() -> list[tuple[int, dict[str, Any]]]:
        answers = await asyncio.gather(*(
            shop.send("open", order(lines=[_line(2)]), key=f"key-{n:04d}")
            for n in range(orders)))
        return [(answer.status, answer.json()) for answer in answers]

    answers = asyncio.run(together())
    placed = sorted(body["order_number"] for status, body in answers if status == 201)
    refused = [body for status, body in answers if status == 409]
    assert placed == [f"SS27-{n:06d}" for n in range(1, 6)]
    assert len(refused) == orders - 5
    assert all(body["errors"][0]["left"] == 0 for body in refused)
    assert _units(shop) == 10


def _levels(shop: Shop, query: str, link: str = "open",
            headers: tuple[tuple[str, str], ...] = ()) -> Answer:
    return asyncio.run(call(shop.app, "GET", f"/api/links/{link}/stock?{query}", None,
                            headers))


def test_a_style_page_asks_what_is_left_of_its_cells(shop: Shop) -> None:
    _stock(shop, "{BLK: {M: 6, S: 2}, ECR: {S: 3}}")
    before = _levels(shop, "season=ss27&style=SS27-001")
    assert before.status == 200 and before.headers["cache-control"] == "no-store"
    assert before.json()["left"] == {"SS27-001": {"BLK": {"M": 6, "S": 2}, "ECR": {"S": 3}}}
    assert shop.post("open", order(lines=[_line(4), _line(2, "BLK", "S")])).status == 201
    after = _levels(shop, "season=ss27").json()  # the season's styles with a stock
    assert after["season"] == "ss27"
    assert after["left"] == {"SS27-001": {"BLK": {"M": 2, "S": 0}, "ECR": {"S": 3}}}
    assert _levels(shop, "season=ss27&style=SS27-002").json()["left"] == {}


def test_stock_is_asked_of_a_season_the_link_offers_and_with_a_sealed_links_token(
    shop: Shop,
) -> None:
    _stock(shop, "{BLK: {M: 6}}")
    for query in ("", "season=fw26"):
        refused = _levels(shop, query)
        assert refused.status == 422
        assert refused.json()["errors"][0]["field"] == "season"
    assert _levels(shop, "season=ss27", "aoyama").status == 401
    token = ("Authorization", f"Bearer {shop.token('aoyama')}")
    assert _levels(shop, "season=ss27", "aoyama", (token,)).json()["left"] == {
        "SS27-001": {"BLK": {"M": 6}}}


def test_the_brand_sees_what_orders_took_and_left_of_each_stock(
    sqlite_shop: Shop, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    shop = sqlite_shop
    _stock(shop, "{BLK: {M: 6, S: 2}, ECR: {S: 3}}")
    assert shop.post("open", order(lines=[_line(4), _line(2, "BLK", "S")])).status == 201
    monkeypatch.setenv("LINESHEETS_MANIFEST", str(shop.private / "manifest.json"))
    assert main(["orders", "stock", "--database", shop.database_url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split() for line in lines[:-1]] == [
        ["season", "style", "colour", "size", "stock", "ordered", "left"],
        ["ss27", "SS27-001", "BLK", "M", "6", "4", "2"],
        ["ss27", "SS27-001", "BLK", "S", "2", "2", "0"],
        ["ss27", "SS27-001", "ECR", "S", "3", "0", "3"],
        [],
    ]
    assert lines[-1] == "3 colours and sizes with a stock; 1 with none left"
    assert main(["orders", "stock", "--season", "aw27", "--database", shop.database_url]) == 1
    assert "no season 'aw27' in the manifest; it has ss27" in capsys.readouterr().err
    monkeypatch.setenv("LINESHEETS_MANIFEST", str(shop.private / "missing.json"))
    assert main(["orders", "stock", "--database", shop.database_url]) == 1
    assert "run `linesheets build`" in capsys.readouterr().err


def test_a_cancelled_orders_units_go_back_to_the_stock(shop: Shop) -> None:
    _stock(shop, "{BLK: {M: 4}}")
    placed = shop.post("open", order(lines=[_line(4)]), key="key-0001").json()["order_number"]
    assert shop.post("open", order(lines=[_line(2)]), key="key-0002").status == 409
    now = datetime(2027, 1, 12, 3, 0, 0, 250_000, tzinfo=UTC)
    done = shop.store.cancel(placed, "The buyer changed the order", now)
    assert done is not None
    cancellation, new = done
    assert new and (cancellation.number, cancellation.at, cancellation.reason) == (
        placed, now, "The buyer changed the order")
    again = shop.store.cancel(placed, "Another reason", now + timedelta(hours=1))
    assert again == (cancellation, False)  # the first cancellation stands
    assert shop.store.cancel("SS27-000999", None, now) is None
    assert shop.store.cancellations() == {placed: cancellation}
    assert shop.store.cancellations(["SS27-000999"]) == {}
    assert [o.order_number for o in shop.store.orders(OrderFilter(status="cancelled"))] == [
        placed]
    assert list(shop.store.orders(OrderFilter(status="placed"))) == []
    assert _levels(shop, "season=ss27").json()["left"] == {"SS27-001": {"BLK": {"M": 4}}}
    assert shop.post("open", order(lines=[_line(2)]), key="key-0002").status == 201


def test_a_database_from_before_stock_is_migrated_and_keeps_its_orders(
    tmp_path: Path,
) -> None:
    """A store made before stock and cancellations (schema 2) gains the cell index, the
    cancellations table and the outbox's events at open: its orders take from a stock, its
    notifications stay, and a cancellation is announced where the order was."""
    from order_api.store import SQLiteStore
    from order_api.store.sqlite import MIGRATIONS

    path = tmp_path / "orders.sqlite3"
    with sqlite_at(path, 2) as db:
        db.execute(ORDER)
        db.execute("INSERT INTO order_lines VALUES (1, 0, 'SS27-001', 'BLK', 'M', NULL, NULL, "
                   "4, '10800', '43200', '[]')")
        db.execute("INSERT INTO notifications (order_id, channel, state, next_attempt_at) "
                   "VALUES (1, 'webhook', 'sent', '2027-01-10T02:00:01.000000Z')")
    store = SQLiteStore(path)
    try:
        with closing(sqlite3.connect(path)) as db:
            assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
            plan = " ".join(str(row) for row in db.execute(
                "EXPLAIN QUERY PLAN SELECT coalesce(sum(l.quantity), 0) FROM order_lines l "
                "WHERE l.style_no = 'S' AND l.color = 'C' AND l.size = 'M'"))
            assert "order_lines_by_cell" in plan
        cell = ("ss27", "SS27-001", "BLK", "M")
        assert store.taken([cell]) == {cell: 4}
        [kept] = store.notifications("SS27-000001")
        assert (kept.channel, kept.state, kept.event) == ("webhook", "sent", "order.placed")
        assert store.cancel("SS27-000001", None, datetime(2027, 1, 11, tzinfo=UTC))
        assert [(n.channel, n.event, n.state) for n in store.notifications("SS27-000001")] == [
            ("webhook", "order.placed", "sent"), ("webhook", "order.cancelled", "pending")]
        assert store.taken([cell]) == {cell: 0}
    finally:
        store.close()
