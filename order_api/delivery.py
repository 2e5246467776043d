"""Outbox stage, the channels' common contract: a sender takes a claimed notification and
either delivers it or raises DeliveryFailed saying why (and whether trying again can help)."""

from __future__ import annotations

from typing import Protocol

from generator.errors import LinesheetsError
from generator.manifest import Manifest
from order_api.store import Notification


class DeliveryFailed(LinesheetsError):
    """A try to deliver a notification failed; the message is what the outbox records."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent  # trying again cannot help (e.g. the mailbox does not exist)


class Sender(Protocol):
    """Delivers the notifications of one or more channels."""

    async def send(self, notification: Notification, manifest: Manifest) -> None:
        """Deliver one notification; raise DeliveryFailed if it did not arrive."""
        ...
