"""`linesheets api --check`: the endpoint's settings, build, database and e-mail server tried
as `linesheets api` would use them, without serving (as `nginx -t` tries a configuration).

What the endpoint only tells once it runs, or once an order comes in, is told here before a
deployment: a build it would refuse, a database of a newer version, a password the SMTP
server refuses (else found when the first order's e-mails are given up), pages whose calls
browsers would refuse. Nothing is changed: the database is read, not migrated; the SMTP
server is logged in to and left without a message.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from generator.errors import LinesheetsError
from generator.manifest import ManifestBrand
from generator.origin import web_origin
from order_api.delivery import DeliveryFailed
from order_api.notify import unconfigured
from order_api.published import load_published
from order_api.settings import ApiSettings, redact_url
from order_api.smtp import try_sender
from order_api.store import DEFAULT_DATABASE_URL, inspect_store

Level = Literal["ok", "warning", "problem"]


@dataclass(frozen=True)
class Finding:
    """One thing checked, and what was found."""

    level: Level
    topic: str  # settings, build, site origin, database, e-mail, webhook
    text: str

    def __str__(self) -> str:
        return f"{self.level:<8} {self.topic}: {self.text}"


def preflight(environ: Mapping[str, str] | None = None) -> list[Finding]:
    """Check what `linesheets api` would run with (the environment, or `environ`)."""
    env = os.environ if environ is None else environ
    try:
        settings = ApiSettings.from_environment(env)
    except LinesheetsError as exc:
        return [Finding("problem", "settings", str(exc))]
    findings = [Finding("ok", "settings", "read from the environment")]
    brand = None
    try:
        published = load_published(settings.manifest, settings.keys)
    except LinesheetsError as exc:
        findings.append(Finding("problem", "build", str(exc)))
    else:
        brand = published.manifest.brand
        findings.append(Finding("ok", "build", f"{settings.manifest}: "
                                f"{len(published.manifest.links)} links, "
                                f"{len(published.keys)} sealed (their keys in {settings.keys})"))
        findings.append(_origin(settings.site_origin, brand))
    findings.append(_database(settings.database_url))
    if brand is not None:
        findings += [Finding("warning", "notifications", unsent)
                     for unsent in unconfigured(settings.delivery, brand.notifications)]
    findings += _delivery(settings, brand)
    return findings


def site_origin_problem(allowed: str | None, brand: ManifestBrand) -> str | None:
    """Why browsers would refuse every call of the pages, if they would: pages (base_url)
    that call the endpoint (api_url) on another origin get through only with CORS allowing
    their origin, and without it a buyer sees a network error at the passcode or the order."""
    if brand.base_url is None or brand.api_url is None:
        return None  # a manifest of an earlier build says neither
    pages, api = web_origin(brand.base_url), web_origin(brand.api_url)
    if api is None or api == pages or allowed == pages:
        return None  # one origin (CORS not needed), or CORS allows the pages'
    setting = "is not set" if allowed is None else f"is {allowed}"
    return (f"brand.yaml puts the pages at {pages} (base_url) and the endpoint at {api} "
            f"(api_url), but LINESHEETS_SITE_ORIGIN {setting}: browsers will refuse the pages' "
            f"unlocks, quotes and orders; set LINESHEETS_SITE_ORIGIN={pages}")


def _origin(allowed: str | None, brand: ManifestBrand) -> Finding:
    problem = site_origin_problem(allowed, brand)
    if problem is not None:
        return Finding("warning", "site origin", problem)
    if allowed is not None:
        return Finding("ok", "site origin", f"CORS allows the pages' origin, {allowed}")
    return Finding("ok", "site origin", "the pages call the endpoint on their own origin "
                   f"({brand.api_url or '/api'}): no CORS needed")


def _database(url: str | None) -> Finding:
    shown = redact_url(url or DEFAULT_DATABASE_URL)
    try:
        state = inspect_store(url)
    except LinesheetsError as exc:
        return Finding("problem", "database", str(exc))
    if state is None:
        return Finding("ok", "database", f"{shown} does not exist yet; `linesheets api` "
                       "creates it")
    schema, current, orders = state
    held = f"{orders:,} order{'' if orders == 1 else 's'}"
    if schema > current:
        return Finding("problem", "database", f"{shown} has schema version {schema}, newer "
                       f"than this linesheets knows ({current}); upgrade linesheets")
    if schema < current:
        return Finding("ok", "database", f"{shown}, {held}, at schema version {schema}: "
                       f"`linesheets api` migrates it to {current} as it starts")
    return Finding("ok", "database", f"{shown}, {held}, at schema version {schema}")


def _delivery(settings: ApiSettings, brand: ManifestBrand | None) -> list[Finding]:
    findings = []
    delivery = settings.delivery
    if delivery.smtp is not None and delivery.mail_from is not None:
        server = f"{delivery.smtp.host}:{delivery.smtp.port}"
        try:
            try_sender(delivery.smtp, delivery.mail_from)
        except DeliveryFailed as exc:
            findings.append(Finding("problem", "e-mail", f"{exc}; no order e-mail would go "
                                    "out: check LINESHEETS_SMTP_URL and LINESHEETS_MAIL_FROM"))
        else:
            who = f", logged {delivery.smtp.username} in" if delivery.smtp.username else ""
            findings.append(Finding("ok", "e-mail", f"{server} took a connection{who} and "
                                    f"the sender {delivery.mail_from} (no message sent)"))
    if delivery.webhook_secret is not None:
        target = delivery.webhook_url or (brand.notifications.webhook if brand else None)
        findings.append(Finding("ok", "webhook", f"signed with LINESHEETS_WEBHOOK_SECRET, to "
                                f"{target or 'the webhook brand.yaml names'} (nothing sent)"))
    return findings
