"""Quotes and orders over the endpoint: server prices, the link's rules, idempotency, storage."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import sqlite3
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cart import CartLine, price_cart
from generator.manifest import Manifest
from order_api.endpoints import earlier_fingerprint, fingerprint
from order_api.ordering import quote_cart
from order_api.schemas import Order, OrderRequest, PricedLine, Quote
from order_api.store import (
    NUMBER_SLOT,
    Claim,
    Draft,
    IdempotencyConflict,
    OrderFilter,
    Receipt,
    SQLiteStore,
    StoreError,
    StoreUnavailable,
    open_store,
)
from tests.unit.endpoint import EXPIRY, RELEASE, SECOND, Answer, call
from tests.unit.old_stores import sqlite_at
from tests.unit.receivers import free_port
from tests.unit.shop import ADDRESS, DEADLINE, ORGANIZATION, Shop, order

PROBLEM = "https://linesheets.dev/problems/"


def _manifest(shop: Shop) -> Manifest:
    return Manifest.model_validate_json((shop.private / "manifest.json").read_bytes())


def test_a_quote_is_priced_by_the_server_and_stores_nothing(shop: Shop) -> None:
    answer = shop.post("open", order(buyer=None), path="quote")
    assert answer.status == 200, answer.body
    quote = answer.json()
    assert quote["lines"] == [{
        "style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 2,
        "name": "トレンチコート", "color_name": "ブラック", "sku": None, "jan": None,
        "delivery": "2027-02-01/2027-03-15", "pack": None, "unit_price": "21600",
        "amount": "43200",
        "breakdown": [
            {"kind": "list_price", "amount": "21600", "percent": None, "list_name": "wsp",
             "source": None, "label": "WSP"},
            {"kind": "discount", "amount": "21600", "percent": "0", "list_name": None,
             "source": "neutral", "label": None}]}]
    # Tax once on the subtotal: 10 % of 43,200.
    assert {k: quote[k] for k in ("subtotal", "tax", "total", "deposit", "balance")} == {
        "subtotal": "43200", "tax": "4320", "total": "47520", "deposit": "0",
        "balance": "47520"}
    assert quote["taxes"] == [{"label": "消費税", "percent": "10", "base": "43200",
                               "amount": "4320"}]
    assert shop.stored() == 0


def test_usd_amounts_carry_two_decimals(shop: Shop) -> None:
    body = order(currency="USD", language="en", buyer=None)
    quote = shop.post("open", body, path="quote").json()
    assert (quote["lines"][0]["unit_price"], quote["subtotal"], quote["tax"],
            quote["total"]) == ("144.00", "288.00", "28.80", "316.80")
    assert quote["lines"][0]["name"] == "Trench coat"


def test_an_order_is_stored_with_a_number_and_answered_after_the_commit(shop: Shop) -> None:
    answer = shop.post("open", order())
    assert answer.status == 201, answer.body
    body = answer.json()
    assert body["order_number"] == "SS27-000001"
    assert body["received_at"] == "2027-01-10T02:00:00Z"
    assert (body["buyer"], body["note"], body["total"]) == (
        {**ORGANIZATION, "vat_number": None}, "Deliver before March 10", "47520")
    # A second store on the same file (another process would see the same): it is committed.
    other = open_store(shop.database_url)
    stored = other.order("SS27-000001")
    other.close()
    assert stored is not None and stored.model_dump(mode="json") == body
    second = shop.post("open", order(), key="key-0002")
    assert second.json()["order_number"] == "SS27-000002"


def test_each_stored_line_keeps_the_breakdown_the_order_answered_with(shop: Shop) -> None:
    """The lines' breakdowns are serialized once per build and reused: the second order's
    rows come from what the first one kept, and both match their documents."""
    lines = [{"style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 2},
             {"style_no": "SS27-001", "color": "BLK", "size": "S", "quantity": 1}]
    bodies = [shop.post("open", order(lines=lines, currency=currency, language=language),
                        key=f"key-{currency}-{n}").json()
              for n, (currency, language) in enumerate([("JPY", "ja"), ("JPY", "ja"),
                                                        ("USD", "en")])]
    rows = shop.line_breakdowns()
    documents = {body["order_number"]: body for body in bodies}
    assert len(rows) == 6
    for number, position, breakdown in rows:
        assert breakdown == documents[number]["lines"][position]["breakdown"]
    assert bodies[0]["lines"][0]["breakdown"] != bodies[2]["lines"][0]["breakdown"]


def test_a_note_that_spells_the_number_field_keeps_its_text(shop: Shop) -> None:
    """The number goes where the field is, never into a buyer's text that looks like it."""
    note = 'see "order_number":"{order-number}" and {order-number}'
    answer = shop.post("open", order(note=note))
    assert answer.status == 201, answer.body
    assert (answer.json()["order_number"], answer.json()["note"]) == ("SS27-000001", note)
    stored = shop.store.order("SS27-000001")
    assert stored is not None and stored.note == note


def test_a_sent_price_has_no_effect_it_is_refused(shop: Shop) -> None:
    line = {"style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 2, "price": "1"}
    answer = shop.post("open", order(lines=[line]))
    assert answer.status == 422
    assert answer.json()["errors"][0]["field"] == "lines[0].price"
    assert shop.stored() == 0


def test_the_same_key_and_body_give_the_same_answer_and_one_order(shop: Shop) -> None:
    first = shop.post("open", order())
    again = shop.post("open", order())
    assert (again.status, again.body) == (201, first.body)
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert shop.stored() == 1


def test_the_same_order_spelled_otherwise_is_the_same_body(shop: Shop) -> None:
    """Key order, spacing and defaults written out do not make another body."""
    body = order()
    first = shop.post("open", body)
    respelled = json.dumps({**dict(reversed(body.items())), "note": body["note"],
                            "expected_total": None}, indent=2).encode()
    again = shop.post("open", None, raw_body=respelled)
    assert (again.status, again.body) == (201, first.body)
    assert again.headers["idempotent-replayed"] == "true"


def test_a_key_stored_before_the_fingerprint_changed_still_matches(shop: Shop) -> None:
    """An order placed by an endpoint before 0.2 (whose claims carry the canonical JSON's
    sha256): its retry after the upgrade gets the order, another body under its key is
    still refused."""
    body = OrderRequest.model_validate(order())
    earlier = Claim("open", "key-0001", earlier_fingerprint(body))
    assert ":" not in earlier.fingerprint and earlier.fingerprint != fingerprint(body)
    manifest = _manifest(shop)
    quote = quote_cart(manifest, manifest.links["open"], body, shop.clock.now)
    placed = asyncio.run(shop.store.place(earlier, "SS27", Draft.priced(
        quote, body.buyer, body.address, body.note, shop.clock.now)))
    again = shop.post("open", order())
    assert (again.status, again.body) == (201, placed.body)
    assert again.headers["idempotent-replayed"] == "true"
    other = shop.post("open", order(note="Another note"))
    assert (other.status, other.json()["type"]) == (422, PROBLEM + "idempotency-key-reused")
    assert shop.stored() == 1


def test_a_retry_gets_its_order_even_after_the_season_closed(shop: Shop) -> None:
    first = shop.post("open", order())
    shop.clock.now = DEADLINE + SECOND
    again = shop.post("open", order())
    assert (again.status, again.body) == (201, first.body)


def test_the_same_key_with_another_body_is_refused(shop: Shop) -> None:
    shop.post("open", order())
    answer = shop.post("open", order(note="Another note"))
    assert answer.status == 422
    problem = answer.json()
    assert problem["type"] == PROBLEM + "idempotency-key-reused"
    assert "SS27-000001" in problem["detail"]
    assert problem["errors"][0]["field"] == "Idempotency-Key"
    assert shop.stored() == 1


def test_keys_belong_to_a_link(shop: Shop) -> None:
    china = order(language="en", currency="USD", buyer={"name": "Li Wei",
                                                         "email": "li@example.cn"})
    assert shop.post("open", order()).status == 201
    assert shop.post("china", china).status == 201  # the same key on another link
    assert shop.stored() == 2


@pytest.mark.parametrize(("key", "status", "kind"), [
    (None, 400, "idempotency-key-missing"), ("short", 400, "invalid-idempotency-key"),
    ("has space 123", 400, "invalid-idempotency-key"), ("k" * 256, 400,
                                                        "invalid-idempotency-key"),
])
def test_an_idempotency_key_is_required(shop: Shop, key: str | None, status: int,
                                        kind: str) -> None:
    answer = shop.post("open", order(), key=key)
    assert (answer.status, answer.json()["type"]) == (status, PROBLEM + kind)
    assert shop.stored() == 0


def test_concurrent_duplicates_make_exactly_one_order(shop: Shop) -> None:
    async def fifty() -> list[tuple[int, bytes]]:
        answers = await asyncio.gather(*(shop.send("open", order()) for _ in range(50)))
        return [(answer.status, answer.body) for answer in answers]

    answers = asyncio.run(fifty())
    assert len(set(answers)) == 1
    assert answers[0][0] == 201
    assert shop.stored() == 1


def test_concurrent_orders_get_distinct_numbers(shop: Shop) -> None:
    async def twenty() -> list[str]:
        answers = await asyncio.gather(*(shop.send("open", order(), key=f"key-{n:04d}")
                                         for n in range(20)))
        return [answer.json()["order_number"] for answer in answers]

    numbers = asyncio.run(twenty())
    assert sorted(numbers) == [f"SS27-{n:06d}" for n in range(1, 21)]


_DRAFT = Draft.of(Order.model_validate_json(json.dumps({
    "link": "open", "season": "ss27", "language": "en", "currency": "JPY", "term": "wsp",
    "lines": [], "subtotal": "0", "taxes": [], "tax": "0", "total": "0",
    "deposit_percent": "0", "deposit": "0", "balance": "0", "order_number": NUMBER_SLOT,
    "received_at": "2027-01-10T02:00:00Z", "buyer": ORGANIZATION, "address": None,
    "note": None})))


def test_placements_waiting_together_are_each_answered_without_gaps(database_url: str) -> None:
    """Placements that wait together (SQLite: one transaction for all): a key reused with
    another body is refused alone, a key sent twice places one order, and the others are
    numbered without a gap."""
    store = open_store(database_url)
    first = asyncio.run(store.place(Claim("open", "key-used", "first body"), "SS27", _DRAFT))
    claims = [Claim("open", f"key-{n:04d}", str(n)) for n in range(6)] + [
        Claim("open", "key-used", "another body"), Claim("open", "key-0002", "2")]

    async def together() -> list[Receipt | BaseException]:
        return await asyncio.gather(*(store.place(claim, "SS27", _DRAFT) for claim in claims),
                                    return_exceptions=True)

    outcomes = asyncio.run(together())
    store.close()
    assert isinstance(outcomes[6], IdempotencyConflict) and outcomes[6].number == first.number
    placed = [o for o in outcomes[:6] if isinstance(o, Receipt)]
    twice = outcomes[7]
    assert isinstance(twice, Receipt) and (twice.number, twice.body) == (
        placed[2].number, placed[2].body)
    assert sorted(o.number for o in placed) == [f"SS27-{n:06d}" for n in range(2, 8)]
    assert sum(not o.replayed for o in (*placed, twice)) == 6  # one of the pair is a replay
    reopened = open_store(database_url)
    stored = list(reopened.orders(OrderFilter()))
    reopened.close()
    assert [o.order_number for o in stored] == [f"SS27-{n:06d}" for n in range(1, 8)]
    assert {o.order_number: o.model_dump_json().encode() for o in stored}[twice.number] == (
        twice.body)


def test_a_placement_that_fails_stores_nothing_and_leaves_no_gap(database_url: str) -> None:
    """A draft the store cannot write (here its lines and breakdowns disagree, a defect) fails
    its request; the store goes on, and the next order takes the number it did not use."""
    store = open_store(database_url)
    line = {"style_no": "S1", "color": "BLK", "size": "M", "quantity": 1, "name": "Coat",
            "color_name": "Black", "sku": None, "jan": None, "unit_price": "1",
            "amount": "1", "breakdown": []}
    whole = Order.model_validate_json(_DRAFT.document(NUMBER_SLOT))
    good = Draft.of(whole.model_copy(update={"lines": [PricedLine.model_validate(line)]}))
    broken = dataclasses.replace(good, breakdowns=())
    with pytest.raises(ValueError):
        asyncio.run(store.place(Claim("open", "key-broken", "1"), "SS27", broken))
    placed = asyncio.run(store.place(Claim("open", "key-good", "2"), "SS27", good))
    store.close()
    assert placed.number == "SS27-000001"
    assert json.loads(placed.body)["lines"][0]["breakdown"] == []


def test_a_closed_store_refuses_new_orders_as_unavailable(shop: Shop) -> None:
    shop.store.close()
    answer = shop.post("open", order())
    assert (answer.status, answer.json()["type"]) == (503, PROBLEM + "storage-unavailable")
    assert answer.headers["retry-after"] == "1"


def test_a_new_build_prices_the_next_quote_with_its_prices(shop: Shop) -> None:
    """Quotes keep unit prices per published build; a new build's prices apply at once."""
    before = shop.post("open", order(), path="quote")
    assert before.json()["total"] == "47520"
    shop.content.edit("seasons/ss27/products.yaml", "JPY: {rrp: 48000, wsp: 21600}",
                      "JPY: {rrp: 48000, wsp: 22000}")
    time.sleep(0.01)  # a manifest with a new modification time
    shop.republish()
    after = shop.post("open", order(), path="quote")
    assert after.json()["lines"][0]["unit_price"] == "22000"
    assert after.json()["total"] == "48400"


def test_a_different_expected_total_answers_409_with_the_quote(shop: Shop) -> None:
    answer = shop.post("open", order(expected_total="43200"))
    assert answer.status == 409
    problem = answer.json()
    assert problem["type"] == PROBLEM + "total-changed"
    assert problem["quote"]["total"] == "47520"
    assert shop.stored() == 0
    # The buyer confirms the new total: the same key, now with the server's total.
    confirmed = shop.post("open", order(expected_total="47520"))
    assert confirmed.status == 201
    assert shop.stored() == 1


def test_a_quote_checks_the_total_and_buyer_it_is_given_as_an_order_would(
        shop: Shop) -> None:
    """docs/api.md: `buyer` and `expected_total` on a quote work as for orders when present,
    so a page can ask before the buyer commits."""
    changed = shop.post("open", order(expected_total="43200"), path="quote")
    assert (changed.status, changed.json()["type"]) == (409, PROBLEM + "total-changed")
    assert changed.json()["quote"]["total"] == "47520"
    assert shop.post("open", order(expected_total="47520"), path="quote").status == 200
    no_company = {k: v for k, v in ORGANIZATION.items() if k != "company"}
    refused = shop.post("open", order(buyer=no_company), path="quote")
    assert refused.status == 422
    assert [error["field"] for error in refused.json()["errors"]] == ["buyer.company"]
    assert shop.stored() == 0


@pytest.mark.parametrize(("offset", "status"), [(-1, 201), (0, 403), (1, 403)])
def test_orders_close_at_the_season_deadline(shop: Shop, offset: int, status: int) -> None:
    shop.clock.now = DEADLINE + offset * SECOND
    answer = shop.post("open", order())
    assert answer.status == status
    if status == 403:
        assert (answer.json()["type"], answer.json()["state"]) == (
            PROBLEM + "not-orderable", "view_only")
        assert shop.post("open", order(), path="quote").status == 403


@pytest.mark.parametrize(("moment", "status", "state"), [
    (RELEASE - SECOND, 403, "upcoming"), (RELEASE, 201, None), (EXPIRY - SECOND, 201, None),
    (EXPIRY, 403, "expired"), (EXPIRY + SECOND, 403, "expired"),
])
def test_orders_only_inside_the_link_window(shop: Shop, moment: datetime, status: int,
                                            state: str | None) -> None:
    shop.clock.now = moment
    # A token outliving the link (unlock never signs one) shows the window is checked apart.
    token = shop.token("preview", expires_at=EXPIRY + 3600 * SECOND)
    answer = shop.post("preview", order(), token=token)
    assert answer.status == status, answer.body
    if state is not None:
        assert answer.json()["state"] == state
    assert shop.stored() == (1 if status == 201 else 0)


def test_a_catalog_link_takes_no_orders(shop: Shop) -> None:
    answer = shop.post("catalog", order())
    assert (answer.status, answer.json()["state"]) == (403, "view_only")
    assert "catalog" in answer.json()["detail"]


def test_a_sealed_link_orders_with_its_token(shop: Shop) -> None:
    body = order(address=ADDRESS)
    missing = shop.post("aoyama", body)
    assert (missing.status, missing.json()["reason"]) == (401, "missing")
    assert missing.headers["www-authenticate"] == "Bearer"
    answer = shop.post("aoyama", body, token=shop.token("aoyama"))
    assert answer.status == 201, answer.body
    # The buyer's own terms: 50 % of RRP 48,000, with a 30 % deposit of the total.
    stored = answer.json()
    assert (stored["lines"][0]["unit_price"], stored["total"], stored["deposit"],
            stored["balance"]) == ("24000", "52800", "15840", "36960")


def test_quotes_of_a_sealed_link_need_the_token_too(shop: Shop) -> None:
    assert shop.post("aoyama", order(), path="quote").status == 401
    answer = shop.post("aoyama", order(), path="quote", token=shop.token("aoyama"))
    assert answer.status == 200


def test_an_organization_gives_its_company_and_phone(shop: Shop) -> None:
    buyer = {"name": "Aiko Tanaka", "email": "aiko@example.com"}
    answer = shop.post("open", order(buyer=buyer))
    assert answer.status == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["buyer.company", "buyer.phone"]


def test_a_personal_buyer_gives_no_company(shop: Shop) -> None:
    body = order(language="en", currency="USD", buyer=ORGANIZATION,
                 address=ADDRESS | {"country": "CN"})
    answer = shop.post("china", body)
    assert answer.status == 422
    assert answer.json()["errors"][0]["field"] == "buyer.company"


def test_an_address_is_required_where_the_link_says(shop: Shop) -> None:
    answer = shop.post("aoyama", order(), token=shop.token("aoyama"))
    assert answer.status == 422
    assert answer.json()["errors"][0]["field"] == "address"


def test_a_china_only_link_delivers_to_china_only(shop: Shop) -> None:
    personal = {"name": "Li Wei", "email": "li@example.cn"}
    body = order(language="en", currency="USD", buyer=personal, address=ADDRESS)
    answer = shop.post("china", body)
    assert answer.status == 422
    assert answer.json()["errors"][0]["field"] == "address.country"
    shanghai = {"country": "CN", "postal_code": "200000", "region": "Shanghai",
                "city": "Shanghai", "line1": "100 Nanjing Road"}
    accepted = shop.post("china", order(language="en", currency="USD", buyer=personal,
                                        address=shanghai))
    assert accepted.status == 201, accepted.body
    assert accepted.json()["address"]["country"] == "CN"


def test_health_answers_with_the_database(sqlite_shop: Shop) -> None:
    shop = sqlite_shop
    answer = asyncio.run(_get(shop, "/healthz"))
    assert answer.status == 200
    shop.store.close()
    path = Path(shop.database_url.removeprefix("sqlite:///"))
    path.unlink()
    path.mkdir()  # the file is gone and cannot be created: the database is down
    down = asyncio.run(_get(shop, "/healthz"))
    assert down.status == 503
    assert down.json()["type"] == PROBLEM + "storage-unavailable"
    assert down.headers["retry-after"] == "1"


async def _get(shop: Shop, path: str) -> Answer:
    return await call(shop.app, "GET", path)


def test_orders_are_listed_by_link_season_and_time(shop: Shop) -> None:
    shop.post("open", order())
    shop.clock.advance(60)
    shop.post("open", order(), key="key-0002")
    later = shop.clock.now
    shop.post("china", order(language="en", currency="USD",
                             buyer={"name": "Li Wei", "email": "li@example.cn"}))
    numbers = [o.order_number for o in shop.store.orders(OrderFilter(link="open"))]
    assert numbers == ["SS27-000001", "SS27-000002"]
    since = [o.order_number for o in shop.store.orders(OrderFilter(since=later))]
    assert since == ["SS27-000002", "SS27-000003"]
    until = [o.order_number for o in shop.store.orders(OrderFilter(until=later))]
    assert until == ["SS27-000001"]
    # The last ones of a filter, still oldest first.
    latest = [o.order_number for o in shop.store.orders(OrderFilter(latest=2))]
    assert latest == ["SS27-000002", "SS27-000003"]
    last_open = [o.order_number for o in shop.store.orders(OrderFilter(link="open", latest=1))]
    assert last_open == ["SS27-000002"]
    assert list(shop.store.orders(OrderFilter(latest=0))) == []


def _placements(store: SQLiteStore, keys: range) -> list[Receipt | BaseException]:
    async def together() -> list[Receipt | BaseException]:
        return await asyncio.gather(*(
            store.place(Claim("open", f"key-{n:04d}", str(n)), "SS27", _DRAFT) for n in keys),
            return_exceptions=True)
    return asyncio.run(together())


def test_orders_wait_while_another_connection_writes(tmp_path: Path) -> None:
    """The endpoint's loop never sleeps on SQLite's lock: it tries again until the other
    writer (here a connection holding a write transaction for 0.3 s) is done."""
    store = SQLiteStore(tmp_path / "orders.sqlite3")
    other = sqlite3.connect(tmp_path / "orders.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    started = time.monotonic()

    async def both() -> list[Receipt | BaseException]:
        loop = asyncio.get_running_loop()
        loop.call_later(0.3, other.execute, "COMMIT")
        ticks = 0

        async def tick() -> None:  # the loop keeps running while the orders wait
            nonlocal ticks
            while time.monotonic() - started < 0.3:
                ticks += 1
                await asyncio.sleep(0.01)

        placed, _ = await asyncio.gather(asyncio.gather(*(
            store.place(Claim("open", f"key-{n:04d}", str(n)), "SS27", _DRAFT)
            for n in range(5)), return_exceptions=True), tick())
        assert ticks >= 10
        return placed

    outcomes = asyncio.run(both())
    other.close()
    store.close()
    assert time.monotonic() - started >= 0.3
    assert sorted(o.number for o in outcomes if isinstance(o, Receipt)) == [
        f"SS27-{n:06d}" for n in range(1, 6)]


def test_orders_fail_as_unavailable_when_the_lock_stays_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("order_api.store.sqlite.BUSY_TIMEOUT_MS", 200)
    store = SQLiteStore(tmp_path / "orders.sqlite3")
    other = sqlite3.connect(tmp_path / "orders.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    outcomes = _placements(store, range(3))
    other.execute("ROLLBACK")
    assert all(isinstance(o, StoreUnavailable) and "locked" in str(o) for o in outcomes)
    # Nothing half-written, and the store goes on once the lock is free.
    assert [o.number for o in _placements(store, range(3, 5)) if isinstance(o, Receipt)] == [
        "SS27-000001", "SS27-000002"]
    store.close()


@pytest.mark.parametrize("turns", [1, 2], ids=["queued", "committing"])
def test_closing_commits_what_was_queued(tmp_path: Path, turns: int) -> None:
    """Placements queued when the store closes (the endpoint stopping) are committed and
    answered, never dropped: whether the loop has written them yet or not."""
    store = SQLiteStore(tmp_path / "orders.sqlite3")

    async def queue_then_close() -> list[Receipt | BaseException]:
        waiting = [asyncio.ensure_future(store.place(
            Claim("open", f"key-{n:04d}", str(n)), "SS27", _DRAFT)) for n in range(4)]
        for _ in range(turns):  # 1: each request has queued its placement; 2: and the loop
            await asyncio.sleep(0)  # has written them and handed the commit over
        store.close()
        return await asyncio.gather(*waiting, return_exceptions=True)

    outcomes = asyncio.run(queue_then_close())
    assert sorted(o.number for o in outcomes if isinstance(o, Receipt)) == [
        f"SS27-{n:06d}" for n in range(1, 5)]
    reopened = SQLiteStore(tmp_path / "orders.sqlite3")
    assert len(list(reopened.orders(OrderFilter()))) == 4
    reopened.close()


def test_the_schema_is_migrated_once_and_a_newer_one_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`linesheets api` says when it created or migrated the database (after an upgrade,
    the operator's proof), and nothing when it was current."""
    from generator._commands import _open_store
    from order_api.store.sqlite import MIGRATIONS

    path = tmp_path / "orders.sqlite3"
    url = f"sqlite:///{path}"
    _open_store(url)
    assert capsys.readouterr().err == (
        f"created the order database (schema version {len(MIGRATIONS)})\n")
    _open_store(url)  # opening again migrates nothing and keeps the data
    assert capsys.readouterr().err == ""
    older = tmp_path / "older.sqlite3"
    with sqlite_at(older, 12):
        pass
    _open_store(f"sqlite:///{older}")
    assert capsys.readouterr().err == (
        f"migrated the order database from schema version 12 to {len(MIGRATIONS)}\n")
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="schema version 99, newer"):
        SQLiteStore(path)


def test_a_postgresql_database_that_refuses_is_told_at_once_with_its_reason(
    caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing listening at the address: the store says so with the server's reason at once,
    not after ten seconds of the pool's retries, each logged."""
    url = f"postgresql://orders@127.0.0.1:{free_port()}/orders"
    with pytest.raises(StoreError) as refused:
        open_store(url)
    assert str(refused.value).startswith(f"cannot open the order database at {url}: ")
    assert "Connection refused" in str(refused.value)
    assert [record.name for record in caplog.records if record.name.startswith("psycopg")] == []


_CELLS = [("SS27-001", "BLK", "S"), ("SS27-001", "BLK", "M"), ("SS27-001", "ECR", "S"),
          ("SS27-001", "ECR", "L"), ("SS27-002", "001", "One size")]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(st.sampled_from(range(len(_CELLS))),
                                st.integers(min_value=1, max_value=400)),
                      min_size=1, max_size=5, unique_by=lambda cell: cell[0]),
       currency=st.sampled_from(["JPY", "USD"]))
def test_the_stored_total_is_the_pricing_modules_total(
    shop: Shop, cells: list[tuple[int, int]], currency: str
) -> None:
    # Whole multiples of 3 reach every MOQ (2, 3) and the tote's multiple (3).
    lines = [CartLine(*_CELLS[index], quantity=3 * quantity) for index, quantity in cells]
    body = order(currency=currency, lines=[
        {"style_no": line.style_no, "color": line.color, "size": line.size,
         "quantity": line.quantity} for line in lines])
    key = "hyp-" + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    answer = shop.post("open", body, key=key)
    assert answer.status == 201, answer.body
    manifest = _manifest(shop)
    season = manifest.seasons["ss27"]
    expected = price_cart(manifest.brand, manifest.links["open"], season, season.styles,
                          currency, lines)
    stored = shop.store.order(answer.json()["order_number"])
    assert stored is not None
    assert Decimal(stored.total) == expected.total
    assert Decimal(stored.subtotal) == expected.subtotal
    assert [Decimal(line.amount) for line in stored.lines] == [
        line.amount for line in expected.lines]
    # What was answered reads back as the same order, and a quote as the same quote.
    assert stored.model_dump_json().encode() == answer.body
    quote = shop.post("open", body, path="quote").json()
    assert Quote.model_validate(quote).model_dump(mode="json") == quote


def test_received_at_is_the_server_clock(shop: Shop) -> None:
    shop.clock.now += timedelta(minutes=5)
    answer = shop.post("open", order())
    assert answer.json()["received_at"] == "2027-01-10T02:05:00Z"


def test_the_app_closes_the_store_it_opened_when_it_stops(sqlite_shop: Shop) -> None:
    """An app that opened its own store closes it at shutdown: the WAL is checkpointed into
    the database file and removed, so a copied file holds every acknowledged order."""
    from starlette.testclient import TestClient

    from order_api.app import create_app
    from tests.unit.endpoint import settings_for

    shop = sqlite_shop
    url = shop.private.parent / "own.sqlite3"
    app = create_app(settings_for(shop.private, shop.clock, database_url=f"sqlite:///{url}"))
    with TestClient(app) as client:
        placed = client.post("/api/links/aoyama/orders", json=order(address=ADDRESS),
                             headers={"Idempotency-Key": "key-close-1",
                                      "Authorization": f"Bearer {shop.token('aoyama')}"})
        assert placed.status_code == 201
        assert url.with_name("own.sqlite3-wal").exists()
    assert not url.with_name("own.sqlite3-wal").exists()
    with sqlite3.connect(url) as db:
        assert db.execute("SELECT count(*) FROM orders").fetchone() == (1,)


def test_an_order_below_the_links_minimum_is_refused_and_its_quote_is_not(shop: Shop) -> None:
    shop.content.edit("links/open.yaml", "season: ss27",
                      "season: ss27\nminimum_order: {JPY: 50000}")
    time.sleep(0.01)  # a manifest with a new modification time
    shop.republish()
    assert shop.post("open", order(), path="quote").json()["subtotal"] == "43200"  # answered
    refused = shop.post("open", order())
    assert refused.status == 422
    problem = refused.json()
    assert problem["type"] == PROBLEM + "below-minimum-order"
    assert problem["detail"] == ("the order comes to 43200 JPY before tax, and this link's "
                                 "minimum order is 50000 JPY: add at least 6800 JPY to the cart")
    assert (problem["minimum_order"], problem["quote"]["subtotal"]) == ("50000", "43200")
    assert shop.stored() == 0
    # The minimum is before tax (the total, 47520, is short of it too); it is met at 50000.
    enough = order(lines=[{"style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 2},
                          {"style_no": "SS27-002", "color": "001", "size": "One size",
                           "quantity": 3}])
    placed = shop.post("open", enough, key="key-0002")
    assert placed.status == 201, placed.body
    assert placed.json()["subtotal"] == "59400"
    # Another currency of the link has no minimum.
    dollars = shop.post("open", order(currency="USD"), key="key-0003")
    assert dollars.status == 201, dollars.body


def test_a_tax_exempt_links_orders_carry_no_tax(shop: Shop) -> None:
    taxed = shop.post("open", order(), path="quote").json()
    assert (taxed["tax"], taxed["total"]) == ("4320", "47520")
    shop.content.edit("links/open.yaml", "season: ss27", "season: ss27\ntax_exempt: true")
    time.sleep(0.01)  # a manifest with a new modification time
    shop.republish()
    placed = shop.post("open", order())
    assert placed.status == 201, placed.body
    stored = placed.json()
    assert (stored["subtotal"], stored["tax"], stored["taxes"], stored["total"]) == (
        "43200", "0", [], "43200")


def test_a_size_priced_apart_is_quoted_and_stored_at_its_own_price(shop: Shop) -> None:
    shop.content.edit("seasons/ss27/products.yaml", "    moq: 2\n",
                      "    moq: 2\n    size_prices: {M: {JPY: {wsp: 23000}}}\n")
    shop.republish()
    lines = [{"style_no": "SS27-001", "color": "BLK", "size": "S", "quantity": 1},
             {"style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 2}]
    quote = shop.post("open", order(buyer=None, lines=lines), path="quote").json()
    assert [(line["size"], line["unit_price"], line["amount"], line["breakdown"][0]["amount"])
            for line in quote["lines"]] == [("S", "21600", "21600", "21600"),
                                            ("M", "23000", "46000", "23000")]
    assert quote["subtotal"] == "67600"
    placed = shop.post("open", order(lines=lines, expected_total=quote["total"]))
    assert placed.status == 201, placed.body
    [stored] = shop.store.orders(OrderFilter())
    assert [line.unit_price for line in stored.lines] == ["21600", "23000"]


def test_each_line_ships_when_its_colourway_does(shop: Shop) -> None:
    shop.content.edit("seasons/ss27/products.yaml", "swatch: \"#EEE8DC\"}",
                      "swatch: \"#EEE8DC\", delivery: {en: Summer drop, ja: 夏便}}")
    shop.republish()
    lines = [{"style_no": "SS27-001", "color": "BLK", "size": "S", "quantity": 1},
             {"style_no": "SS27-001", "color": "ECR", "size": "M", "quantity": 1}]
    placed = shop.post("open", order(lines=lines))
    assert placed.status == 201, placed.body
    assert [line["delivery"] for line in placed.json()["lines"]] == [
        "2027-02-01/2027-03-15", "夏便"]  # the order is in Japanese


def test_a_store_tells_the_schema_it_found_and_the_one_it_left(database_url: str) -> None:
    """0 found: created; then the version it migrated to, found as it is on the next open."""
    from order_api.store import open_store

    first = open_store(database_url)
    found, now = first.schema
    first.close()
    assert found == 0 and now >= 14
    again = open_store(database_url)
    assert again.schema == (now, now)
    again.close()
