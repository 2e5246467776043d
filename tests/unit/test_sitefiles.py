"""sitefiles.sitemaps: one sitemap.xml for a site that fits in one, else parts and an index,
each within the protocol's limits (sitemaps.org: 50,000 URLs and 50 MB a file)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from generator.plan import PagePlan
from generator.sitefiles import (
    BYTES_PER_SITEMAP,
    SITEMAP,
    URLS_PER_SITEMAP,
    is_sitemap_part,
    sitemaps,
)

ORIGIN, BASE = "https://example.com", "/shop"
_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
       "x": "http://www.w3.org/1999/xhtml"}


def _pages(count: int) -> list[tuple[PagePlan, ...]]:
    """`count` style pages, each in English and Japanese."""
    return [tuple(PagePlan("style", "open", language, "jpy", "ss27", f"SS27-{n:03d}", None,
                           f"SS27-{n:03d}") for language in ("en", "ja"))
            for n in range(count)]


def _urls(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    assert root.tag == f"{{{_NS['s']}}}urlset"
    for url in root.findall("s:url", _NS):  # every page with both its alternates
        assert [link.get("hreflang") for link in url.findall("x:link", _NS)] == ["en", "ja"]
    return [loc.text or "" for loc in root.findall("s:url/s:loc", _NS)]


def test_a_site_that_fits_has_one_sitemap_xml() -> None:
    files = list(sitemaps(ORIGIN, BASE, _pages(1)))
    assert [file.path for file in files] == [SITEMAP]
    alternates = (
        '<xhtml:link rel="alternate" hreflang="en" '
        'href="https://example.com/shop/l/open/en/jpy/ss27/SS27-000/"/>\n'
        '<xhtml:link rel="alternate" hreflang="ja" '
        'href="https://example.com/shop/l/open/ja/jpy/ss27/SS27-000/"/>\n')
    assert files[0].data.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
        "<url><loc>https://example.com/shop/l/open/en/jpy/ss27/SS27-000/</loc>\n"
        f"{alternates}</url>\n"
        "<url><loc>https://example.com/shop/l/open/ja/jpy/ss27/SS27-000/</loc>\n"
        f"{alternates}</url>\n"
        "</urlset>\n")


def test_a_page_without_a_language_has_no_alternates() -> None:
    chooser = PagePlan("chooser", "open")
    data = next(iter(sitemaps(ORIGIN, BASE, [(chooser,), *_pages(1)]))).data.decode()
    assert "<url><loc>https://example.com/shop/l/open/</loc>\n</url>\n<url>" in data
    assert data.count("<xhtml:link") == 4


def test_no_public_page_gives_an_empty_sitemap() -> None:
    files = list(sitemaps(ORIGIN, BASE, []))
    assert [file.path for file in files] == [SITEMAP] and _urls(files[0].data) == []


def test_more_urls_than_a_file_takes_give_parts_and_their_index() -> None:
    pages = _pages(3)
    files = list(sitemaps(ORIGIN, BASE, pages, urls_per_file=4))
    assert [file.path for file in files] == ["sitemap-1.xml", "sitemap-2.xml", SITEMAP]
    parts = [_urls(file.data) for file in files[:-1]]
    assert [len(urls) for urls in parts] == [4, 2]
    assert [url for urls in parts for url in urls] == [
        ORIGIN + BASE + page.url for group in pages for page in group]
    index = ET.fromstring(files[-1].data)
    assert index.tag == f"{{{_NS['s']}}}sitemapindex"
    assert [loc.text for loc in index.findall("s:sitemap/s:loc", _NS)] == [
        f"{ORIGIN}{BASE}/sitemap-{n}.xml" for n in (1, 2)]


@pytest.mark.parametrize("entries", [1, 2, 3])
def test_a_part_never_passes_the_byte_limit(entries: int) -> None:
    empty = len(next(iter(sitemaps(ORIGIN, BASE, []))).data)
    entry = (len(next(iter(sitemaps(ORIGIN, BASE, _pages(1)))).data) - empty) // 2
    limit = empty + entries * entry  # a file of exactly `entries` URLs
    files = list(sitemaps(ORIGIN, BASE, _pages(7), bytes_per_file=limit))
    parts = files[:-1] if len(files) > 1 else files
    assert all(len(file.data) <= limit for file in parts)
    assert [len(_urls(file.data)) for file in parts] == [entries] * (14 // entries) + (
        [14 % entries] if 14 % entries else [])


def test_the_defaults_stay_within_the_protocol() -> None:
    assert URLS_PER_SITEMAP <= 50_000 and BYTES_PER_SITEMAP <= 52_428_800


@pytest.mark.parametrize(("path", "part"), [
    ("sitemap-1.xml", True), ("sitemap-12.xml", True), ("sitemap.xml", False),
    ("sitemap-0.xml", False), ("sitemap-01.xml", False), ("l/sitemap-1.xml", False),
    ("sitemap-1.xml.gz", False)])
def test_which_paths_are_sitemap_parts(path: str, part: bool) -> None:
    assert is_sitemap_part(path) is part
