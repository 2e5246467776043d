"""Render stage, price breakdowns: a pricing Breakdown × a language -> lines of text such as
"RRP ¥28,000 × 45% = ¥12,600", with gettext-ready labels and cached money formatting."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from generator.fields import Text
from generator.i18n import format_money, format_percentage, translate
from generator.pricing import Breakdown, Step
from generator.terms import RETAIL_LIST


def _untranslated(message: str) -> str:
    return message


def render_breakdown(
    breakdown: Breakdown, language: str, default_language: str,
    gettext: Callable[[str], str] = _untranslated,
) -> tuple[str, ...]:
    """Render a breakdown as lines of text in a language, one line per rate, discount or tax.

    `gettext` translates the interface strings (e.g. a GNUTranslations' gettext); the term
    and tax labels come from the content, translated by the usual fallback rule.
    """

    def money(step: Step) -> str:
        return format_money(step.amount, breakdown.currency, language)

    def percent(step: Step) -> str:
        return format_percentage(step.percent or Decimal(0), language)

    def label(text: Text | None, fallback: str) -> str:
        return translate(text, language, default_language) if text is not None else fallback

    lines: list[str] = []
    base = ""  # the list price, waiting for the rate or discount that applies to it
    for step in breakdown.steps:
        if base and step.kind not in ("rate", "discount"):
            lines.append(base)
            base = ""
        if step.kind == "list_price":
            name = (gettext("RRP") if step.list_name == RETAIL_LIST
                    else label(step.label, (step.list_name or "").upper()))
            base = gettext("{list} {price}").format(list=name, price=money(step))
        elif step.kind == "rate":
            lines.append(gettext("{base} × {percent} = {price}").format(
                base=base, percent=percent(step), price=money(step)))
            base = ""
        elif step.kind == "discount" and not step.percent:
            # A neutral discount changes nothing; "EXW €120.00 − 0% = €120.00" is only noise.
            lines.append(base or money(step))
            base = ""
        elif step.kind == "discount":
            lines.append(gettext("{base} − {percent} = {price}").format(
                base=base, percent=percent(step), price=money(step)))
            base = ""
        else:
            lines.append(gettext("+ {tax} {percent} = {price}").format(
                tax=label(step.label, gettext("Tax")), percent=percent(step),
                price=money(step)))
    if base:
        lines.append(base)
    return tuple(lines)
