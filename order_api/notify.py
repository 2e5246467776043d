"""Outbox stage, delivery: which channels an order queues, and the worker that sends what the
store's outbox holds.

Every endpoint process runs a worker, but only the one holding the store's delivery lease
claims notifications, so the brand's SMTP server and webhook see one sender. Each claimed
notification is held under its own lease while it is sent: a worker that dies mid-send loses
nothing, its notifications come due again when their lease ends. A failed try is retried
after an exponential backoff with jitter, and given up after MAX_TRIES with the reason.
Delivery is at least once: a try whose answer was lost is sent again, with the same
Linesheets-Delivery id (webhook) or Message-ID (e-mail) so the receiver can drop the copy.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import socket
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import datetime, timedelta

from generator.manifest import Manifest
from generator.models import Notifications
from order_api.delivery import DeliveryFailed, Sender
from order_api.published import PublishedSource
from order_api.settings import ApiSettings, DeliverySettings
from order_api.smtp import MailSender
from order_api.store import Channel, Notification, OrderStore, StoreUnavailable
from order_api.webhook import WebhookSender

log = logging.getLogger(__name__)

MAX_TRIES = 8  # then the notification is given up, with the last error as the reason
FIRST_RETRY = timedelta(seconds=10)  # then 30 s, 1.5 min, 4.5 min, … (x3), capped
MAX_RETRY = timedelta(hours=1)
RETRY_FACTOR = 3
JITTER = 0.25  # each wait is drawn within ±25 %, so instances' retries do not march together
# The leader renews its lease every round (at most MAX_DELIVERY_INTERVAL apart), so a lease
# of three rounds survives a slow one; a dead leader is replaced after it runs out.
LEAD_LEASE = timedelta(seconds=60)
# A claimed notification is held this long: more than a round's sends take (SMTP commands
# time out after 30 s, a webhook after 10 s), so no other worker sends it meanwhile.
CLAIM_LEASE = timedelta(minutes=2)
BATCH = 10  # notifications sent together in one round
STOP_TIMEOUT = 15.0  # seconds a stopping worker waits for the sends under way


def channels_for(delivery: DeliverySettings, brand: Notifications) -> tuple[Channel, ...]:
    """The channels an order queues: only those with a target, so nothing waits for none."""
    channels: list[Channel] = []
    if delivery.smtp is not None:
        if brand.emails:
            channels.append("brand-email")
        channels.append("buyer-email")
    if delivery.webhook_secret is not None and (delivery.webhook_url or brand.webhook):
        channels.append("webhook")
    return tuple(channels)


def retry_delay(tries: int, rng: random.Random) -> timedelta:
    """The wait after a notification's `tries`-th failed try: 10 s x 3^(tries - 1), capped at
    an hour, with jitter."""
    growth = float(RETRY_FACTOR) ** min(tries - 1, 32)  # bounded: the cap is reached long before
    base = min(FIRST_RETRY.total_seconds() * growth, MAX_RETRY.total_seconds())
    return timedelta(seconds=base * rng.uniform(1 - JITTER, 1 + JITTER))


class DeliveryWorker:
    """Sends due notifications in rounds, while it leads delivery across instances."""

    def __init__(self, store: OrderStore, manifest: Callable[[], Manifest],
                 senders: Mapping[Channel, Sender], clock: Callable[[], datetime], *,
                 interval: float, worker_id: str | None = None,
                 rng: random.Random | None = None) -> None:
        self.worker_id = worker_id or \
            f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._store, self._manifest, self._senders = store, manifest, senders
        self._clock, self._interval = clock, interval
        self._rng = rng or random.Random()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def deliver_due(self) -> int:
        """Run one round: lead (or stay leader), claim due notifications, send each and
        record the outcome. Returns how many were claimed (0 when another worker leads)."""
        now = self._clock()
        if not await asyncio.to_thread(self._store.lead_delivery, self.worker_id, now,
                                       LEAD_LEASE):
            return 0
        due = await asyncio.to_thread(self._store.due_notifications, now, BATCH, CLAIM_LEASE)
        if due:
            manifest = self._manifest()
            await asyncio.gather(*(self._deliver(note, manifest) for note in due))
        return len(due)

    def start(self) -> None:
        """Run rounds in the background of the running event loop until `stop`."""
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="outbox-delivery")

    async def stop(self) -> None:
        """Finish the sends under way (for a while), then stop; what is left stays claimed
        until its lease ends, and another worker sends it."""
        self._stopping.set()
        task, self._task = self._task, None
        if task is not None:
            with suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, STOP_TIMEOUT)

    async def _run(self) -> None:
        log.info("delivery worker %s started (channels: %s)", self.worker_id,
                 ", ".join(self._senders))
        while not self._stopping.is_set():
            claimed = 0
            try:
                claimed = await self.deliver_due()
            except StoreUnavailable as exc:
                log.warning("delivery round skipped: %s", exc)
            except Exception:
                # A worker that dies quietly leaves every order unannounced: log and go on.
                log.exception("delivery round failed; trying again next round")
            if claimed < BATCH:  # a full batch: more may be due, go on at once
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self._interval)

    async def _deliver(self, note: Notification, manifest: Manifest) -> None:
        permanent = False
        try:
            sender = self._senders.get(note.channel)
            if sender is None:
                raise DeliveryFailed(f"this instance has no settings for {note.channel} "
                                     "notifications; give every instance the same "
                                     "LINESHEETS_SMTP_URL and LINESHEETS_WEBHOOK_SECRET")
            await sender.send(note, manifest)
        except DeliveryFailed as exc:
            error, permanent = str(exc), exc.permanent
        except Exception as exc:
            log.exception("notification %d (%s of %s) failed unexpectedly", note.id,
                          note.channel, note.order_number)
            error = f"unexpected {type(exc).__name__}: {exc}"
        else:
            await self._record(self._store.notification_sent, note.id, self._clock())
            return
        tries = note.attempts + 1
        now = self._clock()
        if permanent or tries >= MAX_TRIES:
            log.error("notification %d (%s of %s) given up after %d tries: %s", note.id,
                      note.channel, note.order_number, tries, error)
            await self._record(self._store.notification_failed, note.id, now,
                               f"gave up after {tries} tries: {error}", None)
        else:
            retry_at = now + retry_delay(tries, self._rng)
            log.warning("notification %d (%s of %s) failed (try %d of %d), again at %s: %s",
                        note.id, note.channel, note.order_number, tries, MAX_TRIES,
                        retry_at.isoformat(), error)
            await self._record(self._store.notification_failed, note.id, now, error,
                               retry_at)

    @staticmethod
    async def _record(call: Callable[..., None], *args: object) -> None:
        try:
            await asyncio.to_thread(call, *args)
        except StoreUnavailable as exc:
            # Unrecorded, the notification comes due again when its claim ends: sent twice
            # at worst, never lost.
            log.warning("delivery outcome not recorded: %s", exc)


def unconfigured(delivery: DeliverySettings, brand: Notifications) -> list[str]:
    """What brand.yaml asks to be notified that the endpoint's settings cannot send."""
    unsent = []
    if brand.emails and delivery.smtp is None:
        unsent.append("brand.yaml lists notifications.emails, but LINESHEETS_SMTP_URL is not "
                      "set: no order e-mails are sent")
    if brand.webhook and delivery.webhook_secret is None:
        unsent.append("brand.yaml names a notifications.webhook, but LINESHEETS_WEBHOOK_SECRET "
                      "is not set: no webhooks are sent")
    return unsent


def delivery_worker(settings: ApiSettings, source: PublishedSource,
                    store: OrderStore) -> DeliveryWorker | None:
    """The endpoint's worker for its delivery settings; None when nothing is configured."""
    delivery = settings.delivery
    for unsent in unconfigured(delivery, source.current().manifest.brand.notifications):
        log.warning("%s", unsent)
    senders: dict[Channel, Sender] = {}
    if delivery.smtp is not None and delivery.mail_from is not None:
        mail = MailSender(delivery.smtp, delivery.mail_from)
        senders["brand-email"] = senders["buyer-email"] = mail
    if delivery.webhook_secret is not None:
        senders["webhook"] = WebhookSender(delivery.webhook_secret, delivery.webhook_url,
                                           settings.clock)
    if not senders:
        return None
    return DeliveryWorker(store, lambda: source.current().manifest, senders, settings.clock,
                          interval=delivery.interval)
