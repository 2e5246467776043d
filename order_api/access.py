"""Access stage: manifest link x passcode x server time -> state, key release, order tokens.

Pure functions (the clock comes in as `now`), so every rule is tested without a server: the
link state (shared with the build through generator.state), the passcode check that costs the
same for an unknown link, and the HMAC-signed tokens that orders of sealed links carry (#6).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from generator.errors import LinesheetsError
from generator.manifest import ManifestLink, ManifestSeason
from generator.passcode import hash_passcode, verify_passcode
from generator.state import LinkState, link_state, season_orderable
from order_api.schemas import LinkStatus, SeasonStatus, Window

TOKEN_LIFETIME = timedelta(hours=12)
_TOKEN_PREFIX = "v1"


def describe_link(link: ManifestLink, seasons: Mapping[str, ManifestSeason],
                  now: datetime) -> LinkStatus:
    """The state of a link at `now`, with its window and each season's deadline."""
    state = link_state(link, seasons, now)
    return LinkStatus(
        link=link.slug, state=state, sealed=link.key_version is not None,
        passcode=link.passcode_hash is not None,
        window=Window(release_at=_utc_or_none(link.release_at),
                      expires_at=_utc_or_none(link.expires_at)),
        seasons=[SeasonStatus(id=s, order_deadline=_utc(seasons[s].order_deadline),
                              orderable=season_orderable(state, seasons[s], now))
                 for s in link.seasons],
        server_time=_utc(now))


def unlock_state(link: ManifestLink, seasons: Mapping[str, ManifestSeason],
                 now: datetime) -> LinkState | None:
    """The state that forbids unlocking (upcoming or expired), or None inside the window.

    A view-only link unlocks: its buyers still browse the pages, they just cannot order.
    """
    state = link_state(link, seasons, now)
    return state if state in ("upcoming", "expired") else None


def check_passcode(link: ManifestLink | None, passcode: str) -> bool:
    """Verify a passcode against a link's hash; an unknown link costs the same and fails.

    Call it only for links that have a passcode (or are unknown): it runs scrypt, ~50 ms.
    """
    if link is None or link.passcode_hash is None:
        verify_passcode(passcode, _dummy_hash())
        return False
    return verify_passcode(passcode, link.passcode_hash)


@cache
def _dummy_hash() -> str:
    # Same scrypt parameters as real hashes, of a passcode nobody knows.
    return hash_passcode(secrets.token_urlsafe(32))


def token_expiry(link: ManifestLink, now: datetime) -> datetime:
    """When a token issued now expires: after TOKEN_LIFETIME, and never after the link."""
    expiry = now + TOKEN_LIFETIME
    if link.expires_at is not None:
        expiry = min(expiry, link.expires_at)
    # Whole seconds, rounded down, so the token's `exp` and the answer's expires_at agree.
    return datetime.fromtimestamp(int(expiry.timestamp()), UTC)


class TokenError(LinesheetsError):
    """A token that does not authorize: `reason` is malformed, signature, other-link,
    stale-key or expired."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class TokenClaims:
    """What a valid token says."""

    link: str
    key_version: int
    expires_at: datetime


def sign_token(secret: bytes, link: str, key_version: int, expires_at: datetime) -> str:
    """Sign a token for orders of `link` under key `key_version`, valid until `expires_at`."""
    payload = json.dumps({"l": link, "v": key_version, "e": int(expires_at.timestamp())},
                         separators=(",", ":"), sort_keys=True).encode()
    signed = f"{_TOKEN_PREFIX}.{_b64url(payload)}"
    return f"{signed}.{_signature(secret, signed)}"


def verify_token(secret: bytes, token: str, *, link: str, key_version: int | None,
                 now: datetime) -> TokenClaims:
    """Check a token's signature (constant time), link, key version and expiry.

    `key_version` is the link's current one (None: any); a token of a rotated key is stale.
    """
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _TOKEN_PREFIX:
        raise TokenError("malformed", "the token is not a linesheets order token; unlock the "
                         "link again to get one")
    signed = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_signature(secret, signed).encode(), parts[2].encode()):
        raise TokenError("signature", "the token's signature does not match; unlock the link "
                         "again")
    claims = _claims(parts[1])
    if not hmac.compare_digest(claims.link.encode(), link.encode()):
        raise TokenError("other-link", f"the token is for another link, not '{link}'; unlock "
                         "this link to order from it")
    if key_version is not None and claims.key_version != key_version:
        raise TokenError("stale-key", f"the token is for key version {claims.key_version} of "
                         f"link '{link}', which now has version {key_version}; unlock again")
    if now >= claims.expires_at:
        raise TokenError("expired", f"the token expired at {claims.expires_at.isoformat()}; "
                         "unlock the link again")
    return claims


def _claims(encoded: str) -> TokenClaims:
    try:
        data = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        link, version, expires = data["l"], data["v"], data["e"]
        if not (isinstance(link, str) and type(version) is int and type(expires) is int):
            raise TypeError("wrong field types")
        return TokenClaims(link, version, datetime.fromtimestamp(expires, UTC))
    except (ValueError, binascii.Error, KeyError, TypeError, OverflowError, OSError):
        # Only a holder of the secret could have signed this: a bug, not an attack.
        raise TokenError("malformed", "the token's payload is unreadable; unlock the link "
                         "again") from None


def _signature(secret: bytes, signed: str) -> str:
    message = b"linesheets order token\0" + signed.encode()
    return _b64url(hmac.new(secret, message, hashlib.sha256).digest())


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _utc_or_none(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None
