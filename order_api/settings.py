"""Endpoint settings: the environment -> ApiSettings, read once when the app is made.

`linesheets api` reads everything from the environment (twelve-factor, one source of truth for
every worker process); `linesheets serve` and the tests build ApiSettings directly.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from generator.errors import LinesheetsError

MIN_SECRET_BYTES = 32
MAX_BODY_BYTES = 256 * 1024


class ApiConfigError(LinesheetsError):
    """A setting is missing or wrong, or the manifest cannot be loaded at start."""


def utc_now() -> datetime:
    """The server clock (aware, UTC): the one source of 'now' for states, tokens, throttling."""
    return datetime.now(UTC)


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

    def __post_init__(self) -> None:
        if len(self.token_secret) < MIN_SECRET_BYTES:
            raise ApiConfigError(
                f"the token secret has {len(self.token_secret)} bytes; it needs at least "
                f"{MIN_SECRET_BYTES}: set LINESHEETS_TOKEN_SECRET to e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`")
        if self.site_origin is not None:
            _check_origin(self.site_origin)

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
            manifest=Path(env.get("LINESHEETS_MANIFEST", "build/private/manifest.json")),
            keys=Path(env.get("LINESHEETS_KEYS", "build/private/keys.json")),
            token_secret=secret.encode(),
            site_origin=env.get("LINESHEETS_SITE_ORIGIN") or None,
            database_url=env.get("DATABASE_URL") or None,
        )

    @classmethod
    def for_local(cls, private: Path) -> ApiSettings:
        """Settings of `linesheets serve`: one origin, a fresh token secret for this run."""
        return cls(manifest=private / "manifest.json", keys=private / "keys.json",
                   token_secret=secrets.token_bytes(MIN_SECRET_BYTES),
                   database_url=os.environ.get("DATABASE_URL") or None)


def _check_origin(origin: str) -> None:
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path not in {"", "/"} \
            or parts.query or parts.fragment or origin.endswith("/"):
        raise ApiConfigError(
            f"LINESHEETS_SITE_ORIGIN is '{origin}', which is not an origin; give the scheme "
            "and host (and port) where the site is served, without a path or trailing slash, "
            "e.g. https://order.example.com")
