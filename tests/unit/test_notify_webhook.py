"""Webhooks through the outbox, and the delivery worker's rules: signed JSON to a local
receiver, retries with backoff until it recovers or the tries run out, one leader across
workers, and nothing lost when a worker dies mid-send."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from order_api.notify import CLAIM_LEASE, LEAD_LEASE, MAX_TRIES, DeliveryWorker
from order_api.settings import DeliverySettings
from order_api.store import open_store
from tests.unit.conftest import ContentDir
from tests.unit.endpoint import FrozenClock
from tests.unit.receivers import WAIT, WebhookReceiver
from tests.unit.shop import Shop, order

SECRET = b"w" * 32


@pytest.fixture
def hook_shop(content: ContentDir, tmp_path: Path, api_clock: FrozenClock,
              webhook: WebhookReceiver) -> Iterator[Shop]:
    """A shop whose brand names the local receiver as its webhook."""
    content.edit("brand.yaml", "timezone: Asia/Tokyo\n", "timezone: Asia/Tokyo\n"
                 f"notifications: {{webhook: '{webhook.url}'}}\n")
    shop = Shop(content, tmp_path, api_clock,
                delivery=DeliverySettings(webhook_secret=SECRET, interval=0.01))
    yield shop
    shop.store.close()


def _deliver(worker: DeliveryWorker) -> int:
    return asyncio.run(worker.deliver_due())


def _documented_verify() -> Callable[..., bool]:
    """The receiver's check docs/api.md shows, run as written."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    snippet = next(block for block in re.findall(r"```python\n(.*?)```", text, re.DOTALL)
                   if "def verify(" in block)
    scope: dict[str, Any] = {}
    exec(snippet, scope)
    return cast(Callable[..., bool], scope["verify"])


def test_an_order_is_posted_signed_to_the_brand_webhook(hook_shop: Shop,
                                                        webhook: WebhookReceiver) -> None:
    placed = hook_shop.post("open", order())
    assert _deliver(hook_shop.worker()) == 1
    (delivery,) = webhook.deliveries
    assert delivery.headers["Content-Type"] == "application/json"
    assert delivery.headers["Linesheets-Event"] == "order.placed"
    (status,) = hook_shop.store.notifications()
    assert delivery.headers["Linesheets-Delivery"] == str(status.id)
    signature = delivery.headers["Linesheets-Signature"]
    assert signature.startswith(f"t={int(hook_shop.clock.now.timestamp())},v1=")
    verify = _documented_verify()
    age = time.time() - hook_shop.clock.now.timestamp()  # the clock is frozen in 2027
    assert verify(SECRET, signature, delivery.body, tolerance=abs(age) + 60)
    assert not verify(b"x" * 32, signature, delivery.body, tolerance=abs(age) + 60)
    assert not verify(SECRET, signature, delivery.body + b" ", tolerance=abs(age) + 60)
    assert not verify(SECRET, signature, delivery.body)  # too old for the default tolerance
    assert json.loads(delivery.body) == {"event": "order.placed", "order": placed.json()}
    assert (status.state, status.attempts, status.sent_at) == ("sent", 1, hook_shop.clock.now)


def test_a_receiver_that_fails_twice_gets_the_order_on_the_third_try(
        hook_shop: Shop, webhook: WebhookReceiver) -> None:
    webhook.answers = [500, 503]
    hook_shop.post("open", order())
    worker = hook_shop.worker()
    _deliver(worker)
    (first,) = hook_shop.store.notifications()
    assert (first.state, first.attempts) == ("pending", 1)
    assert first.last_error == ("the webhook receiver answered HTTP 500 Internal Server "
                                "Error")
    hook_shop.clock.advance(13)  # 10 s, +25 % jitter at most
    _deliver(worker)
    (second,) = hook_shop.store.notifications()
    assert (second.attempts, second.last_error) == (
        2, "the webhook receiver answered HTTP 503 Service Unavailable")
    assert second.next_attempt_at is not None
    wait = (second.next_attempt_at - hook_shop.clock.now).total_seconds()
    assert 22.5 <= wait <= 37.5  # 30 s ± 25 %
    hook_shop.clock.advance(38)
    _deliver(worker)
    (third,) = hook_shop.store.notifications()
    assert (third.state, third.attempts, third.last_error) == ("sent", 3, None)
    # The same delivery id each time, so the receiver can tell a repeat.
    assert len({d.headers["Linesheets-Delivery"] for d in webhook.deliveries}) == 1
    assert len(webhook.deliveries) == 3


def test_a_receiver_that_never_recovers_is_given_up_with_the_reason(
        hook_shop: Shop, webhook: WebhookReceiver) -> None:
    webhook.answers = [502] * 20
    hook_shop.post("open", order())
    worker = hook_shop.worker()
    for _ in range(MAX_TRIES + 2):
        _deliver(worker)
        hook_shop.clock.advance(2 * 3600)  # past the longest wait
    (status,) = hook_shop.store.notifications()
    assert (status.state, status.attempts, status.next_attempt_at) == (
        "failed", MAX_TRIES, None)
    assert status.last_error == (f"gave up after {MAX_TRIES} tries: the webhook receiver "
                                 "answered HTTP 502 Bad Gateway")
    assert len(webhook.deliveries) == MAX_TRIES


def test_an_unreachable_receiver_is_retried(hook_shop: Shop, webhook: WebhookReceiver) -> None:
    webhook.stop()
    hook_shop.post("open", order())
    _deliver(hook_shop.worker())
    (status,) = hook_shop.store.notifications()
    assert (status.state, status.attempts) == ("pending", 1)
    assert (status.last_error or "").startswith("the webhook receiver could not be reached: "
                                                "ConnectError")


def test_two_workers_deliver_each_notification_exactly_once(
        hook_shop: Shop, webhook: WebhookReceiver) -> None:
    """Two instances on one database, rounds at the same moments, the lead changing hands."""
    numbers = [hook_shop.post("open", order(), key=f"key-{n:04d}").json()["order_number"]
               for n in range(15)]
    other = open_store(hook_shop.database_url)
    try:
        workers = (hook_shop.worker(), hook_shop.worker(other))

        async def together() -> list[int]:
            return list(await asyncio.gather(*(worker.deliver_due() for worker in workers)))

        rounds = []
        for _ in range(10):
            rounds.append(asyncio.run(together()))
            hook_shop.clock.advance(LEAD_LEASE.total_seconds())  # whoever leads, may lose it
        assert all(0 in claimed for claimed in rounds)  # one leader per round
        assert sum(map(sum, rounds)) == len(numbers)
    finally:
        other.close()
    ids = [d.headers["Linesheets-Delivery"] for d in webhook.deliveries]
    assert len(ids) == len(set(ids)) == len(numbers)
    assert sorted(json.loads(d.body)["order"]["order_number"]
                  for d in webhook.deliveries) == numbers
    assert {n.state for n in hook_shop.store.notifications()} == {"sent"}


def test_a_worker_that_dies_mid_send_is_replaced_and_nothing_is_lost(
        hook_shop: Shop, webhook: WebhookReceiver) -> None:
    hook_shop.post("open", order())
    webhook.hold = threading.Event()  # the receiver takes the POST and keeps it waiting
    dying = hook_shop.worker()

    async def die_mid_send() -> None:
        round_ = asyncio.create_task(dying.deliver_due())
        assert await asyncio.to_thread(webhook.arrived.wait, WAIT)
        round_.cancel()  # the process is gone: no outcome is recorded
        with pytest.raises(asyncio.CancelledError):
            await round_

    asyncio.run(die_mid_send())
    webhook.hold.set()
    (held,) = hook_shop.store.notifications()
    assert (held.state, held.attempts) == ("pending", 0)
    successor = hook_shop.worker()
    hook_shop.clock.advance(LEAD_LEASE.total_seconds())  # the dead worker's lead has ended ...
    assert _deliver(successor) == 0  # ... but the notification is still held
    hook_shop.clock.advance((CLAIM_LEASE - LEAD_LEASE).total_seconds())
    assert _deliver(successor) == 1
    (sent,) = hook_shop.store.notifications()
    assert (sent.state, sent.attempts) == ("sent", 1)
    assert [d.headers["Linesheets-Delivery"] for d in webhook.deliveries] == [str(sent.id)] * 2


def test_the_environment_url_overrides_the_brand_webhook(
        content: ContentDir, tmp_path: Path, api_clock: FrozenClock,
        webhook: WebhookReceiver) -> None:
    content.edit("brand.yaml", "timezone: Asia/Tokyo\n", "timezone: Asia/Tokyo\n"
                 "notifications: {webhook: 'https://unreachable.invalid/hook'}\n")
    shop = Shop(content, tmp_path, api_clock, delivery=DeliverySettings(
        webhook_secret=SECRET, webhook_url=webhook.url))
    try:
        shop.post("open", order())
        assert _deliver(shop.worker()) == 1
        assert len(webhook.deliveries) == 1
    finally:
        shop.store.close()


def test_a_cancelled_order_is_posted_again_as_order_cancelled(
        hook_shop: Shop, webhook: WebhookReceiver) -> None:
    placed = hook_shop.post("open", order())
    worker = hook_shop.worker()
    assert _deliver(worker) == 1
    assert hook_shop.store.cancel("SS27-000001", "Out of fabric", hook_shop.clock.now)
    assert _deliver(worker) == 1
    first, second = webhook.deliveries
    assert second.headers["Linesheets-Event"] == "order.cancelled"
    assert second.headers["Linesheets-Delivery"] != first.headers["Linesheets-Delivery"]
    assert json.loads(second.body) == {
        "event": "order.cancelled", "order": placed.json(),
        "cancelled": {"at": "2027-01-10T02:00:00Z", "reason": "Out of fabric"}}
    assert [(n.event, n.state) for n in hook_shop.store.notifications()] == [
        ("order.placed", "sent"), ("order.cancelled", "sent")]
