"""Local receivers for the outbox tests: an SMTP server (aiosmtpd) and a webhook endpoint (a
threaded http.server), both on 127.0.0.1, recording what they got."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

WAIT = 10.0  # seconds any test waits for a receiver, at most


def free_port() -> int:
    """A port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Mail:
    """A message as the SMTP server received it."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    def part(self, subtype: str) -> str:
        """The text of the text/<subtype> part."""
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None and body.get_content_type() == f"text/{subtype}"
        return str(body.get_content()).replace("\r\n", "\n")


class SmtpSink:
    """An SMTP server that accepts every message; start and stop it at will."""

    def __init__(self, port: int | None = None) -> None:
        self.host, self.port = "127.0.0.1", port or free_port()
        self.mails: list[Mail] = []
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        """LINESHEETS_SMTP_URL of this server."""
        return f"smtp://{self.host}:{self.port}"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Record a message (aiosmtpd's handler hook)."""
        content = envelope.content
        assert isinstance(content, bytes)
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.mails.append(Mail(str(envelope.mail_from), list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        """Listen on the port."""
        # server_hostname skips a getfqdn() DNS lookup at every connection.
        self._controller = Controller(self, hostname=self.host, port=self.port,
                                      ready_timeout=WAIT, server_hostname="localhost")
        self._controller.start()

    def stop(self) -> None:
        """Stop listening."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@dataclass
class Delivery:
    """A POST as the webhook receiver got it."""

    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """An HTTP server answering POSTs with the statuses queued in `answers` (then 204)."""

    answers: list[int] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    hold: threading.Event | None = None  # when set up, each POST waits until it is set
    arrived: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """Where to POST."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/orders"

    def start(self) -> None:
        """Serve on a free port in a background thread."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.deliveries.append(Delivery(dict(self.headers.items()), body))
                receiver.arrived.set()
                if receiver.hold is not None:
                    receiver.hold.wait(WAIT)
                status = receiver.answers.pop(0) if receiver.answers else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet test output

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            if self.hold is not None:
                self.hold.set()
            self._server.shutdown()
            self._server.server_close()
