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


def hash_passcode(passcode: str, salt: bytes | None = None) -> str:
    """Return an scrypt hash string of the passcode, with a fresh random salt."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    key = hashlib.scrypt(passcode.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    encode = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${encode(salt).decode()}${encode(key).decode()}"


def is_passcode_hash(value: str) -> bool:
    """Tell whether a string has the form hash_passcode writes."""
    return _PATTERN.match(value) is not None


def verify_passcode(passcode: str, stored: str) -> bool:
    """Check a passcode against a hash (or, for plain values in link files, the value itself).

    Both comparisons run in constant time with respect to the secret.
    """
    match = _PATTERN.match(stored)
    if match is None:
        return hmac.compare_digest(passcode.encode(), stored.encode())
    salt = base64.b64decode(match["salt"])
    expected = base64.b64decode(match["key"])
    key = hashlib.scrypt(
        passcode.encode(), salt=salt, n=int(match["n"]), r=int(match["r"]), p=int(match["p"]),
        dklen=len(expected), maxmem=2**26,
    )
    return hmac.compare_digest(key, expected)
