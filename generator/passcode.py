"""Passcode hashing: `linesheets passcode hash` writes one; the endpoint verifies against it.

scrypt (memory-hard, in the standard library) so a leaked link file does not give the
passcode away cheaply; the hash string carries its own parameters so they can grow later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

_N, _R, _P = 2**14, 8, 1
_PATTERN = re.compile(
    r"^scrypt\$(?P<n>\d+)\$(?P<r>\d+)\$(?P<p>\d+)\$(?P<salt>[A-Za-z0-9+/=]+)\$(?P<key>[A-Za-z0-9+/=]+)$"
)
MIN_LENGTH = 4


# Made passcodes (`linesheets init`, `buyers import`): unambiguous when read aloud or copied by
# hand, no 0/o, 1/l/i; three groups of four, about 59 bits.
PASSCODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_passcode() -> str:
    """A random passcode to hand a buyer, e.g. k7mp-w3xq-ad4n."""
    return "-".join("".join(secrets.choice(PASSCODE_ALPHABET) for _ in range(4))
                    for _ in range(3))


def hash_passcode(passcode: str, salt: bytes | None = None) -> str:
    """Return an scrypt hash string of the passcode, with a fresh random salt."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    key = hashlib.scrypt(passcode.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    encode = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${encode(salt).decode()}${encode(key).decode()}"


_MAX_MEMORY = 2**26  # bytes scrypt may use to verify: 64 MiB (n=2**14, r=8 takes 16 MiB)


def is_passcode_hash(value: str) -> bool:
    """Tell whether a string is a hash hash_passcode could have written: its form, and
    parameters the endpoint can verify with (a power of two for n, memory within bounds,
    a salt and a key that decode)."""
    match = _PATTERN.match(value)
    return match is not None and _parameters(match) is not None


def _parameters(match: re.Match[str]) -> tuple[int, int, int, bytes, bytes] | None:
    n, r, p = int(match["n"]), int(match["r"]), int(match["p"])
    if not (2 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 64 and 1 <= p <= 16
            and 128 * r * (n + p + 2) <= _MAX_MEMORY):
        return None
    try:
        salt = base64.b64decode(match["salt"], validate=True)
        key = base64.b64decode(match["key"], validate=True)
    except ValueError:
        return None
    return (n, r, p, salt, key) if salt and 16 <= len(key) <= 64 else None


def verify_passcode(passcode: str, stored: str) -> bool:
    """Check a passcode against a hash (or, for plain values in link files, the value itself).

    Both comparisons run in constant time with respect to the secret.
    """
    match = _PATTERN.match(stored)
    if match is None:
        return hmac.compare_digest(passcode.encode(), stored.encode())
    parameters = _parameters(match)
    if parameters is None:  # a manifest of an older build: no passcode opens it
        return False
    n, r, p, salt, expected = parameters
    key = hashlib.scrypt(passcode.encode(), salt=salt, n=n, r=r, p=p, dklen=len(expected),
                         maxmem=_MAX_MEMORY)
    return hmac.compare_digest(key, expected)
