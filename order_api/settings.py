"""Endpoint settings: the environment -> ApiSettings, read once when the app is made.

`linesheets api` reads everything from the environment (twelve-factor, one source of truth for
every worker process); `linesheets serve` and the tests build ApiSettings directly.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Literal
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

from generator.errors import LinesheetsError
from generator.origin import web_origin

MIN_SECRET_BYTES = 32
MAX_BODY_BYTES = 256 * 1024
DELIVERY_INTERVAL = 5.0  # seconds between the delivery worker's rounds
MAX_DELIVERY_INTERVAL = 20.0  # a third of the delivery lease (notify.LEAD_LEASE)
_MAILBOX = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SMTP_PORTS = {"tls": 465, "starttls": 587, "none": 25}


class ApiConfigError(LinesheetsError):
    """A setting is missing or wrong, or the manifest cannot be loaded at start."""


def utc_now() -> datetime:
    """The server clock (aware, UTC): the one source of 'now' for states, tokens, throttling."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class SmtpServer:
    """Where order e-mails are handed over, from LINESHEETS_SMTP_URL."""

    host: str
    port: int
    security: Literal["tls", "starttls", "none"]  # smtps://, ?starttls=true, plain
    username: str | None = None
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class DeliverySettings:
    """The outbox's targets: an SMTP server and sender for e-mail, a secret for webhooks.

    A channel whose setting is absent is never queued, so nothing waits for a target that
    does not exist; `interval` is short in tests."""

    smtp: SmtpServer | None = None
    mail_from: str | None = None  # e.g. "Asagiri Orders <orders@asagiri.example>"
    webhook_secret: bytes | None = field(default=None, repr=False)
    webhook_url: str | None = None  # overrides the brand's notifications.webhook
    interval: float = DELIVERY_INTERVAL

    def __post_init__(self) -> None:
        self._check_mail()
        self._check_webhook()
        if not 0 < self.interval <= MAX_DELIVERY_INTERVAL:
            raise ApiConfigError(f"the delivery interval is {self.interval} s; give a "
                                 f"number of seconds above 0, at most {MAX_DELIVERY_INTERVAL:g}")

    def _check_mail(self) -> None:
        if self.smtp is not None and self.mail_from is None:
            raise ApiConfigError(
                "LINESHEETS_SMTP_URL is set but LINESHEETS_MAIL_FROM is not; set it to the "
                "sender of order e-mails, e.g. 'Brand Orders <orders@brand.example>'")
        if self.smtp is None and self.mail_from is not None:
            raise ApiConfigError(
                "LINESHEETS_MAIL_FROM is set but LINESHEETS_SMTP_URL is not; set the SMTP "
                "server too (e.g. smtps://user:password@smtp.example.com), or unset both")
        if self.mail_from is None:
            return
        if not self.mail_from.isprintable():
            raise ApiConfigError(
                f"LINESHEETS_MAIL_FROM is {self.mail_from!r}, which has a line break or an "
                "invisible character; write it on one line, e.g. "
                "'Brand Orders <orders@brand.example>'")
        if not _MAILBOX.fullmatch(parseaddr(self.mail_from)[1]):
            raise ApiConfigError(
                f"LINESHEETS_MAIL_FROM is '{self.mail_from}', which has no e-mail address; "
                "give one, e.g. orders@brand.example or 'Brand Orders <orders@brand.example>'")

    def _check_webhook(self) -> None:
        if self.webhook_secret is not None and len(self.webhook_secret) < MIN_SECRET_BYTES:
            raise ApiConfigError(
                f"LINESHEETS_WEBHOOK_SECRET has {len(self.webhook_secret)} bytes; it needs at "
                f"least {MIN_SECRET_BYTES}: set it to e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'` and give the "
                "same value to the receiver")
        if self.webhook_url is not None:
            if self.webhook_secret is None:
                raise ApiConfigError(
                    "LINESHEETS_WEBHOOK_URL is set but LINESHEETS_WEBHOOK_SECRET is not; "
                    "webhooks are signed with it, so set it too (at least 32 random bytes)")
            parts = _split_url("LINESHEETS_WEBHOOK_URL", self.webhook_url,
                               "https://erp.example.com/hooks/orders")
            if parts.scheme not in {"http", "https"} or not parts.hostname:
                raise ApiConfigError(
                    f"LINESHEETS_WEBHOOK_URL is '{redact_url(self.webhook_url)}', which is not "
                    "an http(s) URL; give the receiver's address, e.g. "
                    "https://erp.example.com/hooks/orders")

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> DeliverySettings:
        """Read LINESHEETS_SMTP_URL, LINESHEETS_MAIL_FROM, LINESHEETS_WEBHOOK_SECRET and
        LINESHEETS_WEBHOOK_URL."""
        smtp_url = env.get("LINESHEETS_SMTP_URL") or None
        secret = env.get("LINESHEETS_WEBHOOK_SECRET") or None
        return cls(smtp=read_smtp_url(smtp_url) if smtp_url else None,
                   mail_from=env.get("LINESHEETS_MAIL_FROM") or None,
                   webhook_secret=secret.encode() if secret else None,
                   webhook_url=env.get("LINESHEETS_WEBHOOK_URL") or None)


@dataclass(frozen=True)
class ApiSettings:
    """Everything the endpoint needs; `clock` is injectable so tests freeze time."""

    manifest: Path
    keys: Path
    token_secret: bytes = field(repr=False)
    site_origin: str | None = None  # the only origin CORS allows; None: same origin only
    database_url: str | None = None  # None: the SQLite file data/orders.sqlite3
    clock: Callable[[], datetime] = utc_now
    reload_interval: float = 1.0  # seconds between checks of the manifest's mtime and size
    max_body: int = MAX_BODY_BYTES
    delivery: DeliverySettings = DeliverySettings()  # default: no e-mail, no webhook

    def __post_init__(self) -> None:
        if len(self.token_secret) < MIN_SECRET_BYTES:
            raise ApiConfigError(
                f"the token secret has {len(self.token_secret)} bytes; it needs at least "
                f"{MIN_SECRET_BYTES}: set LINESHEETS_TOKEN_SECRET to e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`")
        if self.site_origin is not None:
            _check_origin(self.site_origin)
            # As browsers send it: CORS compares the Origin header with it character for
            # character, so https://Order.example.com:443 would refuse every page's call.
            object.__setattr__(self, "site_origin", web_origin(self.site_origin))

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ApiSettings:
        """Read the settings of `linesheets api` from the environment."""
        env = os.environ if environ is None else environ
        secret = env.get("LINESHEETS_TOKEN_SECRET", "")
        if not secret:
            raise ApiConfigError(
                "LINESHEETS_TOKEN_SECRET is not set; the endpoint signs order tokens with it. "
                "Set it to at least 32 random bytes, the same on every instance, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`")
        return cls(
            manifest=Path(env.get("LINESHEETS_MANIFEST") or "build/private/manifest.json"),
            keys=Path(env.get("LINESHEETS_KEYS") or "build/private/keys.json"),
            token_secret=secret.encode(),
            site_origin=env.get("LINESHEETS_SITE_ORIGIN") or None,
            database_url=env.get("DATABASE_URL") or None,
            delivery=DeliverySettings.from_environment(env),
        )

    @classmethod
    def for_local(cls, private: Path) -> ApiSettings:
        """Settings of `linesheets serve`: one origin, a fresh token secret for this run."""
        return cls(manifest=private / "manifest.json", keys=private / "keys.json",
                   token_secret=secrets.token_bytes(MIN_SECRET_BYTES),
                   database_url=os.environ.get("DATABASE_URL") or None,
                   delivery=DeliverySettings.from_environment(os.environ))


def read_smtp_url(url: str) -> SmtpServer:
    """Parse LINESHEETS_SMTP_URL: smtps://user:password@host[:465] (TLS from the start),
    smtp://user:password@host[:587]?starttls=true, or smtp://host[:25] (a plain relay)."""
    shown = redact_url(url)
    parts = _split_url("LINESHEETS_SMTP_URL", url, "smtps://user:password@smtp.example.com:465")
    if parts.scheme not in {"smtp", "smtps"}:
        raise ApiConfigError(
            f"LINESHEETS_SMTP_URL is '{shown}'; it must start with smtps:// (TLS) or smtp://, "
            "e.g. smtps://user:password@smtp.example.com or "
            "smtp://user:password@smtp.example.com:587?starttls=true")
    port = parts.port
    if not parts.hostname or parts.path not in {"", "/"} or parts.fragment:
        raise ApiConfigError(f"LINESHEETS_SMTP_URL '{shown}' needs a host and nothing after "
                             "it but ?starttls=true, e.g. smtps://user:password@smtp.example.com")
    query = parse_qs(parts.query, keep_blank_values=True)
    starttls = query.pop("starttls", ["false"])
    if query or starttls not in (["true"], ["false"]):
        raise ApiConfigError(f"LINESHEETS_SMTP_URL '{shown}' has options other than "
                             "starttls=true or starttls=false; remove them")
    security: Literal["tls", "starttls", "none"] = (
        "tls" if parts.scheme == "smtps" else "starttls" if starttls == ["true"] else "none")
    if security == "tls" and starttls == ["true"]:
        raise ApiConfigError("LINESHEETS_SMTP_URL uses smtps:// (TLS from the start) and "
                             "starttls=true; keep one: smtps://host:465 or "
                             "smtp://host:587?starttls=true")
    if security == "none" and parts.username is not None:
        raise ApiConfigError("LINESHEETS_SMTP_URL would send its password unencrypted; use "
                             "smtps://… or add ?starttls=true")
    return SmtpServer(host=parts.hostname, port=port or _SMTP_PORTS[security],
                      security=security,
                      username=unquote(parts.username) if parts.username is not None else None,
                      password=unquote(parts.password) if parts.password is not None else None)


def redact_url(url: str) -> str:
    """A URL without the password it may carry, for messages: read on the string, not parsed
    (a URL that does not parse must not print its password either)."""
    scheme, separator, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not separator or not at or ":" not in credentials:
        return url
    return f"{scheme}://{credentials.split(':', 1)[0]}:…@{host}"


# user:password@ whose password holds a character that ends the host part unencoded: a URL
# parser then reads a host, port or path out of the password.
_RAW_CREDENTIALS = re.compile(r"^[^/?#@:]*:(?P<password>[^@]*?[/?#][^@]*)@")
# A host: a name of letters, digits, dots and hyphens, or an IPv6 address in brackets.
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])$")


def _split_url(variable: str, url: str, example: str) -> SplitResult:
    """Parse a URL setting, or refuse it with what is wrong (and never its password): a
    host that is no host name, a port that is no number, credentials not percent-encoded."""
    shown = redact_url(url)
    rest = url.partition("://")[2]
    raw = _RAW_CREDENTIALS.match(rest)
    if raw is not None and not raw.group("password").split("/")[0].isdigit():
        raise ApiConfigError(
            f"{variable} is '{shown}': its password (or user name) has a /, ? or # that is "
            "not percent-encoded; write / as %2F, ? as %3F, # as %23 (and @ as %40, : as %3A)")
    bad_port, bad_host = ("it has a port that is not a number from 1 to 65535",
                          "its host is not a host name or an IPv6 address in [ ]")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        reason = bad_port if "port" in str(exc).lower() else bad_host
        raise ApiConfigError(f"{variable} is '{shown}': {reason}; write it as e.g. "
                             f"{example}") from None
    netloc_host = parts.netloc.rpartition("@")[2]
    host = netloc_host.rsplit(":", 1)[0] if not netloc_host.endswith("]") else netloc_host
    if port == 0 or (parts.netloc and not _HOST.fullmatch(host)):
        reason = bad_port if port == 0 else bad_host
        raise ApiConfigError(f"{variable} is '{shown}': {reason}; write it as e.g. {example}")
    return parts


def _check_origin(origin: str) -> None:
    parts = _split_url("LINESHEETS_SITE_ORIGIN", origin, "https://order.example.com")
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path not in {"", "/"} \
            or parts.query or parts.fragment or origin.endswith("/") or "@" in parts.netloc:
        raise ApiConfigError(
            f"LINESHEETS_SITE_ORIGIN is '{redact_url(origin)}', which is not an origin; give "
            "the scheme and host (and port) where the site is served, without a path or "
            "trailing slash, e.g. https://order.example.com")
