"""Import stage, cells: one cell's text -> a checked value (code, size, price, count, flag).

Each parser raises CellFault with a message that quotes the value and says how to fix it;
the row builder adds the file, sheet, row and column.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision

from generator.importer._read import Number

# The forms of generator.models (Code, Size, ItemCode), checked here to word the errors for a
# spreadsheet; the models check them again.
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_SIZE = re.compile(r"^[^\s/](?:[^\n/]{0,18}[^\s/])?$")
_ITEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,39}$")
# Thousands separators only in groups of three, so "144,50" (a decimal comma) is an error
# instead of silently becoming 14450.
_AMOUNT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_SYMBOLS = re.compile(r"^[¥$€£]\s*|\s*円$")
# A yen price as Japanese sheets write it: the yen sign of a Shift_JIS (CP932) file is the
# byte of "\\", and "¥98,000-" closes the amount with a dash (no sen after it).
_YEN = re.compile(r"^[¥\\]\s*(?P<amount>[0-9][0-9,.]*)-?$")
# "144,50": a decimal comma, which the refusal names; "98,000" is a thousands separator.
_DECIMAL_COMMA = re.compile(r"^[0-9.]*,[0-9]{1,2}$")
_YES = {"yes", "y", "true", "1", "x", "sold out", "sold_out", "soldout", "完売", "はい"}
_NO = {"no", "n", "false", "0", "いいえ"}
LIST_SEPARATORS = re.compile(r"[,、，]")


# A day as sheets write it: 2027-04-15, 2027/4/15, 2027.4.15, 2027年4月15日, or an Excel date
# cell as read (2027-04-15 00:00:00); between two of them a dash, a tilde, "to" or から.
_DAY = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00)?)?")
_BETWEEN = re.compile(r"^(?:\s|[-–—~〜/]|to|から|より)*$", re.IGNORECASE)


class CellFault(Exception):
    """A cell's value is not what its column takes; the message says why and how to fix it."""


def split_list(text: str) -> list[str]:
    """Split a cell of the one-row-per-style layout: "BLK, NVY" or "S、M、L"."""
    if "," not in text and "、" not in text and "，" not in text:
        return [text]  # one row per SKU: the common case, on every row of a large sheet
    return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]


@functools.lru_cache(maxsize=256)  # every row of a style repeats its delivery
def parse_delivery(text: str) -> str:
    """A delivery cell: one or two days (a window; one day is a window of that day) -> the
    window as an ISO 8601 interval (2027-04-15/2027-05-15), which the import writes as
    `{from, to}`; any other text ("Apr 2027", "4月中旬") as it is written."""
    normal = unicodedata.normalize("NFKC", text)
    days = list(_DAY.finditer(normal))
    if not days or len(days) > 2 or not _BETWEEN.match(_DAY.sub("", normal)):
        return text
    try:
        start, end = (date(int(day[1]), int(day[2]), int(day[3])) for day in (days[0], days[-1]))
    except ValueError:
        raise CellFault(f"'{text}' is not a real day; write the delivery as two days, e.g. "
                        "2027-04-15 – 2027-05-15, or as text (Apr 2027)") from None
    if end < start:
        raise CellFault(f"the delivery '{text}' ends before it starts; write its first day "
                        "first")
    return f"{start.isoformat()}/{end.isoformat()}"


def check_code(text: str, noun: str, example: str) -> str:
    """Return a style number or colour code, or raise when it cannot be one. Typed with a
    Japanese input method ("ＥＣＲ"), it is read as the ASCII it looks like (NFKC): otherwise
    it would not match the code in the content, and the style's data under it would be lost."""
    text = unicodedata.normalize("NFKC", text)
    if len(text) > 40 or not _CODE.match(text):
        raise CellFault(f"'{text}' is not a {noun}: use letters, digits, '.', '_' and '-', at "
                        f"most 40, starting with a letter or digit (e.g. {example})")
    return str(text)  # plain text, even when the cell held a number


def check_size(text: str) -> str:
    """Return a size label, or raise when the grid cannot show it; read as `check_code`
    reads a code ("Ｍ" is M, whose sold-out cells, SKUs and JAN codes it keeps)."""
    text = unicodedata.normalize("NFKC", text)
    if not _SIZE.match(text):
        raise CellFault(f"'{text}' is not a size: at most 20 characters, without '/' or line "
                        "breaks (e.g. M, 36, One size)")
    return str(text)


def check_sku(text: str) -> str:
    """Return a brand's SKU code, or raise."""
    if not _ITEM.match(text):
        raise CellFault(f"'{text}' is not a SKU code: letters, digits, spaces and . _ / -, at "
                        "most 40, starting with a letter or digit")
    return str(text)


def parse_jan(text: str) -> str:
    """Return an 8- or 13-digit JAN/EAN code with a valid check digit, or raise."""
    code = text
    if isinstance(text, Number) and len(text) in (7, 12):
        code = text.zfill(len(text) + 1)  # stored as a number, the code lost its leading zero
    if not code.isascii() or not code.isdigit() or len(code) not in (8, 13):
        raise CellFault(f"'{text}' is not a JAN code: 8 or 13 digits; format the column as "
                        "Text so Excel keeps every digit")
    digits = [int(char) for char in code]
    weights = (3, 1) if len(code) == 8 else (1, 3)
    total = sum(digit * weights[index % 2] for index, digit in enumerate(digits[:-1]))
    if (10 - total % 10) % 10 != digits[-1]:
        raise CellFault(f"'{code}' fails the JAN check digit; check the code")
    return str(code)


def parse_price(text: str, currency: str) -> str:
    """Return a positive amount as text with at most the currency's decimals, or raise."""
    amount = unicodedata.normalize("NFKC", text).strip()
    yen = _YEN.match(amount)
    amount = yen.group("amount") if yen else _SYMBOLS.sub("", amount)
    if amount.startswith("-"):
        raise CellFault(f"'{text}' is a negative price; prices are positive amounts")
    if not _AMOUNT.match(amount):
        hint = " (write the decimal point as '.')" if _DECIMAL_COMMA.match(amount) else ""
        raise CellFault(f"'{text}' is not a price; write a number such as 12000 or 144.50"
                        f"{hint}")
    value = Decimal(amount.replace(",", ""))
    if value == 0:
        raise CellFault(f"'{text}' is not a price: prices are positive; leave the cell empty "
                        "when the style has no price in this list")
    digits = get_currency_precision(currency)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > digits:
        try:
            # 48000.0 yen is 48000 yen; only digits that change the amount are an error.
            exact = value.quantize(Decimal(1).scaleb(-digits))
        except InvalidOperation:  # pragma: no cover - only for absurdly long amounts
            exact = value + 1
        if exact != value:
            raise CellFault(f"'{text}' has {-exponent} decimals, and {currency} amounts have at "
                            f"most {digits}")
        value = exact
    return str(value)


def parse_count(text: str, noun: str, most: int, least: int = 1) -> str:
    """Return a whole number from `least` to `most` as text, or raise."""
    try:
        value = Decimal(unicodedata.normalize("NFKC", text).replace(",", ""))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value != value.to_integral_value() or not least <= value <= most:
        raise CellFault(f"'{text}' is not a {noun}: write a whole number from {least} to "
                        f"{most:,}")
    return str(int(value))


def parse_flag(text: str) -> bool:
    """Read a sold-out cell: yes / no (also true, false, 1, 0, 完売), or raise."""
    folded = unicodedata.normalize("NFKC", text).strip().casefold()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise CellFault(f"'{text}' is neither yes nor no; write yes for a sold-out colour and size, "
                    "or leave the cell empty")
