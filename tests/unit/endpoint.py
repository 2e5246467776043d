"""Helpers for the endpoint's tests: a clock that stands still, a scratch build, a fast client."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from starlette.types import ASGIApp, Message

from generator.catalog import Catalog
from generator.manifest import build_manifest, manifest_bytes
from generator.passcode import verify_passcode
from generator.seal import KeyStore
from generator.state import is_sealed
from generator.writer import write_private
from order_api.settings import ApiSettings

SECRET = b"t" * 32
# The scratch tree's build moment: before the `preview` and `drop` links open.
BUILT_AT = datetime(2027, 1, 1, tzinfo=UTC)
PREVIEW_LINK = """
    kind: instant
    name: Preview
    season: ss27
    transaction: {term: wsp}
    release_at: 2027-01-10T10:00:00+09:00
    expires_at: 2027-01-20T10:00:00+09:00
    passcode: {value: preview-pass}
    """
DROP_LINK = """
    kind: instant
    name: Drop
    season: ss27
    transaction: {term: wsp}
    release_at: 2027-01-10T10:00:00+09:00
    """
RELEASE = datetime(2027, 1, 10, 1, 0, tzinfo=UTC)
EXPIRY = datetime(2027, 1, 20, 1, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
# When a test's back office works (`linesheets orders …`, `weeks_later`): 60 days after the
# shop's orders came in, so a shipment, an invoice or a payment dated weeks back is after them.
OFFICE_NOW = RELEASE + timedelta(days=60)
OFFICE_TODAY = OFFICE_NOW.astimezone(ZoneInfo("Asia/Tokyo")).date()


class FrozenClock:
    """A clock that moves only when a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(seconds=seconds)


def weeks_later(clock: FrozenClock) -> None:
    """Set the shop's clock (the endpoint's, its delivery worker's and its back office's) to
    OFFICE_NOW, once its orders are placed: today is then OFFICE_TODAY."""
    clock.now = OFFICE_NOW


def count_verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the passcode of every scrypt verification the endpoint runs from now on."""
    verified: list[str] = []

    def counting(passcode: str, stored: str) -> bool:
        verified.append(passcode)
        return verify_passcode(passcode, stored)

    monkeypatch.setattr("order_api.access.verify_passcode", counting)
    return verified


def publish(catalog: Catalog, private: Path, now: datetime = BUILT_AT) -> KeyStore:
    """Write manifest.json and keys.json as a build at `now` would; return the key store."""
    store = KeyStore.load(private / "keys.json")
    keys = {slug: store.current(slug) for slug in catalog.links
            if is_sealed(catalog.offer(slug), now)}
    write_private(private / "manifest.json", manifest_bytes(build_manifest(catalog, keys)))
    store.save()
    return store


def settings_for(private: Path, clock: FrozenClock, **overrides: Any) -> ApiSettings:
    """Endpoint settings over a scratch build, with a frozen clock and reloads at every request;
    orders go to an SQLite file beside the private folder."""
    values: dict[str, Any] = {"manifest": private / "manifest.json",
                              "keys": private / "keys.json", "token_secret": SECRET,
                              "clock": clock, "reload_interval": 0.0,
                              "database_url": f"sqlite:///{private.parent / 'orders.sqlite3'}"}
    values.update(overrides)
    return ApiSettings(**values)


@dataclass(frozen=True)
class Answer:
    """A response as the fast client saw it."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body, parsed."""
        return json.loads(self.body)


async def call(app: ASGIApp, method: str, path: str, body: object = None,
               headers: Iterable[tuple[str, str]] = (),
               client: str = "203.0.113.7", *, raw_body: bytes | None = None,
               chunk: int | None = None) -> Answer:
    """One request straight through the ASGI app (a few times faster than TestClient).

    `raw_body` is sent as is; `chunk` sends the body in pieces of that size without a
    Content-Length, as a chunked upload arrives."""
    data = raw_body if raw_body is not None else (
        b"" if body is None else json.dumps(body).encode())
    given = {k.lower() for k, _ in headers}
    raw = [] if "content-type" in given else [(b"content-type", b"application/json")]
    if chunk is None:
        raw.append((b"content-length", str(len(data)).encode()))
    raw += [(k.lower().encode(), v.encode()) for k, v in headers]
    pieces = [data[i:i + chunk] for i in range(0, len(data), chunk)] if chunk else [data]
    pieces = pieces or [b""]
    path, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": query.encode(), "root_path": "", "headers": raw,
             "client": (client, 50000), "server": ("testserver", 80)}
    sent: list[Message] = []

    async def receive() -> Message:
        if not pieces:
            return {"type": "http.disconnect"}
        piece = pieces.pop(0)
        return {"type": "http.request", "body": piece, "more_body": bool(pieces)}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = sent[0]
    return Answer(start["status"],
                  {k.decode(): v.decode() for k, v in start["headers"]},
                  b"".join(m.get("body", b"") for m in sent[1:]))
