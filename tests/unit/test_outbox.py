"""The outbox in the store: notifications are written with their order, claimed under a lease
by one delivery worker at a time, and end sent or given up with the reason."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from order_api.schemas import Order
from order_api.store import CHANNELS, NUMBER_SLOT, Channel, Claim, Draft, OrderStore, open_store

T0 = datetime(2027, 1, 10, 2, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
ORDER = Order.model_validate_json(json.dumps({
    "link": "open", "season": "ss27", "language": "ja", "currency": "JPY", "term": "wsp",
    "lines": [], "subtotal": "0", "taxes": [], "tax": "0", "total": "0",
    "deposit_percent": "0", "deposit": "0", "balance": "0", "order_number": "x",
    "received_at": T0.isoformat(), "address": None, "note": None,
    "buyer": {"company": "Select Shop Aoyama", "name": "Aiko Tanaka",
              "email": "aiko@example.com", "phone": "+81 3 1234 5678"}}))


@pytest.fixture
def store(database_url: str) -> Iterator[OrderStore]:
    opened = open_store(database_url)
    yield opened
    opened.close()


def _place(store: OrderStore, key: str, notify: tuple[Channel, ...] = CHANNELS) -> str:
    async def placed() -> str:
        receipt = await store.place(Claim("open", key, key), "SS27", Draft.of(
            ORDER.model_copy(update={"order_number": NUMBER_SLOT})), notify)
        return receipt.number
    return asyncio.run(placed())


def test_an_order_is_stored_with_one_pending_notification_per_channel(store: OrderStore) -> None:
    number = _place(store, "key-0001")
    outbox = store.notifications(number)
    assert [(n.channel, n.state, n.attempts) for n in outbox] == [
        ("brand-email", "pending", 0), ("buyer-email", "pending", 0), ("webhook", "pending", 0)]
    assert {n.next_attempt_at for n in outbox} == {T0}


def test_nothing_is_queued_where_no_channel_is_set(store: OrderStore) -> None:
    number = _place(store, "key-0001", notify=())
    assert store.notifications(number) == []
    assert store.due_notifications(T0, 10, LEASE) == []


def test_a_replayed_order_queues_no_second_notification(store: OrderStore) -> None:
    first = _place(store, "key-0001")
    assert _place(store, "key-0001") == first
    assert len(store.notifications()) == len(CHANNELS)


def test_a_claim_holds_notifications_for_the_lease_then_frees_them(store: OrderStore) -> None:
    number = _place(store, "key-0001")
    claimed = store.due_notifications(T0, 10, LEASE)
    assert [(n.order_number, n.channel, n.order.buyer.name) for n in claimed] == [
        (number, channel, "Aiko Tanaka") for channel in CHANNELS]
    # Held: another claim before the lease ends gets nothing ...
    assert store.due_notifications(T0 + LEASE - timedelta(seconds=1), 10, LEASE) == []
    # ... after it, a worker that died mid-send is replaced and nothing is lost.
    again = store.due_notifications(T0 + LEASE, 10, LEASE)
    assert [n.id for n in again] == [n.id for n in claimed]


def test_sent_and_given_up_notifications_are_never_claimed_again(store: OrderStore) -> None:
    _place(store, "key-0001")
    brand, buyer, hook = store.due_notifications(T0, 10, LEASE)
    store.notification_sent(brand.id, T0 + timedelta(seconds=1))
    store.notification_failed(buyer.id, T0 + timedelta(seconds=1), "550 mailbox unavailable",
                              retry_at=None)
    store.notification_failed(hook.id, T0 + timedelta(seconds=1), "HTTP 502",
                              retry_at=T0 + timedelta(minutes=1))
    later = T0 + timedelta(hours=1)
    assert [n.id for n in store.due_notifications(later, 10, LEASE)] == [hook.id]
    states = {n.channel: (n.state, n.attempts, n.last_error) for n in store.notifications()}
    assert states == {"brand-email": ("sent", 1, None),
                      "buyer-email": ("failed", 1, "550 mailbox unavailable"),
                      "webhook": ("pending", 1, "HTTP 502")}


def test_a_given_up_notification_is_sent_again_on_request(store: OrderStore) -> None:
    number = _place(store, "key-0001")
    other = _place(store, "key-0002")
    brand, buyer, hook, *rest = store.due_notifications(T0, 10, LEASE)
    store.notification_sent(brand.id, T0)
    store.notification_failed(buyer.id, T0, "550 mailbox unavailable", retry_at=None)
    store.notification_failed(hook.id, T0, "HTTP 502", retry_at=None)
    for note in rest:  # the other order's, given up too: not this order's to resend
        store.notification_failed(note.id, T0, "HTTP 502", retry_at=None)
    later = T0 + timedelta(days=1)
    assert store.resend(number, ("webhook",), later) == ["webhook"]
    assert store.resend(number, ("brand-email",), later) == []  # sent, not given up
    assert store.resend(number, CHANNELS, later) == ["buyer-email"]
    assert store.resend(number, CHANNELS, later) == []
    assert store.resend("SS27-999999", CHANNELS, later) == []
    states = {n.channel: (n.state, n.attempts, n.next_attempt_at, n.last_error)
              for n in store.notifications(number)}
    assert states == {"brand-email": ("sent", 1, None, None),
                      "buyer-email": ("pending", 0, later, "550 mailbox unavailable"),
                      "webhook": ("pending", 0, later, "HTTP 502")}
    assert {n.state for n in store.notifications(other)} == {"failed"}
    due = store.due_notifications(later, 10, LEASE)
    assert sorted((n.order_number, n.channel, n.attempts) for n in due) == [
        (number, "buyer-email", 0), (number, "webhook", 0)]


def test_the_retry_time_is_kept(store: OrderStore) -> None:
    _place(store, "key-0001", notify=("webhook",))
    (hook,) = store.due_notifications(T0, 10, LEASE)
    store.notification_failed(hook.id, T0, "timeout", retry_at=T0 + timedelta(minutes=2))
    assert store.due_notifications(T0 + timedelta(minutes=1), 10, LEASE) == []
    assert len(store.due_notifications(T0 + timedelta(minutes=2), 10, LEASE)) == 1


def test_claims_are_bounded_and_oldest_first(store: OrderStore) -> None:
    numbers = [_place(store, f"key-{n:04d}", notify=("webhook",)) for n in range(5)]
    first = store.due_notifications(T0, 3, LEASE)
    rest = store.due_notifications(T0, 3, LEASE)
    assert [n.order_number for n in first + rest] == numbers


def test_one_delivery_worker_leads_at_a_time(store: OrderStore) -> None:
    assert store.lead_delivery("a", T0, LEASE)
    assert not store.lead_delivery("b", T0 + timedelta(seconds=10), LEASE)
    assert store.lead_delivery("a", T0 + timedelta(seconds=20), LEASE)  # renewed
    assert not store.lead_delivery("b", T0 + timedelta(seconds=49), LEASE)
    assert store.lead_delivery("b", T0 + timedelta(seconds=50), LEASE)  # a stopped renewing
    assert not store.lead_delivery("a", T0 + timedelta(seconds=51), LEASE)


def test_a_cancellation_is_queued_on_the_orders_channels_and_claimed_with_its_reason(
    store: OrderStore,
) -> None:
    announced = _place(store, "key-0001", notify=("buyer-email", "webhook"))
    silent = _place(store, "key-0002", notify=())
    for claimed in store.due_notifications(T0, 10, LEASE):
        store.notification_sent(claimed.id, T0)
    later = T0 + timedelta(days=1)
    assert store.cancel(announced, "Out of fabric", later) is not None
    assert store.cancel(announced, "Again", later) is not None  # queues nothing more
    assert store.cancel(silent, None, later) is not None
    assert store.notifications(silent) == []
    due = store.due_notifications(later, 10, LEASE)
    assert [(n.order_number, n.channel, n.event) for n in due] == [
        (announced, "buyer-email", "order.cancelled"), (announced, "webhook", "order.cancelled")]
    for note in due:
        assert note.cancellation is not None
        assert (note.cancellation.at, note.cancellation.reason) == (later, "Out of fabric")
        assert note.order.order_number == announced
    assert [(n.channel, n.event, n.state) for n in store.notifications(announced)] == [
        ("buyer-email", "order.placed", "sent"), ("webhook", "order.placed", "sent"),
        ("buyer-email", "order.cancelled", "pending"), ("webhook", "order.cancelled", "pending")]
