"""Outbox stage, e-mail delivery: the brand's and the buyer's order mails handed to the SMTP
server of LINESHEETS_SMTP_URL, in a thread so the event loop never waits on the network."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import parseaddr

from generator.manifest import Manifest
from order_api.delivery import DeliveryFailed
from order_api.invoice import still_owed
from order_api.mail import (
    compose_credit_mail,
    compose_invoice_mail,
    compose_order_mail,
    compose_reminder_mail,
    compose_shipment_mail,
    mail_domain,
)
from order_api.settings import SmtpServer
from order_api.store import Notification

log = logging.getLogger(__name__)

TIMEOUT = 30.0  # seconds for each SMTP command


class MailSender:
    """Sends the brand-email and buyer-email notifications."""

    def __init__(self, server: SmtpServer, sender: str) -> None:
        self._server, self._sender = server, sender

    async def send(self, notification: Notification, manifest: Manifest) -> None:
        """Compose the notification's mail and hand it to the SMTP server."""
        order = notification.order
        brand = list(manifest.brand.notifications.emails)
        if notification.channel == "brand-email":
            if not brand:
                raise DeliveryFailed("the brand has no notifications.emails any more",
                                     permanent=True)
            recipients, reply_to = brand, [order.buyer.email]
        else:
            recipients, reply_to = [order.buyer.email], brand
        # One Message-ID per notification and round: a mail sent again after a lost answer
        # is the same message to the receiving side, which may drop the copy; a later
        # amendment, shipment or reminder is a new one.
        message_id = (f"<{order.order_number}.{notification.channel}."
                      f"{notification.delivery_id}@{mail_domain(self._sender)}>")
        if notification.event == "invoice.reminder":
            unpaid = [each for each in notification.invoices
                      if still_owed(notification.order, each) > 0]
            if notification.cancellation is not None or not unpaid:
                raise DeliveryFailed("nothing to remind any more: the order was cancelled, or "
                                     "its invoices were paid, before the reminder went out",
                                     permanent=True)
            message = compose_reminder_mail(notification, unpaid, manifest,
                                            sender=self._sender, recipients=recipients,
                                            reply_to=reply_to, message_id=message_id)
        elif notification.event == "invoice.credit_note":
            if not any(invoice.credited for invoice in notification.invoices):
                # The store records a credit note before its e-mails: a store edited by hand.
                raise DeliveryFailed(f"no credit note of order {order.order_number} is "
                                     "recorded", permanent=True)
            message = compose_credit_mail(notification, manifest, sender=self._sender,
                                          recipients=recipients, reply_to=reply_to,
                                          message_id=message_id)
        elif notification.event == "order.shipped":
            message = compose_shipment_mail(notification, manifest, sender=self._sender,
                                            recipients=recipients, reply_to=reply_to,
                                            message_id=message_id)
        elif notification.event.startswith("invoice."):
            invoice = notification.invoice
            if invoice is None:  # the store records an invoice before its e-mails
                raise DeliveryFailed(f"no invoice of order {order.order_number} is recorded "
                                     f"for {notification.event}", permanent=True)
            message = compose_invoice_mail(notification, invoice, manifest,
                                           sender=self._sender, recipients=recipients,
                                           reply_to=reply_to, message_id=message_id)
        else:
            message = compose_order_mail(
                order, manifest, "brand" if notification.channel == "brand-email" else "buyer",
                sender=self._sender, recipients=recipients, reply_to=reply_to,
                message_id=message_id,
                cancellation=notification.cancellation
                if notification.event == "order.cancelled" else None,
                amendment=notification.amendment
                if notification.event == "order.amended" else None)
        await asyncio.to_thread(send_mail, self._server, message, recipients)


def send_mail(server: SmtpServer, message: EmailMessage, recipients: list[str]) -> None:
    """Deliver one message over SMTP (blocking); DeliveryFailed says why it did not go."""
    where = _where(server)
    try:
        with _session(server) as client:
            refused = client.send_message(message, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise DeliveryFailed(f"{where} refused every recipient: {_refusals(exc.recipients)}",
                             permanent=all(code >= 500 for code in codes)) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise _failed(server, exc) from None
    if refused:
        # The others have their copy; sending again would duplicate theirs.
        log.warning("%s refused some recipients of %s: %s", where, message["Message-ID"],
                    _refusals(refused))


def try_sender(server: SmtpServer, sender: str) -> None:
    """Connect, secure and log in as a delivery would, offer `sender` as the mail's sender
    and leave without sending (blocking): `linesheets api --check`. DeliveryFailed says what
    the server answered (a refused password, a sender the account may not send as)."""
    address = parseaddr(sender)[1]
    try:
        with _session(server) as client:
            client.ehlo_or_helo_if_needed()  # as send_message does before its MAIL
            code, reply = client.mail(address)
            if code >= 400:
                raise DeliveryFailed(f"{_where(server)} refused {address} as the sender: "
                                     f"{code} {_text(reply)}")
            client.rset()  # nothing is sent
    except (smtplib.SMTPException, OSError) as exc:
        raise _failed(server, exc) from None


@contextmanager
def _session(server: SmtpServer) -> Iterator[smtplib.SMTP]:
    """A connection to the server, secured as its URL says and logged in when it has a user."""
    context = ssl.create_default_context()
    client = (smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT, context=context)
              if server.security == "tls" else
              smtplib.SMTP(server.host, server.port, timeout=TIMEOUT))
    with client:
        if server.security == "starttls":
            client.starttls(context=context)  # refuses a server that does not offer it
        if server.username is not None:
            client.login(server.username, server.password or "")
        yield client


def _failed(server: SmtpServer, exc: smtplib.SMTPException | OSError) -> DeliveryFailed:
    """What the server answered, or why it could not be reached."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return DeliveryFailed(f"{_where(server)} answered {exc.smtp_code} "
                              f"{_text(exc.smtp_error)}")
    return DeliveryFailed(f"{_where(server)} could not be reached or failed: "
                          f"{type(exc).__name__}: {exc}")


def _where(server: SmtpServer) -> str:
    return f"the SMTP server {server.host}:{server.port}"


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{address}: {code} {_text(reason)}"
                     for address, (code, reason) in refused.items())


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply
