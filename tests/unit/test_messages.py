"""The interface catalogs in generator/site_templates/locales: up to date with the templates,
complete, well-formed, and the ones render.py loads at build time. `make messages` runs this
file."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from generator.i18n import locale_dir
from generator.render import environment, interface_gettext
from generator.settings import SITE_TEMPLATES

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = SITE_TEMPLATES
LOCALES = TEMPLATES / "locales"
POT = LOCALES / "messages.pot"
SOURCE_LANGUAGE = "en"  # the msgids are English: its catalog may leave msgstr empty
REQUIRED = ("en", "ja", "zh_Hans", "zh_Hant", "ko", "fr", "it")  # issue #4
FOUND = sorted(p.parent.parent.name for p in LOCALES.glob("*/LC_MESSAGES/messages.po"))
TRANSLATED = [locale for locale in FOUND if locale != SOURCE_LANGUAGE]

PERCENT_FIELD = re.compile(r"%(?:\((\w+)\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACE_FIELD = re.compile(r"\{(\w*)[^{}]*\}")


def _read(path: Path, locale: str | None = None) -> Any:
    with path.open("rb") as stream:
        return read_po(stream, locale=locale)


def _messages(catalog: Any) -> dict[str, Any]:
    """The catalog's messages by msgid (the singular one for plurals), header left out."""
    return {_key(message.id): message for message in catalog if message.id}


def _key(msgid: str | tuple[str, ...]) -> str:
    return msgid[0] if isinstance(msgid, tuple) else msgid


def _forms(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def _fields(text: str) -> Counter[str]:
    """The placeholders of a string: %(name)s, {name}; `%%` counts as a field too."""
    percent = (f"%({m.group(1)})" if m.group(1) else m.group(0)
               for m in PERCENT_FIELD.finditer(text))
    brace = (f"{{{m.group(1)}}}" for m in BRACE_FIELD.finditer(text))
    return Counter([*percent, *brace])


def test_every_required_language_has_a_catalog() -> None:
    assert set(REQUIRED) <= set(FOUND)


def test_template_matches_the_strings_of_the_templates_and_generator() -> None:
    """messages.pot holds exactly the strings babel.cfg extracts (run `make messages` if not)."""
    with (ROOT / "babel.cfg").open() as stream:
        method_map, options_map = parse_mapping_cfg(stream)  # type: ignore[no-untyped-call]
    extracted = {_key(message) for _file, _line, message, _comments, _context
                 in extract_from_dir(str(ROOT), method_map, options_map)}
    stale = sorted(set(_messages(_read(POT))) ^ extracted)
    assert not stale, f"messages.pot is out of date, run `make messages`: {stale}"


@pytest.mark.parametrize("locale", FOUND)
def test_catalog_has_exactly_the_messages_of_the_template(locale: str) -> None:
    catalog = _read(LOCALES / locale / "LC_MESSAGES" / "messages.po", locale)
    stale = sorted(set(_messages(catalog)) ^ set(_messages(_read(POT))))
    assert not stale, f"{locale} is out of date, run `make messages`: {stale}"


@pytest.mark.parametrize("locale", FOUND)
def test_catalog_declares_its_language_and_plural_forms(locale: str) -> None:
    catalog = _read(LOCALES / locale / "LC_MESSAGES" / "messages.po", locale)
    assert str(catalog.locale) == locale
    assert not catalog.fuzzy  # pybabel compile skips a catalog whose header is fuzzy
    assert catalog.num_plurals == get_plural(locale).num_plurals


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated(locale: str) -> None:
    catalog = _read(LOCALES / locale / "LC_MESSAGES" / "messages.po", locale)
    untranslated = sorted(msgid for msgid, message in _messages(catalog).items()
                          if message.fuzzy or not all(_forms(message.string)))
    assert not untranslated, f"{locale}: translate (and unmark fuzzy) {untranslated}"


@pytest.mark.parametrize("locale", FOUND)
def test_translations_keep_the_placeholders_of_the_source(locale: str) -> None:
    catalog = _read(LOCALES / locale / "LC_MESSAGES" / "messages.po", locale)
    wrong = []
    for message in _messages(catalog).values():
        wanted = _fields(_forms(message.id)[-1])  # the plural msgid names every field
        for form in _forms(message.string):
            if form and _fields(form) != wanted:
                wrong.append((_key(message.id), form))
    assert not wrong, f"{locale}: placeholders differ from the msgid's: {wrong}"


@pytest.mark.parametrize("locale", FOUND)
def test_translations_format_as_the_renderer_formats_them(locale: str) -> None:
    """Templates %-format every string (newstyle gettext), so a bare % would crash a page."""
    catalog = _read(LOCALES / locale / "LC_MESSAGES" / "messages.po", locale)
    broken = []
    for message in _messages(catalog).values():
        for form in filter(None, (*_forms(message.id), *_forms(message.string))):
            try:
                if "python-brace-format" in message.flags:  # breakdown.py's str.format
                    form.format(**{m.group(1): "x" for m in BRACE_FIELD.finditer(form)})
                else:
                    form % {m.group(1): 1 for m in PERCENT_FIELD.finditer(form) if m.group(1)}
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                broken.append((form, str(exc)))
    assert not broken, f"{locale}: strings that fail to format (write % as %%): {broken}"


@pytest.mark.parametrize("locale", FOUND)
def test_plural_messages_have_every_form_of_the_language(locale: str) -> None:
    catalog = _read(LOCALES / locale / "LC_MESSAGES" / "messages.po", locale)
    for message in _messages(catalog).values():
        if message.pluralizable:
            assert len(_forms(message.string)) == get_plural(locale).num_plurals, message.id


@pytest.mark.parametrize("locale", TRANSLATED)
def test_builds_load_the_catalog_of_each_content_language(locale: str) -> None:
    language = locale.replace("_", "-")  # the content's tag: zh-Hans
    assert locale_dir(language) == locale
    assert interface_gettext(TEMPLATES, language)("Cart") != "Cart"


def test_templates_render_japanese_interface_strings() -> None:
    assert interface_gettext(TEMPLATES, "ja")("Cart") == "カート"
    template = environment(TEMPLATES, "ja").from_string(
        "{{ _('Order by %(date)s', date='3月1日') }} · {{ ngettext('%(num)d style', "
        "'%(num)d styles', 24) }}")
    assert template.render() == "発注締切：3月1日 · 全24型"


@pytest.mark.parametrize(("language", "count", "text"), [
    ("en", 1, "1 style"), ("en", 2, "2 styles"),  # the English catalog leaves msgstr empty
    ("fr", 0, "0 modèle"), ("fr", 1, "1 modèle"), ("fr", 2, "2 modèles"),
    ("fr", 1000000, "1000000 de modèles"), ("zh-Hant", 3, "共3款"),
])
def test_templates_pick_the_plural_form_of_the_language(language: str, count: int,
                                                         text: str) -> None:
    template = environment(TEMPLATES, language).from_string(
        "{{ ngettext('%(num)d style', '%(num)d styles', count) }}")
    assert template.render(count=count) == text
