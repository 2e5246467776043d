"""Import stage, output text: the merged styles -> products.yaml text, stable and readable.

Keys come in the models' order; short mappings and lists of plain values go on one line
(`sizes: [S, M, L]`), as a brand would write them; Markdown goes in `|` blocks. Amounts are
bare numbers, and every other value is a string, quoted wherever a YAML reader (1.1 or 1.2)
could take it for something else ('001', '4901234567894', 'yes'), so the file reads back as
exactly the text it was made from. A small emitter of its own: PyYAML's pure-Python one took
most of a 5,000-SKU import's time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, cast

import yaml

FLOW_WIDTH = 72  # a collection of plain values longer than this goes one item per line
INDENT = "  "
_NUMBER = re.compile(r"^(?:0|[1-9]\d*)(?:\.\d+)?$")
# Text another YAML reader could take for a number: JAN codes, "001", "1e3", "1_000".
_NUMERIC = re.compile(r"^[-+]?[\d_]*\.?[\d_]+(?:[eE][-+]?\d+)?$")
# Plain (unquoted) only for text that starts with a letter or digit and holds none of the
# characters that end or split a plain value; anything else is quoted, which is always correct.
_PLAIN = re.compile(r"^[^\W_][^,\[\]{}#:?]*$")
# The implicit types of a YAML 1.1 reader (booleans, null, dates, numbers); untyped in stubs.
_RESOLVE = cast(Callable[[type, str, tuple[bool, bool]], str], yaml.resolver.Resolver().resolve)
_STR_TAG = "tag:yaml.org,2002:str"
DEFAULT_HEADER = (
    "# The styles of season {season}, written by `linesheets import`. Fields the spreadsheet\n"
    "# does not carry (descriptions, swatches, images, rates …) may be edited here: a re-import\n"
    "# keeps them. Comments other than this opening block are not kept.\n"
)


class _Amount(str):
    """Text to write as a bare YAML number: a price, a count, a rate."""

    __slots__ = ()


def dump_products(styles: list[dict[str, Any]], header: str) -> str:
    """Write the text of a products.yaml holding these styles."""
    lines = ["styles: []"] if not styles else ["styles:"]
    for index, style in enumerate(styles):
        if index:
            lines.append("")  # a blank line between styles, as a person would leave
        _item(_mark_amounts(style), 1, lines)
    body = "\n".join(lines) + "\n"
    return f"{header}\n{body}" if header else body


def dump_mapping(data: dict[str, Any], header: str) -> str:
    """Write the text of a content file holding one mapping (a buyer, a link)."""
    lines: list[str] = []
    _mapping(data, 0, lines)
    body = "\n".join(lines) + "\n"
    return f"{header}\n{body}" if header else body


def bare_number(text: str) -> str:
    """Text a file writes as a bare number where it is one (`discount: 5`), quoted else."""
    return _Amount(text)


def leading_comments(text: str) -> str:
    """Return a file's opening comment block, which a re-import keeps."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines) + "\n" if lines else ""


def _mapping(value: dict[str, Any], depth: int, lines: list[str]) -> None:
    pad = INDENT * depth
    for key, item in value.items():
        name = _scalar(str(key))
        if isinstance(item, dict | list):
            inline = _flow(item)
            if inline is not None:
                lines.append(f"{pad}{name}: {inline}")
            elif isinstance(item, dict):
                lines.append(f"{pad}{name}:")
                _mapping(item, depth + 1, lines)
            else:
                lines.append(f"{pad}{name}:")
                _sequence(item, depth + 1, lines)
        elif isinstance(item, str) and "\n" in item and _literal_ok(item):
            chomp = "" if item.endswith("\n") else "-"
            lines.append(f"{pad}{name}: |{chomp}")
            inner = pad + INDENT
            lines.extend(f"{inner}{line}" if line else "" for line in
                         item.removesuffix("\n").split("\n"))
        else:
            lines.append(f"{pad}{name}: {_scalar(item)}")


def _sequence(value: list[Any], depth: int, lines: list[str]) -> None:
    for item in value:
        _item(item, depth, lines)


def _item(item: Any, depth: int, lines: list[str]) -> None:
    """Write one list item: `- value`, or a mapping whose first key follows the dash."""
    pad = INDENT * depth
    if isinstance(item, dict | list):
        inline = _flow(item)
        if inline is not None:
            lines.append(f"{pad}- {inline}")
            return
        start = len(lines)
        if isinstance(item, dict):
            _mapping(item, depth + 1, lines)
        else:
            _sequence(item, depth + 1, lines)
        lines[start] = f"{pad}- {lines[start][len(pad) + len(INDENT):]}"
    elif isinstance(item, str) and "\n" in item:
        lines.append(f"{pad}- {_quoted(item)}")
    else:
        lines.append(f"{pad}- {_scalar(item)}")


def _flow(value: dict[str, Any] | list[Any]) -> str | None:
    """Write a short collection of one-line values on one line, or return None."""
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    items = value.values() if isinstance(value, dict) else value
    if any(item is not None and (not isinstance(item, str) or "\n" in item) for item in items):
        return None
    if isinstance(value, dict):
        text = "{" + ", ".join(f"{_scalar(str(k))}: {_scalar(v)}" for k, v in value.items()) + "}"
    else:
        text = "[" + ", ".join(_scalar(item) for item in value) + "]"
    return text if len(text) <= FLOW_WIDTH else None


def _scalar(value: Any) -> str:
    """Write one value on one line: null, a bare number, plain text or quoted text."""
    if value is None:
        return "null"
    text = str(value)
    if isinstance(value, _Amount) and _NUMBER.match(text):
        return text
    return _text(text)


@lru_cache(maxsize=1 << 16)
def _text(text: str) -> str:
    # Cached: a season repeats its colour codes, sizes and languages thousands of times.
    if (_PLAIN.match(text) and text.isprintable() and not text.endswith(" ")
            and not _NUMERIC.match(text)
            and _RESOLVE(yaml.ScalarNode, text, (True, False)) == _STR_TAG):
        return text
    return _quoted(text)


def _quoted(text: str) -> str:
    if text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    # Double quotes with escapes for what single quotes cannot hold: line breaks (which a
    # quoted scalar would fold), tabs, and characters YAML does not allow raw.
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif char.isprintable():
            escaped.append(char)
        elif ord(char) <= 0xFF:
            escaped.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(f"\\U{ord(char):08x}")
    return '"' + "".join(escaped) + '"'


def _literal_ok(text: str) -> bool:
    """Tell whether a `|` block keeps this text exactly."""
    body = text.removesuffix("\n")
    lines = body.split("\n")
    # The first line with text sets the block's indentation, so it may not start with a space.
    first = next((line for line in lines if line), "")
    return (body.strip() != "" and not body.endswith("\n") and not first.startswith(" ")
            and all(line.isprintable() and line == line.rstrip() for line in lines))


def _mark_amounts(style: dict[str, Any]) -> dict[str, Any]:
    marked = dict(style)
    prices = style.get("prices")
    if isinstance(prices, dict):
        marked["prices"] = _price_lists(prices)
    size_prices = style.get("size_prices")
    if isinstance(size_prices, dict):
        marked["size_prices"] = {size: _price_lists(prices) if isinstance(prices, dict)
                                 else prices for size, prices in size_prices.items()}
    rates = style.get("rates")
    if isinstance(rates, dict):
        marked["rates"] = {term: {name: _amount(value) for name, value in parameter.items()}
                           if isinstance(parameter, dict) else parameter
                           for term, parameter in rates.items()}
    for name in ("moq", "multiple"):
        if name in marked:
            marked[name] = _amount(marked[name])
    # Units by colour and size, and by size in a pack: bare numbers, as a brand writes them.
    stock = style.get("stock")
    if isinstance(stock, dict):
        marked["stock"] = {color: {size: _units(units) for size, units in cells.items()}
                           if isinstance(cells, dict) else cells
                           for color, cells in stock.items()}
    pack = style.get("pack")
    if isinstance(pack, dict):
        marked["pack"] = {size: _units(units) for size, units in pack.items()}
    return marked


def _price_lists(prices: dict[str, Any]) -> dict[str, Any]:
    return {currency: {name: _amount(value) for name, value in lists.items()}
            if isinstance(lists, dict) else lists for currency, lists in prices.items()}


def _units(value: Any) -> Any:
    """A whole number of units (read from the sheet, or from the file) to write bare."""
    return _Amount(str(value)) if isinstance(value, int) and not isinstance(value, bool) \
        else _amount(value)


def _amount(value: Any) -> Any:
    return _Amount(value) if isinstance(value, str) else value
