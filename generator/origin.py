"""The origin of a URL as a browser serializes it (RFC 6454 §6.2): what a page's requests
carry in their Origin header, and what the endpoint's CORS compares with its one allowed
origin, character for character. `https://Shop.example:443` and `https://shop.example` are
one origin to a person and two strings to that comparison.
"""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def web_origin(url: str) -> str | None:
    """scheme://host[:port] of an absolute http(s) URL as browsers send it: scheme and host
    in lower case, the host in ASCII (IDNA), the scheme's default port left out. None for a
    path ("/api": the same origin as the page) or a URL that is not http(s)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname  # lower case, without an IPv6 address's brackets
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if not host.isascii():
        with suppress(UnicodeError):  # a name IDNA cannot write is compared as written
            host = host.encode("idna").decode("ascii")
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # no port number: not an origin a browser could send
        return None
    shown = "" if port is None or port == _DEFAULT_PORTS[scheme] else f":{port}"
    return f"{scheme}://{host}{shown}"
