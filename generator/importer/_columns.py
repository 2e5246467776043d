"""Import stage, headers: the header row -> which column holds which field.

Headers are matched by name, in English or Japanese, ignoring case, width and punctuation:
`name_en`, `Name (EN)` and `ＮＡＭＥ＿ＥＮ` are one column. Text fields take a language suffix
(`name_ja`), prices a currency suffix after their price list (`rrp_JPY`, `上代(JPY)`).
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from generator.errors import SheetError, SheetProblem
from generator.importer._brand import BrandInfo
from generator.importer._read import HEADER_SEARCH, Row, Sheet

# field -> accepted headers; the first is the English header, the second the Japanese one
# (the template writes those two), the rest are synonyms brands' systems export.
FIELDS: dict[str, tuple[str, ...]] = {
    "style_no": ("style_no", "品番", "style", "style_number", "style_code", "article",
                 "article_no", "商品番号", "型番", "スタイル番号"),
    "name": ("name", "商品名", "product_name", "style_name", "item_name", "品名", "アイテム名"),
    "category": ("category", "カテゴリ", "カテゴリー", "分類", "アイテム"),
    "color_code": ("color_code", "カラー番号", "colour_code", "color", "colour", "colors",
                   "colours", "color_no", "カラー", "カラーコード", "色番", "色番号", "カラー展開"),
    "color_name": ("color_name", "カラー名", "colour_name", "色名"),
    "size": ("size", "サイズ", "sizes", "サイズ展開"),
    "sku": ("sku", "skuコード", "sku_code", "item_code", "商品コード"),
    "jan": ("jan", "janコード", "jan_code", "ean", "ean_code", "barcode", "バーコード"),
    "moq": ("moq", "最小ロット", "minimum_order", "min_order", "最低発注数", "最小発注数"),
    "multiple": ("multiple", "発注単位", "order_multiple", "入数"),
    "pack": ("pack", "アソート", "pack_units", "units_per_pack", "prepack", "アソート数",
             "アソート入数", "パック入数"),
    "sold_out": ("sold_out", "完売", "soldout", "欠品"),
    "stock": ("stock", "在庫数", "在庫", "inventory", "ats", "available_to_sell", "available",
              "受注可能数", "限定数"),
    "composition": ("composition", "素材", "material", "materials", "fabric", "組成", "混率"),
    "origin": ("origin", "原産国", "country_of_origin", "made_in", "生産国", "産地"),
    "description": ("description", "商品説明", "説明", "details"),
    "delivery": ("delivery", "納期", "delivery_date", "delivery_window", "drop", "デリバリー",
                 "納品時期", "出荷時期", "入荷予定"),
}
TEXT_FIELDS = ("name", "description", "category", "composition", "origin", "delivery",
               "color_name")
# price list -> accepted headers (before the currency); a brand's other terms use their code.
PRICE_LISTS: dict[str, tuple[str, ...]] = {
    "rrp": ("rrp", "上代", "retail", "retail_price", "msrp", "定価", "希望小売価格", "小売価格"),
    "wsp": ("wsp", "下代", "wholesale", "wholesale_price", "卸価格", "卸値"),
}
SKIPPED = ("note", "notes", "memo", "remarks", "comment", "comments", "備考", "メモ")
REQUIRED = ("style_no", "color_code", "size")
_TAX_EXCLUDED = {"税抜", "税抜き", "税別", "本体価格"}
_TAX_INCLUDED = {"税込", "税込み"}


@dataclass(frozen=True)
class Column:
    """One recognised column."""

    index: int  # 0-based
    header: str  # as written
    field: str  # a key of FIELDS, or "price"
    language: str = ""  # text fields: the language, "" for every language
    currency: str = ""  # prices
    price_list: str = ""  # prices: `rrp` or a discount term's code

    @property
    def position(self) -> int:
        """The 1-based column number problems are sorted by."""
        return self.index + 1


@dataclass
class Columns:
    """The columns of a sheet, by what they hold."""

    single: dict[str, Column] = field(default_factory=dict)  # fields found at most once
    texts: dict[str, list[Column]] = field(default_factory=dict)  # text field -> per language
    prices: list[Column] = field(default_factory=list)
    unnamed: list[int] = field(default_factory=list)  # indexes without a header
    headers: dict[int, str] = field(default_factory=dict)  # index -> header as shown
    problems: list[SheetProblem] = field(default_factory=list)  # columns that are skipped

    def header(self, index: int) -> str:
        """Name a column in a problem: its header, else its letter."""
        return self.headers.get(index) or get_column_letter(index + 1)


def normalize(header: str) -> str:
    """Fold a header for matching: NFKC (full-width to ASCII), lowercase, punctuation to _."""
    text = unicodedata.normalize("NFKC", header).casefold()
    return re.sub(r"[\s\-/()\[\]{}【】「」<>:;,.・]+", "_", text).strip("_")


@dataclass(frozen=True)
class HeaderRow:
    """The row that names the columns, the title rows above it, and the rows below it."""

    row: Row
    titles: tuple[Row, ...]  # rows above the header, skipped: a title, a date, a note
    rest: Iterator[Row]


def find_header(rows: Iterator[Row], brand: BrandInfo) -> HeaderRow | None:
    """The header is the first of the first HEADER_SEARCH non-blank rows that names the style
    number and the colour or the size; rows above it are titles. When none does, the first
    row is read as the header, so that its problems name what is missing. None: no rows."""
    matcher = _Matcher(brand)
    looked: list[Row] = []
    for row in itertools.islice(rows, HEADER_SEARCH):
        if _names_columns(row, matcher):
            below = next(rows, None)
            if below is not None:
                joined = _with_currencies(row, below, brand, matcher)
                if joined is not None:
                    return HeaderRow(joined, tuple(looked), rows)
                rows = itertools.chain([below], rows)
            return HeaderRow(row, tuple(looked), rows)
        looked.append(row)
    if not looked:
        return None
    return HeaderRow(looked[0], (), itertools.chain(looked[1:], rows))


def _with_currencies(header: Row, below: Row, brand: BrandInfo,
                     matcher: _Matcher) -> Row | None:
    """A header over two rows: price lists above (上代, merged over its currencies' columns or
    written once before them) and a currency under each of their columns. The header with
    each of those columns named "<price list>_<currency>", or None when the row below is not
    that: a data row has a style number, this one nothing but the brand's currencies, each
    under a price list."""
    currencies = {code.casefold(): code for code in brand.currencies}
    above = list(header.cells) + [None] * max(0, len(below.cells) - len(header.cells))
    # A header cell merged down over both rows reads again in the lower one: not a currency.
    texts = [(index, text.strip()) for index, text in enumerate(below.cells)
             if text and text != above[index]]
    if not texts or below.faults or any(text.casefold() not in currencies
                                        for _index, text in texts):
        return None
    cells = list(above)
    for index, text in texts:
        group = next((above[at] for at in range(index, -1, -1) if above[at]), None)
        found = matcher.split(normalize(group)) if group else None
        if group is None or found is None or found[0][0] != "price":
            return None
        cells[index] = f"{group}_{currencies[text.casefold()]}"
    return Row(header.number, tuple(cells), header.faults)


def header_test(brand: BrandInfo) -> Callable[[Row], bool]:
    """Whether a row is a header: it names the style number and the colour or the size."""
    matcher = _Matcher(brand)
    return lambda row: _names_columns(row, matcher)


def _names_columns(row: Row, matcher: _Matcher) -> bool:
    named = set()
    for index, raw in enumerate(row.cells):
        if raw:
            column, _ = matcher.match(index, raw)
            named.add(column.field if column is not None else "")
    return "style_no" in named and bool(named & {"color_code", "size"})


def map_columns(sheet: Sheet, header: Row, brand: BrandInfo) -> Columns:
    """Recognise every header; raise SheetError when a required column is missing.

    Unknown or repeated columns are left out and reported in `problems`, so the rows can still
    be read and their problems reported together with the header's.
    """
    matcher = _Matcher(brand)
    columns = Columns()
    problems = columns.problems
    seen: dict[tuple[str, str, str, str], Column] = {}
    for index, message in header.faults:
        problems.append(sheet.problem(header.number, message, index + 1))
    for index, raw in enumerate(header.cells):
        text = (raw or "").strip()
        columns.headers[index] = text
        if not text:
            columns.unnamed.append(index)
            continue
        if text.startswith("#") or normalize(text) in SKIPPED:
            continue
        column, message = matcher.match(index, text)
        if column is None:
            problems.append(sheet.problem(header.number, message, index + 1, text))
            continue
        key = (column.field, column.language, column.currency, column.price_list)
        if key in seen:
            problems.append(sheet.problem(header.number, f"repeats column "
                                          f"'{seen[key].header}'; keep one of them",
                                          index + 1, text))
            continue
        seen[key] = column
        if column.field == "price":
            columns.prices.append(column)
        elif column.field in TEXT_FIELDS:
            columns.texts.setdefault(column.field, []).append(column)
        else:
            columns.single[column.field] = column
    problems += _check_mix(sheet, header, columns)
    missing = [name for name in REQUIRED if name not in columns.single]
    for name in missing:
        english, japanese, *_ = FIELDS[name]
        problems.append(sheet.problem(header.number, (
            f"required column '{english}' ({japanese}) is missing; add it to the header row"
            f"{'' if header.number == 1 else f' (row {header.number} is read as the header)'}")))
    if missing:
        raise SheetError(problems)
    return columns


def _check_mix(sheet: Sheet, header: Row, columns: Columns) -> list[SheetProblem]:
    """A text is one value for every language or one column per language, never both."""
    problems: list[SheetProblem] = []
    for name, found in columns.texts.items():
        bare = [column for column in found if not column.language]
        per_language = [column for column in found if column.language]
        if bare and per_language:
            problems.append(sheet.problem(header.number, (
                f"gives the {name} for every language, and '{per_language[0].header}' gives it "
                f"for {per_language[0].language}; keep either this one column or one column "
                "per language"), bare[0].position, bare[0].header))
    return problems


class _Matcher:
    """Match one header against the aliases, with the brand's languages and currencies."""

    def __init__(self, brand: BrandInfo) -> None:
        self.brand = brand
        self.aliases: dict[str, tuple[str, str]] = {}  # normalized alias -> (field, price list)
        for name, aliases in FIELDS.items():
            for alias in aliases:
                self.aliases.setdefault(normalize(alias), (name, ""))
        for price_list in brand.price_lists:
            for alias in PRICE_LISTS.get(price_list, (price_list,)):
                self.aliases.setdefault(normalize(alias), ("price", price_list))
        # Lists the brand lacks are still recognised, to say why they cannot be imported.
        for price_list, aliases in PRICE_LISTS.items():
            for alias in aliases:
                self.aliases.setdefault(normalize(alias), ("price", price_list))
        self.by_length = sorted(self.aliases, key=len, reverse=True)
        self.languages = {normalize(language): language for language in brand.languages}

    def match(self, index: int, header: str) -> tuple[Column | None, str]:
        """Return the column a header names, or None and why not."""
        key = normalize(header)
        found = self.split(key)
        if found is None:
            return None, self._unknown(key)
        (name, price_list), suffix = found
        if name == "price":
            return self._price(index, header, price_list, suffix)
        if name in TEXT_FIELDS:
            if not suffix:
                return Column(index, header, name), ""
            language = self.languages.get(suffix)
            if language is None:
                return None, (f"'{suffix}' is not one of the brand's languages "
                              f"({', '.join(self.brand.languages)}); add it to brand.yaml or "
                              "remove the column")
            return Column(index, header, name, language=language), ""
        if suffix:
            return None, self._unknown(key)
        return Column(index, header, name), ""

    def split(self, key: str) -> tuple[tuple[str, str], str] | None:
        """A normalized header as (field, price list) and the suffix after it, or None."""
        if key in self.aliases:
            return self.aliases[key], ""
        for alias in self.by_length:  # longest first: color_name_en is not color + name_en
            if key.startswith(alias + "_"):
                return self.aliases[alias], key[len(alias) + 1:]
        return None

    def _price(
        self, index: int, header: str, price_list: str, suffix: str
    ) -> tuple[Column | None, str]:
        if price_list not in self.brand.price_lists:
            return None, (f"'{price_list}' is not one of the brand's price lists "
                          f"({', '.join(self.brand.price_lists)}); add its term to terms.yaml "
                          "or remove the column")
        tokens = [token for token in suffix.split("_") if token]
        if _TAX_INCLUDED & set(tokens):
            return None, ("prices are imported without tax: the pages add the tax of "
                          "brand.yaml; give prices without tax (税抜)")
        currency = "_".join(t for t in tokens if t not in _TAX_EXCLUDED).upper()
        currencies = self.brand.currencies
        if not currency:
            if len(currencies) == 1:
                return Column(index, header, "price", currency=currencies[0],
                              price_list=price_list), ""
            return None, (f"names no currency, and the brand has several; write one column "
                          f"per currency: {', '.join(f'{header}_{c}' for c in currencies)}")
        if currency not in currencies:
            return None, (f"currency '{currency}' is not one of the brand's "
                          f"({', '.join(currencies)}); add it to brand.yaml or remove the column")
        return Column(index, header, "price", currency=currency, price_list=price_list), ""

    def _unknown(self, key: str) -> str:
        candidates = {alias: alias for alias in self.aliases}
        for name in TEXT_FIELDS:
            for folded, language in self.languages.items():
                candidates[f"{name}_{folded}"] = f"{name}_{language}"
        for price_list in self.brand.price_lists:
            for currency in self.brand.currencies:
                candidates[f"{price_list}_{currency.casefold()}"] = f"{price_list}_{currency}"
        close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
        hint = f"did you mean '{candidates[close[0]]}'? The" if close else "the"
        return (f"unknown column; {hint} columns are listed in docs/import.md and in the "
                "template (`linesheets import --template`); start a header with # to have a "
                "column skipped")
