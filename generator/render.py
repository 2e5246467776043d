"""Render stage: a Page (plan + data + helpers) -> HTML bytes, through Jinja2 and gettext.

One Jinja environment per language, each with that language's interface translations
(generator/site_templates/locales/<locale>/LC_MESSAGES/messages.po, compiled in memory by i18n.py).
"""

from __future__ import annotations

import gettext
import os
import shutil
from collections.abc import Callable, MutableMapping
from functools import cache
from pathlib import Path
from types import CodeType, MethodType
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.bccache import Bucket, BytecodeCache
from jinja2.runtime import Context
from markupsafe import Markup, escape
from markupsafe._speedups import _escape_inner

from generator.errors import LinesheetsError
from generator.i18n import interface_gettext, interface_translations, locale_dir

__all__ = ["RenderError", "environment", "interface_gettext", "locale_dir", "render_block",
           "render_template"]


class RenderError(LinesheetsError):
    """A template failed to render: names the template, the page and the cause."""


class _Gettext:
    """Jinja's newstyle `_()`, `gettext()` and `ngettext()` for an environment that escapes
    everything: the same results, and a constant message is translated and formatted once.

    Jinja's own versions take the context, so each `_()` is three `Context.call`s; these are
    plain methods (see `_Context`), a few hundred thousand calls a build.
    """

    def __init__(self, translations: gettext.NullTranslations) -> None:
        self._gettext = translations.gettext
        self._ngettext = translations.ngettext
        self._constant: dict[str, Markup] = {}

    def gettext(self, message: str, **variables: Any) -> Markup:
        """Translate an interface string, then format it ("%%" in a constant becomes "%")."""
        if variables:
            return Markup(self._gettext(message)) % variables
        text = self._constant.get(message)
        if text is None:
            text = self._constant[message] = Markup(self._gettext(message)) % {}
        return text

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> Markup:
        """Translate a string with a plural form, chosen by `num`."""
        variables.setdefault("num", num)
        return Markup(self._ngettext(singular, plural, num)) % variables


# Helpers that never take Jinja's context, environment or eval context: called directly.
_PLAIN_HELPERS: set[type] = {_Gettext}


def register_plain_helpers(*kinds: type) -> None:
    """Let templates call these classes' methods without Jinja's per-call inspection (the
    page objects: none of their methods is marked pass_context)."""
    _PLAIN_HELPERS.update(kinds)


class _Context(Context):
    """A template context whose calls into the page helpers skip Jinja's inspection of the
    callee (is it pass_context, pass_environment …?), a third of Jinja's own time per page.
    Any other callable (filters, macros, Jinja's helpers) goes the usual way."""

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if type(__obj) is MethodType and type(__obj.__self__) in _PLAIN_HELPERS:
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception")
        return Context.call(__self, __obj, *args, **kwargs)


def _escape_output(value: Any) -> str:
    """Escape a value a template outputs: markupsafe's escape, but a plain str for a str.

    What `{{ … }}` outputs is only ever joined into the page (or into a captured block,
    which Jinja wraps in Markup), so wrapping each escaped string in Markup first, as
    escape() does, costs a tenth of a page's time for the same text; so does copying the
    Markup the helpers return (fragments, prices, translations) into another.
    """
    kind = type(value)
    if kind is str:
        return _escape_inner(value)
    if kind is Markup:  # escaped already: escape() would copy it into a new Markup
        return value  # type: ignore[no-any-return]
    if kind is int:  # digits (and a minus) need no escaping
        return str(value)
    return escape(value)


class _Environment(Environment):
    """A Jinja environment whose compiled templates escape their output with
    `_escape_output`: the same text, without a Markup object per `{{ … }}`."""

    def _generate(self, source: Any, name: str | None, filename: str | None,
                  defer_init: bool = False) -> str:
        # The documented hook for a different code generator: the module's `escape`,
        # bound by its first line (imports from jinja2.runtime), is rebound by its last.
        code = super()._generate(source, name, filename, defer_init)
        return f"{code}\nescape = environment.escape_output\n"

    escape_output = staticmethod(_escape_output)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one dict rather than Jinja's ChainMap over the
        environment's: every render copies them into its context, and copying a ChainMap
        runs Python code per name. Equivalent here: `environment` sets every global before
        any template is loaded, and nothing changes them after."""
        return {**self.globals, **(d or {})}


class _CompiledTemplates(BytecodeCache):
    """The compiled code of each template, shared by every language's environment (it does not
    depend on the translations, which `_()` looks up when it runs), and kept on disk between
    builds once `keep_compiled_templates` names a folder. Jinja checks each entry against the
    template's source; the folder's name carries the generator's code and libraries."""

    def __init__(self) -> None:
        self._code: dict[tuple[str, str], CodeType] = {}
        self.folder: Path | None = None

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get((bucket.key, bucket.checksum))
        if code is None and self.folder is not None:
            try:
                bucket.bytecode_from_string((self.folder / bucket.key).read_bytes())
            except OSError:
                return
            code = bucket.code
            if code is None:  # another source or another Jinja: compile again
                return
            self._code[(bucket.key, bucket.checksum)] = code
        bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        assert bucket.code is not None, "Jinja dumps compiled templates only"
        self._code[(bucket.key, bucket.checksum)] = bucket.code
        if self.folder is None:
            return
        target = self.folder / bucket.key
        temporary = target.with_name(f".{bucket.key}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(bucket.bytecode_to_string())
            temporary.replace(target)  # render workers may write the same entry at once
        except OSError:
            temporary.unlink(missing_ok=True)  # a cache that cannot be written only costs time

    def clear(self) -> None:
        self._code.clear()


_compiled = _CompiledTemplates()


def keep_compiled_templates(folder: Path, version: str) -> None:
    """Keep compiled templates in `folder`/`version` between builds (`version`: of the
    generator's code and libraries); remove those of other versions."""
    if folder.is_dir():
        for other in folder.iterdir():
            if other.name != version:
                shutil.rmtree(other, ignore_errors=True)
    _compiled.folder = folder / version


def compile_templates(templates: Path, language: str) -> None:
    """Compile every page template before the render workers fork, so that they share the
    code instead of each compiling its own."""
    env = environment(templates, language)
    assert env.loader is not None
    for name in env.list_templates(extensions=["html"]):
        env.loader.load(env, name)  # compiled into `_compiled`, not kept by this environment


@cache
def environment(templates: Path, language: str) -> Environment:
    """Return the Jinja environment of a language (built once per process)."""
    env = _Environment(
        loader=FileSystemLoader(templates),
        autoescape=True,
        auto_reload=False,  # one build renders with the templates it started with
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
        cache_size=-1,  # a plain dict: the LRU cache locks and reorders on every include
        bytecode_cache=_compiled,
    )
    # JSON blocks (the scripts' interface text) keep their letters: \uXXXX triples CJK text.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.context_class = _Context
    translations = interface_translations(templates, language)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    helper = _Gettext(translations)
    env.globals.update(_=helper.gettext, gettext=helper.gettext, ngettext=helper.ngettext)
    return env


def refresh_templates(templates: Path) -> None:
    """Drop the compiled templates and catalogs if a file of the templates folder changed
    since the last build of this process, so this build reads them again: a build renders
    with the templates it started with, the next one with today's. A process that builds
    on every edit (a watch) keeps them while they stand: 50 ms a build."""
    global _templates_seen
    seen = _stat_all(templates)
    if seen != _templates_seen:
        environment.cache_clear()
        interface_translations.cache_clear()
        _compiled.clear()
    _templates_seen = seen


_templates_seen: frozenset[tuple[str, int, int]] | None = None


def _stat_all(folder: Path) -> frozenset[tuple[str, int, int]]:
    """Every file under a folder with its modification time and size."""
    found = set()
    for parent, _folders, files in os.walk(folder):
        for name in files:
            path = os.path.join(parent, name)  # noqa: PTH118 - a Path per file costs more
            try:
                stat = os.stat(path)  # noqa: PTH116
            except OSError:
                continue
            found.add((path, stat.st_mtime_ns, stat.st_size))
    return frozenset(found)


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
