"""Origins as browsers send them, for the endpoint's CORS to compare."""

from __future__ import annotations

import pytest

from generator.origin import web_origin


@pytest.mark.parametrize(("url", "origin"), [
    ("https://shop.example", "https://shop.example"),
    ("https://Shop.Example/wholesale/", "https://shop.example"),
    ("HTTPS://shop.example:443", "https://shop.example"),
    ("http://shop.example:80/", "http://shop.example"),
    ("https://shop.example:8443/x?y#z", "https://shop.example:8443"),
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("http://[::1]:8000/", "http://[::1]:8000"),
    ("https://bücher.example", "https://xn--bcher-kva.example"),
    ("/api", None),
    ("ftp://shop.example", None),
    ("https://shop.example:port", None),
])
def test_an_origin_is_what_a_browser_sends(url: str, origin: str | None) -> None:
    assert web_origin(url) == origin
