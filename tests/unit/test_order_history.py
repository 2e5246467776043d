"""A registered buyer's orders on their own customer link (GET /api/links/{link}/orders), as they
stand: placed, shipped in part or whole with the tracking numbers, cancelled; the latest
first; the link's token required; other links list nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import date

import pytest

from order_api import history
from order_api.schemas import Order
from order_api.store import OrderFilter
from tests.unit.endpoint import Answer, call
from tests.unit.shop import ADDRESS, Shop, order

BLACK_M = {"style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 2}
ECRU_S = {"style_no": "SS27-001", "color": "ECR", "size": "S", "quantity": 4}


def _history(shop: Shop, link: str = "aoyama", token: str | None = "") -> Answer:
    headers = []
    if token is not None:
        headers.append(("Authorization", f"Bearer {token or shop.token(link)}"))
    return asyncio.run(call(shop.app, "GET", f"/api/links/{link}/orders", headers=headers))


def _place(shop: Shop, key: str, lines: list[dict[str, object]]) -> str:
    answer = shop.post("aoyama", order(lines=lines, address=ADDRESS), key=key,
                       token=shop.token("aoyama"))
    assert answer.status == 201, answer.json()
    return str(answer.json()["order_number"])


def test_a_buyers_orders_as_they_stand_the_latest_first(shop: Shop) -> None:
    assert _history(shop).json()["orders"] == []
    first = _place(shop, "key-0001", [BLACK_M, ECRU_S])
    second = _place(shop, "key-0002", [BLACK_M])
    third = _place(shop, "key-0003", [ECRU_S])
    assert shop.post("open", order(), key="key-0004").status == 201  # another link's
    now = shop.clock()
    shop.store.ship(first, [("SS27-001", "ECR", "S", 1)], date(2027, 2, 10), "Yamato",
                    "1234-5678-9012", None, now)
    shop.store.ship(second, None, date(2027, 2, 11), None, None, None, now)
    shop.store.cancel(third, "Asked by phone", now)
    answer = _history(shop)
    assert answer.status == 200
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert [past["order"]["order_number"] for past in body["orders"]] == [third, second, first]
    assert [(past["status"], past["shipped"]) for past in body["orders"]] == [
        ("cancelled", "none"), ("placed", "all"), ("placed", "part")]
    assert body["orders"][0]["cancelled_at"] is not None
    assert "Asked by phone" not in json.dumps(body)  # the brand's reason is its own
    assert body["orders"][2]["shipments"] == [{
        "shipped_on": "2027-02-10", "carrier": "Yamato", "tracking": "1234-5678-9012",
        "lines": [{"style_no": "SS27-001", "color": "ECR", "size": "S", "quantity": 1}]}]
    assert body["orders"][2]["order"]["total"] == _place_total(shop, first)
    assert body["more"] is False


def _place_total(shop: Shop, number: str) -> str:
    stored = shop.store.order(number)
    assert stored is not None
    return stored.total


def test_only_the_latest_fifty_are_listed(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "MOST", 2)
    numbers = [_place(shop, f"key-000{n}", [BLACK_M]) for n in range(1, 4)]
    asked: list[OrderFilter] = []
    orders = shop.store.orders

    def recorded(where: OrderFilter) -> Iterator[Order]:
        asked.append(where)
        return orders(where)

    monkeypatch.setattr(shop.store, "orders", recorded)
    body = _history(shop).json()
    assert [past["order"]["order_number"] for past in body["orders"]] == numbers[:0:-1]
    assert body["more"] is True
    # The store reads one more than it lists (to tell there are more), not all of them.
    assert [(where.link, where.latest) for where in asked] == [("aoyama", 3)]


def test_the_token_is_required_and_only_a_customer_link_lists_orders(shop: Shop) -> None:
    _place(shop, "key-0001", [BLACK_M])
    missing = _history(shop, token=None)
    assert missing.status == 401 and missing.json()["reason"] == "missing"
    forged = _history(shop, token="not-a-token")
    assert forged.status == 401
    other = _history(shop, token=shop.token("preview"))  # another link's token
    assert other.status == 401
    for link in ("open", "preview"):
        refused = _history(shop, link, token=None)
        assert refused.status == 404
        assert "only a registered buyer's own link (a customer link) does" in (
            refused.json()["detail"])
    assert _history(shop, "nowhere", token=None).status == 404
