"""Render stage, site-wide: 404.html, what a host answers for an address the site does not
have (a link copied in part from a message, a mistyped or retired slug).

Static hosts (Netlify, Cloudflare Pages, GitHub Pages, an S3 or GCS bucket set up for it) and
`linesheets serve` show a site's root 404.html for any missing page, at whatever depth: so
every URL in it is absolute from the site's path, and it names no link. It speaks every
language of the brand at once, the default first, since the address does not say which the
buyer reads, and gives the brand's contacts, so a buyer can ask for a working link.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from generator.models import Contact
from generator.pages import Fragment
from generator.render import register_plain_helpers, render_template
from generator.site import Site
from generator.writer import OutputFile

NOT_FOUND = "404.html"


@dataclass(frozen=True)
class NotFoundPage(Fragment):
    """What the 404 page's templates see: the brand in one language, nothing of a link."""

    contacts: list[Contact]

    def media(self, media_path: str) -> str:
        """The URL of a media file copied as it is (the logo, the icon)."""
        return self.site.assets.media(media_path)

    def media_size(self, media_path: str) -> tuple[int, int] | None:
        """The width and height of the logo, or None."""
        return self.site.assets.size(media_path)

    def asset(self, name: str) -> str:
        """The fingerprinted URL of a static file (the stylesheet)."""
        return self.site.assets.static(name)


register_plain_helpers(NotFoundPage)


def not_found_page(site: Site) -> OutputFile:
    """404.html: the message in each of the brand's languages, then its contacts."""
    brand = site.catalog.brand
    templates = site.settings.templates
    languages = [brand.default_language,
                 *(language for language in brand.languages if language != brand.default_language)]
    messages = [(language, Markup(render_template(
        templates, language, "_not_found_message.html",
        NotFoundPage(site, language, brand.contacts), f"{NOT_FOUND} ({language})",
        {"heading": "h1" if language == brand.default_language else "h2"}).decode()))
        for language in languages]
    page = NotFoundPage(site, brand.default_language, brand.contacts)
    return OutputFile(NOT_FOUND, render_template(
        templates, brand.default_language, "not_found.html", page, NOT_FOUND,
        {"messages": messages}))
