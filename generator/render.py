"""Render stage: a Page (plan + data + helpers) -> HTML bytes, through Jinja2 and gettext.

One Jinja environment per language, each with that language's interface translations
compiled in memory from site_templates/locales/<locale>/LC_MESSAGES/messages.po (compiled
files are not committed; a missing catalog falls back to the English source strings).
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from generator.errors import LinesheetsError
from generator.i18n import interface_translations


class RenderError(LinesheetsError):
    """A template failed to render: names the template, the page and the cause."""


def _translations(templates: Path, language: str) -> gettext.NullTranslations:
    return interface_translations(templates / "locales", language)


def interface_gettext(templates: Path, language: str) -> Callable[[str], str]:
    """Return the gettext of a language's interface catalog, for text made outside templates."""
    return _translations(templates, language).gettext


@cache
def environment(templates: Path, language: str) -> Environment:
    """Return the Jinja environment of a language (built once per process)."""
    env = Environment(
        loader=FileSystemLoader(templates),
        autoescape=True,
        auto_reload=False,  # one build renders with the templates it started with
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(_translations(templates, language),  # type: ignore[attr-defined]
                                     newstyle=True)
    return env


def render_template(
    templates: Path, language: str, name: str, page: Any, where: str,
    extra: dict[str, Any] | None = None,
) -> bytes:
    """Render one template for a page; a template bug becomes a RenderError naming the page."""
    try:
        template = environment(templates, language).get_template(name)
        return template.render(page=page, **(extra or {})).encode("utf-8")
    except TemplateError as exc:
        raise RenderError(f"template {name} failed for {where}: {exc}") from exc


def render_block(templates: Path, language: str, name: str, block: str, page: Any,
                 where: str) -> bytes:
    """Render one block of a template alone: the body of a page that is to be sealed."""
    try:
        template = environment(templates, language).get_template(name)
        context = template.new_context({"page": page})
        return "".join(template.blocks[block](context)).encode("utf-8")
    except TemplateError as exc:
        raise RenderError(f"template {name} failed for {where}: {exc}") from exc
