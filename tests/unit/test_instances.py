"""Two endpoint instances on one PostgreSQL behave as one: an Idempotency-Key sent to both
makes one order, and wrong passcodes spread over both meet the same throttle.

Each instance is a separate app with its own connection pool and throttle, as two processes
would have; the database is all they share.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from order_api.app import create_app
from order_api.store import OrderFilter
from order_api.throttle import CLIENT_POLICY
from tests.databases import fresh_schema, require_postgres
from tests.unit.conftest import ContentDir
from tests.unit.endpoint import FrozenClock, call, settings_for
from tests.unit.shop import Shop, order


@pytest.fixture
def pair(content: ContentDir, tmp_path: Path,
         api_clock: FrozenClock) -> Iterator[tuple[Shop, Starlette]]:
    shop = Shop(content, tmp_path, api_clock, fresh_schema(require_postgres()))
    other = create_app(settings_for(shop.private, api_clock, database_url=shop.database_url))
    yield shop, other
    shop.store.close()


def test_one_key_sent_to_both_instances_makes_one_order(pair: tuple[Shop, Starlette]) -> None:
    shop, other = pair

    async def both() -> list[tuple[int, bytes]]:
        sent = []
        for n in range(30):
            app = shop.app if n % 2 else other
            sent.append(call(app, "POST", "/api/links/open/orders", order(),
                             [("Idempotency-Key", "key-shared-1")]))
        return [(answer.status, answer.body) for answer in await asyncio.gather(*sent)]

    answers = asyncio.run(both())
    assert {status for status, _ in answers} == {201}
    assert len({body for _, body in answers}) == 1
    assert shop.stored() == 1


def test_wrong_passcodes_on_both_instances_share_one_throttle(
        pair: tuple[Shop, Starlette]) -> None:
    shop, other = pair

    async def alternate() -> list[int]:
        statuses = []
        for attempt in range(CLIENT_POLICY.free + 2):
            app = shop.app if attempt % 2 else other
            answer = await call(app, "POST", "/api/links/preview/unlock",
                                {"passcode": f"guess-{attempt}"})
            statuses.append(answer.status)
        return statuses

    statuses = asyncio.run(alternate())
    # Alone, each instance would have let CLIENT_POLICY.free wrong tries through.
    assert statuses[:CLIENT_POLICY.free] == [401] * CLIENT_POLICY.free
    assert statuses[CLIENT_POLICY.free:] == [429, 429]


def test_both_instances_take_from_one_stock_and_never_the_same_units(
        pair: tuple[Shop, Starlette]) -> None:
    shop, other = pair
    shop.content.edit("seasons/ss27/products.yaml", "    sold_out: {BLK: [L]}\n",
                      "    sold_out: {BLK: [L]}\n    stock: {BLK: {M: 10}}\n")
    shop.republish()
    lines = [{"style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 2}]

    async def both() -> list[int]:
        sent = [call(shop.app if n % 2 else other, "POST", "/api/links/open/orders",
                     order(lines=lines), [("Idempotency-Key", f"key-stock-{n:03d}")])
                for n in range(16)]
        return [answer.status for answer in await asyncio.gather(*sent)]

    statuses = asyncio.run(both())
    assert sorted(statuses) == [201] * 5 + [409] * 11
    assert sum(line.quantity for placed in shop.store.orders(OrderFilter())
               for line in placed.lines) == 10
