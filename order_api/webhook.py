"""Outbox stage, webhook: a stored Order -> a signed JSON POST to the brand's receiver.

The body is `{"event": "order.placed", "order": <the order as the 201 answered it>}`; when the
brand cancels the order, `{"event": "order.cancelled", "order": …, "cancelled": {"at": …,
"reason": …}}`; when it amends it, `{"event": "order.amended", "order": <as it now stands>,
"amended": {"at": …, "reason": …, "version": …}}`; when it ships lines, `{"event":
"order.shipped", "order": …, "shipments": [every shipment so far, with its lines]}`. The
receiver checks
`Linesheets-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` under the
shared secret (docs/api.md shows how), and may drop a repeated `Linesheets-Delivery` id: a
try whose answer was lost is sent again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from datetime import datetime

import httpx
from pydantic import TypeAdapter

from generator import __version__
from generator.manifest import Manifest
from order_api.delivery import DeliveryFailed
from order_api.schemas import Order
from order_api.store import Amendment, Cancellation, Event, Notification, Shipment

_MOMENT: TypeAdapter[datetime] = TypeAdapter(datetime)

TIMEOUT = 10.0  # seconds for the whole exchange; a slower receiver counts as a failed try


def webhook_body(order: Order, event: Event = "order.placed",
                 cancellation: Cancellation | None = None,
                 amendment: Amendment | None = None,
                 shipments: Sequence[Shipment] = ()) -> bytes:
    """The JSON body of an order's webhook (of its cancellation, with `cancelled`; of its
    amendment, the order as it now stands, with `amended`; of a shipment, with every
    `shipments` so far)."""
    document: dict[str, object] = {"event": event, "order": order.model_dump(mode="json")}
    if cancellation is not None:
        document["cancelled"] = {"at": _MOMENT.dump_python(cancellation.at, mode="json"),
                                 "reason": cancellation.reason}
    if amendment is not None:
        document["amended"] = {"at": _MOMENT.dump_python(amendment.at, mode="json"),
                               "reason": amendment.reason, "version": amendment.version}
    if shipments:
        document["shipments"] = [each.as_json() for each in shipments]
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def sign_webhook(secret: bytes, timestamp: int, body: bytes) -> str:
    """The Linesheets-Signature value of a body sent at `timestamp` (unix seconds)."""
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class WebhookSender:
    """Posts orders to the receiver LINESHEETS_WEBHOOK_URL names, else the brand's."""

    def __init__(self, secret: bytes, url: str | None, clock: Callable[[], datetime]) -> None:
        self._secret, self._url, self._clock = secret, url, clock

    async def send(self, notification: Notification, manifest: Manifest) -> None:
        """POST the order; a 2xx answer within the timeout is a delivery."""
        url = self._url or manifest.brand.notifications.webhook
        if url is None:
            raise DeliveryFailed("no webhook URL: the brand's notifications.webhook was "
                                 "removed and LINESHEETS_WEBHOOK_URL is not set")
        body = webhook_body(notification.order, notification.event,
                            notification.cancellation,
                            notification.amendment if notification.event == "order.amended"
                            else None, notification.shipments)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"linesheets/{__version__}",
            "Linesheets-Event": notification.event,
            "Linesheets-Delivery": notification.delivery_id,
            "Linesheets-Signature": sign_webhook(self._secret, int(self._clock().timestamp()),
                                                 body),
        }
        try:
            # Redirects are not followed: a POST must not be replayed somewhere else.
            async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as client:
                response = await client.post(url, content=body, headers=headers)
        except httpx.TimeoutException:
            raise DeliveryFailed(f"the webhook receiver did not answer within {TIMEOUT:g} s"
                                 ) from None
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"the webhook receiver could not be reached: "
                                 f"{type(exc).__name__}: {exc}") from None
        if not response.is_success:
            hint = "; give the final URL, redirects are not followed" \
                if response.is_redirect else ""
            raise DeliveryFailed(f"the webhook receiver answered HTTP {response.status_code} "
                                 f"{response.reason_phrase}{hint}")
