"""A scratch shop for the order tests: the base content with every kind of link an order can
meet, published, and the endpoint over it with a store (SQLite or PostgreSQL) the test can
read back."""

from __future__ import annotations

import asyncio
import copy
import json
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from generator.seal import KeyStore
from order_api.access import sign_token
from order_api.app import create_app
from order_api.notify import DeliveryWorker, delivery_worker
from order_api.published import PublishedSource
from order_api.store import OrderFilter, OrderStore, open_store
from tests.unit.conftest import ContentDir
from tests.unit.endpoint import (
    DROP_LINK,
    EXPIRY,
    PREVIEW_LINK,
    SECRET,
    Answer,
    FrozenClock,
    call,
    publish,
    settings_for,
)

LINKS = {
    "links/preview.yaml": PREVIEW_LINK,
    "links/drop.yaml": DROP_LINK,
    "links/china.yaml": """
        kind: instant
        name: China buyers
        season: ss27
        transaction: {term: wsp}
        china_only: true
        buyer_type: personal
        languages: [en]
        currencies: [USD]
        """,
    "links/catalog.yaml": """
        kind: instant
        name: Catalog
        season: ss27
        transaction: {term: wsp}
        catalog: true
        """,
}
# SS27-001 (MOQ 2) has a sold-out cell; the tote is sold in multiples of 3.
PRODUCT_EDITS = (("    moq: 2\n", "    moq: 2\n    sold_out: {BLK: [L]}\n"),
                 ("      USD: {rrp: 80, wsp: 36}\n",
                  "      USD: {rrp: 80, wsp: 36}\n    multiple: 3\n    moq: 3\n"))
# The ss27 order deadline, 2027-01-31T18:00 in Tokyo.
DEADLINE = datetime.fromisoformat("2027-01-31T09:00:00+00:00")

ORGANIZATION = {"company": "Select Shop Aoyama", "name": "Aiko Tanaka",
                "email": "aiko@example.com", "phone": "+81 3 1234 5678"}
ADDRESS = {"country": "JP", "postal_code": "150-0001", "region": "Tokyo",
           "city": "Shibuya-ku", "line1": "1-2-3 Jingumae", "line2": ""}
ORDER: dict[str, Any] = {
    "language": "ja", "currency": "JPY", "season": "ss27", "buyer": ORGANIZATION,
    "lines": [{"style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 2}],
    "note": "Deliver before March 10",
}


def order(**changes: Any) -> dict[str, Any]:
    """The sample order body with some fields replaced (None removes a field)."""
    body = copy.deepcopy(ORDER)
    for name, value in changes.items():
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    return body


class Shop:
    """The endpoint over the scratch build, its clock, and its order store."""

    def __init__(self, content: ContentDir, tmp: Path, clock: FrozenClock,
                 database_url: str | None = None, **settings: Any) -> None:
        for name, text in LINKS.items():
            content.write(name, text)
        for old, new in PRODUCT_EDITS:
            content.edit("seasons/ss27/products.yaml", old, new)
        self.content = content
        self.private = tmp / "private"
        self.keys: KeyStore = publish(content.load(), self.private)
        self.clock = clock
        self.database_url = database_url or f"sqlite:///{tmp / 'orders.sqlite3'}"
        self.store = open_store(self.database_url)
        self.settings = settings_for(self.private, clock, database_url=self.database_url,
                                     **settings)
        self.app = create_app(self.settings, store=self.store)

    def republish(self) -> None:
        """Publish the content again, as a new build would (the endpoint reloads it)."""
        publish(self.content.load(), self.private)

    def token(self, link: str, expires_at: datetime = EXPIRY, version: int | None = None,
              secret: bytes = SECRET) -> str:
        """An order token as unlock would sign it."""
        version = version if version is not None else self.keys.current(link).version
        return sign_token(secret, link, version, expires_at)

    def post(self, link: str, body: object, *, key: str | None = "key-0001",
             token: str | None = None, path: str = "orders",
             headers: Iterable[tuple[str, str]] = (), **options: Any) -> Answer:
        """POST to a link's orders (or quote) route."""
        return asyncio.run(self.send(link, body, key=key, token=token, path=path,
                                     headers=headers, **options))

    async def send(self, link: str, body: object, *, key: str | None = "key-0001",
                   token: str | None = None, path: str = "orders",
                   headers: Iterable[tuple[str, str]] = (), **options: Any) -> Answer:
        """The same, inside a running event loop."""
        sent = list(headers)
        if key is not None and path == "orders":
            sent.append(("Idempotency-Key", key))
        if token is not None:
            sent.append(("Authorization", f"Bearer {token}"))
        return await call(self.app, "POST", f"/api/links/{link}/{path}", body, sent,
                          **options)

    def stored(self) -> int:
        """How many orders the store holds."""
        return sum(1 for _ in self.store.orders(OrderFilter()))

    def line_breakdowns(self) -> list[tuple[str, int, object]]:
        """The order_lines table as an ERP reads it: (order number, position, breakdown)
        rows, the breakdown parsed, in order."""
        sql = ("SELECT orders.number, order_lines.position, order_lines.breakdown "
               "FROM order_lines JOIN orders ON orders.id = order_lines.order_id "
               "ORDER BY orders.id, order_lines.position")
        if self.database_url.startswith("sqlite:///"):
            with closing(sqlite3.connect(self.database_url.removeprefix("sqlite:///"))) as db:
                return [(number, position, json.loads(breakdown))
                        for number, position, breakdown in db.execute(sql).fetchall()]
        with psycopg.connect(self.database_url) as connection:  # JSONB: parsed by psycopg
            return [(number, position, breakdown)
                    for number, position, breakdown in connection.execute(sql).fetchall()]

    def worker(self, store: OrderStore | None = None) -> DeliveryWorker:
        """A delivery worker as the app makes one, over this shop's store or another."""
        source = PublishedSource(self.settings.manifest, self.settings.keys, 0.0)
        worker = delivery_worker(self.settings, source, store or self.store)
        assert worker is not None, "the shop's settings have no delivery target"
        return worker
