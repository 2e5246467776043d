"""404.html: the page a host (or `linesheets serve`) answers for an address the site does not
have, in every language of the brand, with its contacts, naming no link."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import Built, Shop, needs_chromium
from tests.e2e.test_buyer_pages import VIEWPORTS, serious_violations

if TYPE_CHECKING:
    from playwright.sync_api import Browser

def _sections(html: str) -> list[tuple[str, str]]:
    """(lang, heading tag) of each language's message, in the page's order."""
    return re.findall(r'<section class="not-found" lang="([^"]+)">\s*<(h[12])>', html)


def test_the_404_page_speaks_every_brand_language_default_first(demo_build: Built) -> None:
    html = (demo_build.out / "404.html").read_text(encoding="utf-8")
    # brand.yaml: default en, languages en, ja, zh-Hans; one h1, the default language's.
    assert _sections(html) == [("en", "h1"), ("ja", "h2"), ("zh-Hans", "h2")]
    assert '<html lang="en">' in html
    assert "This page does not exist" in html and "このページはありません" in html
    assert "此页面不存在" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "<title>Page not found · ASAGIRI</title>" in html
    # The brand's contacts, so a buyer can ask for a working link.
    assert 'href="mailto:wholesale@asagiri.example"' in html


def test_the_404_page_names_no_link_and_links_only_published_assets(demo_build: Built) -> None:
    html = (demo_build.out / "404.html").read_text(encoding="utf-8")
    assert "/l/" not in html  # no link's address, public or sealed
    urls = re.findall(r'(?:href|src)="([^"]+)"', html)
    local = [url for url in urls if not url.startswith(("mailto:", "tel:", "data:"))]
    assert local and all(url.startswith("/assets/") for url in local)  # absolute: any depth
    assert all((demo_build.out / url.lstrip("/")).is_file() for url in local)


def test_a_missing_page_is_answered_404_with_the_page_and_the_api_keeps_its_problems(
    shop: Shop, demo_build: Built
) -> None:
    page = (demo_build.out / "404.html").read_bytes()
    for path in ("/l/ss27-open/en/JPY/", "/l/no-such-link/", "/nothing.html"):
        try:
            urllib.request.urlopen(shop.origin + path, timeout=10)
        except urllib.error.HTTPError as answer:
            assert answer.code == 404
            assert answer.headers["Content-Type"].startswith("text/html")
            assert answer.read() == page
        else:
            raise AssertionError(f"{path} was found")
    try:
        urllib.request.urlopen(shop.origin + "/api/nothing", timeout=10)
    except urllib.error.HTTPError as answer:
        assert answer.code == 404
        assert answer.headers["Content-Type"] == "application/problem+json"
    else:
        raise AssertionError("/api/nothing was found")


@needs_chromium
def test_the_404_page_fits_a_phone_and_passes_axe(shop: Shop, browser: Browser) -> None:
    context = browser.new_context(viewport=VIEWPORTS["phone"],  # type: ignore[arg-type]
                                  bypass_csp=True)  # axe-core goes in as an inline script
    try:
        page = context.new_page()
        answer = page.goto(f"{shop.origin}/l/ss27-open/en/jpy/no-such-season/")
        assert answer is not None and answer.status == 404
        assert page.locator("h1").inner_text() == "This page does not exist"
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
        assert serious_violations(page) == []
    finally:
        context.close()


@needs_chromium
@pytest.mark.parametrize(("path", "closest"), [
    ("/l/ss27-open/en/JPY/", "/l/ss27-open/en/jpy/"),  # typed in capitals
    ("/l/ss27-open/en/jp", "/l/ss27-open/"),  # cut short in a chat: the link's first page
    ("/l/SS27-Open/en/jpy/ss27/", "/l/ss27-open/en/jpy/ss27/"),
    ("/l/no-such-link/en/jpy/", None),  # nothing close: nothing offered
    ("/nothing.html", None),
])
def test_the_404_page_offers_the_page_the_address_was_close_to(
    shop: Shop, browser: Browser, path: str, closest: str | None
) -> None:
    page = browser.new_page()
    try:
        answer = page.goto(shop.origin + path)
        assert answer is not None and answer.status == 404
        offered = page.locator("[data-closest]")
        if closest is None:
            page.wait_for_load_state("networkidle")
            assert offered.is_hidden()
            return
        offered.wait_for(state="visible")
        link = page.locator("[data-closest-link]")
        assert link.get_attribute("href") == closest
        assert link.inner_text() == shop.origin + closest
        link.click()
        page.wait_for_url(shop.origin + closest)
    finally:
        page.close()
