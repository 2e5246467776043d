"""Render stage, site-wide files: sitemap.xml (with its parts on a large site) and robots.txt
for search, _headers for CDNs.

Only public pages enter the sitemap; a sealed link's pages carry noindex and appear nowhere.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

from generator.plan import PagePlan
from generator.videos import VIDEO_PLAYERS
from generator.writer import OutputFile

SITEMAP = "sitemap.xml"  # the sitemap, or on a large site the index of its parts
# The protocol allows 50,000 URLs and 50 MB (52,428,800 bytes) a file. Parts of 10,000 keep
# each file a few megabytes, quick for a crawler to fetch and for a build to hold one at a
# time; a site of up to 10,000 public pages keeps its single sitemap.xml.
URLS_PER_SITEMAP = 10_000
BYTES_PER_SITEMAP = 52_428_800
_PART = re.compile(r"sitemap-[1-9][0-9]*\.xml")
_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
         b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
         b'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n')
_TAIL, _URL_END = b"</urlset>\n", b"</url>\n"


def sitemap_part(number: int) -> str:
    """The path of a large site's sitemap part, counted from 1: sitemap-1.xml."""
    return f"sitemap-{number}.xml"


def is_sitemap_part(path: str) -> bool:
    """Whether a path of the output folder is a sitemap part (`sitemap_part`); asked of
    every file of a no-change rebuild, so the pattern only of those named like one."""
    return path.startswith("sitemap-") and _PART.fullmatch(path) is not None


def is_sitemap(path: str) -> bool:
    """Whether a path of the output folder is the sitemap or one of its parts, the files
    that are kept or made again together."""
    return path == SITEMAP or is_sitemap_part(path)


def sitemaps(origin: str, base_path: str, pages: Sequence[Sequence[PagePlan]],
             urls_per_file: int = URLS_PER_SITEMAP,
             bytes_per_file: int = BYTES_PER_SITEMAP) -> Iterator[OutputFile]:
    """List the public pages with their language alternates (sitemaps.org, xhtml:link): one
    sitemap.xml, or parts of at most `urls_per_file` URLs and `bytes_per_file` bytes and
    sitemap.xml as their index. Made part by part, as the caller stages them.

    `pages`: each page in every language its link has, together; each of them is listed
    with all of them as its alternates (a page without a language, alone, has none).
    """
    count = sum(len(group) for group in pages)
    parts = _parts(origin, base_path, pages, urls_per_file, bytes_per_file)
    if count <= urls_per_file:  # one sitemap.xml, unless the alternates pass a file's size
        first = next(parts)
        second = next(parts, None)
        if second is None:
            yield OutputFile(SITEMAP, first)
            return
        parts = itertools.chain((first, second), parts)
        del first, second
    count = 0
    for count, data in enumerate(parts, start=1):  # each goes as soon as it is made
        yield OutputFile(sitemap_part(count), data)
        del data  # the caller has staged it: not alive while the next one is made
    locations = "".join(f"<sitemap><loc>{_escape(origin + base_path)}/{sitemap_part(number)}"
                        "</loc></sitemap>\n" for number in range(1, count + 1))
    yield OutputFile(SITEMAP, ('<?xml version="1.0" encoding="UTF-8"?>\n'
                               '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                               f"\n{locations}</sitemapindex>\n").encode())


def _parts(origin: str, base_path: str, pages: Sequence[Sequence[PagePlan]],
           urls_per_file: int, bytes_per_file: int) -> Iterator[bytes]:
    """The bytes of each <urlset>, at least one (empty when no page is public).

    A part grows as bytes and is copied out once: a list of its lines, their join and its
    encoding were three copies of a 7 MB part alive at once, in the parent while the render
    workers ran (the build's peak memory on a 24k-page site)."""
    buffer = bytearray(_HEAD)
    count = 0
    for group in pages:
        urls = [_escape(origin + base_path + page.url) for page in group]
        block = b""
        if group and group[0].language is not None:
            block = "".join(f'<xhtml:link rel="alternate" hreflang="{_escape(str(page.language))}" '
                            f'href="{url}"/>\n' for page, url in zip(group, urls, strict=True)
                            ).encode()
        for url in urls:
            location = f"<url><loc>{url}</loc>\n".encode()
            length = len(location) + len(block) + len(_URL_END)
            if count and (count == urls_per_file
                          or len(buffer) + length + len(_TAIL) > bytes_per_file):
                buffer += _TAIL
                part, buffer, count = bytes(buffer), bytearray(_HEAD), 0
                yield part
                del part
            buffer += location
            buffer += block
            buffer += _URL_END
            count += 1
    buffer += _TAIL
    yield bytes(buffer)


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
           f"frame-src {' '.join(VIDEO_PLAYERS)}; "
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
