"""Render stage, site-wide files: sitemap.xml and robots.txt for search, _headers for CDNs.

Only public pages enter the sitemap; a sealed link's pages carry noindex and appear nowhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from generator.plan import PagePlan
from generator.writer import OutputFile

SITEMAP = "sitemap.xml"


def sitemap(origin: str, base_path: str, pages: Sequence[PagePlan], hreflang: dict[str, list[
        tuple[str, str]]]) -> OutputFile:
    """List the public pages with their language alternates (sitemaps.org, xhtml:link).

    The same page in each language shares one list of alternates in `hreflang`, and so
    the lines made of it: a 24k-page site has a quarter as many lists as pages.
    """
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    blocks: dict[int, str] = {}  # by id() of a list of alternates, all alive in `hreflang`
    for page in pages:
        lines.append(f"<url><loc>{_escape(origin + base_path + page.url)}</loc>")
        alternates = hreflang.get(page.path)
        if alternates:
            block = blocks.get(id(alternates))
            if block is None:
                block = blocks[id(alternates)] = "\n".join(
                    f'<xhtml:link rel="alternate" hreflang="{_escape(language)}" '
                    f'href="{_escape(origin + alternate)}"/>' for language, alternate in alternates)
            lines.append(block)
        lines.append("</url>")
    lines.append("</urlset>")
    return OutputFile(SITEMAP, ("\n".join(lines) + "\n").encode())


def _escape(text: str) -> str:
    """Escape text for XML as xml.sax.saxutils.escape does (whose import pulls in urllib,
    http.client and ssl: 60 ms of every build's start)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def robots(origin: str, base_path: str) -> OutputFile:
    """Allow crawling of public pages (sealed ones say noindex themselves) and name the sitemap."""
    text = f"User-agent: *\nAllow: /\nSitemap: {origin}{base_path}/sitemap.xml\n"
    return OutputFile("robots.txt", text.encode())


def headers(base_path: str, api_url: str) -> OutputFile:
    """Cache and security headers for CDNs that read a _headers file (Netlify, Cloudflare Pages).

    Fingerprinted assets never change under their name, so they are cached for a year;
    pages are revalidated so a rebuild shows at once. The CSP allows what the pages use:
    their own scripts and styles, inline style attributes (swatch colours), images from the
    site and embedded video players; the endpoint is the only other origin they talk to.
    """
    api = urlsplit(api_url)
    connect = "'self'" + (f" {api.scheme}://{api.netloc}" if api.netloc else "")
    csp = ("default-src 'self'; script-src 'self'; style-src 'self'; "
           "style-src-attr 'unsafe-inline'; img-src 'self' data:; media-src 'self' https:; "
           f"connect-src {connect}; "
           "frame-src https://www.youtube-nocookie.com https://player.vimeo.com; "
           "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'")
    text = (
        f"{base_path}/assets/*\n"
        "  Cache-Control: public, max-age=31536000, immutable\n"
        f"{base_path}/*\n"
        "  Cache-Control: public, max-age=0, must-revalidate\n"
        f"  Content-Security-Policy: {csp}\n"
        "  X-Content-Type-Options: nosniff\n"
        "  Referrer-Policy: strict-origin-when-cross-origin\n"
        "  Permissions-Policy: camera=(), microphone=(), geolocation=()\n"
    )
    return OutputFile("_headers", text.encode())
